import Histogram

/// Submit → answer latencies in an HdrHistogram of whole microseconds, two significant digits
/// (percentiles within 1 %). The range is fixed, so a run of any length uses the same memory (~32 KB).
struct LatencyHistogram: Sendable, Equatable {
    /// A day; anything slower is recorded as a day (an answer that late is lost, not slow).
    static let highestMicroseconds: UInt64 = 86_400_000_000

    private var hdr = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: highestMicroseconds, numberOfSignificantValueDigits: .two)

    init() {}

    var count: Int { Int(hdr.totalCount) }

    /// Negative values (clock skew) count as 0; non-finite ones are ignored.
    mutating func record(milliseconds value: Double) {
        guard value.isFinite else { return }
        let microseconds = (Swift.max(0, value) * 1000).rounded()
        hdr.record(microseconds < Double(Self.highestMicroseconds) ? UInt64(microseconds) : Self.highestMicroseconds)
    }

    /// The value below which a fraction `q` (0…1) of the recorded latencies fall; nil when empty.
    /// HDR clamps to the recorded extremes, so a single answer reads exactly.
    func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        return Self.milliseconds(hdr.valueAtPercentile(Swift.min(Swift.max(q, 0), 1) * 100))
    }

    var summary: LatencySummary {
        guard count > 0 else { return LatencySummary() }
        return LatencySummary(
            count: count, p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99),
            max: Self.milliseconds(hdr.maxRecorded), mean: hdr.mean / 1000)
    }

    /// For the test that memory does not grow with the run.
    var footprintBytes: Int { hdr.estimatedFootprintInBytes }

    private static func milliseconds(_ microseconds: UInt64) -> Double { Double(microseconds) / 1000 }
}

/// Submit → answer latency in milliseconds; every value is nil until something was answered.
public struct LatencySummary: Sendable, Equatable, Codable {
    public var count: Int
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
    public var max: Double?
    public var mean: Double?

    public init(count: Int = 0, p50: Double? = nil, p95: Double? = nil, p99: Double? = nil, max: Double? = nil, mean: Double? = nil) {
        self.count = count
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.max = max
        self.mean = mean
    }

    enum CodingKeys: String, CodingKey {
        case count, mean
        case p50 = "p50_ms"
        case p95 = "p95_ms"
        case p99 = "p99_ms"
        case max = "max_ms"
    }
}
