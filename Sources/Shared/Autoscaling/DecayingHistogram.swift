import Foundation

/// The VPA recommender's usage histogram (kubernetes/autoscaler vertical-pod-autoscaler/pkg/recommender/util:
/// histogram.go, decaying_histogram.go, histogram_options.go), re-expressed as a value type.
///
/// Each bucket holds the summed weight of its samples; `percentile` returns the *end* of the bucket
/// where the cumulative weight reaches the asked fraction (no interpolation), as upstream does.
/// With a half-life, a sample's weight is multiplied by 2^((t − reference) / halfLife), so a sample
/// one half-life older than another counts half as much; only relative weights matter. Times are
/// seconds on the caller's clock; nothing here reads a clock.
public struct DecayingHistogram: Sendable, Equatable {
    /// Where bucket boundaries lie (upstream `HistogramOptions`).
    public struct Buckets: Sendable, Equatable {
        public enum Scheme: Sendable, Equatable {
            /// Fixed-size buckets starting at 0.
            case linear(bucketSize: Double)
            /// Bucket n has size firstBucketSize × ratio^n; bucket n ≥ 1 starts at firstBucketSize × (ratioⁿ − 1) / (ratio − 1).
            case exponential(firstBucketSize: Double, ratio: Double)
        }

        public let scheme: Scheme
        public let count: Int
        /// A bucket lighter than this is empty.
        public let epsilon: Double

        /// Linear buckets covering [0, maxValue] (the last bucket starts at or above maxValue).
        public static func linear(maxValue: Double, bucketSize: Double, epsilon: Double) -> Buckets {
            precondition(maxValue > 0 && bucketSize > 0 && epsilon > 0)
            return Buckets(scheme: .linear(bucketSize: bucketSize), count: Int((maxValue / bucketSize).rounded(.up)) + 1, epsilon: epsilon)
        }

        /// Exponential buckets covering [0, maxValue].
        public static func exponential(maxValue: Double, firstBucketSize: Double, ratio: Double, epsilon: Double) -> Buckets {
            precondition(maxValue > 0 && firstBucketSize > 0 && ratio > 1 && epsilon > 0)
            let count = Int((log(maxValue * (ratio - 1) / firstBucketSize + 1) / log(ratio)).rounded(.up)) + 1
            return Buckets(scheme: .exponential(firstBucketSize: firstBucketSize, ratio: ratio), count: count, epsilon: epsilon)
        }

        /// Upstream `epsilon = 0.001 × minSampleWeight`: small enough that an old sample added with the minimum weight still counts.
        static let vpaEpsilon = 0.001 * VPARecommender.minSampleWeight
        /// CPU in cores: first bucket 0.01 core, each 5 % larger, up to 1000 cores (aggregations_config.go).
        public static let cpuCores = exponential(maxValue: 1000, firstBucketSize: 0.01, ratio: 1.05, epsilon: vpaEpsilon)
        /// Memory in bytes: first bucket 10 MB (10⁷ bytes), each 5 % larger, up to 1 TB.
        public static let memoryBytes = exponential(maxValue: 1e12, firstBucketSize: 1e7, ratio: 1.05, epsilon: vpaEpsilon)

        /// The bucket a value falls in; values outside the range go to the first or last bucket.
        public func bucket(for value: Double) -> Int {
            switch scheme {
            case .linear(let size):
                let b = value / size
                if !(b >= 0) { return 0 }
                return b >= Double(count) ? count - 1 : Int(b)
            case .exponential(let first, let ratio):
                if !(value >= first) { return 0 }
                let b = log(value * (ratio - 1) / first + 1) / log(ratio)
                return b >= Double(count) ? count - 1 : Int(b)
            }
        }

        /// Where bucket `index` starts.
        public func start(of index: Int) -> Double {
            precondition(index >= 0 && index < count, "bucket \(index) out of 0..<\(count)")
            switch scheme {
            case .linear(let size): return Double(index) * size
            case .exponential(let first, let ratio): return index == 0 ? 0 : first * (pow(ratio, Double(index)) - 1) / (ratio - 1)
            }
        }
    }

    public let buckets: Buckets
    /// Nil: no decay (upstream `NewHistogram`).
    public let halfLifeSeconds: Double?
    private(set) var weights: [Double]
    private(set) var totalWeight: Double = 0
    /// First non-empty bucket, or the last bucket when empty.
    private(set) var minBucket: Int
    /// Last non-empty bucket, or 0 when empty.
    private(set) var maxBucket = 0
    /// The time whose samples get factor 1; always a multiple of the half-life.
    private(set) var referenceSeconds: Double = 0

