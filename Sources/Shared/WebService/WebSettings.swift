import MemeKit

/// Everything meme-web's HTTP layer needs to know; the executable fills it from flags and env.
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
    /// The MEMES stream's bounds (discard new) when this process creates it; the worker reads the same variables.
    public var streamMaxMessages = MemeDefaults.streamMaxMessages
    public var streamMaxBytes = MemeDefaults.streamMaxBytes

    public init() {}

    /// The environment names `readLimits` reads.
    public static let limitNames = [
        MemeEnv.webMetricsAddress, MemeEnv.webHeaderTimeout, MemeEnv.webIdleTimeout, MemeEnv.webBodyTimeout,
        MemeEnv.webSubmitTimeout, MemeEnv.webMaxViewers, MemeEnv.webListRateLimit, MemeEnv.streamMaxMessages,
        MemeEnv.streamMaxBytes,
    ]

    /// The limits against hostile input and faults, flag → environment → default; errors name the setting.
    public mutating func readLimits(_ r: SettingsReader) throws {
        (metricsHost, metricsPort) = try r.hostPort(MemeEnv.webMetricsAddress, default: MemeDefaults.webMetricsAddress)
        headerTimeoutSeconds = try r.double(MemeEnv.webHeaderTimeout, default: headerTimeoutSeconds, range: 0.1...3600)
        idleTimeoutSeconds = try r.double(MemeEnv.webIdleTimeout, default: idleTimeoutSeconds, range: 1...86400)
        bodyTimeoutSeconds = try r.double(MemeEnv.webBodyTimeout, default: bodyTimeoutSeconds, range: 0.1...3600)
        submitTimeoutSeconds = try r.double(MemeEnv.webSubmitTimeout, default: submitTimeoutSeconds, range: 0.5...120)
        maxViewers = try r.int(MemeEnv.webMaxViewers, default: maxViewers, range: 1...1_000_000)
        listRateLimit = try r.double(MemeEnv.webListRateLimit, default: listRateLimit, range: 0...100_000)
        streamMaxMessages = try r.int(MemeEnv.streamMaxMessages, default: streamMaxMessages, range: 1...100_000_000)
        streamMaxBytes = try r.int(MemeEnv.streamMaxBytes, default: streamMaxBytes, range: 1024...(1 << 40))
    }
}
