import Testing
@testable import Autoscaling

/// Worked examples from kubernetes.io "Horizontal Pod Autoscaling → Algorithm details" and the
/// v1.33 configurable-tolerance blog post, plus the captured meme-generator HPA states.
@Suite struct HPATests {
    @Test func docsExamples() {
        // "if the current metric value is 200m, and the desired value is 100m, the number of replicas will be doubled"
        let doubled = HPA.propose(.init(name: "m", target: .averageValue(milli: 100), current: 200), currentReplicas: 3)
        #expect(doubled.replicas == 6)
        // "if the current value is instead 50m, you'll halve the number of replicas"
        let halved = HPA.propose(.init(name: "m", target: .averageValue(milli: 100), current: 50), currentReplicas: 4)
        #expect(halved.replicas == 2)
        // Blog: 50 replicas at 90% CPU against 75% → 60 replicas.
        let blog = HPA.propose(.init(name: "cpu", target: .utilization(percent: 75), current: 90), currentReplicas: 50)
        #expect(blog.replicas == 60)
        #expect(blog.explanation == "cpu 90% / 75% → 60 replicas")
    }

    @Test func toleranceSkipsSmallChanges() {
        let within = HPA.propose(.init(name: "cpu", target: .utilization(percent: 50), current: 54), currentReplicas: 4)
        #expect(within.replicas == 4)
        #expect(within.explanation == "cpu 54% / 50% → 4 replicas (within 10% tolerance)")
        let outside = HPA.propose(.init(name: "cpu", target: .utilization(percent: 50), current: 56), currentReplicas: 4)
        #expect(outside.replicas == 5)
    }

    @Test func utilizationExampleFromTheBrief() {
        let p = HPA.propose(.init(name: "cpu", target: .utilization(percent: 30), current: 93), currentReplicas: 1)
        #expect(p.replicas == 4)
        #expect(p.explanation == "cpu 93% / 30% → 4 replicas")
    }

    @Test func capturedKEDAHPA() {
        // conflict-hpa-snippet.txt: keda-hpa-meme-backend "2135500m/5 (avg)" at 2 replicas, max 10.
        let d = HPA.decide(metrics: [.init(name: "s0-nats-jetstream-MEMES", target: .averageValue(milli: 5000), current: 2_135_500)],
                           currentReplicas: 2, minReplicas: 1, maxReplicas: 10, nowSeconds: 0)
        #expect(d.metricsReplicas == 855)
        #expect(d.desiredReplicas == 6)  // default scale-up policy: max(+100% → 4, +4 pods → 6) from 2
        #expect(d.limitedBy == "scale-up policy allows 6")
        // With room to grow, the max bound applies.
        let d2 = HPA.decide(metrics: [.init(name: "s0", target: .averageValue(milli: 5000), current: 6_000_000)],
                            currentReplicas: 8, minReplicas: 1, maxReplicas: 10, nowSeconds: 0)
        #expect(d2.desiredReplicas == 10)
        #expect(d2.limitedBy == "maxReplicas 10")
    }

    @Test func externalValueTarget() {
        // keda-hpa-metrics-api-describe.cfos.txt: "38334m / 100" (a Value target) at 1 replica → ratio 0.38.
        let p = HPA.propose(.init(name: "s0-metric-api-value", target: .value(milli: 100_000), current: 38334), currentReplicas: 2)
        #expect(p.replicas == 1)
        #expect(p.explanation == "s0-metric-api-value 38.334 / 100 → 1 replica")
    }

    @Test func maxOverMetricsAndMissingMetrics() {
        let d = HPA.decide(
            metrics: [.init(name: "cpu", target: .utilization(percent: 50), current: 93),
                      .init(name: "memory", target: .utilization(percent: 80), current: 7),
                      .init(name: "rate", target: .averageValue(milli: 20), current: nil)],
            currentReplicas: 2, minReplicas: 1, maxReplicas: 10, nowSeconds: 0)
        #expect(d.metricsReplicas == 4)
        #expect(d.desiredReplicas == 4)
        #expect(d.explanation == "cpu 93% / 50% → 4 replicas; memory 7% / 80% → 1 replica; rate <unknown> / 0.02 (avg): no data ⇒ 4")
    }

