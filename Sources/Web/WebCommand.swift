import ArgumentParser
import Foundation
import Logging
import MemeKit
import WebService

/// meme-web: thin wiring from flags/environment to `MemeWebApp`.
/// Every flag may also come from the environment variable named in its help; the flag wins.
@main
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-web",
        abstract: "meme-generator: the audience's page and JSON/WebSocket API.",
        version: "0.1.0"
    )

    @Option(help: "(env: HOST) Address to listen on; default 0.0.0.0.")
    var host: String?

    @Option(help: "(env: PORT) HTTP port; default \(MemeDefaults.webPort).")
    var port: Int?

    @Option(help: "(env: NATS_URL) NATS server URL; default \(MemeDefaults.natsURL).")
    var natsURL: String?

    @Option(help: "(env: NATS_STREAM) JetStream stream name; default \(MemeDefaults.stream).")
    var natsStream: String?

    @Option(help: "(env: NATS_REQUEST_SUBJECT) Subject requests are published on; default \(MemeDefaults.requestSubject).")
    var requestSubject: String?

    @Option(help: "(env: NATS_RESPONSE_SUBJECT) Subject results arrive on; errors on <subject>.error; default \(MemeDefaults.responseSubject).")
    var responseSubject: String?

    @Option(help: "(env: REDIS_URL) Redis URL for shared results; default \(MemeDefaults.redisURL).")
    var redisURL: String?

    @Option(help: "(env: WEB_PUBLIC_DIR) Folder with index.html, wall.html and assets/; default: ./Public, ./Sources/Web/Public or next to the executable.")
    var publicDir: String?

    @Option(help: "(env: WEB_RATE_LIMIT) Submits per second per client (a browser by its X-Meme-Client id, else an address); 0 disables; default 5.")
    var rateLimit: Double?

    @Option(help: "(env: WEB_RATE_BURST) Burst of submits a client may make at once; default 20.")
    var rateBurst: Int?

    @Option(help: "(env: WEB_ADDRESS_RATE_LIMIT) Submits per second from one address, all its clients together (a room behind one NAT); 0 disables; default 50.")
    var addressRateLimit: Double?

    @Option(help: "(env: WEB_ADDRESS_RATE_BURST) Burst from one address; default 200 (a room of ~200 phones at once).")
    var addressRateBurst: Int?

    @Option(help: "(env: WEB_GLOBAL_RATE_LIMIT) Submits per second into this meme-web altogether; 0 disables; default 100.")
    var globalRateLimit: Double?

    @Option(help: "(env: WEB_GLOBAL_RATE_BURST) Burst into this meme-web altogether; default 400.")
    var globalRateBurst: Int?

    @Flag(help: "(env: WEB_TRUSTED_PROXY) Trust the first X-Forwarded-For hop as the client address from any peer; only behind your own proxy (set WEB_TRUSTED_PROXY=1).")
    var trustedProxy = false

    @Option(help: "(env: WEB_TRUSTED_PROXIES) Comma-separated proxy addresses or IPv4 CIDR ranges whose X-Forwarded-For is believed (the rightmost other hop is the client).")
    var trustedProxies: String?

    @Option(help: "(env: PUBLIC_URL) The address the wall shows and puts in its QR code, e.g. https://memes.example.org; default: http://<first LAN IPv4>:<port>/.")
    var publicURL: String?

    @Option(help: "(env: MAX_PROMPT_CHARS) Longest prompt in characters; default \(MemeDefaults.maxPromptCharacters).")
    var maxPromptChars: Int?

    @Option(help: "(env: RESULT_TTL) Seconds results are kept; default \(MemeDefaults.resultTTLSeconds).")
    var resultTTL: Int?

    @Option(help: "(env: WEB_RECENT_CAPACITY) Recent memes kept in memory for the wall; default 1000.")
    var recentCapacity: Int?

    @Option(help: "(env: WEB_STATS_INTERVAL) Seconds between live stats messages; default 2.")
    var statsInterval: Double?

    @Option(help: "(env: LOG_LEVEL) Log level: trace, debug, info, notice, warning, error; default info.")
    var logLevel: String?

    @Option(help: "(env: WEB_METRICS_ADDR) Listen address of /metrics, /healthz, /readyz for Prometheus and probes (not the audience's port); default \(MemeDefaults.webMetricsAddress).")
    var webMetricsAddr: String?

    @Option(help: "(env: WEB_HEADER_TIMEOUT) Seconds a connection has to send a request's headers; default \(MemeDefaults.webHeaderTimeoutSeconds).")
    var webHeaderTimeout: String?

    @Option(help: "(env: WEB_IDLE_TIMEOUT) Seconds a keep-alive connection may sit idle between requests; default \(MemeDefaults.webIdleTimeoutSeconds).")
    var webIdleTimeout: String?

    @Option(help: "(env: WEB_BODY_TIMEOUT) Seconds a request body has to arrive in full; default \(MemeDefaults.webBodyTimeoutSeconds).")
    var webBodyTimeout: String?

    @Option(help: "(env: WEB_SUBMIT_TIMEOUT) Seconds a submit waits for JetStream's acknowledgement before answering 503; default \(MemeDefaults.webSubmitTimeoutSeconds).")
    var webSubmitTimeout: String?

    @Option(help: "(env: WEB_MAX_VIEWERS) Open /api/live WebSockets; one more is closed at once (1013, try again later); default \(MemeDefaults.webMaxViewers).")
    var webMaxViewers: String?

    @Option(help: "(env: WEB_LIST_RATE_LIMIT) GET /api/memes per second per client address (bursts of ten times that); 0 disables; default \(MemeDefaults.webListRatePerSecond).")
    var webListRateLimit: String?

    @Option(help: "(env: NATS_STREAM_MAX_MSGS) Requests the MEMES stream holds before refusing new ones, when meme-web creates it; default \(MemeDefaults.streamMaxMessages).")
    var natsStreamMaxMsgs: String?

    @Option(help: "(env: NATS_STREAM_MAX_BYTES) Bytes the MEMES stream holds before refusing new requests, when meme-web creates it; default \(MemeDefaults.streamMaxBytes).")
    var natsStreamMaxBytes: String?

    /// The limit flags keyed by their environment names, for `WebSettings.readLimits`.
    var limitFlags: [String: String] {
        var f: [String: String] = [:]
        f[MemeEnv.webMetricsAddress] = webMetricsAddr
        f[MemeEnv.webHeaderTimeout] = webHeaderTimeout
        f[MemeEnv.webIdleTimeout] = webIdleTimeout
        f[MemeEnv.webBodyTimeout] = webBodyTimeout
        f[MemeEnv.webSubmitTimeout] = webSubmitTimeout
        f[MemeEnv.webMaxViewers] = webMaxViewers
        f[MemeEnv.webListRateLimit] = webListRateLimit
        f[MemeEnv.streamMaxMessages] = natsStreamMaxMsgs
        f[MemeEnv.streamMaxBytes] = natsStreamMaxBytes
        return f
    }

    /// Development aid only: answer requests in-process with placeholder images (no NATS, no worker).
    @Flag(help: .hidden)
    var devLoopbackQueue = false

    func run() async throws {
        let env = Environment()
        var logger = Logger(label: "meme-web")
        let level = try env.pick(logLevel, "LOG_LEVEL", default: "info")
        guard let parsedLevel = Logger.Level(rawValue: level) else {
            throw ValidationError("log level '\(level)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        logger.logLevel = parsedLevel

        var settings = WebSettings()
        settings.host = try env.pick(host, "HOST", default: settings.host)
        settings.port = try env.pick(port, MemeEnv.port, default: settings.port)
        settings.rateLimit = try env.pick(rateLimit, "WEB_RATE_LIMIT", default: settings.rateLimit)
        settings.rateBurst = try env.pick(rateBurst, "WEB_RATE_BURST", default: settings.rateBurst)
        settings.addressRateLimit = try env.pick(addressRateLimit, "WEB_ADDRESS_RATE_LIMIT", default: settings.addressRateLimit)
        settings.addressRateBurst = try env.pick(addressRateBurst, "WEB_ADDRESS_RATE_BURST", default: settings.addressRateBurst)
        settings.globalRateLimit = try env.pick(globalRateLimit, "WEB_GLOBAL_RATE_LIMIT", default: settings.globalRateLimit)
        settings.globalRateBurst = try env.pick(globalRateBurst, "WEB_GLOBAL_RATE_BURST", default: settings.globalRateBurst)
        for (name, burst) in [("WEB_RATE_BURST", settings.rateBurst), ("WEB_ADDRESS_RATE_BURST", settings.addressRateBurst),
                              ("WEB_GLOBAL_RATE_BURST", settings.globalRateBurst)] where burst < 1 {
            throw ValidationError("\(name) must be at least 1, not \(burst)")
        }
        settings.trustProxy = try trustedProxy || env.flag("WEB_TRUSTED_PROXY")
        do {
            settings.trustedProxies = try TrustedProxies(parsing: try env.pick(trustedProxies, "WEB_TRUSTED_PROXIES", default: ""))
        } catch {
            throw ValidationError("\(error)")
        }
        let publicURL = try env.pick(self.publicURL, "PUBLIC_URL", default: "")
        settings.publicURL = publicURL.isEmpty ? nil : publicURL
        // Checked before waiting for NATS, so a bad PUBLIC_URL fails at once.
        let wall: WallAddress
        do {
            wall = try WallAddress.resolve(publicURL: settings.publicURL, host: settings.host, port: settings.port,
                                           interfaces: WallAddress.interfaceAddresses())
        } catch {
            throw ValidationError("\(error)")
        }
        settings.limits.maxPromptCharacters = try env.pick(maxPromptChars, "MAX_PROMPT_CHARS", default: settings.limits.maxPromptCharacters)
        settings.resultTTLSeconds = try env.pick(resultTTL, "RESULT_TTL", default: settings.resultTTLSeconds)
        settings.recentCapacity = try env.pick(recentCapacity, "WEB_RECENT_CAPACITY", default: settings.recentCapacity)
        settings.statsIntervalSeconds = try env.pick(statsInterval, "WEB_STATS_INTERVAL", default: settings.statsIntervalSeconds)
        settings.publicDirectory = try env.pick(publicDir, "WEB_PUBLIC_DIR", default: Self.defaultPublicDirectory())
        do {
            try settings.readLimits(SettingsReader(flags: limitFlags))
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        guard (1...65535).contains(settings.port) else { throw ValidationError("port \(settings.port) is not between 1 and 65535") }
        guard settings.limits.maxPromptCharacters > 0 else { throw ValidationError("max prompt characters must be positive") }

        let nats = NATSSettings(
            url: try env.pick(natsURL, MemeEnv.natsURL, default: MemeDefaults.natsURL),
            stream: try env.pick(natsStream, MemeEnv.natsStream, default: MemeDefaults.stream),
            requestSubject: try env.pick(requestSubject, MemeEnv.requestSubject, default: MemeDefaults.requestSubject),
            responseSubject: try env.pick(responseSubject, MemeEnv.responseSubject, default: MemeDefaults.responseSubject))
        let redis = try env.pick(redisURL, MemeEnv.redisURL, default: MemeDefaults.redisURL)

        let queue: any MemeQueue
        let store: (any ResultStore)?
        if devLoopbackQueue {
            logger.warning("DEVELOPMENT MODE: --dev-loopback-queue answers requests in-process with placeholder images; nothing reaches NATS or a worker")
            queue = DevLoopbackQueue()
            store = nil
        } else {
            (queue, store) = Self.brokerBackends(nats: nats, redisURL: redis, settings: settings, logger: logger)
        }
        let app = try MemeWebApp(settings: settings, queue: queue, store: store, logger: logger, wall: wall)
        logger.info("meme-web listening", metadata: [
            "address": "\(settings.host):\(settings.port)", "metrics": "\(settings.metricsHost):\(settings.metricsPort)",
            "public": "\(settings.publicDirectory)", "wall": "\(app.wall.url) (\(app.wall.source.rawValue))",
        ])
        if app.wall.source == .loopback {
            logger.warning("no LAN address found: the wall shows \(app.wall.display), which phones cannot open; set PUBLIC_URL")
        }
        try await app.run()
    }

    struct NATSSettings {
        var url: String
        var stream: String
        var requestSubject: String
        var responseSubject: String
    }

    /// The JetStream queue (it connects in the background, retrying until NATS answers, while the page
    /// is already served) and the Redis store. Redis is optional at start-up: results then stay in this
    /// process's recent cache (and the worker's own Redis copy, once Redis is back).
    static func brokerBackends(nats: NATSSettings, redisURL: String, settings: WebSettings, logger: Logger) -> (any MemeQueue, (any ResultStore)?) {
        let queue = NATSMemeQueue(.init(
            url: nats.url, stream: nats.stream, requestSubject: nats.requestSubject, responseSubject: nats.responseSubject,
            streamMaxMessages: settings.streamMaxMessages, streamMaxBytes: settings.streamMaxBytes), logger: logger)
        let store: (any ResultStore)?
        do {
            store = try RedisResultStore(url: redisURL)
        } catch {
            logger.warning("Redis URL unusable; results are kept in memory only", metadata: ["error": "\(error)"])
            store = nil
        }
        return (queue, store)
    }

    static func defaultPublicDirectory() -> String {
        let fm = FileManager.default
        var candidates = ["Public", "Sources/Web/Public"]
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(exe.appendingPathComponent("Public").path)
        candidates.append(exe.appendingPathComponent("../share/meme-web/Public").standardized.path)
        // A SwiftPM build runs from .build/<triple>/<config>/: the checkout is a few levels up.
        var dir = exe
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("Sources/Web/Public").path)
        }
        return candidates.first { fm.fileExists(atPath: ($0 as NSString).appendingPathComponent("index.html")) } ?? "Sources/Web/Public"
    }
}

/// Reads settings from the environment with errors that name the variable.
struct Environment {
    let values = ProcessInfo.processInfo.environment

    func pick(_ flag: String?, _ name: String, default value: String) throws -> String {
        if let flag { return flag }
        if let raw = values[name], !raw.isEmpty { return raw }
        return value
    }

    func pick<T: LosslessStringConvertible>(_ flag: T?, _ name: String, default value: T) throws -> T {
        if let flag { return flag }
        guard let raw = values[name], !raw.isEmpty else { return value }
        guard let parsed = T(raw.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("environment variable \(name)='\(raw)' is not a valid \(T.self)")
        }
        return parsed
    }

    func flag(_ name: String) throws -> Bool {
        guard let raw = values[name]?.lowercased(), !raw.isEmpty else { return false }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ValidationError("environment variable \(name)='\(raw)' must be 1/true/yes/on or 0/false/no/off")
        }
    }
}
