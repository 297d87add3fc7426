import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import MemeKit
import ServiceLifecycle

/// meme-web: the page, the JSON API and the live WebSocket feed on the public port, /metrics on the
/// ops port, over a `MemeQueue` (JetStream in production) and an optional durable `ResultStore`
/// (Redis in production).
///
///     let app = try MemeWebApp(settings: settings, queue: natsQueue, store: redisStore, logger: logger)
///     try await app.run()
public struct MemeWebApp: Sendable {
    public let settings: WebSettings
    public let queue: any MemeQueue
    public let metrics: WebMetrics
    public let hub: LiveHub
    let book: MemeBook
    let limiter: SubmitLimiter
    /// GET /api/memes per address.
    let listLimiter: RateLimiter
    let lists = ListCache()
    public let wall: WallAddress
    let assets: StaticAssets
    let logger: Logger

    /// - Parameters:
    ///   - store: the shared durable store; nil keeps results only in this process's recent cache.
    ///   - assets: the page files; nil loads `settings.publicDirectory`.
    ///   - wall: the address the wall shows; nil resolves it from `settings` (PUBLIC_URL, else the LAN address).
    /// - Throws: `WebServiceError` when the public directory cannot be loaded, PUBLIC_URL is not a URL,
    ///   or the wall's QR code cannot be made.
    public init(
        settings: WebSettings, queue: any MemeQueue, store: (any ResultStore)? = nil,
        assets: StaticAssets? = nil, metrics: WebMetrics = WebMetrics(), logger: Logger = Logger(label: "meme-web"),
        wall: WallAddress? = nil
    ) throws {
        self.settings = settings
        self.queue = queue
        self.metrics = metrics
        self.logger = logger
        self.assets = try assets ?? StaticAssets.load(directory: settings.publicDirectory)
        let gauge = metrics.websocketsOpen, dropped = metrics.websocketsDropped
        self.hub = LiveHub(bufferLimit: settings.viewerBufferLimit, maxViewers: settings.maxViewers) { open, droppedNow in
            gauge.set(Int64(open))
            if droppedNow { dropped.increment() }
        }
        self.book = MemeBook(
            cache: InMemoryResultStore(capacity: settings.recentCapacity, maxImageBytes: settings.recentImageBytes),
            durable: store, ttlSeconds: settings.resultTTLSeconds, hub: hub, metrics: metrics, logger: logger)
        self.limiter = SubmitLimiter(
            client: RateLimit(rate: settings.rateLimit, burst: settings.rateBurst),
            address: RateLimit(rate: settings.addressRateLimit, burst: settings.addressRateBurst),
            everyone: RateLimit(rate: settings.globalRateLimit, burst: settings.globalRateBurst))
        self.listLimiter = RateLimiter(rate: settings.listRateLimit, burst: max(1, Int(settings.listRateLimit * 10)))
        self.wall = try wall ?? WallAddress.resolve(publicURL: settings.publicURL, host: settings.host, port: settings.port,
                                                    interfaces: WallAddress.interfaceAddresses())
    }

