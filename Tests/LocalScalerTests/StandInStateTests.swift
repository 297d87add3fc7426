import Autoscaling
import Testing
@testable import LocalScaler

/// The HPA and VPA stand-ins' decisions, on numbers worked out by hand from the controllers' rules.
@Suite struct HPAStandInStateTests {
    /// meme-web's HPA (k8s/base/web/hpa.yaml) against pods requesting 100m and 512Mi.
    static let spec = HPAStandInSpec(
        name: "meme-web", minReplicas: 1, maxReplicas: 5, cpuTargetUtilization: 30, memoryTargetUtilization: 50,
        behavior: HPA.Behavior(
            scaleUp: HPA.ScalingRules(stabilizationWindowSeconds: 0, policies: [
                HPA.ScalingPolicy(kind: .percent, value: 100, periodSeconds: 15), HPA.ScalingPolicy(kind: .pods, value: 2, periodSeconds: 15)]),
            scaleDown: HPA.ScalingRules(stabilizationWindowSeconds: 300, policies: [HPA.ScalingPolicy(kind: .percent, value: 50, periodSeconds: 60)])),
        requests: VPA.Amounts(cpuMillis: 100, memoryBytes: 512 << 20), syncPeriodSeconds: 5)

    @Test func oneBusyPodAsksForThreeAndThePolicyAllowsThree() {
        var state = HPAStandInState()
        // 80m of 100m = 80 % against 30 %: ceil(1 × 80 / 30) = 3; the policies allow max(1 + 100 %, 1 + 2) = 3.
        let r = state.sync(cpu: [80], memory: [100 << 20], running: 1, spec: Self.spec, nowSeconds: 0)
        #expect(r.decision.desiredReplicas == 3)
        #expect(r.proposals.map(\.utilization) == [80, 20])
        #expect(r.decision.explanation.hasPrefix("cpu 80% / 30% → 3 replicas; memory 20% / 50% → 1 replica ⇒ 3"), "\(r.decision.explanation)")
        #expect(state.setReplicas == 3)
    }

    @Test func aPodWithoutASampleCountsAsIdleWhenTheOthersAskForMore() {
        var state = HPAStandInState()
        // Measured: 60 % on one pod (ratio 2); the new pod at 0 %: (60 + 0) / 200 / 0.3 = 1.0, inside the tolerance.
        let r = state.sync(cpu: [60, nil], memory: [64 << 20, 64 << 20], running: 2, spec: Self.spec, nowSeconds: 0)
        #expect(r.decision.desiredReplicas == 2)
        #expect(r.proposals[0].explanation.contains("1 without a sample yet"))
    }

    @Test func quietIsHeldByTheStabilisationWindowWithACountdown() {
        var state = HPAStandInState()
        _ = state.sync(cpu: [90], memory: [50 << 20], running: 1, spec: Self.spec, nowSeconds: 0)
        #expect(state.setReplicas == 3)
        // 10 s later all three idle: the metrics ask for 1, the 300 s window still holds 3, for 290 s more.
        let quiet = state.sync(cpu: [1, 1, 1], memory: [50 << 20, 50 << 20, 50 << 20], running: 3, spec: Self.spec, nowSeconds: 10)
        #expect(quiet.decision.desiredReplicas == 3)
        #expect(quiet.scaleDownInSeconds == 290)
        #expect(quiet.decision.limitedBy?.contains("scale-down stabilisation") == true)
        // After the window: down, by at most 50 % per 60 s (3 → 1.5 rounds to 1 as the controller floors the percent).
        let later = state.sync(cpu: [1, 1, 1], memory: [50 << 20, 50 << 20, 50 << 20], running: 3, spec: Self.spec, nowSeconds: 311)
        #expect(later.decision.desiredReplicas == 1)
        #expect(later.scaleDownInSeconds == nil)
    }

    @Test func theLargerMetricWins() {
        var state = HPAStandInState()
        // cpu 20 % asks for 1, memory 80 % of 512Mi asks for ceil(2 × 80 / 50) = 4.
        let r = state.sync(cpu: [20, 20], memory: [410 << 20, 410 << 20], running: 2, spec: Self.spec, nowSeconds: 0)
        #expect(r.decision.metricsReplicas == 4)
        #expect(r.decision.desiredReplicas == 4)
    }
}

