import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Limits of every connection to meme-web's public port (see `ConnectionGuardState`).
struct ConnectionLimits: Sendable {
    var headerTimeout: Duration
    var bodyTimeout: Duration
    var maxHeaderBytes: Int
    /// Told the status of each connection the guard answers and closes (for a metric).
    var rejected: @Sendable (_ status: Int) -> Void = { _ in }
}

/// Hummingbird's HTTP/1.1 + WebSocket child channel with `ConnectionGuard` in front of it.
struct GuardedHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value
    let inner: HTTP1WebSocketUpgradeChannel
    let limits: ConnectionLimits

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let guardHandler = ConnectionGuard(limits: limits, logger: logger)
        do {
            try channel.pipeline.syncOperations.addHandler(guardHandler, position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Right behind the HTTP decoder: it sees each request part as decoded, decoder errors, and each
            // response head and end on their way out (including the 101 of a WebSocket upgrade).
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(
                RequestWatcher(guardHandler: guardHandler), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        // Connection-level failures (a peer that sent garbage, went away, or was cut off by the guard) are
        // the client's doing: Hummingbird logs them at error level, which would let anyone flood the log.
        // They are counted instead (meme_web_connections_rejected_total); debug logging still shows them.
        var quiet = logger
        if logger.logLevel > .debug { quiet.logLevel = .critical }
        await inner.handle(value: value, logger: quiet)
        // A failed upgrade decision leaves the channel open otherwise.
        try? await value.channel.close()
    }
}

/// First in the pipeline: runs the connection's deadlines and writes rejections as raw bytes
/// (straight to the socket, whatever state the HTTP handlers behind it are in), then closes.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let limits: ConnectionLimits
    let logger: Logger
    private var state: ConnectionGuardState
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
        state = ConnectionGuardState(headerTimeout: limits.headerTimeout, bodyTimeout: limits.bodyTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { perform(state.opened(now: .now)) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        perform(state.opened(now: .now))
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.channelClosed()
        timer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let discarding = state.isDiscarding
        perform(state.bytesReceived(unwrapInboundIn(data).readableBytes, now: .now))
        // Answered or rejected: whatever else comes is dropped, never parsed.
        if !discarding { context.fireChannelRead(data) }
    }

    // Events from the RequestWatcher (same event loop).
    func headReceived(expectsBody: Bool) { perform(state.headReceived(expectsBody: expectsBody, now: .now)) }
    func bodyEnded() { perform(state.bodyEnded()) }
    func responseStarted(status: Int) { perform(state.responseStarted(status: status)) }
    func responseEnded(closeAfter: Bool) { perform(state.responseEnded(closeAfter: closeAfter, now: .now)) }
    func parseFailed(_ error: any Error) {
        let tooLarge = (error as? HTTPParserError) == .headerOverflow
        logger.debug("unparsable request", metadata: ["error": "\(error)"])
        perform(state.parseFailed(headTooLarge: tooLarge, maxHeaderBytes: limits.maxHeaderBytes))
    }

    private func perform(_ action: ConnectionGuardState.Action) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .cancelTimer:
            timer?.cancel()
            timer = nil
        case .schedule(let deadline):
            timer?.cancel()
            timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: .nanoseconds(Self.nanos(deadline - .now))) {
                [self] in
                timer = nil
                perform(state.deadlinePassed(now: .now))
            }
        case .reject(let status, let message):
            timer?.cancel()
            logger.debug("closing connection", metadata: ["status": "\(status)", "reason": "\(message)"])
            limits.rejected(status)
            let body = Array(#"{"error":"\#(message)"}"#.utf8)
            let reason = Self.reasons[status] ?? "Error"
            let head = "HTTP/1.1 \(status) \(reason)\r\ncontent-type: application/json; charset=utf-8\r\n"
                + "content-length: \(body.count)\r\nconnection: close\r\n\r\n"
            var buffer = context.channel.allocator.buffer(capacity: head.utf8.count + body.count)
            buffer.writeString(head)
            buffer.writeBytes(body)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
        case .linger(let until):
            // The response out now; then read-and-drop until the deadline (see ConnectionGuardState).
            context.flush()
            perform(.schedule(until))
        case .close:
            timer?.cancel()
            // After the response's bytes: flush what is written, then close.
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    static let reasons = [400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"]

    static func nanos(_ duration: Duration) -> Int64 {
        let (s, atto) = duration.components
        return max(0, s * 1_000_000_000 + atto / 1_000_000_000)
    }
}

/// Right behind the HTTP decoder: tells the guard where each request and response is, and turns
/// decoder errors (garbage, TLS, oversized heads) into a rejection instead of a silent hang.
/// From a request asking for an upgrade on, it passes data through unread (the upgrade removes the
/// HTTP decoder and what follows is not HTTP), and it leaves the pipeline once the 101 is out.
final class RequestWatcher: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let guardHandler: ConnectionGuard
    private var closeAfterResponse = false
    private var inboundPassThrough = false
    private var outboundPassThrough = false

    init(guardHandler: ConnectionGuard) { self.guardHandler = guardHandler }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if inboundPassThrough {
            context.fireChannelRead(data)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            // Only a WebSocket upgrade can happen here (other upgrades are answered as plain HTTP).
            if head.headers.first(name: "upgrade")?.lowercased() == "websocket" { inboundPassThrough = true }
            let length = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            let chunked = head.headers.first(name: "transfer-encoding")?.lowercased().contains("chunked") ?? false
            guardHandler.headReceived(expectsBody: length > 0 || chunked)
        case .body:
            break
        case .end:
            guardHandler.bodyEnded()
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            guardHandler.parseFailed(error)
            return
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if outboundPassThrough {
            context.write(data, promise: promise)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            closeAfterResponse = head.headers.first(name: "connection")?.lowercased() == "close"
            context.write(data, promise: promise)
            guardHandler.responseStarted(status: Int(head.status.code))
            if head.status == .switchingProtocols {
                inboundPassThrough = true
                outboundPassThrough = true
                // Not from inside this write: its flush still has to pass through here.
                context.eventLoop.execute { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            guardHandler.responseEnded(closeAfter: closeAfterResponse)
        }
    }
}
