import Foundation
import Testing
@testable import Autoscaling

/// Relative closeness, as testify's InEpsilon.
private func close(_ a: Double, _ b: Double, _ relative: Double = 1e-12) -> Bool {
    abs(a - b) <= relative * max(abs(a), abs(b))
}

/// The histogram, reproducing kubernetes/autoscaler vertical-pod-autoscaler/pkg/recommender/util/*_test.go.
@Suite struct DecayingHistogramTests {
    /// A plain histogram of the upstream tests: NewLinearHistogramOptions(10.0, 1.0, 1e-15).
    let linear = DecayingHistogram.Buckets.linear(maxValue: 10, bucketSize: 1, epsilon: 1e-15)
    /// decaying_histogram_test.go: startTime = time.Unix(1234567890, 0).
    let startTime = 1_234_567_890.0
    let hour = 3600.0

    @Test func linearBuckets() {
        // histogram_options_test.go TestLinearHistogramOptions.
        let o = DecayingHistogram.Buckets.linear(maxValue: 5, bucketSize: 0.3, epsilon: 0.001)
        #expect(o.count == 18)
        #expect(o.start(of: 0) == 0)
        #expect(o.start(of: 17) == 5.1)
        #expect(o.bucket(for: -1) == 0)
        #expect(o.bucket(for: 0) == 0)
        #expect(o.bucket(for: 1.3) == 4)
        #expect(o.bucket(for: 100) == 17)
    }

    @Test func exponentialBuckets() {
        // histogram_options_test.go TestExponentialHistogramOptions.
        let o = DecayingHistogram.Buckets.exponential(maxValue: 500, firstBucketSize: 40, ratio: 1.5, epsilon: 0.001)
        #expect(o.count == 6)
        #expect([0, 1, 2, 3, 4, 5].map { o.start(of: $0) } == [0, 40, 100, 190, 325, 527.5])
        #expect([-1, 39.99, 40, 100, 900].map { o.bucket(for: $0) } == [0, 0, 1, 2, 5])
        // The recommender's own: 176 buckets each, from 0.01 core and 10 MB, 5 % apart (aggregations_config.go).
        #expect(DecayingHistogram.Buckets.cpuCores.count == 176)
        #expect(DecayingHistogram.Buckets.memoryBytes.count == 176)
        #expect(DecayingHistogram.Buckets.cpuCores.start(of: 1) == 0.01)
        #expect(close(DecayingHistogram.Buckets.memoryBytes.start(of: 2), 1e7 + 1.05e7))
    }