@Suite struct VPAStandInStateTests {
    /// Redis's VPA (k8s/base/redis/vpa.yaml) with the process asking for less memory than minAllowed.
    static func spec(mode: VPA.UpdateMode = .recreate, memory: Int = 100 << 20) -> VPAStandInSpec {
        VPAStandInSpec(
            name: "redis", workload: "redis", updateMode: mode,
            policy: VPA.ContainerPolicy(containerName: "redis", controlledValues: .requestsOnly,
                                        minAllowed: VPA.Amounts(cpuMillis: 100, memoryBytes: 512 << 20),
                                        maxAllowed: VPA.Amounts(cpuMillis: 1000, memoryBytes: 1 << 30)),
            requests: VPA.Amounts(cpuMillis: 100, memoryBytes: memory), limits: VPA.Amounts(cpuMillis: 1000, memoryBytes: 1 << 30),
            maxMemoryFraction: 0.78125, sampleIntervalSeconds: 1, halfLifeSeconds: 60, updateIntervalSeconds: 10)
    }

    @Test func noRecommendationBeforeASample() {
        let state = VPAStandInState(spec: Self.spec())
        #expect(state.recommendation == nil && state.verdict() == nil)
    }

    @Test func aRequestBelowTheCappedLowerBoundIsEvictedToTheTarget() throws {
        var state = VPAStandInState(spec: Self.spec())
        for t in 0..<30 { state.add(cpuMillicores: 5, memoryBytes: 20 << 20, atSeconds: Double(t)) }
        let r = try #require(state.recommendation)
        // Measured 20 MB, pod minimum 250Mi, raised to minAllowed 512Mi; the uncapped target keeps the 250Mi.
        #expect(r.target.memoryBytes == 512 << 20 && r.lowerBound.memoryBytes == 512 << 20)
        #expect(r.uncappedTarget.memoryBytes == 250 << 20)
        let v = try #require(state.verdict())
        #expect(v.evict)
        #expect(v.text.contains("memory request 100Mi below lower bound 512Mi: evict, set to 512Mi"), "\(v.text)")
        #expect(v.newRequests == VPA.Amounts(cpuMillis: 100, memoryBytes: 512 << 20))
        #expect(Self.spec().maxMemory(for: v.newRequests!) == 400 << 20, "maxmemory keeps the StatefulSet's 400mb : 512Mi")
    }

    @Test func modeOffRecommendsAndNeverEvicts() throws {
        var state = VPAStandInState(spec: Self.spec(mode: .off))
        state.add(cpuMillicores: 5, memoryBytes: 20 << 20, atSeconds: 0)
        let v = try #require(state.verdict())
        #expect(!v.evict && v.newRequests == nil)
        #expect(v.text.contains("would set to 512Mi (mode Off, no eviction)"), "\(v.text)")
    }

    @Test func aRequestWithinTheBoundsStays() throws {
        var state = VPAStandInState(spec: Self.spec(memory: 512 << 20))
        for t in 0..<10 { state.add(cpuMillicores: 5, memoryBytes: 20 << 20, atSeconds: Double(t)) }
        let v = try #require(state.verdict())
        #expect(!v.evict)
        #expect(v.text.contains("memory request 512Mi within [512Mi"), "\(v.text)")
    }
}

/// The request the HPA stand-in divides by once a VPA changed some pods' requests.
@Suite struct RequestsPerPodTests {
    let template = VPA.Amounts(cpuMillis: 10, memoryBytes: 64 << 20)

    @Test func allPodsOnTheTemplateGiveTheTemplate() {
        let r = HPAStandInState.requestsPerPod([template, template], cpu: [5, 7], memory: [1, 1], template: template)
        #expect(r == template)
    }

    @Test func mixedRequestsAverageOverThePodsWithASample() {
        // Two pods at 10m, one raised to 50m by the VPA: Σ usage / Σ requests = usage / mean(10, 10, 50).
        let raised = VPA.Amounts(cpuMillis: 50, memoryBytes: 64 << 20)
        let r = HPAStandInState.requestsPerPod([template, template, raised], cpu: [3, 3, 3], memory: [1, 1, 1], template: template)
        #expect(r.cpuMillis == 23)  // (10 + 10 + 50) / 3 = 23.3
        // The raised pod has no CPU sample yet (just restarted): it does not count.
        let early = HPAStandInState.requestsPerPod([template, raised], cpu: [3, nil], memory: [1, 1], template: template)
        #expect(early.cpuMillis == 10 && early.memoryBytes == 64 << 20)
        // No pod has a sample: the mean over all of them.
        #expect(HPAStandInState.requestsPerPod([template, raised], cpu: [nil, nil], memory: [nil, nil], template: template).cpuMillis == 30)
        #expect(HPAStandInState.requestsPerPod([], cpu: [], memory: [], template: template) == template)
    }
}
