import Testing
@testable import Autoscaling

/// The examples of kubernetes.io "Horizontal Pod Autoscaling" (content/en/docs/concepts/workloads/autoscaling/
/// horizontal-pod-autoscale.md: "Algorithm details", "Configurable scaling behavior"), run through `HPA.decide`
/// as a controller would run them: one call per 15 s sync, each raw recommendation kept for the
/// stabilisation window, each change kept for the policies' periods.
@Suite struct HPADocExamplesTests {
    /// A scale target and the HPA's memory of it.
    final class Controller {
        var replicas: Int
        var minReplicas = 1
        var maxReplicas: Int
        var behavior = HPA.Behavior()
        var history: [HPA.Recommendation] = []
        var events: [HPA.ScaleEvent] = []

        init(replicas: Int, maxReplicas: Int = 100) {
            self.replicas = replicas
            self.maxReplicas = maxReplicas
        }

        func sync(_ metrics: [HPA.MetricReading], at now: Double, tolerance: Double = 0.1) -> HPA.Decision {
            let d = HPA.decide(metrics: metrics, currentReplicas: replicas, minReplicas: minReplicas, maxReplicas: maxReplicas,
                               behavior: behavior, history: history, scaleEvents: events, nowSeconds: now, tolerance: tolerance)
            history.append(.init(replicas: d.metricsReplicas, atSeconds: now))
            if d.desiredReplicas != replicas {
                events.append(.init(change: d.desiredReplicas - replicas, atSeconds: now))
                replicas = d.desiredReplicas
            }
            return d
        }
    }

    /// A per-pod average of `total` milli-units spread over `replicas` pods, against an average target of 1 unit:
    /// the metrics always ask for ceil(total / 1000) replicas, whatever the current count.
    static func load(total: Int, replicas: Int) -> [HPA.MetricReading] {
        [.init(name: "load", target: .averageValue(milli: 1000), current: total / replicas)]
    }

    // MARK: Algorithm details

    @Test func ratioOfCurrentToDesired() {
        // "if the current metric value is 200m, and the desired value is 100m, the number of replicas will be doubled"
        let up = Controller(replicas: 3)
        #expect(up.sync([.init(name: "m", target: .averageValue(milli: 100), current: 200)], at: 0).desiredReplicas == 6)
        // "If the current value is instead 50m, you'll halve the number of replicas"
        let down = Controller(replicas: 4)
        #expect(down.sync([.init(name: "m", target: .averageValue(milli: 100), current: 50)], at: 0).desiredReplicas == 2)
    }