    @Test func percentilesAreBucketEnds() {
        // histogram_test.go TestPercentiles: { 1: 1, 2: 2, 3: 3, 4: 4 }.
        var h = DecayingHistogram(buckets: linear, halfLifeSeconds: nil)
        for i in 1...4 { h.add(Double(i), weight: Double(i), atSeconds: 0) }
        let expected: [(Double, Double)] = [(0, 2), (0.1, 2), (0.2, 3), (0.3, 3), (0.4, 4), (0.5, 4), (0.6, 4), (0.7, 5), (0.8, 5), (0.9, 5), (1, 5)]
        for (p, v) in expected { #expect(h.percentile(p) == v, "p\(p)") }
        // TestPercentilesEmptyHistogram.
        let empty = DecayingHistogram(buckets: linear, halfLifeSeconds: nil)
        #expect([-0.5, 0, 0.5, 1, 1.5].allSatisfy { empty.percentile($0) == 0 })
    }

    @Test func percentilesOutOfBounds() {
        // histogram_test.go TestPercentileOutOfBounds.
        var h = DecayingHistogram(buckets: .linear(maxValue: 1, bucketSize: 0.1, epsilon: 1e-15), halfLifeSeconds: nil)
        h.add(0.1, weight: 0.1, atSeconds: 0)
        h.add(0.2, weight: 0.2, atSeconds: 0)
        #expect(close(h.percentile(-0.1), 0.2))
        #expect(close(h.percentile(1.1), 0.3))
        h.add(0, weight: 0.1, atSeconds: 0)
        h.add(1, weight: 0.2, atSeconds: 0)
        #expect(close(h.percentile(-0.1), 0.1))
        #expect(close(h.percentile(1.1), 1.0))
    }

    @Test func emptinessFollowsEpsilon() {
        // histogram_test.go TestEmptyHistogram.
        let epsilon = 1e-15
        var h = DecayingHistogram(buckets: .linear(maxValue: 1, bucketSize: 0.1, epsilon: epsilon), halfLifeSeconds: nil)
        #expect(h.isEmpty)
        h.add(0.1, weight: epsilon * 2.5, atSeconds: 0)
        #expect(!h.isEmpty)
        h.subtract(0.1, weight: epsilon, atSeconds: 0)
        #expect(!h.isEmpty)
        h.subtract(0.1, weight: epsilon, atSeconds: 0)
        #expect(h.isEmpty)
    }

    @Test func oldSamplesDecay() {
        // decaying_histogram_test.go TestSimpleDecay: 20 half-lives later a weight-1 sample outweighs a weight-1000 one.
        var h = DecayingHistogram(buckets: linear, halfLifeSeconds: hour)
        h.add(2, weight: 1000, atSeconds: startTime)
        h.add(1, weight: 1, atSeconds: startTime + 20 * hour)
        #expect(h.percentile(0.999) == 2)
        #expect(h.percentile(1.0) == 3)
        // TestLongtermDecay: past 2^100 the reference moves; the old sample is forgotten.
        var long = DecayingHistogram(buckets: linear, halfLifeSeconds: hour)
        long.add(2, weight: 1, atSeconds: startTime)
        long.add(1, weight: 1, atSeconds: startTime + 101 * hour)
        #expect(long.percentile(1.0) == 2)
    }

    @Test func decayingPercentiles() {
        // decaying_histogram_test.go TestDecayingHistogramPercentiles: values and weights 1…4, one half-life apart.
        var h = DecayingHistogram(buckets: linear, halfLifeSeconds: hour)
        for i in 1...4 { h.add(Double(i), weight: Double(i), atSeconds: startTime + Double(i - 1) * hour) }
        let expected: [(Double, Double)] = [(0, 2), (0.02, 2), (0.03, 3), (0.10, 3), (0.11, 4), (0.34, 4), (0.35, 5), (1, 5)]
        for (p, v) in expected { #expect(h.percentile(p) == v, "p\(p)") }
        // TestNoDecay: all at one time, the same as a plain histogram.
        var same = DecayingHistogram(buckets: linear, halfLifeSeconds: hour)
        for i in 1...4 { same.add(Double(i), weight: Double(i), atSeconds: startTime) }
        #expect([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map { same.percentile($0) } == [2, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5])
    }

    @Test func aSampleOneHalfLifeOldWeighsHalf() {
        var h = DecayingHistogram(buckets: linear, halfLifeSeconds: 120)
        h.add(1, weight: 1, atSeconds: 1000)
        h.add(5, weight: 1, atSeconds: 1120)
        #expect(close(h.weight(ofBucket: 1, relativeTo: 1120), 0.5))
        #expect(close(h.weight(ofBucket: 5, relativeTo: 1120), 1))
        // So the older third of the weight: p33 is still in it, p34 is not.
        #expect(h.percentile(0.33) == 2)
        #expect(h.percentile(0.34) == 6)
        // Two half-lives: a quarter.
        h.add(9, weight: 1, atSeconds: 1240)
        #expect(close(h.weight(ofBucket: 1, relativeTo: 1240), 0.25))
    }
}

/// The estimators and the aggregation, reproducing logic/estimator_test.go, logic/recommender_test.go and
/// model/container_test.go of kubernetes/autoscaler vertical-pod-autoscaler/pkg/recommender.
@Suite struct VPARecommenderTests {
    let day = 86_400.0

    @Test func percentileEstimator() {
        // estimator_test.go TestPercentileEstimator: CPU {1, 2, 3} cores at p20 ≈ 1 core, memory {1, 2, 3} GB at p50 ≈ 2 GB (5 %).
        var cpu = DecayingHistogram(buckets: .cpuCores, halfLifeSeconds: nil)
        var memory = DecayingHistogram(buckets: .memoryBytes, halfLifeSeconds: nil)
        for v in [1.0, 2, 3] {
            cpu.add(v, weight: 1, atSeconds: 0)
            memory.add(v * 1e9, weight: 1, atSeconds: 0)
        }
        let cpuMillis = VPARecommender.cpuAmount(cores: cpu.percentile(0.2))
        let memoryBytes = VPARecommender.amount(memory.percentile(0.5))
        #expect(close(Double(cpuMillis), 1000, 0.05))
        #expect(close(Double(memoryBytes), 2e9, 0.05))
        // Exactly: the end of the bucket holding the sample, 0.01 × (1.05³⁷ − 1) / 0.05 cores.
        #expect(cpuMillis == 1016)
        #expect(memoryBytes == 2_093_479_957)
    }

    @Test func confidenceMultiplier() {
        // estimator_test.go TestConfidenceMultiplier: 9 CPU samples 2 minutes apart.
        var r = VPARecommender()
        #expect(VPARecommender.withConfidence(3140, multiplier: 1, exponent: 1, confidence: r.confidence(intervalSeconds: day)) == 100_000_000_000_000)
        #expect(VPARecommender.withConfidence(3140, multiplier: 1, exponent: -1, confidence: r.confidence(intervalSeconds: day)) == 0)
        for i in 0..<9 { r.addCPUSample(millicores: 1000, atSeconds: Double(i) * 120) }
        // Confidence = min(16 min / 1 day, 9 / (60 × 24)) = 0.00625.
        #expect(r.confidence(intervalSeconds: day) == 0.00625)
        // 3.14 × (1 + 0.1 / 0.00625)² = 907.46 cores; 3.14e9 × 289 = 9.0746e11 bytes.
        #expect(VPARecommender.withConfidence(3140, multiplier: 0.1, exponent: 2, confidence: 0.00625) == 907_460)
        #expect(VPARecommender.withConfidence(3_140_000_000, multiplier: 0.1, exponent: 2, confidence: 0.00625) == 907_460_000_000)
        // TestConfidenceMultiplierWithCustomInterval: an 18-minute interval gives confidence 9 / 18 = 0.5; 3.14 × 1.2² = 4.521 (truncated).
        #expect(r.confidence(intervalSeconds: 18 * 60) == 0.5)
        #expect(VPARecommender.withConfidence(3140, multiplier: 0.1, exponent: 2, confidence: 0.5) == 4521)
        #expect(VPARecommender.withConfidence(3_140_000_000, multiplier: 0.1, exponent: 2, confidence: 0.5) == 4_521_600_000)
    }

    /// The multipliers recommender.go lists for the default bounds, with one sample a minute.
    @Test func boundsMultipliersByHistoryLength() {
        func multipliers(afterMinutes minutes: Int) -> (lower: Double, upper: Double) {
            var r = VPARecommender()
            for m in 0...minutes { r.addCPUSample(millicores: 100, atSeconds: Double(m) * 60) }
            let c = r.confidence(intervalSeconds: day)
            let base = 1_000_000
            return (Double(VPARecommender.withConfidence(base, multiplier: 0.001, exponent: -2, confidence: c)) / Double(base),
                    Double(VPARecommender.withConfidence(base, multiplier: 1, exponent: 1, confidence: c)) / Double(base))
        }
        // "5m history: *0.6, 30m: *0.9, 60m: *0.95" for the lower bound.
        #expect(abs(multipliers(afterMinutes: 5).lower - 0.6) < 0.01)
        #expect(abs(multipliers(afterMinutes: 30).lower - 0.9) < 0.015)
        #expect(abs(multipliers(afterMinutes: 60).lower - 0.95) < 0.005)
        // "12h history: *3, 24h: *2, 1 week: *1.14" for the upper bound.
        #expect(abs(multipliers(afterMinutes: 12 * 60).upper - 3) < 0.001)
        #expect(abs(multipliers(afterMinutes: 24 * 60).upper - 2) < 0.001)
        #expect(abs(multipliers(afterMinutes: 7 * 24 * 60).upper - 1.14) < 0.005)
    }

    @Test func marginAndMinimum() {
        // estimator_test.go TestMarginEstimator: 10 % on 3.14 cores and 3.14e9 bytes.
        #expect(VPARecommender.withMargin(3140, 0.1) == 3454)
        #expect(VPARecommender.withMargin(3_140_000_000, 0.1) == 3_454_000_000)
        // The default 15 % margin, truncated as ResourceAmount is.
        #expect(VPARecommender.withMargin(215, 0.15) == 247)
        // recommender_test.go TestMinResourcesApplied: 1m and 1 MB estimates become 25m and 250 MiB.
        var tiny = VPARecommender()
        tiny.addCPUSample(millicores: 1, atSeconds: 0)
        tiny.addMemorySample(bytes: 1_000_000, atSeconds: 0)
        #expect(tiny.estimate().target == VPA.Amounts(cpuMillis: 25, memoryBytes: 262_144_000))
        // TestMinResourcesSplitAcrossContainers: two containers share the minimum (12.5m truncates to 12m).
        var p = VPARecommender.Parameters()
        p.containersPerPod = 2
        var split = VPARecommender(parameters: p)
        split.addCPUSample(millicores: 1, atSeconds: 0)
        split.addMemorySample(bytes: 1_000_000, atSeconds: 0)
        #expect(split.estimate().target == VPA.Amounts(cpuMillis: 12, memoryBytes: 131_072_000))
    }

    @Test func noHistoryYet() {
        // No samples: every figure is the pod minimum (0 × ∞ is 0); the stand-in shows no recommendation then.
        let empty = VPARecommender()
        let e = empty.estimate()
        #expect(e.target == VPA.Amounts(cpuMillis: 25, memoryBytes: 262_144_000))
        #expect(e.lowerBound == e.target && e.upperBound == e.target)
        let policy = VPA.ContainerPolicy(containerName: "redis", maxAllowed: .init(cpuMillis: 1000, memoryBytes: 1 << 30))
        #expect(empty.recommendation(policy: policy) == nil)
        // One sample: no history span, confidence 0. Upper bound 1e14 (TestConfidenceMultiplierNoHistory) until
        // maxAllowed caps it; lower bound 0 raised to the minimum. Nothing is outside such bounds.
        var one = VPARecommender()
        one.addCPUSample(millicores: 300, atSeconds: 0)
        one.addMemorySample(bytes: 100 << 20, atSeconds: 0)
        #expect(one.estimate().upperBound == VPA.Amounts(cpuMillis: 100_000_000_000_000, memoryBytes: 100_000_000_000_000))
        #expect(one.estimate().lowerBound == VPA.Amounts(cpuMillis: 25, memoryBytes: 262_144_000))
        let rec = one.recommendation(policy: policy)!
        #expect(rec.upperBound == VPA.Amounts(cpuMillis: 1000, memoryBytes: 1 << 30))
        #expect(VPA.assess(rec, requests: .init(cpuMillis: 100, memoryBytes: 512 << 20), mode: .recreate).allSatisfy { !$0.wouldEvict })
    }

    @Test func samplesAsTheContainerStateTakesThem() {
        // container_test.go TestAggregateContainerUsageSamples (testTimestamp 2017-04-18 17:35:05 UTC, 24 h interval).
        let t0 = 1_492_536_905.0
        let step = day / 2
        var r = VPARecommender()
        let accepted = [
            r.addCPUSample(millicores: 3140, atSeconds: t0), r.addMemorySample(bytes: 5, atSeconds: t0),
            r.addCPUSample(millicores: 6280, atSeconds: t0 + step), r.addMemorySample(bytes: 10, atSeconds: t0 + step),
            r.addCPUSample(millicores: 1570, atSeconds: t0 + 2 * step), r.addMemorySample(bytes: 2, atSeconds: t0 + 2 * step),
        ]
        #expect(accepted.allSatisfy { $0 })
        let outOfOrder = r.addCPUSample(millicores: 1000, atSeconds: t0 + 2 * step)
        let negativeCPU = r.addCPUSample(millicores: -1000, atSeconds: t0 + 4 * step)
        let negativeMemory = r.addMemorySample(bytes: -1000, atSeconds: t0 + 4 * step)
        #expect(!outOfOrder && !negativeCPU && !negativeMemory, "out of order, negative CPU, negative memory")
        // CPU: each sample with weight 0.1 at its own time.
        var cpu = DecayingHistogram(buckets: .cpuCores, halfLifeSeconds: day)
        cpu.add(3.14, weight: 0.1, atSeconds: t0)
        cpu.add(6.28, weight: 0.1, atSeconds: t0 + step)
        cpu.add(1.57, weight: 0.1, atSeconds: t0 + 2 * step)
        #expect(r.cpu == cpu)
        // Memory: 5 then 10 in the first interval (10 replaces 5, stamped at the interval's end), 2 starts the next one.
        var memory = DecayingHistogram(buckets: .memoryBytes, halfLifeSeconds: day)
        memory.add(10, weight: 1, atSeconds: t0 + day)
        memory.add(2, weight: 1, atSeconds: t0 + 2 * day)
        #expect(r.memoryPeaks == memory)
        #expect(r.memoryWindowEndSeconds == t0 + 2 * day)
        #expect(r.totalSamplesCount == 3)
    }

    @Test func onePeakPerAggregationInterval() {
        var r = VPARecommender(parameters: .compressed(daySeconds: 60))
        for (t, mib) in [(0.0, 100), (10, 300), (20, 200), (59, 250)] { r.addMemorySample(bytes: mib << 20, atSeconds: t) }
        // One interval, one peak: 300 MiB, so every percentile lands in its bucket.
        #expect(r.memoryPeaks.percentile(0.5) == r.memoryPeaks.percentile(0.95))
        #expect(r.memoryPeakBytes == 300 << 20)
        // The next interval starts a new peak.
        r.addMemorySample(bytes: 50 << 20, atSeconds: 61)
        #expect(r.memoryWindowEndSeconds == 120)
        #expect(r.memoryPeaks.percentile(0.3) < r.memoryPeaks.percentile(0.95))
    }

    @Test func controlledResourcesFilter() {
        // recommender_test.go TestControlledResourcesFiltered: [memory] leaves CPU without a recommendation.
        var r = VPARecommender()
        r.addCPUSample(millicores: 1, atSeconds: 0)
        r.addMemorySample(bytes: 1_000_000, atSeconds: 0)
        let memoryOnly = r.recommendation(policy: VPA.ContainerPolicy(containerName: "redis", controlledResources: [.memory]))!
        for a in [memoryOnly.target, memoryOnly.lowerBound, memoryOnly.upperBound, memoryOnly.uncappedTarget] {
            #expect(a.cpuMillis == nil)
            #expect(a.memoryBytes != nil)
        }
        // TestControlledResourcesFilteredDefault: both.
        let both = r.recommendation(policy: VPA.ContainerPolicy(containerName: "redis"))!
        #expect(both.target.cpuMillis != nil && both.target.memoryBytes != nil)
        // Mode Off: no recommendation at all.
        #expect(r.recommendation(policy: VPA.ContainerPolicy(containerName: "redis-exporter", mode: .off)) == nil)
        // With CPU uncontrolled, the assessment has nothing to say about CPU.
        let a = VPA.assess(memoryOnly, requests: .init(cpuMillis: 100, memoryBytes: 512 << 20), mode: .recreate)
        #expect(a[0].position == .noRecommendation)
    }

    /// A worked example with Redis's VPA (k8s/base/redis/vpa.yaml): a steady 200m and 300 MiB for one day, one sample a minute.
    @Test func redisWorkedExample() {
        var r = VPARecommender()
        for m in 0...1440 {
            let t = Double(m) * 60
            r.addCPUSample(millicores: 200, atSeconds: t)
            r.addMemorySample(bytes: 300 << 20, atSeconds: t)
        }
        #expect(r.confidence(intervalSeconds: day) == 1)
        // 200m is in the bucket [0.2055, 0.2158) cores: p50 = p90 = p95 = 215m; +15 % → 247m.
        // 300 MiB is in the bucket ending at 330659541 bytes; +15 % → 380258472.
        // Upper × (1 + 1/1) = ×2; lower × (1 + 0.001)⁻² ≈ ×0.998.
        let e = r.estimate()
        #expect(e.target == VPA.Amounts(cpuMillis: 247, memoryBytes: 380_258_472))
        #expect(e.upperBound == VPA.Amounts(cpuMillis: 494, memoryBytes: 760_516_944))
        #expect(e.lowerBound == VPA.Amounts(cpuMillis: 246, memoryBytes: 379_499_094))
        // The policy: minAllowed 100m / 512Mi, maxAllowed 1000m / 1Gi, RequestsOnly.
        let policy = VPA.ContainerPolicy(containerName: "redis", controlledValues: .requestsOnly,
                                         minAllowed: .init(cpuMillis: 100, memoryBytes: 512 << 20), maxAllowed: .init(cpuMillis: 1000, memoryBytes: 1 << 30))
        let rec = r.recommendation(policy: policy)!
        #expect(rec.target == VPA.Amounts(cpuMillis: 247, memoryBytes: 512 << 20))
        #expect(rec.uncappedTarget == VPA.Amounts(cpuMillis: 247, memoryBytes: 380_258_472))
        #expect(rec.lowerBound == VPA.Amounts(cpuMillis: 246, memoryBytes: 512 << 20))
        #expect(rec.upperBound == VPA.Amounts(cpuMillis: 494, memoryBytes: 760_516_944))
        // The StatefulSet requests 100m / 512Mi: CPU below the lower bound → evict (Recreate); memory within.
        let a = VPA.assess(rec, requests: .init(cpuMillis: 100, memoryBytes: 512 << 20), mode: .recreate)
        #expect(a[0].wouldEvict)
        #expect(a[0].explanation == "cpu request 100m below lower bound 246m: evict, set to 247m")
        #expect(!a[1].wouldEvict)
        // Re-admitted: requests = target, limits unchanged (RequestsOnly).
        let admitted = VPA.admit(rec, requests: .init(cpuMillis: 100, memoryBytes: 512 << 20), limits: .init(cpuMillis: 1000, memoryBytes: 1 << 30),
                                 controlledValues: .requestsOnly)
        #expect(admitted.requests == VPA.Amounts(cpuMillis: 247, memoryBytes: 512 << 20))
        #expect(admitted.limits == VPA.Amounts(cpuMillis: 1000, memoryBytes: 1 << 30))
    }

    @Test func compressedDay() {
        let p = VPARecommender.Parameters.compressed(daySeconds: 120)
        #expect(p.cpuHalfLifeSeconds == 120 && p.memoryHalfLifeSeconds == 120 && p.memoryAggregationIntervalSeconds == 120)
        #expect(p.cpuConfidenceIntervalSeconds == 120 && p.memoryConfidenceIntervalSeconds == 120)
        #expect(p.safetyMarginFraction == 0.15 && p.targetPercentile == 0.9)
        // Load that changes: 100m for a compressed day, then 800m for another. After two "days"
        // the newer samples weigh twice as much and hold more than 10 % of the weight: p90 follows them.
        var r = VPARecommender(parameters: p)
        for s in stride(from: 0.0, through: 120, by: 5) { r.addCPUSample(millicores: 100, atSeconds: s) }
        let before = r.estimate().target.cpuMillis!
        for s in stride(from: 125.0, through: 240, by: 5) { r.addCPUSample(millicores: 800, atSeconds: s) }
        let after = r.estimate().target.cpuMillis!
        #expect(before < 130)
        #expect(after > 800)
        #expect(r.confidence(intervalSeconds: 120) == 2)
    }

    @Test func weightByRequestOption() {
        // Before 2025 upstream weighted a CPU sample by max(request in cores, 0.1).
        var p = VPARecommender.Parameters()
        p.cpuWeightByRequest = true
        var r = VPARecommender(parameters: p)
        r.addCPUSample(millicores: 100, atSeconds: 0, requestMillicores: 2000)
        r.addCPUSample(millicores: 900, atSeconds: 1, requestMillicores: 100)
        // Weights 2.0 and 0.1: the 100m sample holds 95 % of the weight.
        #expect(VPARecommender.cpuAmount(cores: r.cpu.percentile(0.9)) < 120)
    }
}

/// The policy steps, reproducing pkg/utils/vpa/capping_test.go and limit_and_request_scaling_test.go.
@Suite struct VPAPolicyTests {
    /// capping_test.go `recommendation`: 42m/42Mi target, 31 lower, 53 upper.
    let recommendation = VPA.ContainerRecommendation(
        containerName: "foo", target: .init(cpuMillis: 42, memoryBytes: 42 << 20), lowerBound: .init(cpuMillis: 31, memoryBytes: 31 << 20),
        upperBound: .init(cpuMillis: 53, memoryBytes: 53 << 20), uncappedTarget: .init(cpuMillis: 42, memoryBytes: 42 << 20))

    @Test func minAllowed() {
        // TestApplyVPAPolicy "resource policy has min allowed": 50m / 50Mi.
        let r = VPA.applyPolicy(recommendation, policy: .init(containerName: "foo", minAllowed: .init(cpuMillis: 50, memoryBytes: 50 << 20)))
        #expect(r.target == .init(cpuMillis: 50, memoryBytes: 50 << 20))
        #expect(r.lowerBound == .init(cpuMillis: 50, memoryBytes: 50 << 20))
        #expect(r.upperBound == .init(cpuMillis: 53, memoryBytes: 53 << 20))
        #expect(r.uncappedTarget == .init(cpuMillis: 42, memoryBytes: 42 << 20))
    }

    @Test func maxAllowed() {
        // TestApplyVPAPolicy "resource policy has max allowed": 40m / 40Mi.
        let r = VPA.applyPolicy(recommendation, policy: .init(containerName: "foo", maxAllowed: .init(cpuMillis: 40, memoryBytes: 40 << 20)))
        #expect(r.target == .init(cpuMillis: 40, memoryBytes: 40 << 20))
        #expect(r.lowerBound == .init(cpuMillis: 31, memoryBytes: 31 << 20))
        #expect(r.upperBound == .init(cpuMillis: 40, memoryBytes: 40 << 20))
        #expect(r.uncappedTarget == .init(cpuMillis: 42, memoryBytes: 42 << 20))
    }

    @Test func minAndMaxTogether() {
        // TestRecommendationCappedToMinMaxPolicy (NewScaledQuantity(n, 1) = n × 10 units): cpu to minAllowed, memory to maxAllowed.
        let rec = VPA.ContainerRecommendation(
            containerName: "ctr-name", target: .init(cpuMillis: 300_000, memoryBytes: 50_000), lowerBound: .init(cpuMillis: 200_000, memoryBytes: 43_000),
            upperBound: .init(cpuMillis: 500_000, memoryBytes: 55_000), uncappedTarget: .init(cpuMillis: 300_000, memoryBytes: 50_000))
        let r = VPA.applyPolicy(rec, policy: .init(containerName: "ctr-name", minAllowed: .init(cpuMillis: 400_000, memoryBytes: 40_000),
                                                  maxAllowed: .init(cpuMillis: 450_000, memoryBytes: 45_000)))
        #expect(r.target == .init(cpuMillis: 400_000, memoryBytes: 45_000))
        #expect(r.lowerBound == .init(cpuMillis: 400_000, memoryBytes: 43_000))
        #expect(r.upperBound == .init(cpuMillis: 450_000, memoryBytes: 45_000))
    }

    @Test func requestsOnlyCapsToTheLimit() {
        // TestRecommendationToLimitCapping: limits 30 cores / 70000 bytes.
        let rec = VPA.ContainerRecommendation(
            containerName: "ctr-name", target: .init(cpuMillis: 20_000, memoryBytes: 80_000), lowerBound: .init(),
            upperBound: .init(cpuMillis: 100_000, memoryBytes: 90_000), uncappedTarget: .init(cpuMillis: 20_000, memoryBytes: 80_000))
        let limits = VPA.Amounts(cpuMillis: 30_000, memoryBytes: 70_000)
        let capped = VPA.capToLimits(rec, limits: limits, controlledValues: .requestsOnly)
        #expect(capped.target == .init(cpuMillis: 20_000, memoryBytes: 70_000))
        #expect(capped.upperBound == .init(cpuMillis: 30_000, memoryBytes: 70_000))
        #expect(VPA.capToLimits(rec, limits: limits, controlledValues: .requestsAndLimits) == rec)
    }

    @Test func proportionalLimits() {
        // limit_and_request_scaling_test.go TestGetProportionalResourceLimitCPU.
        #expect(VPA.proportionalLimit(limit: 2000, request: 1000, recommendedRequest: 10_000) == 20_000)
        #expect(VPA.proportionalLimit(limit: nil, request: 1000, recommendedRequest: 10_000) == nil)
        #expect(VPA.proportionalLimit(limit: 2000, request: nil, recommendedRequest: 10_000) == 10_000)
        #expect(VPA.proportionalLimit(limit: 1000, request: 1000, recommendedRequest: 10_000) == 10_000)
        #expect(VPA.proportionalLimit(limit: 2000, request: 1500, recommendedRequest: 1000) == 1333)
        #expect(VPA.proportionalLimit(limit: 2000, request: 1000, recommendedRequest: 0) == nil)
        // RequestsAndLimits re-admission: meme-web's 10m/100m and 64Mi/128Mi keep their 1:10 and 1:2 ratios.
        let rec = VPA.ContainerRecommendation(containerName: "w", target: .init(cpuMillis: 25, memoryBytes: 250 << 20), lowerBound: .init(),
                                              upperBound: .init(), uncappedTarget: .init())
        let admitted = VPA.admit(rec, requests: .init(cpuMillis: 10, memoryBytes: 64 << 20), limits: .init(cpuMillis: 100, memoryBytes: 128 << 20),
                                 controlledValues: .requestsAndLimits)
        #expect(admitted.requests == .init(cpuMillis: 25, memoryBytes: 250 << 20))
        #expect(admitted.limits == .init(cpuMillis: 250, memoryBytes: 500 << 20))
    }
}
