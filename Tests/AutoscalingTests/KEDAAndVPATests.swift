import Testing
@testable import Autoscaling

/// KEDA: nats-jetstream scaler semantics (lag = num_pending + num_ack_pending, active iff
/// lag > activationLagThreshold) and the ScaledObject defaults from the KEDA docs.
@Suite struct KEDATests {
    let p = KEDA.Parameters(lagThreshold: 5, activationLagThreshold: 1, minReplicaCount: 0, maxReplicaCount: 10, cooldownPeriodSeconds: 60)

    @Test func lagAndActivation() {
        // jsz fixture consumer "billing": num_pending 330, num_ack_pending 20.
        #expect(KEDA.lag(numPending: 330, numAckPending: 20) == 350)
        #expect(!KEDA.isActive(lag: 1, p))
        #expect(KEDA.isActive(lag: 2, p))
        #expect(KEDA.hpaReplicas(lag: 23, p) == 5)
        #expect(KEDA.hpaReplicas(lag: 350, p) == 10)
        #expect(KEDA.hpaReplicas(lag: 0, p) == 1)
    }

    @Test func activeScalesToCeilLagOverThreshold() {
        let d = KEDA.decide(lag: 23, currentReplicas: 1, parameters: p, lastActiveSeconds: nil, nowSeconds: 0)
        #expect(d.desiredReplicas == 5)
        #expect(d.active)
        #expect(d.explanation == "lag 23 > activation 1: active; ceil(23 / 5) → 5 replicas")
        let capped = KEDA.decide(lag: 350, currentReplicas: 1, parameters: p, lastActiveSeconds: nil, nowSeconds: 0)
        #expect(capped.explanation == "lag 350 > activation 1: active; ceil(350 / 5) → 10 replicas (maxReplicaCount 10)")
    }

    @Test func cooldownToZero() {
        let within = KEDA.decide(lag: 0, currentReplicas: 3, parameters: p, lastActiveSeconds: 100, nowSeconds: 130)
        #expect(within.desiredReplicas == 1)
        #expect(within.explanation == "lag 0 ≤ activation 1: inactive, cooldown 30 s left → 1 replica")
        let after = KEDA.decide(lag: 1, currentReplicas: 3, parameters: p, lastActiveSeconds: 100, nowSeconds: 160)
        #expect(after.desiredReplicas == 0)
        let stays = KEDA.decide(lag: 1, currentReplicas: 0, parameters: p, lastActiveSeconds: nil, nowSeconds: 0)
        #expect(stays.desiredReplicas == 0)
        var withMin = p
        withMin.minReplicaCount = 2
        #expect(KEDA.decide(lag: 0, currentReplicas: 3, parameters: withMin, lastActiveSeconds: nil, nowSeconds: 999).desiredReplicas == 2)
    }

    @Test func fallbackAfterFailures() {
        var fp = p
        fp.fallback = KEDA.Fallback(failureThreshold: 3, replicas: 6)
        #expect(KEDA.decide(lag: nil, consecutiveFailures: 2, currentReplicas: 2, parameters: fp, lastActiveSeconds: nil, nowSeconds: 0).desiredReplicas == 2)
        let d = KEDA.decide(lag: nil, consecutiveFailures: 3, currentReplicas: 2, parameters: fp, lastActiveSeconds: nil, nowSeconds: 0)
        #expect(d.desiredReplicas == 6)
        #expect(d.explanation == "scaler failed 3× (≥ 3): fallback 6 replicas")
    }
}

@Suite struct VPATests {
    // vpa-status.stress.openshift.vpa-adventure-uc2.json: target cpu "1", lower 746m, upper "1", uncapped 1388m;
    // memory target/lower/uncapped 262144k, upper 1Gi.
    let stress = VPA.ContainerRecommendation(
        containerName: "stress",
        target: .init(cpuMillis: 1000, memoryBytes: 262_144_000), lowerBound: .init(cpuMillis: 746, memoryBytes: 262_144_000),
        upperBound: .init(cpuMillis: 1000, memoryBytes: 1_073_741_824), uncappedTarget: .init(cpuMillis: 1388, memoryBytes: 262_144_000))

