import Prometheus
import Synchronization

/// meme-web's Prometheus metrics, all with HELP text so `promtool check metrics` passes.
public final class WebMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let requests = Mutex([String: Counter]())
    private let durations = Mutex([String: DurationHistogram]())
    private let redisErrors = Mutex([String: Counter]())
    private let rejections = Mutex([Int: Counter]())
    let websocketsOpen: Gauge
    let websocketsDropped: Counter
    let websocketsRefused: Counter
    let memesSubmitted: Counter
    let memesDone: Counter
    let memesFailed: Counter

    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        websocketsOpen = registry.makeGauge(descriptor: .init(
            namespace: "meme", subsystem: "web", metricName: "websockets", unitName: "open",
            helpText: "WebSocket connections currently open on /api/live."))
        websocketsDropped = registry.makeCounter(descriptor: .init(
            namespace: "meme", subsystem: "web", metricName: "websockets_dropped", unitName: "total",
            helpText: "WebSocket clients disconnected because they read too slowly."))
        websocketsRefused = registry.makeCounter(descriptor: .init(
            namespace: "meme", subsystem: "web", metricName: "websockets_refused", unitName: "total",
            helpText: "WebSocket clients closed at once because WEB_MAX_VIEWERS were already open."))
        memesSubmitted = registry.makeCounter(descriptor: .init(
            namespace: "meme", subsystem: "web", metricName: "memes_submitted", unitName: "total",
            helpText: "Meme requests stored in JetStream by this instance."))
        memesDone = registry.makeCounter(descriptor: .init(
            namespace: "meme", subsystem: "web", metricName: "memes_done", unitName: "total",
            helpText: "Finished memes received from workers."))
        memesFailed = registry.makeCounter(descriptor: .init(
            namespace: "meme", subsystem: "web", metricName: "memes_failed", unitName: "total",
            helpText: "Meme errors received from workers."))
        // Present at 0 from the start, so an alert on its rate sees the first failure.
        for op in ["read", "write", "list"] { _ = redisCounter(op: op) }
    }

    /// Counts one HTTP request. `route` is the matched route pattern (bounded cardinality).
    func record(route: String, status: Int, duration: Duration) {
        let key = "\(route) \(status)"
        let counter = requests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: .init(
                    namespace: "meme", subsystem: "web", metricName: "requests", unitName: "total",
                    helpText: "HTTP requests by route pattern and status code."),
                labels: [("route", route), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
        let histogram = durations.withLock { histograms in
            if let histogram = histograms[route] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: .init(
                    namespace: "meme", subsystem: "web", metricName: "request_duration", unitName: "seconds",
                    helpText: "HTTP request latency by route pattern."),
                labels: [("route", route)], buckets: Self.durationBuckets)
            histograms[route] = histogram
            return histogram
        }
        histogram.record(duration)
    }

    /// Counts one connection the guard answered and closed (408 timeouts, 431, 400 for non-HTTP bytes).
    func connectionRejected(status: Int) {
        rejections.withLock { counters in
            if let counter = counters[status] { return counter }
            let counter = registry.makeCounter(
                descriptor: .init(
                    namespace: "meme", subsystem: "web", metricName: "connections_rejected", unitName: "total",
                    helpText: "Connections answered and closed for a header or body timeout (408), an oversized head (431) or bytes that are not HTTP (400)."),
                labels: [("status", String(status))])
            counters[status] = counter
            return counter
        }.increment()
    }

    /// Counts one failed Redis operation (`op`: read, write, list).
    func redisError(op: String) {
        redisCounter(op: op).increment()
    }

    private func redisCounter(op: String) -> Counter {
        redisErrors.withLock { counters in
            if let counter = counters[op] { return counter }
            let counter = registry.makeCounter(
                descriptor: .init(
                    namespace: "meme", subsystem: "web", metricName: "redis_errors", unitName: "total",
                    helpText: "Redis operations of meme-web that failed (timeouts, refused connections, a full write queue)."),
                labels: [("op", op)])
            counters[op] = counter
            return counter
        }
    }

    /// The Prometheus text exposition page.
    public func page() -> [UInt8] { registry.emitToBuffer() }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
