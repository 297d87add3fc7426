import ArgumentParser
import Logging
import MemeKit
import SettingsFlags
import WebService

/// meme-web: thin wiring from flags/environment (`WebSettings.resolve`) to `MemeWebApp`.
/// Every flag may also come from the environment variable named in its help; the flag wins.
@main
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-web",
        abstract: "meme-generator: the audience's page and JSON/WebSocket API.",
        discussion: "Deprecated spellings (--stream, --request-subject, --response-subject, --consumer) still work; see --help-hidden.",
        version: "0.1.0"
    )

    @Option(name: .setting(MemeEnv.host), help: .setting(MemeEnv.host)) var host: String?
    @Option(name: .setting(MemeEnv.port), help: .setting(MemeEnv.port)) var port: String?
    @OptionGroup var queue: QueueFlags
    @Option(name: .setting(MemeEnv.redisURL), help: .setting(MemeEnv.redisURL)) var redisURL: String?
    @Option(name: .setting(MemeEnv.webPublicDir), help: .setting(MemeEnv.webPublicDir)) var publicDir: String?
    @Option(name: .setting(MemeEnv.webRateLimit), help: .setting(MemeEnv.webRateLimit)) var rateLimit: String?
    @Option(name: .setting(MemeEnv.webRateBurst), help: .setting(MemeEnv.webRateBurst)) var rateBurst: String?
    @Option(name: .setting(MemeEnv.webAddressRateLimit), help: .setting(MemeEnv.webAddressRateLimit)) var addressRateLimit: String?
    @Option(name: .setting(MemeEnv.webAddressRateBurst), help: .setting(MemeEnv.webAddressRateBurst)) var addressRateBurst: String?
    @Option(name: .setting(MemeEnv.webGlobalRateLimit), help: .setting(MemeEnv.webGlobalRateLimit)) var globalRateLimit: String?
    @Option(name: .setting(MemeEnv.webGlobalRateBurst), help: .setting(MemeEnv.webGlobalRateBurst)) var globalRateBurst: String?
    @Flag(name: .setting(MemeEnv.webTrustedProxy), help: .setting(MemeEnv.webTrustedProxy)) var trustedProxy = false
    @Flag(name: .setting(MemeEnv.webProxyProtocol), help: .setting(MemeEnv.webProxyProtocol)) var proxyProtocol = false
    @Option(name: .setting(MemeEnv.webTrustedProxies), help: .setting(MemeEnv.webTrustedProxies)) var trustedProxies: String?
    @Option(name: .setting(MemeEnv.publicURL), help: .setting(MemeEnv.publicURL)) var publicURL: String?
    @Option(name: .setting(MemeEnv.webPublicAddress), help: .setting(MemeEnv.webPublicAddress)) var publicAddress: String?
    @Option(name: .setting(MemeEnv.maxPromptChars), help: .setting(MemeEnv.maxPromptChars)) var maxPromptChars: String?
    @Option(name: .setting(MemeEnv.resultTTL), help: .setting(MemeEnv.resultTTL)) var resultTTL: String?
    @Option(name: .setting(MemeEnv.webRecentCapacity), help: .setting(MemeEnv.webRecentCapacity)) var recentCapacity: String?
    @Option(name: .setting(MemeEnv.webStatsInterval), help: .setting(MemeEnv.webStatsInterval)) var statsInterval: String?
    @Option(name: .setting(MemeEnv.logLevel), help: .setting(MemeEnv.logLevel)) var logLevel: String?
    @Option(name: .setting(MemeEnv.webMetricsAddress), help: .setting(MemeEnv.webMetricsAddress)) var metricsAddr: String?
    @Option(name: .setting(MemeEnv.webHeaderTimeout), help: .setting(MemeEnv.webHeaderTimeout)) var headerTimeout: String?
    @Option(name: .setting(MemeEnv.webIdleTimeout), help: .setting(MemeEnv.webIdleTimeout)) var idleTimeout: String?
    @Option(name: .setting(MemeEnv.webBodyTimeout), help: .setting(MemeEnv.webBodyTimeout)) var bodyTimeout: String?
    @Option(name: .setting(MemeEnv.webSubmitTimeout), help: .setting(MemeEnv.webSubmitTimeout)) var submitTimeout: String?
    @Option(name: .setting(MemeEnv.webMaxViewers), help: .setting(MemeEnv.webMaxViewers)) var maxViewers: String?
    @Option(name: .setting(MemeEnv.webListRateLimit), help: .setting(MemeEnv.webListRateLimit)) var listRateLimit: String?
    @Option(name: .setting(MemeEnv.streamMaxMessages), help: .setting(MemeEnv.streamMaxMessages)) var streamMaxMessages: String?
    @Option(name: .setting(MemeEnv.streamMaxBytes), help: .setting(MemeEnv.streamMaxBytes)) var streamMaxBytes: String?
    @Option(name: .setting(MemeEnv.streamReplicas), help: .setting(MemeEnv.streamReplicas)) var streamReplicas: String?

    /// Development aid only: answer requests in-process with placeholder images (no NATS, no worker).
    @Flag(help: .hidden)
    var devLoopbackQueue = false

    func flags() throws -> SettingsFlagTable {
        var t = SettingsFlagTable()
        try queue.add(to: &t)
        for (variable, value) in [
            (MemeEnv.host, host), (MemeEnv.port, port), (MemeEnv.redisURL, redisURL), (MemeEnv.webPublicDir, publicDir),
            (MemeEnv.webRateLimit, rateLimit), (MemeEnv.webRateBurst, rateBurst), (MemeEnv.webAddressRateLimit, addressRateLimit),
            (MemeEnv.webAddressRateBurst, addressRateBurst), (MemeEnv.webGlobalRateLimit, globalRateLimit),
            (MemeEnv.webGlobalRateBurst, globalRateBurst), (MemeEnv.webTrustedProxies, trustedProxies), (MemeEnv.publicURL, publicURL), (MemeEnv.webPublicAddress, publicAddress),
            (MemeEnv.maxPromptChars, maxPromptChars), (MemeEnv.resultTTL, resultTTL), (MemeEnv.webRecentCapacity, recentCapacity),
            (MemeEnv.webStatsInterval, statsInterval), (MemeEnv.logLevel, logLevel),
            (MemeEnv.webMetricsAddress, metricsAddr), (MemeEnv.webHeaderTimeout, headerTimeout), (MemeEnv.webIdleTimeout, idleTimeout),
            (MemeEnv.webBodyTimeout, bodyTimeout), (MemeEnv.webSubmitTimeout, submitTimeout), (MemeEnv.webMaxViewers, maxViewers),
            (MemeEnv.webListRateLimit, listRateLimit), (MemeEnv.streamMaxMessages, streamMaxMessages),
            (MemeEnv.streamMaxBytes, streamMaxBytes), (MemeEnv.streamReplicas, streamReplicas),
        ] { t.set(variable, value) }
        t.set(MemeEnv.webTrustedProxy, trustedProxy)
        t.set(MemeEnv.webProxyProtocol, proxyProtocol)
        return t
    }

    func run() async throws {
        let table = try flags()
        table.warn(as: "meme-web")
        let settings: WebSettings
        do {
            settings = try WebSettings.resolve(table.reader)
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        var logger = Logger(label: "meme-web")
        logger.logLevel = settings.logLevel

        let backends: (queue: any MemeQueue, store: (any ResultStore)?)
        if devLoopbackQueue {
            logger.warning("DEVELOPMENT MODE: --dev-loopback-queue answers requests in-process with placeholder images; nothing reaches NATS or a worker")
            backends = (DevLoopbackQueue(), nil)
        } else {
            // The queue connects in the background (a service of the app): meme-web listens at once.
            backends = try WebBackends.make(settings, logger: logger)
        }
        let app = try MemeWebApp(settings: settings, queue: backends.queue, store: backends.store, logger: logger)
        logger.info("meme-web listening", metadata: [
            "address": "\(settings.host):\(settings.port)", "metrics": "\(settings.metricsHost):\(settings.metricsPort)",
            "public": "\(settings.publicDirectory)", "wall": "\(app.wall.url) (\(app.wall.source.rawValue))",
        ])
        if app.wall.source == .loopback {
            logger.warning("no LAN address found: the wall shows \(app.wall.display), which phones cannot open; set PUBLIC_URL")
        }
        try await app.run()
    }
}
