import MemeKit

/// Everything meme-web's HTTP layer needs to know; the executable fills it from flags and env.
public struct WebSettings: Sendable {
    public var host = "0.0.0.0"
    public var port = MemeDefaults.webPort
    /// The folder with index.html, wall.html and assets/.
    public var publicDirectory = "Sources/Web/Public"
    /// Requests per second per client on POST /api/memes; ≤ 0 disables limiting.
    public var rateLimit = 5.0
    public var rateBurst = 20
    /// Trust the first X-Forwarded-For hop as the client address (only behind a proxy you run).
    public var trustProxy = false
    public var maxBodyBytes = MemeDefaults.maxRequestBytes
    public var limits = MemeRequestLimits()
    /// How long results are kept (in the result store and the recent cache).
    public var resultTTLSeconds = MemeDefaults.resultTTLSeconds
    /// Records kept in memory for the wall and quick lookups.
    public var recentCapacity = 1000
    public var recentImageBytes = 32 * 1024 * 1024
    /// Seconds between `stats` messages on /api/live.
    public var statsIntervalSeconds = 2.0
    /// Messages a WebSocket viewer may fall behind before it is dropped.
    public var viewerBufferLimit = 64
    /// Largest `limit` accepted by GET /api/memes.
    public var maxListLimit = 100
    /// Seconds to wait for the queue to acknowledge a submit before answering 503.
    public var submitTimeoutSeconds = 5.0

    public init() {}
}
