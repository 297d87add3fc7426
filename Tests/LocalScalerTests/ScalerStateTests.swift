import Autoscaling
import Testing
@testable import LocalScaler

/// The poll-by-poll arithmetic the supervisor applies, with the worker's ScaledObject numbers.
@Suite struct ScalerStateTests {
    let spec = ScaledObjectSpec(
        name: "meme-worker",
        parameters: KEDA.Parameters(lagThreshold: 5, activationLagThreshold: 1, minReplicaCount: 0, maxReplicaCount: 10,
                                    cooldownPeriodSeconds: 30, pollingIntervalSeconds: 5, fallback: KEDA.Fallback(failureThreshold: 3, replicas: 2)),
        behavior: HPA.Behavior(scaleDown: HPA.ScalingRules(stabilizationWindowSeconds: 30, policies: HPA.ScalingRules.defaultScaleDown.policies)),
        stream: "MEMES", consumer: "meme-generator")

    @Test func burstScalesUpHoldsThroughCooldownThenGoesToZero() {
        var s = ScalerState()
        var replicas = 0
        func poll(_ lag: Int?, at t: Double) -> LocalScalingDecision {
            let d = s.poll(lag: lag, currentReplicas: replicas, spec: spec, nowSeconds: t)
            replicas = d.desiredReplicas
            return d
        }
        #expect(poll(0, at: 0).desiredReplicas == 0)
        #expect(poll(1, at: 5).desiredReplicas == 0)  // not above activation 1
        let activate = poll(50, at: 10)
        #expect(activate.desiredReplicas == 1)  // KEDA activates 0 → 1 first
        #expect(activate.active)
        #expect(poll(48, at: 15).desiredReplicas == 5)  // HPA: ceil(48 / 5) = 10, default policy allows 1 + 4
        // ceil(5 × 8 / 5) = 8, but the period (15 s) began at 1 replica: the policy still allows 5.
        #expect(poll(40, at: 20).desiredReplicas == 5)
        #expect(poll(12, at: 25).desiredReplicas == 5)  // scale-down stabilisation holds the 30 s maximum
        let idle = poll(0, at: 30)
        #expect(!idle.active)
        #expect(idle.desiredReplicas == 5)
        // The 8 of t = 20 is exactly 30 s old: out of the window, as the controller counts (timestamp after now − window);
        // the 3 of t = 25 holds. Last active at 25: 25 s < cooldown 30 s, so not zero yet.
        #expect(poll(0, at: 50).desiredReplicas == 3)
        let zero = poll(0, at: 55)
        #expect(zero.desiredReplicas == 0)
        #expect(zero.reason.contains("cooldown"))
    }

    /// Polling every second does not let the HPA part climb every second: its scale-up policy
    /// (+4 pods or +100 % per 15 s) counts from the replicas at the start of the period, so a big
    /// burst climbs 1 → 5 → 10 in 15 s steps, as the Kubernetes controller does.
    @Test func scaleUpPolicyPeriodsMakeAStaircase() {
        var s = ScalerState()
        var replicas = 0
        var steps: [(at: Int, replicas: Int)] = []
        for t in 0...40 {
            let d = s.poll(lag: 1000, currentReplicas: replicas, spec: spec, nowSeconds: Double(t))
            if d.desiredReplicas != replicas { steps.append((t, d.desiredReplicas)) }
            replicas = d.desiredReplicas
        }
        #expect(steps.map(\.at) == [0, 1, 16])
        #expect(steps.map(\.replicas) == [1, 5, 10])
    }

    /// Workers that start slowly (the pool still counts 1 while 5 were asked for) do not hold the
    /// staircase: the HPA scales from the count it set, as from a Deployment's spec.replicas.
    @Test func slowStartsDoNotPinTheScaleUpPolicy() {
        var s = ScalerState()
        var steps: [Int] = []
        var asked = 0
        for t in 0...40 {
            let running = min(asked, 1)  // only one worker ever comes up in time
            let d = s.poll(lag: 1000, currentReplicas: running, spec: spec, nowSeconds: Double(t))
            if d.desiredReplicas != asked { steps.append(d.desiredReplicas) }
            asked = d.desiredReplicas
        }
        #expect(steps == [1, 5, 10])
    }

    @Test func failedReadsKeepReplicasThenFallBack() {
        var s = ScalerState()
        #expect(s.poll(lag: nil, currentReplicas: 3, spec: spec, nowSeconds: 0).desiredReplicas == 3)
        #expect(s.poll(lag: nil, currentReplicas: 3, spec: spec, nowSeconds: 5).desiredReplicas == 3)
        let fallback = s.poll(lag: nil, currentReplicas: 3, spec: spec, nowSeconds: 10)
        #expect(s.consecutiveFailures == 3)
        #expect(fallback.desiredReplicas == 2)
        #expect(fallback.reason.contains("fallback"))
        _ = s.poll(lag: 7, currentReplicas: 2, spec: spec, nowSeconds: 15)
        #expect(s.consecutiveFailures == 0)
    }

    @Test func historyIsTrimmedToTheLongestWindow() {
        var s = ScalerState()
        for t in stride(from: 0.0, through: 300, by: 5) { _ = s.poll(lag: 20, currentReplicas: 4, spec: spec, nowSeconds: t) }
        #expect(s.history.allSatisfy { 300 - $0.atSeconds <= 30 })
        #expect(!s.history.isEmpty)
    }
}
