import NIOCore

/// Parses bytes into frames on the event loop and does the CONNECT handshake (INFO → CONNECT+PING → PONG);
/// after that forwards every frame to the connection, tagged with this channel's generation.
final class NATSChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase { case awaitingInfo, awaitingPong, ready, failed }

    private var parser = ProtocolParser()
    private var phase = Phase.awaitingInfo
    private let connect: ConnectCommand
    private let handshake: EventLoopPromise<ServerInfo>
    private let handshakeTimeout: TimeAmount
    private let generation: Int
    private let connection: NATSConnection
    private var info: ServerInfo?
    private var timeoutTask: Scheduled<Void>?

    init(connection: NATSConnection, generation: Int, connect: ConnectCommand,
         handshake: EventLoopPromise<ServerInfo>, handshakeTimeout: TimeAmount) {
        self.connection = connection
        self.generation = generation
        self.connect = connect
        self.handshake = handshake
        self.handshakeTimeout = handshakeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeoutTask = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            let (handler, context) = bound.value
            handler.fail(context: context, NATSError(.timeout, "no handshake from the server within \(handler.handshakeTimeout)"))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        parser.append(unwrapInboundIn(data))
        do {
            while let frame = try parser.next() {
                switch phase {
                case .ready:
                    connection.received(frame, generation: generation, channel: context.channel)
                case .awaitingInfo, .awaitingPong:
                    handshakeFrame(frame, context: context)
                case .failed:
                    return
                }
            }
        } catch {
            fail(context: context, NATSError(.protocolError, error.description))
            connection.protocolFailure(error.description, generation: generation)
            context.close(promise: nil)
        }
    }

    private func handshakeFrame(_ frame: ServerFrame, context: ChannelHandlerContext) {
        switch (phase, frame) {
        case (.awaitingInfo, .info(let info)):
            if info.tlsRequired {
                fail(context: context, NATSError(.unsupportedScheme, "the server requires TLS, which this client does not support yet"))
                return
            }
            self.info = info
            // Frames can exceed max_payload only by their header block; keep a margin, still bounded.
            parser.maxPayload = info.maxPayload + 64 * 1024
            phase = .awaitingPong
            var buffer = context.channel.allocator.buffer(capacity: 256)
            ClientEncoder.connect(connect, into: &buffer)
            ClientEncoder.ping(into: &buffer)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case (.awaitingPong, .pong):
            phase = .ready
            timeoutTask?.cancel()
            handshake.succeed(info!)
        case (_, .ping):
            var buffer = context.channel.allocator.buffer(capacity: 8)
            ClientEncoder.pong(into: &buffer)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case (_, .ok), (.awaitingPong, .info):
            break
        case (_, .err(let text)):
            let lower = text.lowercased()
            let kind: NATSError.Kind = lower.contains("authorization") || lower.contains("authentication") ? .authorizationFailed : .serverError
            fail(context: context, NATSError(kind, "server refused the connection: \(text)"))
        default:
            fail(context: context, NATSError(.protocolError, "unexpected frame during handshake"))
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: NATSError) {
        guard phase != .ready && phase != .failed else { return }
        phase = .failed
        timeoutTask?.cancel()
        handshake.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: context, NATSError(.connectionFailed, "connection closed by the server during the handshake"))
        connection.channelClosed(generation: generation)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.noteError("\(error)", generation: generation)
        fail(context: context, NATSError(.connectionFailed, "connection error: \(error)", underlying: error))
        context.close(promise: nil)
    }
}
