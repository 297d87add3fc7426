import Logging
import MemeKit

/// Everything meme-web needs to know; `resolve(_:)` fills it from flags, environment and defaults.
public struct WebSettings: Sendable {
    public var host = "0.0.0.0"
    public var port = MemeDefaults.webPort
    /// The folder with index.html, wall.html and assets/.
    public var publicDirectory = "Sources/Web/Public"
    /// Submits per second per client on POST /api/memes (a browser by its X-Meme-Client id, else an
    /// address); ≤ 0 disables this limit.
    public var rateLimit = 5.0
    public var rateBurst = 20
    /// Submits per second from one address, all its clients together: a room of ~200 phones behind
    /// one NAT may each send a meme at once and one every 4 s after. ≤ 0 disables.
    public var addressRateLimit = 50.0
    public var addressRateBurst = 200
    /// Submits per second into this process altogether, so a flood cannot outrun the workers by hours. ≤ 0 disables.
    public var globalRateLimit = 100.0
    public var globalRateBurst = 400
    /// Trust the first X-Forwarded-For hop as the client address from any peer (only behind a proxy you run).
    public var trustProxy = false
    /// Believe X-Forwarded-For only from these peers (the rightmost hop that is not one of them is the client).
    public var trustedProxies = TrustedProxies()
    /// The address the wall tells the room to open (PUBLIC_URL); nil: this machine's LAN address.
    public var publicURL: String?
    /// Where the audience reaches this process when it runs behind a proxy (WEB_PUBLIC_ADDRESS):
    /// the wall shows this host and port instead of the ones meme-web listens on.
    public var publicAddress: (host: String, port: Int)?
    /// Each connection starts with a PROXY v1 line naming the client (WEB_PROXY_PROTOCOL).
    public var proxyProtocol = false
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
    /// GET /api/memes per second per client address (bursts of ten times that); ≤ 0 disables.
    public var listRateLimit = MemeDefaults.webListRatePerSecond
    /// Seconds to wait for the queue to acknowledge a submit before answering 503.
    public var submitTimeoutSeconds = MemeDefaults.webSubmitTimeoutSeconds
    /// Where requests go and answers come from.
    public var queue = QueueSettings()
    /// Shared results (`meme:meta:<id>`, the worker's `meme:result:<id>`); nil keeps them in memory only.
    public var redisURL: String? = MemeDefaults.redisURL
    public var logLevel = Logger.Level.info
    /// The ops listener: /metrics (and /healthz, /readyz) for Prometheus and probes, not the audience.
    /// Loopback by default, so a laptop demo does not show it to the venue's network (MemeDefaults.webMetricsAddress).
    public var metricsHost = "127.0.0.1"
    public var metricsPort = 9092
    /// Seconds a connection has to send a request's headers once it opened or started sending them.
    public var headerTimeoutSeconds = MemeDefaults.webHeaderTimeoutSeconds
    /// Seconds a keep-alive connection may sit idle between requests.
    public var idleTimeoutSeconds = MemeDefaults.webIdleTimeoutSeconds
    /// Seconds a request body has to arrive in full once its headers did.
    public var bodyTimeoutSeconds = MemeDefaults.webBodyTimeoutSeconds
    /// Largest request head (request line and headers); bigger gets 431.
    public var maxHeaderBytes = MemeDefaults.webMaxHeaderBytes
    /// Open /api/live WebSockets; one more is closed at once with 1013 "try again later".
    public var maxViewers = MemeDefaults.webMaxViewers
    /// The MEMES stream's bounds (discard new) and copies when this process creates it; the worker reads the same variables.
    public var streamBounds = StreamBounds()

    public init() {}
}