    @Test func scaleDownStabilisationKeepsHighestRecentRecommendation() {
        let history = [HPA.Recommendation(replicas: 8, atSeconds: 100), HPA.Recommendation(replicas: 6, atSeconds: 250),
                       HPA.Recommendation(replicas: 9, atSeconds: 10)]
        let d = HPA.decide(metrics: [.init(name: "cpu", target: .utilization(percent: 50), current: 10)],
                           currentReplicas: 10, minReplicas: 1, maxReplicas: 10, history: history, nowSeconds: 320)
        #expect(d.metricsReplicas == 2)
        // The 300 s window (20…320) still holds 8 and 6; 9 at t=10 fell out.
        #expect(d.desiredReplicas == 8)
        #expect(d.limitedBy == "scale-down stabilisation (300 s window holds 8)")
        let later = HPA.decide(metrics: [.init(name: "cpu", target: .utilization(percent: 50), current: 10)],
                               currentReplicas: 8, minReplicas: 1, maxReplicas: 10, history: history, nowSeconds: 600)
        #expect(later.desiredReplicas == 2)
    }

    @Test func scaleUpStabilisationAndPolicies() {
        let harmony = HPA.Behavior(
            scaleUp: .init(stabilizationWindowSeconds: 30, policies: [.init(kind: .percent, value: 100, periodSeconds: 60), .init(kind: .pods, value: 4, periodSeconds: 60)]),
            scaleDown: .init(stabilizationWindowSeconds: 300, policies: [.init(kind: .percent, value: 50, periodSeconds: 60)]))
        // Scale-up window: lowest recommendation of the last 30 s (3) caps the jump.
        let up = HPA.decide(metrics: [.init(name: "rate", target: .averageValue(milli: 20), current: 60)],
                            currentReplicas: 2, minReplicas: 1, maxReplicas: 10, behavior: harmony,
                            history: [.init(replicas: 3, atSeconds: 90)], nowSeconds: 100)
        #expect(up.metricsReplicas == 6)
        #expect(up.desiredReplicas == 3)
        // Pods policy (+4) beats Percent (+100% of 1) under selectPolicy Max.
        let fromOne = HPA.decide(metrics: [.init(name: "rate", target: .averageValue(milli: 20), current: 200)],
                                 currentReplicas: 1, minReplicas: 1, maxReplicas: 10, behavior: harmony, nowSeconds: 0)
        #expect(fromOne.desiredReplicas == 5)
        #expect(fromOne.limitedBy == "scale-up policy allows 5")
        // Scale-down Percent 50: from 10 at most to 5.
        let down = HPA.decide(metrics: [.init(name: "rate", target: .averageValue(milli: 20), current: 1)],
                              currentReplicas: 10, minReplicas: 1, maxReplicas: 10, behavior: harmony, nowSeconds: 0)
        #expect(down.desiredReplicas == 5)
        #expect(down.limitedBy == "scale-down policy allows 5")
    }

    /// Kubernetes' rule: a policy limits the change over its period, counted from the replicas at
    /// the period's start (current − added + removed in the last periodSeconds).
    @Test func policiesCountFromThePeriodStart() {
        let behavior = HPA.Behavior()  // scale-up: max(+100 %, +4 pods) per 15 s; scale-down: 100 % per 15 s
        let wants10 = [HPA.MetricReading(name: "lag", target: .averageValue(milli: 5000), current: 200_000)]
        // 1 → 5 at t = 100; at t = 110 the period began at 1 replica: still at most 5.
        let held = HPA.decide(metrics: wants10, currentReplicas: 5, minReplicas: 1, maxReplicas: 10, behavior: behavior,
                              scaleEvents: [.init(change: 4, atSeconds: 100)], nowSeconds: 110)
        #expect(held.desiredReplicas == 5)
        #expect(held.limitedBy == "scale-up policy allows 5")
        // At t = 115 that change is a period old: from 5, +100 % allows 10.
        let next = HPA.decide(metrics: wants10, currentReplicas: 5, minReplicas: 1, maxReplicas: 10, behavior: behavior,
                              scaleEvents: [.init(change: 4, atSeconds: 100)], nowSeconds: 115)
        #expect(next.desiredReplicas == 10)
        #expect(HPA.periodStart(current: 3, periodSeconds: 60, events: [.init(change: 5, atSeconds: 10), .init(change: -4, atSeconds: 20)],
                                nowSeconds: 30) == 2)
    }

    @Test func boundsAndZero() {
        let low = HPA.decide(metrics: [.init(name: "cpu", target: .utilization(percent: 50), current: 1)],
                             currentReplicas: 1, minReplicas: 2, maxReplicas: 5, nowSeconds: 0)
        #expect(low.desiredReplicas == 2)
        #expect(low.limitedBy == "minReplicas 2")
        let zero = HPA.decide(metrics: [.init(name: "cpu", target: .utilization(percent: 50), current: 100)],
                              currentReplicas: 0, minReplicas: 1, maxReplicas: 5, nowSeconds: 0)
        #expect(zero.desiredReplicas == 0)
    }
}
