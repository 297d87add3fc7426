import Foundation

/// Latencies in log-spaced buckets (each 2 % wider than the last), so a run of any length uses the
/// same fixed memory and percentiles stay within ~2 % of the exact value. Min, max and mean are exact.
public struct LatencyHistogram: Sendable, Equatable {
    /// Smallest bucket edge, in milliseconds; everything below lands in bucket 0.
    static let floorMilliseconds = 0.1
    static let growth = 1.02
    /// 0.1 ms · 1.02^900 ≈ 5.6 h; anything longer lands in the last bucket (max stays exact).
    static let bucketCount = 901

    private var buckets: [UInt32]
    public private(set) var count = 0
    public private(set) var minimum = Double.infinity
    public private(set) var maximum = 0.0
    private var sum = 0.0

    public init() { buckets = Array(repeating: 0, count: Self.bucketCount) }

    public mutating func record(milliseconds value: Double) {
        guard value.isFinite else { return }
        let v = Swift.max(0, value)
        let index = Self.bucket(for: v)
        if buckets[index] < UInt32.max { buckets[index] += 1 }
        count += 1
        sum += v
        minimum = Swift.min(minimum, v)
        maximum = Swift.max(maximum, v)
    }

    static func bucket(for value: Double) -> Int {
        guard value > floorMilliseconds else { return 0 }
        let raw = (log(value / floorMilliseconds) / log(growth)).rounded(.up)
        return Int(Swift.min(raw, Double(bucketCount - 1)))
    }

    static func upperEdge(of bucket: Int) -> Double { floorMilliseconds * pow(growth, Double(bucket)) }

    /// The value below which a fraction `q` (0…1) of the recorded latencies fall; nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, Int((Swift.min(Swift.max(q, 0), 1) * Double(count)).rounded(.up)))
        var seen = 0
        for (index, n) in buckets.enumerated() where n > 0 {
            seen += Int(n)
            guard seen >= rank else { continue }
            // The last bucket is open-ended: its best estimate is the exact maximum.
            let edge = index == Self.bucketCount - 1 ? maximum : Self.upperEdge(of: index)
            return Swift.min(Swift.max(edge, minimum), maximum)
        }
        return maximum
    }

    public var mean: Double? { count > 0 ? sum / Double(count) : nil }

    public var summary: LatencySummary {
        LatencySummary(
            count: count, p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99),
            max: count > 0 ? maximum : nil, mean: mean)
    }
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
