import Foundation
import Prometheus

/// The worker's Prometheus metrics, under the original's names so its Grafana dashboards work.
/// Every metric has HELP text (`promtool check metrics` requires it).
public final class WorkerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let requests: Counter
    public let success: Counter
    public let errors: Counter
    public let cacheHits: Counter
    public let cacheMisses: Counter
    public let cacheErrors: Counter
    public let naks: Counter
    public let inFlight: Gauge
    public let processing: ValueHistogram
    public let generation: ValueHistogram
    public let productivity: Gauge
    private let productivityWindow = ProductivityWindow()

    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    public init(registry: PrometheusCollectorRegistry = .init()) {
        self.registry = registry
        requests = registry.makeCounter(descriptor: .named("meme_generator_requests_total", help: "Meme requests received from JetStream (every delivery)."))
        success = registry.makeCounter(descriptor: .named("meme_generator_success_total", help: "Memes answered on the response subject."))
        errors = registry.makeCounter(descriptor: .named("meme_generator_errors_total", help: "Requests answered with an error response."))
        cacheHits = registry.makeCounter(descriptor: .named("meme_generator_cache_hits_total", help: "Images served from the Redis cache."))
        cacheMisses = registry.makeCounter(descriptor: .named("meme_generator_cache_misses_total", help: "Images not in the Redis cache."))
        cacheErrors = registry.makeCounter(descriptor: .named("meme_generator_cache_errors_total", help: "Redis calls that failed (the meme is still made)."))
        naks = registry.makeCounter(descriptor: .named("meme_generator_naks_total", help: "Deliveries handed back to JetStream for a later retry."))
        inFlight = registry.makeGauge(descriptor: .named("meme_generator_in_flight", help: "Requests being processed now."))
        processing = registry.makeValueHistogram(descriptor: .named("meme_generator_processing_duration_seconds", help: "Time from receiving a request to publishing its answer."), buckets: Self.buckets)
        generation = registry.makeValueHistogram(descriptor: .named("meme_generator_generation_duration_seconds", help: "Time spent making the image (cache misses only)."), buckets: Self.buckets)
        productivity = registry.makeGauge(descriptor: .named("memegenerator_pod_productivity", help: "Memes completed per CPU-second of this process over the last minute (harmony scenario)."))
    }

    /// Records a completed meme and refreshes the productivity gauge.
    public func completed() {
        success.increment()
        productivity.set(productivityWindow.record(completions: 1))
    }

    /// The text exposition, with productivity brought up to date even when idle.
    public func render() -> String {
        productivity.set(productivityWindow.record(completions: 0))
        return registry.emitToString()
    }
}

/// Completions per CPU-second over a sliding window, from getrusage (user + system time).
final class ProductivityWindow: @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [(wall: Double, cpu: Double, done: Int)] = []
    private var total = 0
    private let window: Double

    init(window: Double = 60) { self.window = window }

    var sampleCount: Int { lock.lock(); defer { lock.unlock() }; return samples.count }

    func record(completions: Int) -> Double {
        lock.lock(); defer { lock.unlock() }
        total += completions
        let now = Date().timeIntervalSince1970
        samples.append((now, Self.cpuSeconds(), total))
        // Keep the window, but always two samples so a rate can be computed when idle.
        while samples.count > 2, let first = samples.first, now - first.wall > window { samples.removeFirst() }
        guard let first = samples.first, let last = samples.last else { return 0 }
        let cpu = last.cpu - first.cpu
        return cpu > 0.001 ? Double(last.done - first.done) / cpu : 0
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

extension MetricNameDescriptor {
    /// A full metric name with HELP text (no namespace/unit splitting: the names are fixed by dashboards).
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
