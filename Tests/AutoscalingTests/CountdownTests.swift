import Testing
@testable import Autoscaling

/// Worked examples of the countdowns (issue 13): what each autoscaler will do next, when, and why.
@Suite struct CountdownTests {
    @Test func hpaFromTheRecommendationsItHasSeen() {
        // k8s/base/web/hpa.yaml: scaleDown window 300 s. A burst took meme-web to 3 at t=100 (recommendation 3), the
        // recommendations at 110 and 120 were 3 and 2; the load is gone: at t=180 the metrics ask for 1.
        let history = [HPA.Recommendation(replicas: 3, atSeconds: 100), HPA.Recommendation(replicas: 3, atSeconds: 110),
                       HPA.Recommendation(replicas: 2, atSeconds: 120), HPA.Recommendation(replicas: 1, atSeconds: 170)]
        let c = Countdowns.hpaScaleDown(raw: 1, desired: 3, history: history, windowSeconds: 300, nowSeconds: 180)
        // The newest recommendation above 1 is the 2 at t=120: it leaves the window at 120 + 300 = 420, 240 s from now
        // (the 3s leave at 410, then 2 would be allowed, and the 2 itself at 420).
        #expect(c?.seconds == 240)
        #expect(c?.bound == .exact)
        #expect(c?.rule == "scaleDown window 300 s: recommendations up to 3 hold 3 (metrics ask 1)")
        // Nothing held: the metrics ask for what is there.
        #expect(Countdowns.hpaScaleDown(raw: 3, desired: 3, history: history, windowSeconds: 300, nowSeconds: 180) == nil)
        // The same step through the stand-in's state: HPA.decide holds 3 and the countdown agrees.
        let d = HPA.decide(proposals: [HPA.MetricProposal(name: "cpu", replicas: 1, explanation: "cpu 5% / 30% → 1 replica")],
                           currentReplicas: 3, minReplicas: 1, maxReplicas: 5, history: history, nowSeconds: 180)
        #expect(d.desiredReplicas == 3)
    }

    @Test func hpaFromAClusterStatus() {
        // conflict-manual-hpa-describe.txt: AbleToScale True ScaleDownStabilized, window 300 s, last rescale 35 s ago.
        let now = 10_000.0
        let held = Countdowns.hpaScaleDown(ableToScaleReason: "ScaleDownStabilized", lastScaleSeconds: now - 35, windowSeconds: 300, nowSeconds: now)
        #expect(held?.seconds == 265)
        #expect(held?.seconds == 265)
        #expect(held?.bound == .earliest)
        // lastScaleTime older than the window and still stabilised: a later recommendation holds it, at most one window.
        let later = Countdowns.hpaScaleDown(ableToScaleReason: "ScaleDownStabilized", lastScaleSeconds: now - 900, windowSeconds: 300, nowSeconds: now)
        #expect(later?.seconds == 300 && later?.bound == .latest)
        // keda-hpa-prometheus-external-openshift.json: AbleToScale ReadyForNewScale: nothing held.
        #expect(Countdowns.hpaScaleDown(ableToScaleReason: "ReadyForNewScale", lastScaleSeconds: now - 35, windowSeconds: 300, nowSeconds: now) == nil)
    }

    @Test func kedaScaleToZeroAfterCooldownPeriod() {
        // k8s/base/worker/scaledobject.yaml: cooldownPeriod 60, minReplicaCount 0. Last active 33 s ago, 1 worker left.
        let c = Countdowns.kedaScaleToZero(active: false, minReplicaCount: 0, currentReplicas: 1, cooldownPeriodSeconds: 60,
                                           lastActiveSeconds: 967, nowSeconds: 1000)
        #expect(c?.seconds == 27 && c?.action == "scale to zero")
        #expect(c?.rule == "cooldownPeriod 60 s since last active")
        // Cooldown over: 0:00 (scales at the next poll).
        #expect(Countdowns.kedaScaleToZero(active: false, minReplicaCount: 0, currentReplicas: 1, cooldownPeriodSeconds: 60,
                                           lastActiveSeconds: 900, nowSeconds: 1000)?.seconds == 0)
        // Active, a floor above zero, or already at zero: nothing pending.
        #expect(Countdowns.kedaScaleToZero(active: true, minReplicaCount: 0, currentReplicas: 3, cooldownPeriodSeconds: 60,
                                           lastActiveSeconds: 999, nowSeconds: 1000) == nil)
        #expect(Countdowns.kedaScaleToZero(active: false, minReplicaCount: 1, currentReplicas: 3, cooldownPeriodSeconds: 60,
                                           lastActiveSeconds: 999, nowSeconds: 1000) == nil)
        #expect(Countdowns.kedaScaleToZero(active: false, minReplicaCount: 0, currentReplicas: 0, cooldownPeriodSeconds: 60,
                                           lastActiveSeconds: 999, nowSeconds: 1000) == nil)
        // scaledobject-prometheus-openshift.json has no lastActiveTime: when is unknown.
        let unknown = Countdowns.kedaScaleToZero(active: false, minReplicaCount: 0, currentReplicas: 2, cooldownPeriodSeconds: 300,
                                                 lastActiveSeconds: nil, nowSeconds: 1000)
        #expect(unknown != nil && unknown?.seconds == nil)
    }

    @Test func vpaUpdaterCheckAndEviction() {
        // The local stand-in knows its next pass; a request below the lower bound means an eviction there.
        let evict = Countdowns.vpaUpdater(mode: .recreate, wouldEvict: true, nextCheckSeconds: 12)
        #expect(evict?.action == "eviction" && evict?.seconds == 12 && evict?.bound == .exact)
        #expect(evict?.rule == "updater every 60 s; a request outside [lowerBound, upperBound]: evicts")
        // A cluster does not publish the updater's phase: at most one interval.
        let check = Countdowns.vpaUpdater(mode: .auto, wouldEvict: false, nextCheckSeconds: nil)
        #expect(check?.action == "updater check" && check?.seconds == 60 && check?.bound == .latest)
        // Off and Initial: the updater leaves running pods alone.
        #expect(Countdowns.vpaUpdater(mode: .off, wouldEvict: true, nextCheckSeconds: 12) == nil)
        #expect(Countdowns.vpaUpdater(mode: .initial, wouldEvict: true, nextCheckSeconds: nil) == nil)
    }
}
