import MemeKit
import NIOCore
import NIOHTTP1

/// The client address a PROXY line named for one connection (event-loop confined, like its handlers).
final class ProxiedAddress {
    var source: String?
    var seen = false
}

/// First in the pipeline when WEB_PROXY_PROTOCOL is on (meme-web behind meme-stack's web port):
/// reads the PROXY v1 line, keeps its client address and passes every byte after it on. A
/// connection without one (the stack's readiness probe) passes unchanged; a malformed one is closed.
final class ProxyProtocolDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let address: ProxiedAddress
    private var buffered: ByteBuffer?

    init(address: ProxiedAddress) { self.address = address }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = buffered {
            earlier.writeBuffer(&bytes)
            bytes = earlier
            buffered = nil
        }
        switch ProxyProtocolV1.parse(bytes.readableBytesView) {
        case .incomplete:
            buffered = bytes
        case .absent:
            done(context: context, rest: bytes)
        case .header(let source, let length):
            address.source = source
            address.seen = true
            bytes.moveReaderIndex(forwardBy: length)
            done(context: context, rest: bytes)
        case .invalid:
            context.close(promise: nil)
        }
    }

    private func done(context: ChannelHandlerContext, rest: ByteBuffer) {
        if rest.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(rest)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// Right behind the HTTP decoder: makes X-Forwarded-For say what the PROXY line said, and nothing a
/// client wrote itself, so meme-web (trusting X-Forwarded-For from 127.0.0.1) rate-limits by the
/// audience's addresses, not by the proxy's.
final class ForwardedForFromProxy: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    private let address: ProxiedAddress

    init(address: ProxiedAddress) { self.address = address }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: "X-Forwarded-For")
        if let source = address.source { head.headers.add(name: "X-Forwarded-For", value: source) }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
