import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MemeKit
import ServiceLifecycle

/// meme-web: the page, the JSON API, the live WebSocket feed and /metrics, over a `MemeQueue`
/// (JetStream in production) and an optional durable `ResultStore` (Redis in production).
///
///     let app = try MemeWebApp(settings: settings, queue: natsQueue, store: redisStore, logger: logger)
///     try await app.buildApplication().runService()
public struct MemeWebApp: Sendable {
    public let settings: WebSettings
    public let queue: any MemeQueue
    public let metrics: WebMetrics
    public let hub: LiveHub
    let book: MemeBook
    let limiter: SubmitLimiter
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
        self.hub = LiveHub(bufferLimit: settings.viewerBufferLimit) { open, droppedNow in
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
        self.wall = try wall ?? WallAddress.resolve(publicURL: settings.publicURL, host: settings.host, port: settings.port,
                                                    interfaces: WallAddress.interfaceAddresses())
    }

    /// The Hummingbird application: HTTP/1.1 with WebSocket upgrade on /api/live, plus the
    /// background service that reads worker outcomes and sends stats.
    public func buildApplication() -> Application<RouterResponder<WebRequestContext>> {
        let router = buildRouter()
        let wsRouter = Router(context: WebRequestContext.self)
        wsRouter.add(middleware: MetricsMiddleware(metrics: metrics))
        LiveRoute(hub: hub, book: book, logger: logger).register(on: wsRouter)
        // Page files are answered on the event loop (StaticFastPath), everything else by the router.
        let page = StaticPage(assets: assets, serverName: Self.serverName)
        let metrics = self.metrics
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: wsRouter,
                configuration: .init(
                    http1: .init(additionalChannelHandlers: [StaticFastPath(page: page, metrics: metrics)]),
                    ws: .init(maxFrameSize: 4096, autoPing: .enabled(timePeriod: .seconds(20))))),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: Self.serverName),
            services: [LiveFeedService(app: self)],
            logger: logger)
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
        OpsRoutes(queue: queue, metrics: metrics).register(on: router)
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
