import Hummingbird
import HummingbirdWebSocket

/// The request context of every meme-web route: Hummingbird's core storage, the WebSocket
/// handler slot, and the peer address (for rate limiting).
public struct WebRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<WebRequestContext>
    /// The TCP peer's IP address; nil in router tests (no socket).
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }
}
