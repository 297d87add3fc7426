import Foundation

/// The VPA recommender's arithmetic for one container (kubernetes/autoscaler, vertical-pod-autoscaler/pkg/recommender:
/// model/aggregate_container_state.go and container.go for the samples, logic/estimator.go and
/// logic/recommender.go for the estimate, pkg/utils/vpa/capping.go for the policy), as a value type.
///
/// - CPU: every sample (millicores averaged over the caller's interval) goes into a decaying histogram
///   in cores with the weight 0.1 (upstream dropped the request-proportional weight in 2025, commit
///   ca812b36, because the request was no longer passed; `Parameters.cpuWeightByRequest` brings it back).
/// - Memory: one peak per aggregation interval (24 h in a cluster): a higher sample in the same
///   interval replaces the interval's peak, a sample after the interval starts a new one. Each peak
///   is stamped with its interval's end, so it decays from there.
/// - Estimate: target = p90, lower bound = p50, upper bound = p95 of those histograms, each plus the
///   15 % safety margin; the upper bound × (1 + 1/confidence), the lower bound × (1 + 0.001/confidence)⁻²,
///   where confidence = min(history span, samples ÷ 1440) in "days" of the confidence interval; then at
///   least the pod minimum (25m CPU, 250Mi memory, shared among the pod's containers).
/// - Policy (`VPA.ContainerPolicy`): resources outside controlledResources dropped, uncappedTarget kept,
///   target and bounds capped to [minAllowed, maxAllowed]; see VPAPolicy.swift.
///
/// Simplified: one container, one pod (no aggregation of several pods' containers), no checkpoints (the
/// history starts empty with the process), no OOM events (no bump-up), no expiry of stale aggregates,
/// no LimitRange, no recommendation rounding (`--round-cpu-millicores` 1, the default). Times are seconds
/// on the caller's clock; nothing here reads a clock.
public struct VPARecommender: Sendable, Equatable {
    /// Upstream `minSampleWeight`: every CPU sample's weight (and the floor of the request-based weight).
    public static let minSampleWeight = 0.1
    /// Upstream `MaxResourceAmount` (1e14): what an estimate with no history (confidence 0) grows to.
    public static let maxResourceAmount = 100_000_000_000_000

    /// The recommender's flags and aggregation settings; defaults are the upstream defaults.
    public struct Parameters: Sendable, Equatable {
        /// Half-life of the CPU histogram (`--cpu-histogram-decay-half-life`, 24 h).
        public var cpuHalfLifeSeconds: Double = 86_400
        /// Half-life of the memory-peaks histogram (`--memory-histogram-decay-half-life`, 24 h).
        public var memoryHalfLifeSeconds: Double = 86_400
        /// One memory peak per interval (`--memory-aggregation-interval`, 24 h).
        public var memoryAggregationIntervalSeconds: Double = 86_400
        /// The "day" of the confidence multipliers (`--confidence-interval-cpu` / `-memory`, 24 h).
        public var cpuConfidenceIntervalSeconds: Double = 86_400
        public var memoryConfidenceIntervalSeconds: Double = 86_400
        /// `--recommendation-margin-fraction`.
        public var safetyMarginFraction = 0.15
        /// `--target-cpu-percentile` etc.; upstream has the same defaults for CPU and memory.
        public var targetPercentile = 0.9
        public var lowerBoundPercentile = 0.5
        public var upperBoundPercentile = 0.95
        /// `--pod-recommendation-min-cpu-millicores` and `--pod-recommendation-min-memory-mb` (MiB, despite the name).
        public var podMinCPUMillicores = 25.0
        public var podMinMemoryMb = 250.0
        /// Containers the VPA recommends for in the pod (mode Off ones do not count); the pod minimum is shared among them.
        public var containersPerPod = 1
        /// Weight CPU samples by max(request in cores, 0.1) as the recommender did before 2025.
        public var cpuWeightByRequest = false

        public init() {}

        /// The cluster defaults with every 24 h constant (half-lives, memory aggregation interval,
        /// confidence intervals) replaced by `daySeconds`, so a demo shows in minutes what takes days.
        public static func compressed(daySeconds: Double) -> Parameters {
            precondition(daySeconds > 0)
            var p = Parameters()
            p.cpuHalfLifeSeconds = daySeconds
            p.memoryHalfLifeSeconds = daySeconds
            p.memoryAggregationIntervalSeconds = daySeconds
            p.cpuConfidenceIntervalSeconds = daySeconds
            p.memoryConfidenceIntervalSeconds = daySeconds
            return p
        }
    }