    /// Once the decay factor would pass 2^100 the reference moves forward (upstream `maxDecayExponent`).
    static let maxDecayExponent = 100.0

    public init(buckets: Buckets, halfLifeSeconds: Double?) {
        precondition(halfLifeSeconds.map { $0 > 0 } ?? true, "half-life must be positive")
        self.buckets = buckets
        self.halfLifeSeconds = halfLifeSeconds
        weights = Array(repeating: 0, count: buckets.count)
        minBucket = buckets.count - 1
    }

    public var isEmpty: Bool { weights[minBucket] < buckets.epsilon }

    /// Adds `value` with `weight` (before decay) observed at `atSeconds`.
    public mutating func add(_ value: Double, weight: Double, atSeconds: Double) {
        precondition(weight >= 0, "sample weight must be non-negative")
        let w = weight * decayFactor(atSeconds)
        let b = buckets.bucket(for: value)
        weights[b] += w
        totalWeight += w
        if b < minBucket && weights[b] >= buckets.epsilon { minBucket = b }
        if b > maxBucket && weights[b] >= buckets.epsilon { maxBucket = b }
    }

    /// Removes a sample added earlier with the same value, weight and time (memory peaks are replaced this way).
    public mutating func subtract(_ value: Double, weight: Double, atSeconds: Double) {
        precondition(weight >= 0, "sample weight must be non-negative")
        let w = weight * decayFactor(atSeconds)
        let b = buckets.bucket(for: value)
        totalWeight = Self.safeSubtract(totalWeight, w, buckets.epsilon)
        weights[b] = Self.safeSubtract(weights[b], w, buckets.epsilon)
        updateMinAndMaxBucket()
    }

    /// The end of the bucket where the cumulative weight first reaches `fraction` of the total
    /// (0.9 = 90th percentile); the start of the last bucket if that is where it lands; 0 when empty.
    public func percentile(_ fraction: Double) -> Double {
        if isEmpty { return 0 }
        let threshold = fraction * totalWeight
        var partial = 0.0
        var b = minBucket
        while b < maxBucket {
            partial += weights[b]
            if partial >= threshold { break }
            b += 1
        }
        return b < buckets.count - 1 ? buckets.start(of: b + 1) : buckets.start(of: b)
    }

    /// Weight of a bucket relative to a sample of weight 1 added at `atSeconds` (for tests and explanations).
    public func weight(ofBucket index: Int, relativeTo atSeconds: Double) -> Double {
        guard let halfLife = halfLifeSeconds else { return weights[index] }
        return weights[index] / exp2((atSeconds - referenceSeconds) / halfLife)
    }

    private static func safeSubtract(_ value: Double, _ sub: Double, _ epsilon: Double) -> Double {
        let r = value - sub
        return r < epsilon ? 0 : r
    }

    private mutating func decayFactor(_ atSeconds: Double) -> Double {
        guard let halfLife = halfLifeSeconds else { return 1 }
        if atSeconds > referenceSeconds + halfLife * Self.maxDecayExponent {
            shiftReference(to: atSeconds)
        }
        return exp2((atSeconds - referenceSeconds) / halfLife)
    }

    /// Moves the reference to `seconds` (rounded to a multiple of the half-life) and rescales every
    /// weight by the same power of two, which leaves every percentile unchanged.
    private mutating func shiftReference(to seconds: Double) {
        guard let halfLife = halfLifeSeconds else { return }
        let newReference = (seconds / halfLife).rounded() * halfLife
        let exponent = ((referenceSeconds - newReference) / halfLife + 0.5).rounded(.down)
        let factor = exp2(exponent)
        if minBucket <= maxBucket {
            for b in minBucket...maxBucket { weights[b] *= factor }
        }
        totalWeight *= factor
        updateMinAndMaxBucket()
        referenceSeconds = newReference
    }

    private mutating func updateMinAndMaxBucket() {
        let last = buckets.count - 1
        while weights[minBucket] < buckets.epsilon && minBucket < last { minBucket += 1 }
        while weights[maxBucket] < buckets.epsilon && maxBucket > 0 { maxBucket -= 1 }
    }

    /// Same buckets, half-life, reference and weights (within 1e-15), as upstream `Equals`.
    public static func == (a: DecayingHistogram, b: DecayingHistogram) -> Bool {
        guard a.buckets == b.buckets, a.halfLifeSeconds == b.halfLifeSeconds, a.referenceSeconds == b.referenceSeconds,
              a.minBucket == b.minBucket, a.maxBucket == b.maxBucket else { return false }
        guard a.minBucket <= a.maxBucket else { return true }
        return (a.minBucket...a.maxBucket).allSatisfy { abs(a.weights[$0] - b.weights[$0]) <= 1e-15 }
    }
}
