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
    public static var all: [String] { [completed, errors, submitted, p50, p95] }
}

/// Reads throughput and latency from Prometheus (only those: in local mode the stand-in's numbers
/// come from its /status, `LocalScalerSource`, not from gauges up to a scrape interval old).
public struct MetricsSource: Sendable {
    public let reader: PrometheusReader

    public init(baseURL: String, client: CurlHTTPClient, timeout: Duration = .seconds(3)) {
        reader = PrometheusReader(baseURL: baseURL, client: client, timeouts: HTTPTimeouts(connect: .seconds(2), total: timeout))
    }

    public func read() async throws -> MetricsReading {
        do {
            return try await readAll()
        } catch {
            // The status line already says "prometheus": drop the reader's own prefix.
            let text = describe(error)
            throw ConsoleError(text.hasPrefix("Prometheus: ") ? String(text.dropFirst("Prometheus: ".count)) : text, underlying: error)
        }
    }

    private func readAll() async throws -> MetricsReading {
        async let completed = reader.query(ConsoleQueries.completed)
        async let errors = reader.query(ConsoleQueries.errors)
        async let submitted = reader.query(ConsoleQueries.submitted)
        async let p50 = reader.query(ConsoleQueries.p50)
        async let p95 = reader.query(ConsoleQueries.p95)
        return MetricsReading(
            completedPerSecond: finite(try await completed.firstValue) ?? 0, errorsPerSecond: finite(try await errors.firstValue) ?? 0,
            submittedPerSecond: finite(try await submitted.firstValue), p50Seconds: finite(try await p50.firstValue),
            p95Seconds: finite(try await p95.firstValue))
    }
}

/// Prometheus answers NaN for a quantile without data and ±Inf at the edges: shown as "no value".
func finite(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}