    /// The public listener and the ops listener until SIGTERM/SIGINT. The queue (when it is a service,
    /// as `NATSMemeQueue` is) connects in the background: the page is served and /readyz says why it is
    /// not ready while NATS is down.
    public func run() async throws {
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: buildApplication()),
                .init(service: OpsListener(application: buildOpsApplication(), address: "\(settings.metricsHost):\(settings.metricsPort)",
                                           logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// The Hummingbird application: HTTP/1.1 with WebSocket upgrade on /api/live behind the connection
    /// guard (header, body and idle timeouts, 431/400-and-close), plus the background services that
    /// connect the queue, read worker outcomes, send stats and write metadata to the store.
    public func buildApplication() -> Application<RouterResponder<WebRequestContext>> {
        let router = buildRouter()
        let wsRouter = Router(context: WebRequestContext.self)
        wsRouter.add(middleware: MetricsMiddleware(metrics: metrics))
        LiveRoute(hub: hub, book: book, metrics: metrics, logger: logger).register(on: wsRouter)
        let responder = wsRouter.buildResponder()
        let limits = ConnectionLimits(
            headerTimeout: .milliseconds(Int64(settings.headerTimeoutSeconds * 1000)),
            bodyTimeout: .milliseconds(Int64(settings.bodyTimeoutSeconds * 1000)), maxHeaderBytes: settings.maxHeaderBytes,
            rejected: { [metrics] in metrics.connectionRejected(status: $0) })
        // Page files are answered on the event loop (StaticFastPath), everything else by the router.
        let page = StaticPage(assets: assets, serverName: Self.serverName)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [StaticFastPath(page: page, metrics: metrics)],
            idleTimeout: .milliseconds(Int64(settings.idleTimeoutSeconds * 1000)),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: settings.maxHeaderBytes, maxHeaderListSize: settings.maxHeaderBytes, maxHeaderFieldCount: 100))
        let ws = WebSocketServerConfiguration(maxFrameSize: 4096, autoPing: .enabled(timePeriod: .seconds(20)))
        let server = HTTPServerBuilder { httpResponder in
            GuardedHTTPChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: httpResponder, webSocketResponder: responder, configuration: .init(http1: http1, ws: ws)),
                limits: limits)
        }
        var services: [any Service] = [LiveFeedService(app: self)]
        if let queue = queue as? any Service { services.append(queue) }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: Self.serverName),
            services: services,
            logger: logger)
    }

    /// /metrics, /healthz and /readyz on `metricsHost:metricsPort`: where Prometheus scrapes, not the audience.
    public func buildOpsApplication() -> Application<RouterResponder<BasicRequestContext>> {
        Application(
            router: buildOpsRouter(),
            configuration: .init(address: .hostname(settings.metricsHost, port: settings.metricsPort), serverName: nil),
            logger: logger)
    }

    public func buildOpsRouter() -> Router<BasicRequestContext> {
        let router = Router()
        OpsRoutes(queue: queue, metrics: metrics).register(on: router, metrics: true)
        return router
    }

    /// The `Server` header of every response.
    static let serverName = "meme-web"

    /// The HTTP routes (without the WebSocket upgrade), for router tests and `buildApplication`.
    public func buildRouter() -> Router<WebRequestContext> {
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        PageRoutes(assets: assets).register(on: router)
        WallRoutes(wall: wall).register(on: router)
        // Probes may use either port; /metrics is only on the ops port.
        OpsRoutes(queue: queue, metrics: metrics).register(on: router, metrics: false)
        MemeRoutes(app: self).register(on: router)
        return router
    }
}

/// Reads worker outcomes for the whole life of the process, sends periodic stats to viewers
/// and forgets idle rate-limit buckets.
struct LiveFeedService: Service {
    let app: MemeWebApp

    func run() async throws {
        let outcomes = app.queue.outcomes()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await outcome in outcomes {
                        await app.book.apply(outcome)
                    }
                }
                group.addTask { await app.book.writeQueued() }
                group.addTask {
                    let interval = Duration.milliseconds(Int(max(0.1, app.settings.statsIntervalSeconds) * 1000))
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: interval) } catch { break }
                        app.hub.broadcast(app.book.statsMessage())
                        app.limiter.prune(now: Date().timeIntervalSince1970)
                    }
                }
            }
        }
        app.hub.closeAll()
    }
}

/// The ops listener. It failing to start (the port taken) is logged and does not take the audience's
/// page down with it.
struct OpsListener: Service {
    let application: Application<RouterResponder<BasicRequestContext>>
    let address: String
    let logger: Logger

    func run() async throws {
        do {
            try await application.run()
        } catch {
            logger.error("the ops listener (/metrics) could not start; meme-web serves the audience without it",
                         metadata: ["address": "\(address)", "error": "\(error)", "setting": "\(MemeEnv.webMetricsAddress)"])
            try? await gracefulShutdown()
        }
    }
}