    @Test func belowLowerBoundEvicts() {
        let a = VPA.assess(stress, requests: .init(cpuMillis: 100, memoryBytes: 512 << 20))
        #expect(a[0].position == .belowLowerBound)
        #expect(a[0].wouldEvict)
        #expect(a[0].explanation == "cpu request 100m below lower bound 746m: evict, set to 1 (uncapped 1.388)")
        #expect(a[1].position == .withinBounds)
        #expect(!a[1].wouldEvict)
        #expect(a[1].explanation == "memory request 512Mi within [250Mi, 1Gi], target 250Mi")
    }

    @Test func aboveUpperBoundAndModes() {
        let a = VPA.assess(stress, requests: .init(cpuMillis: 2000, memoryBytes: 2 << 30), mode: .off)
        #expect(a.map(\.position) == [.aboveUpperBound, .aboveUpperBound])
        #expect(a.allSatisfy { !$0.wouldEvict })
        #expect(a[1].explanation == "memory request 2Gi above upper bound 1Gi: would set to 250Mi (mode Off, no eviction)")
        #expect(VPA.assess(stress, requests: .init(cpuMillis: 2000), mode: .recreate)[0].wouldEvict)
        #expect(VPA.assess(stress, requests: .init())[0].position == .noRequest)
    }
}

@Suite struct LocalScalingTests {
    let p = KEDA.Parameters(lagThreshold: 5, activationLagThreshold: 1, minReplicaCount: 0, maxReplicaCount: 10, cooldownPeriodSeconds: 30)

    @Test func activationFromZero() {
        let d = LocalScalingDecision.decide(.init(lag: 40, currentReplicas: 0, parameters: p, nowSeconds: 10, lastActiveSeconds: nil))
        #expect(d.desiredReplicas == 1)
        #expect(d.active)
        #expect(d.lastActiveSeconds == 10)
        #expect(d.reason.hasSuffix("activate to 1 first"))
        let idle = LocalScalingDecision.decide(.init(lag: 1, currentReplicas: 0, parameters: p, nowSeconds: 10, lastActiveSeconds: nil))
        #expect(idle.desiredReplicas == 0 && !idle.active)
    }

    @Test func scaleUpFollowsLagWithinPolicy() {
        let d = LocalScalingDecision.decide(.init(lag: 40, currentReplicas: 1, parameters: p, nowSeconds: 20, lastActiveSeconds: 10))
        #expect(d.desiredReplicas == 5)  // wants 8, default policy allows max(2×1, 1+4) = 5
        #expect(d.recommendation == HPA.Recommendation(replicas: 8, atSeconds: 20))
        let next = LocalScalingDecision.decide(.init(lag: 40, currentReplicas: 5, parameters: p, nowSeconds: 35, lastActiveSeconds: 20,
                                                     recentRecommendations: [d.recommendation!]))
        #expect(next.desiredReplicas == 8)
        #expect(next.reason == "lag 40, active: lag 8 / 5 (avg) → 8 replicas ⇒ 8")
    }

    @Test func scaleDownIsStabilisedThenCoolsDownToZero() {
        let history = [HPA.Recommendation(replicas: 8, atSeconds: 100)]
        let held = LocalScalingDecision.decide(.init(lag: 10, currentReplicas: 8, parameters: p, nowSeconds: 120, lastActiveSeconds: 120,
                                                     recentRecommendations: history))
        #expect(held.desiredReplicas == 8)
        #expect(held.reason.contains("scale-down stabilisation"))
        let zero = LocalScalingDecision.decide(.init(lag: 0, currentReplicas: 8, parameters: p, nowSeconds: 200, lastActiveSeconds: 120,
                                                     recentRecommendations: history))
        #expect(zero.desiredReplicas == 0)
        #expect(zero.reason == "lag 0 ≤ activation 1: inactive for ≥ cooldown 30 s → 0 replicas")
    }

    @Test func scalerFailureKeepsReplicas() {
        let d = LocalScalingDecision.decide(.init(lag: nil, consecutiveFailures: 1, currentReplicas: 3, parameters: p, nowSeconds: 0, lastActiveSeconds: nil))
        #expect(d.desiredReplicas == 3)
        #expect(d.recommendation == nil)
    }
}
