import ClusterReaders
import CurlHTTP

/// The PromQL the console sends. k8s/monitoring/console-queries.txt lists the same expressions
/// (a manifest test parses each against a real prometheus): change both together.
public enum ConsoleQueries {
    public static let completed = "sum(rate(meme_generator_success_total[1m]))"
    public static let errors = "sum(rate(meme_generator_errors_total[1m]))"
    public static let submitted = "sum(rate(meme_generator_requests_total[1m]))"
    public static let p50 = "histogram_quantile(0.5, sum by (le) (rate(meme_generator_processing_duration_seconds_bucket[1m])))"
    public static let p95 = "histogram_quantile(0.95, sum by (le) (rate(meme_generator_processing_duration_seconds_bucket[1m])))"
    /// Every gauge of `meme-worker supervise` in one request (local mode).
    public static let localScaler = "{__name__=~\"meme_local_scaler_.+\"}"

    public static var all: [String] { [completed, errors, submitted, p50, p95, localScaler] }
}

/// Reads throughput and latency (and, in local mode, the stand-in's gauges) from Prometheus.
public struct MetricsSource: Sendable {
    public let reader: PrometheusReader
    public let includeLocalScaler: Bool

    public init(baseURL: String, client: CurlHTTPClient, includeLocalScaler: Bool, timeout: Duration = .seconds(3)) {
        reader = PrometheusReader(baseURL: baseURL, client: client, timeouts: HTTPTimeouts(connect: .seconds(2), total: timeout))
        self.includeLocalScaler = includeLocalScaler
    }

    public func read() async throws -> MetricsReading {
        do {
            return try await readAll()
        } catch {
            // The status line already says "prometheus": drop the reader's own prefix.
            let text = describe(error)
            throw ConsoleError(text.hasPrefix("Prometheus: ") ? String(text.dropFirst("Prometheus: ".count)) : text)
        }
    }

    private func readAll() async throws -> MetricsReading {
        async let completed = reader.query(ConsoleQueries.completed)
        async let errors = reader.query(ConsoleQueries.errors)
        async let submitted = reader.query(ConsoleQueries.submitted)
        async let p50 = reader.query(ConsoleQueries.p50)
        async let p95 = reader.query(ConsoleQueries.p95)
        var reading = MetricsReading(
            completedPerSecond: finite(try await completed.firstValue) ?? 0, errorsPerSecond: finite(try await errors.firstValue) ?? 0,
            submittedPerSecond: finite(try await submitted.firstValue), p50Seconds: finite(try await p50.firstValue),
            p95Seconds: finite(try await p95.firstValue))
        if includeLocalScaler {
            reading.localScaler = Self.localScaler(from: try await reader.query(ConsoleQueries.localScaler).series)
        }
        return reading
    }

    /// The stand-in's gauges by name; nil when `meme_local_scaler_replicas` is absent (supervise not running or not scraped).
    static func localScaler(from series: [PrometheusSeries]) -> LocalScalerReading? {
        func value(_ name: String) -> Double? {
            series.first { $0.labels["__name__"] == name && ($0.labels["workload"] == nil || $0.labels["workload"] == "worker") }?
                .sample.flatMap { finite($0.value) }
        }
        func int(_ name: String) -> Int? { value(name).map { Int($0.rounded()) } }
        guard let replicas = int("meme_local_scaler_replicas") else { return nil }
        let reason = series.first { $0.labels["__name__"] == "meme_local_scaler_decision_info" && ($0.sample?.value ?? 0) > 0 }?
            .labels["reason"]
        return LocalScalerReading(
            replicas: replicas, desired: int("meme_local_scaler_desired_replicas") ?? replicas, lag: int("meme_local_scaler_lag"),
            active: (value("meme_local_scaler_active") ?? 0) > 0, lagThreshold: int("meme_local_scaler_lag_threshold"),
            activationThreshold: int("meme_local_scaler_activation_lag_threshold"), minReplicas: int("meme_local_scaler_min_replicas"),
            maxReplicas: int("meme_local_scaler_max_replicas"), reason: reason)
    }
}

/// Prometheus answers NaN for a quantile without data and ±Inf at the edges: shown as "no value".
func finite(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}