    @Test func toleranceOfTenPercent() {
        // "The control plane skips any scaling action if the ratio is sufficiently close to 1.0 (… 0.1 by default)":
        // the controller's test is 1 − 0.1 ≤ ratio ≤ 1 + 0.1, both ends included (replica_calculator.go Tolerances.isWithin).
        let target = HPA.Target.utilization(percent: 50)
        for (current, replicas) in [(45, 4), (50, 4), (55, 4), (56, 5), (44, 4)] {
            let p = HPA.propose(.init(name: "cpu", target: target, current: current), currentReplicas: 4)
            #expect(p.replicas == replicas, "\(current)% of a 50% target at 4 replicas")
        }
        #expect(HPA.propose(.init(name: "cpu", target: target, current: 44), currentReplicas: 4).explanation == "cpu 44% / 50% → 4 replicas")
        #expect(HPA.propose(.init(name: "cpu", target: target, current: 55), currentReplicas: 4).explanation
                == "cpu 55% / 50% → 4 replicas (within 10% tolerance)")
        // "Tolerance": a 100MiB memory target with a 5 % tolerance scales up only above 105MiB.
        let mib = 1 << 20
        let memory = { (bytes: Int) in [HPA.MetricReading(name: "memory", target: .averageValue(milli: 100 * mib * 1000), current: bytes * 1000)] }
        let c = Controller(replicas: 2)
        #expect(c.sync(memory(105 * mib), at: 0, tolerance: 0.05).desiredReplicas == 2)
        #expect(c.sync(memory(106 * mib), at: 15, tolerance: 0.05).desiredReplicas == 3)
    }

    @Test func multipleMetricsTakeTheLargest() {
        // "this calculation is done for each metric, and then the largest of the desired replica counts is chosen"
        let c = Controller(replicas: 1, maxReplicas: 5)
        let d = c.sync([.init(name: "cpu", target: .utilization(percent: 30), current: 93),
                        .init(name: "memory", target: .utilization(percent: 50), current: 40)], at: 0)
        #expect(d.proposals.map(\.replicas) == [4, 1])
        #expect(d.desiredReplicas == 4)
    }

    @Test func aMissingMetricBlocksOnlyScalingDown() {
        // "If any of these metrics cannot be converted into a desired replica count … and a scale down is
        // suggested by the metrics which can be fetched, scaling is skipped. This means that the HPA is still
        // capable of scaling up if one or more metrics give a desiredReplicas greater than the current value."
        let down = Controller(replicas: 4)
        let held = down.sync([.init(name: "cpu", target: .utilization(percent: 50), current: nil),
                              .init(name: "memory", target: .utilization(percent: 50), current: 10)], at: 0)
        #expect(held.desiredReplicas == 4)
        #expect(held.limitedBy == "a metric is missing and the others suggest scaling down: scaling skipped")
        let up = Controller(replicas: 4)
        let grown = up.sync([.init(name: "cpu", target: .utilization(percent: 50), current: nil),
                             .init(name: "memory", target: .utilization(percent: 50), current: 100)], at: 0)
        #expect(grown.desiredReplicas == 8)
    }

    @Test func scaleDownStabilisationKeepsTheHighestRecommendation() {
        // "the highest recommendation from within that window … defaults to 5 minutes": a burst asks for 6,
        // then the load drops; the count stays at 6 until the burst's recommendation is 300 s old.
        let c = Controller(replicas: 2)
        #expect(c.sync(Self.load(total: 6000, replicas: 2), at: 0).desiredReplicas == 6)
        var t = 15.0
        while t < 300 {
            let d = c.sync(Self.load(total: 1000, replicas: c.replicas), at: t)
            #expect(d.desiredReplicas == 6, "t = \(t)")
            t += 15
        }
        // At t = 300 the 6 is exactly 300 s old: out of the window (the controller keeps timestamps after now − window).
        let released = c.sync(Self.load(total: 1000, replicas: c.replicas), at: 300)
        #expect(released.desiredReplicas == 1)
    }

    // MARK: Configurable scaling behavior

    @Test func scaleDownPoliciesPickTheLargestChange() {
        // Pods 4 / 60 s and Percent 10 / 60 s. "if there are 80 replicas and the target has to be scaled down to
        // 10 replicas then during the first step 8 replicas will be reduced. In the next iteration when the number
        // of replicas is 72, 10% of the pods is 7.2 but the number is rounded up to 8. … When the number of
        // replicas falls below 40 the first policy (Pods) is applied and 4 replicas will be reduced at a time."
        let c = Controller(replicas: 80)
        c.behavior.scaleDown = .init(stabilizationWindowSeconds: 300,
                                     policies: [.init(kind: .pods, value: 4, periodSeconds: 60), .init(kind: .percent, value: 10, periodSeconds: 60)])
        var counts = [80]
        var t = 0.0
        while t <= 20 * 60 {
            let before = c.replicas
            _ = c.sync(Self.load(total: 10_000, replicas: c.replicas), at: t)
            if c.replicas != before { counts.append(c.replicas) }
            t += 15
        }
        // Each step is a minute after the previous one: a policy counts the change over its whole period.
        #expect(counts == [80, 72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16, 12, 10])
        #expect(c.events.map(\.atSeconds) == (0..<14).map { Double($0) * 60 })
    }

    @Test func selectPolicyMinLimitsToFivePodsPerMinute() {
        // "To ensure that no more than 5 Pods are removed per minute … set selectPolicy to minimum."
        let rules = HPA.ScalingRules(stabilizationWindowSeconds: 300, selectPolicy: .min,
                                     policies: [.init(kind: .percent, value: 10, periodSeconds: 60), .init(kind: .pods, value: 5, periodSeconds: 60)])
        let big = Controller(replicas: 80)
        big.behavior.scaleDown = rules
        #expect(big.sync(Self.load(total: 10_000, replicas: 80), at: 0).desiredReplicas == 75)
        let small = Controller(replicas: 30)
        small.behavior.scaleDown = rules
        let d = small.sync(Self.load(total: 10_000, replicas: 30), at: 0)
        #expect(d.desiredReplicas == 27)
        #expect(d.limitedBy == "scale-down policy allows 27")
    }

    @Test func limitScaleDownRateToTenPercentPerMinute() {
        // "To limit the rate at which pods are removed by the HPA to 10% per minute".
        let c = Controller(replicas: 50)
        c.behavior.scaleDown.policies = [.init(kind: .percent, value: 10, periodSeconds: 60)]
        #expect(c.sync(Self.load(total: 1000, replicas: 50), at: 0).desiredReplicas == 45)
        #expect(c.sync(Self.load(total: 1000, replicas: 45), at: 30).desiredReplicas == 45)
        #expect(c.sync(Self.load(total: 1000, replicas: 45), at: 60).desiredReplicas == 40)
    }

    @Test func disableScaleDown() {
        // "The selectPolicy value of Disabled turns off scaling the given direction."
        let c = Controller(replicas: 6)
        c.behavior.scaleDown.selectPolicy = .disabled
        for t in stride(from: 0.0, through: 900, by: 15) {
            #expect(c.sync(Self.load(total: 1000, replicas: c.replicas), at: t).desiredReplicas == 6)
        }
        #expect(c.sync(Self.load(total: 9000, replicas: 6), at: 915).desiredReplicas == 9, "scaling up still works")
    }

    @Test func customDownscaleWindowOfOneMinute() {
        // "To provide a custom downscale stabilization window of 1 minute".
        let c = Controller(replicas: 5)
        c.behavior.scaleDown.stabilizationWindowSeconds = 60
        #expect(c.sync(Self.load(total: 5000, replicas: 5), at: 0).desiredReplicas == 5)
        #expect(c.sync(Self.load(total: 1000, replicas: 5), at: 45).desiredReplicas == 5)
        #expect(c.sync(Self.load(total: 1000, replicas: 5), at: 60).desiredReplicas == 1)
    }

    @Test func defaultBehaviourScalesUpByFourPodsOrDoubling() {
        // Default behaviour: "4 pods or a 100% of the currently running replicas may at most be added every 15 seconds";
        // "For scaling up there is no stabilization window".
        let c = Controller(replicas: 1)
        var counts = [1]
        for t in stride(from: 0.0, through: 60, by: 15) {
            _ = c.sync(Self.load(total: 30_000, replicas: c.replicas), at: t)
            counts.append(c.replicas)
        }
        #expect(counts == [1, 5, 10, 20, 30, 30])
        // Scaling down: 300 s window, then 100 % per 15 s, so straight to what the metrics ask.
        for t in stride(from: 75.0, through: 345, by: 15) {
            #expect(c.sync(Self.load(total: 2000, replicas: c.replicas), at: t).desiredReplicas == 30, "t = \(t)")
        }
        #expect(c.sync(Self.load(total: 2000, replicas: 30), at: 360).desiredReplicas == 2)
    }

    @Test func maintenanceModeAtZero() {
        // "If the target's desired replica count is set to 0, and the HPA's minimum replica count is greater
        // than 0, the HPA stops adjusting the target".
        let c = Controller(replicas: 0)
        #expect(c.sync(Self.load(total: 9000, replicas: 1), at: 0).desiredReplicas == 0)
    }

    /// meme-web's own HPA (k8s/base/web/hpa.yaml): cpu 30 %, memory 50 %, up by max(+100 %, +2 pods) per
    /// 15 s, down by 50 % per 60 s after a 300 s window, 1…5 replicas.
    @Test func memeWebHPA() {
        let c = Controller(replicas: 1, maxReplicas: 5)
        c.behavior = HPA.Behavior(
            scaleUp: .init(stabilizationWindowSeconds: 0, policies: [.init(kind: .percent, value: 100, periodSeconds: 15), .init(kind: .pods, value: 2, periodSeconds: 15)]),
            scaleDown: .init(stabilizationWindowSeconds: 300, policies: [.init(kind: .percent, value: 50, periodSeconds: 60)]))
        func metrics(cpu: Int, memory: Int) -> [HPA.MetricReading] {
            [.init(name: "cpu", target: .utilization(percent: 30), current: cpu), .init(name: "memory", target: .utilization(percent: 50), current: memory)]
        }
        // 1 process at 120 % of its 10m request: wants 4, +2 pods allows 3; 15 s later 5 (the maximum).
        #expect(c.sync(metrics(cpu: 120, memory: 40), at: 0).desiredReplicas == 3)
        #expect(c.sync(metrics(cpu: 80, memory: 40), at: 15).desiredReplicas == 5)
        // Quiet (cpu asks for 1, memory for ceil(5 × 20 / 50) = 2): held while the 8 of t = 15 is in the 300 s window,
        // then 2, which the 50 %-per-minute policy allows from 5 (2.5 truncated).
        for t in stride(from: 30.0, through: 300, by: 15) {
            #expect(c.sync(metrics(cpu: 5, memory: 20), at: t).desiredReplicas == 5, "t = \(t)")
        }
        let down = c.sync(metrics(cpu: 5, memory: 20), at: 315)
        #expect(down.metricsReplicas == 2)
        #expect(down.desiredReplicas == 2)
    }
}