    /// Target and bounds for both resources, before controlledResources and the policy's caps.
    public struct Estimate: Sendable, Equatable {
        public var target: VPA.Amounts
        public var lowerBound: VPA.Amounts
        public var upperBound: VPA.Amounts
    }

    public let parameters: Parameters
    /// CPU usage in cores.
    public private(set) var cpu: DecayingHistogram
    /// Memory peaks in bytes.
    public private(set) var memoryPeaks: DecayingHistogram
    /// First and last CPU sample times; upstream counts history by CPU samples only.
    public private(set) var firstSampleSeconds: Double?
    public private(set) var lastSampleSeconds: Double?
    public private(set) var totalSamplesCount = 0

    // Per-container state (upstream ContainerState).
    private var lastCPUSampleSeconds: Double?
    private var lastMemorySampleSeconds: Double?
    /// End (exclusive) of the current memory aggregation interval.
    public private(set) var memoryWindowEndSeconds: Double?
    /// Highest memory sample in the current interval, bytes (0: none yet).
    public private(set) var memoryPeakBytes = 0

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
        cpu = DecayingHistogram(buckets: .cpuCores, halfLifeSeconds: parameters.cpuHalfLifeSeconds)
        memoryPeaks = DecayingHistogram(buckets: .memoryBytes, halfLifeSeconds: parameters.memoryHalfLifeSeconds)
    }

    /// Adds a CPU usage sample (millicores averaged over an interval starting at `atSeconds`).
    /// Returns false, as upstream, for a negative usage or a sample not later than the previous one.
    /// `requestMillicores` matters only with `Parameters.cpuWeightByRequest`.
    @discardableResult
    public mutating func addCPUSample(millicores: Int, atSeconds: Double, requestMillicores: Int? = nil) -> Bool {
        guard millicores >= 0, lastCPUSampleSeconds.map({ atSeconds > $0 }) ?? true else { return false }
        lastCPUSampleSeconds = atSeconds
        var weight = Self.minSampleWeight
        if parameters.cpuWeightByRequest, let requestMillicores {
            weight = max(Double(requestMillicores) / 1000, Self.minSampleWeight)
        }
        cpu.add(Double(millicores) / 1000, weight: weight, atSeconds: atSeconds)
        if lastSampleSeconds.map({ atSeconds > $0 }) ?? true { lastSampleSeconds = atSeconds }
        if firstSampleSeconds.map({ atSeconds < $0 }) ?? true { firstSampleSeconds = atSeconds }
        totalSamplesCount += 1
        return true
    }

    /// Adds a memory usage sample in bytes. Returns false for a negative usage or a sample older than the previous one.
    @discardableResult
    public mutating func addMemorySample(bytes: Int, atSeconds: Double) -> Bool {
        guard bytes >= 0, lastMemorySampleSeconds.map({ atSeconds >= $0 }) ?? true else { return false }
        lastMemorySampleSeconds = atSeconds
        let interval = parameters.memoryAggregationIntervalSeconds
        var windowEnd = memoryWindowEndSeconds ?? atSeconds
        var addPeak = false
        if atSeconds < windowEnd {
            if memoryPeakBytes != 0 && bytes > memoryPeakBytes {
                memoryPeaks.subtract(Double(memoryPeakBytes), weight: 1, atSeconds: windowEnd)
                addPeak = true
            }
        } else {
            // Move to the interval holding the sample: whole intervals past the old end, plus one.
            windowEnd += ((atSeconds - windowEnd) / interval).rounded(.down) * interval + interval
            memoryPeakBytes = 0
            addPeak = true
        }
        memoryWindowEndSeconds = windowEnd
        if addPeak {
            memoryPeaks.add(Double(bytes), weight: 1, atSeconds: windowEnd)
            memoryPeakBytes = bytes
        }
        return true
    }

    /// How much history backs the estimate, in confidence intervals ("days"): the smaller of the
    /// span between the first and last CPU sample and the sample count at one sample per minute.
    public func confidence(intervalSeconds: Double) -> Double {
        guard let first = firstSampleSeconds, let last = lastSampleSeconds else { return 0 }
        let lifespan = (last - first) / intervalSeconds
        let samples = Double(totalSamplesCount) / (intervalSeconds / 60)
        return min(lifespan, samples)
    }

    /// Target and bounds from the histograms (percentiles, margin, confidence multipliers, pod minimum).
    public func estimate() -> Estimate {
        let p = parameters
        let fraction = 1 / Double(max(1, p.containersPerPod))
        let minCPU = Self.scale(Self.cpuAmount(cores: p.podMinCPUMillicores * 0.001), fraction)
        let minMemory = Self.scale(Self.amount(p.podMinMemoryMb * 1024 * 1024), fraction)
        let cpuConfidence = confidence(intervalSeconds: p.cpuConfidenceIntervalSeconds)
        let memoryConfidence = confidence(intervalSeconds: p.memoryConfidenceIntervalSeconds)

        func cpuAt(_ percentile: Double) -> Int {
            Self.withMargin(Self.cpuAmount(cores: cpu.percentile(percentile)), p.safetyMarginFraction)
        }
        func memoryAt(_ percentile: Double) -> Int {
            Self.withMargin(Self.amount(memoryPeaks.percentile(percentile)), p.safetyMarginFraction)
        }
        // Upper bound × (1 + 1/confidence): ×2 after a day, ×∞ with no history (never evicts for being too big).
        // Lower bound × (1 + 0.001/confidence)⁻²: ×0 with no history, ×0.6 after 5 minutes, ×0.95 after an hour.
        return Estimate(
            target: VPA.Amounts(cpuMillis: max(cpuAt(p.targetPercentile), minCPU),
                                memoryBytes: max(memoryAt(p.targetPercentile), minMemory)),
            lowerBound: VPA.Amounts(
                cpuMillis: max(Self.withConfidence(cpuAt(p.lowerBoundPercentile), multiplier: 0.001, exponent: -2, confidence: cpuConfidence), minCPU),
                memoryBytes: max(Self.withConfidence(memoryAt(p.lowerBoundPercentile), multiplier: 0.001, exponent: -2, confidence: memoryConfidence), minMemory)),
            upperBound: VPA.Amounts(
                cpuMillis: max(Self.withConfidence(cpuAt(p.upperBoundPercentile), multiplier: 1, exponent: 1, confidence: cpuConfidence), minCPU),
                memoryBytes: max(Self.withConfidence(memoryAt(p.upperBoundPercentile), multiplier: 1, exponent: 1, confidence: memoryConfidence), minMemory)))
    }

    /// The recommendation the VPA status would show for the policy's container: the estimate restricted
    /// to controlledResources, `uncappedTarget` = that target, then capped to minAllowed/maxAllowed.
    /// Nil when the policy's mode is Off (upstream leaves such containers out) and before the first CPU
    /// sample: with empty histograms every figure would be the pod minimum, bounds included, and any
    /// larger request would look evictable (upstream always has a sample by then: it loads metrics
    /// before it recommends). After one sample the history spans no time: lower bound = the pod
    /// minimum, upper bound = 1e14 until maxAllowed brings it down, so nothing is evicted yet.
    public func recommendation(policy: VPA.ContainerPolicy) -> VPA.ContainerRecommendation? {
        guard policy.mode != .off, totalSamplesCount > 0 else { return nil }
        let e = estimate()
        let filter = { (a: VPA.Amounts) in policy.controlled(a) }
        let raw = VPA.ContainerRecommendation(
            containerName: policy.containerName, target: filter(e.target), lowerBound: filter(e.lowerBound),
            upperBound: filter(e.upperBound), uncappedTarget: filter(e.target))
        return VPA.applyPolicy(raw, policy: policy)
    }

    // MARK: Upstream ResourceAmount arithmetic: integers (millicores, bytes), floats truncated, clamped to [0, 1e14].

    static func amount(_ value: Double) -> Int {
        if value.isNaN || value < 0 { return 0 }
        if value > Double(maxResourceAmount) { return maxResourceAmount }
        return Int(value)
    }

    static func cpuAmount(cores: Double) -> Int { amount(cores * 1000) }

    /// Upstream `ScaleResource`.
    static func scale(_ amount: Int, _ factor: Double) -> Int { Self.amount(Double(amount) * factor) }

    /// Upstream margin estimator: base + base × fraction.
    static func withMargin(_ base: Int, _ fraction: Double) -> Int { base + scale(base, fraction) }

    /// Upstream confidence multiplier: base × (1 + multiplier / confidence)^exponent.
    static func withConfidence(_ base: Int, multiplier: Double, exponent: Double, confidence: Double) -> Int {
        scale(base, pow(1 + multiplier / confidence, exponent))
    }
}
