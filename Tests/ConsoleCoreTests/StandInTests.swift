import Autoscaling
import ClusterReaders
import ConsoleUI
import Foundation
import TestServers
import Testing
@testable import ConsoleCore

/// Local mode from meme-stack's /status (synthetic LocalScalerStatus JSON: we own that
/// format), the short-window answer rate, pauses, and ScaledObjects whose trigger is not nats-jetstream
/// (real captures from Tests/Fixtures).
@Suite struct StandInTests {
    /// A /status body as the supervisor writes it (nulls included).
    static let statusJSON = """
        {"version":1,"read_at":1000.0,"workload":"worker","replicas":1,"desired_replicas":1,"terminating":0,"lag":0,
         "lag_threshold":5,"activation_lag_threshold":0,"min_replicas":0,"max_replicas":10,"polling_interval_seconds":5,
         "cooldown_period_seconds":30,"active":false,"last_active_at":997.0,"scale_to_zero_in_seconds":27.0,
         "reason":"lag 0 ≤ activation 0: inactive, cooldown 27 s left → 1 replica",
         "events":[{"at":940.5,"from":0,"to":10,"lag":50,"reason":"lag 50 > activation 0: active; ceil(50 / 5) → 10 replicas"},
                   {"at":990.0,"from":10,"to":1,"lag":null,"reason":"scale-down stabilisation"}]}
        """

    static func status(_ text: String = statusJSON) throws -> LocalScalerStatus {
        try LocalScalerSource.decode(Array(text.utf8))
    }

    static func inputs(status: LocalScalerStatus?, statusAt: Double, queueLag: Int, queueAt: Double, sequence: Int = 1) -> CollectorInputs {
        var nats = SourceReading<QueueReading>()
        nats.succeeded(QueueReading(stream: "MEMES", consumer: "meme-generator", pending: queueLag, ackPending: 0, redelivered: 0), at: queueAt)
        var standIn = SourceReading<LocalScalerStatus>()
        if let status { standIn = SourceReading(value: status, readAt: statusAt, sequence: sequence) }
        var metrics = SourceReading<MetricsReading>()
        metrics.succeeded(MetricsReading(completedPerSecond: 8.9), at: queueAt)
        return CollectorInputs(mode: .local, nats: nats, natsLink: NATSLink(connected: true), metrics: metrics, kubernetes: nil,
                               standIn: standIn)
    }

    // MARK: /status decoding

    @Test func decodesTheSupervisorsStatus() throws {
        let s = try Self.status()
        #expect(s.readAt == 1000 && s.replicas == 1 && s.lag == 0 && s.scaleToZeroInSeconds == 27 && s.cooldownPeriodSeconds == 30)
        #expect(s.events.map(\.lag) == [50, nil])
    }

    @Test func refusesAnotherVersionOrABrokenBody() {
        let v2 = Self.statusJSON.replacingOccurrences(of: #""version":1"#, with: #""version":2"#)
        #expect { try Self.status(v2) } throws: { "\($0)".contains("version 2, this console reads version 1") }
        #expect { try Self.status("<html>404</html>") } throws: { "\($0)".hasPrefix("/status is not JSON") }
        let missing = Self.statusJSON.replacingOccurrences(of: #""replicas":1,"#, with: "")
        #expect { try Self.status(missing) } throws: { "\($0)" == #"/status lacks "replicas""# }
    }

    // MARK: 4. One reading explains one decision

    @Test func localModeTakesReplicasLagAndDesiredFromOneReading() throws {
        var state = CollectorState()
        // The queue (nats, read 0.2 s ago) says 7; the stand-in decided on lag 0, 0.4 s before now.
        let s = assemble(Self.inputs(status: try Self.status(), statusAt: 1000.1, queueLag: 7, queueAt: 1000.2), state: &state, now: 1000.4)
        #expect(s.workloads == [ConsoleUI.Workload(name: "worker", kind: "Process", replicas: 1, ready: 1, desired: 1, history: [1])])
        let keda = try #require(s.autoscalers?.keda.first)
        #expect(keda.lag == 0 && keda.desired == 1 && keda.lagThreshold == 5 && keda.activationThreshold == 0)
        #expect(keda.source == "stand-in" && keda.ageSeconds == 0.4, "aged from the lag read the decision used")
        #expect(keda.name == "worker", "never \"local stand-in for KEDA\", which the screen prefixed with KEDA")
        #expect(s.queue?.lag == 7 && s.queue?.ageSeconds == 0.2 && s.queue?.lagThreshold == 5)
        #expect(s.sources.standIn == SourceStatus(state: .ok, ageSeconds: 0))
        #expect(s.autoscalers?.hpa == [] && s.autoscalers?.vpa == [])
    }

    // MARK: 2. The scale-to-zero countdown

    @Test func theCountdownRunsFromTheDecisionsRead() throws {
        var state = CollectorState()
        let status = try Self.status()
        let at = { (now: Double) in
            assemble(Self.inputs(status: status, statusAt: 1000.1, queueLag: 0, queueAt: now), state: &state, now: now).autoscalers?.keda.first
        }
        #expect(at(1000)?.scaleToZeroInSeconds == 27)
        #expect(at(1010)?.scaleToZeroInSeconds == 17)
        #expect(at(1030)?.scaleToZeroInSeconds == 0)
        #expect(at(1010)?.scaleToZeroPending == true)
    }

    // MARK: 3. Events carry the lag they were decided on

    @Test func scaleEventsComeFromTheStandInWithTheirLag() throws {
        var state = CollectorState()
        var status = try Self.status()
        _ = assemble(Self.inputs(status: status, statusAt: 1000, queueLag: 0, queueAt: 1000, sequence: 1), state: &state, now: 1000)
        #expect(state.events.map(\.message) == [
            "worker 0 → 10 (lag 50): lag 50 > activation 0: active; ceil(50 / 5) → 10 replicas",
            "worker 10 → 1 (lag unknown): scale-down stabilisation",
        ])
        #expect(state.events.first?.time == "1970-01-01T00:15:40Z", "the decision's time, not when the console noticed")
        // A later reading: replicas drop to 0 after the queue drained. Only the stand-in's new event is
        // logged ("lag 0", decided on lag 0); no diff of replica counts is made up.
        status.replicas = 0
        status.desiredReplicas = 0
        status.readAt = 1031
        status.events.append(.init(at: 1031, from: 1, to: 0, lag: 0, reason: "lag 0 ≤ activation 0: inactive for ≥ cooldown 30 s → 0 replicas"))
        let s = assemble(Self.inputs(status: status, statusAt: 1031, queueLag: 0, queueAt: 1031, sequence: 2), state: &state, now: 1031)
        #expect(s.events.count == 3)
        #expect(s.events.last?.message == "worker 1 → 0 (lag 0): lag 0 ≤ activation 0: inactive for ≥ cooldown 30 s → 0 replicas")
        // The same reading again adds nothing.
        _ = assemble(Self.inputs(status: status, statusAt: 1031, queueLag: 0, queueAt: 1032, sequence: 2), state: &state, now: 1032)
        #expect(state.events.count == 3)
    }

    @Test func replicaChangesWithoutAStandInEventAreNotInvented() throws {
        var state = CollectorState()
        var status = try Self.status()
        status.events = []
        _ = assemble(Self.inputs(status: status, statusAt: 1000, queueLag: 50, queueAt: 1000, sequence: 1), state: &state, now: 1000)
        status.replicas = 4
        let s = assemble(Self.inputs(status: status, statusAt: 1001, queueLag: 0, queueAt: 1001, sequence: 2), state: &state, now: 1001)
        #expect(s.events.isEmpty, "\(s.events)")
        #expect(s.workloads?.first?.history == [1, 4])
    }

    @Test func withoutAStandInReadingThereAreNoReplicasAndNoThreshold() {
        var state = CollectorState()
        var inputs = Self.inputs(status: nil, statusAt: 0, queueLag: 3, queueAt: 50)
        inputs.standIn?.failed("http://127.0.0.1:9190/status: connection refused")
        let s = assemble(inputs, state: &state, now: 50)
        #expect(s.workloads == nil && s.autoscalers == nil)
        #expect(s.queue?.lagThreshold == nil, "unknown, not a default 5")
        #expect(s.sources.standIn == SourceStatus(state: .down, error: "http://127.0.0.1:9190/status: connection refused"))
    }

    // MARK: 9. A pause causes no stale warnings

    @Test func pausingAndResumingLogsNoStaleWarning() {
        var state = CollectorState()
        var inputs = Self.inputs(status: nil, statusAt: 0, queueLag: 3, queueAt: 100)
        inputs.standIn = nil
        inputs.mode = .cluster
        inputs.kubernetes = nil
        _ = assemble(inputs, state: &state, now: 100.5)
        // Paused at 101 for 14 s: nothing is read, nothing ages.
        inputs.paused = true
        let paused = assemble(inputs, state: &state, now: 115)
        #expect(paused.sources.nats.state == .ok)
        // Resumed at 115: the first snapshots come before the pollers' next reads.
        inputs.paused = false
        inputs.resumedAt = 115
        let resumed = assemble(inputs, state: &state, now: 115.2)
        #expect(resumed.sources.nats.state == .ok && resumed.sources.nats.ageSeconds == 15)
        #expect(!state.events.contains { $0.message.contains("stale") }, "\(state.events)")
        // A source that really stops after the resume still goes stale.
        let later = assemble(inputs, state: &state, now: 121)
        #expect(later.sources.nats.state == .stale)
        #expect(state.events.contains { $0.message == "nats stale: no update for 6 s" }, "\(state.events)")
    }

    @Test func pauseSwitchRecordsTheResume() {
        let pause = PauseSwitch()
        pause.set(true, now: 10)
        #expect(pause.resumedAt == nil)
        pause.set(false, now: 24)
        #expect(pause.resumedAt == 24)
        pause.set(false, now: 30)
        #expect(pause.resumedAt == 24, "only a real resume counts")
    }

    // MARK: 6. The done/s rate from answers the console saw

    @Test func answerRateFollowsAShortBurst() {
        // 1000 memes answered in 14 s (Prometheus's 1-minute rate showed 17/s).
        var w = AnswerWindow(seconds: 10, since: 0)
        for i in 0..<1000 { w.record(at: 20 + Double(i) * 0.014, ok: true, latency: 1 + Double(i % 100) / 100) }
        let during = w.rates(now: 34)
        #expect(during.windowSeconds == 10)
        #expect(abs(during.perSecond - 71.4) < 1, "\(during.perSecond)")
        #expect(abs((during.p50Seconds ?? 0) - 1.5) < 0.05 && abs((during.p95Seconds ?? 0) - 1.95) < 0.05, "\(during)")
        // 10 s after the work stopped the rate is 0, not a lingering 8.9/s.
        let after = w.rates(now: 44.1)
        #expect(after.perSecond == 0 && after.answered == 0 && after.p50Seconds == nil)
    }

    @Test func answerRateRightAfterStartUsesTheTimeSinceSubscribing() {
        var w = AnswerWindow(seconds: 10, since: 100)
        for i in 0..<6 { w.record(at: 100.5 + Double(i) * 0.5, ok: i != 5, latency: nil) }
        let r = w.rates(now: 103)
        #expect(r.windowSeconds == 3 && r.answered == 5 && r.errors == 1)
        #expect(abs(r.perSecond - 5.0 / 3) < 1e-9 && abs(r.errorsPerSecond - 1.0 / 3) < 1e-9)
    }

    @Test func answerRatesAreUnknownWithoutAConnection() {
        var state = CollectorState()
        var inputs = Self.inputs(status: nil, statusAt: 0, queueLag: 0, queueAt: 10)
        inputs.answers = AnswerRates(windowSeconds: 10, answered: 5, errors: 0, perSecond: 0.5, errorsPerSecond: 0)
        #expect(assemble(inputs, state: &state, now: 10).answers?.perSecond == 0.5)
        inputs.natsLink = NATSLink(connected: false, reason: "disconnected")
        #expect(assemble(inputs, state: &state, now: 11).answers == nil)
    }

    // MARK: 8. Triggers other than nats-jetstream (real captures)

    @Test func aPrometheusTriggerShowsWhatIsKnownAndNullsTheRest() throws {
        let objects = try KubernetesDecoding.scaledObjects(try CollectorTests.list("ScaledObject", [
            "k8s/keda/scaledobject-fallback-active.argo-cd-testdata.json", "k8s/keda/scaledobject-cron-not-active.argo-cd-testdata.json",
        ]))
        let now = try #require(parseRFC3339("2023-12-19T10:35:32Z"))
        let a = clusterAutoscalers(ClusterReading(scaledObjects: objects), lag: 43, now: now)
        let prom = try #require(a.keda.first { $0.name == "keda-with-fallback" })
        #expect(prom.trigger == "prometheus" && prom.active && prom.min == 1 && prom.max == 10)
        #expect(prom.lag == nil && prom.lagThreshold == nil && prom.activationThreshold == nil && prom.desired == nil)
        #expect(prom.fallback == KEDAFallback(failureThreshold: 3, replicas: 5))
        #expect(prom.scaleToZeroInSeconds == nil, "minReplicaCount 1: never scales to zero")
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(prom)) as? [String: Any])
        #expect(json["lag_threshold"] is NSNull && json["desired"] is NSNull && json["lag"] is NSNull)

        let cron = try #require(a.keda.first { $0.name == "keda" })
        #expect(cron.trigger == "cron" && !cron.active && cron.min == 0 && cron.max == 3 && cron.desired == nil)
        // lastActiveTime 2023-12-18T17:59:55Z + the default cooldownPeriod 300 s is long past.
        #expect(cron.cooldownPeriodSeconds == 300 && cron.scaleToZeroInSeconds == 0)

        // The queue's threshold is unknown too: no nats-jetstream ScaledObject was read.
        var kube = SourceReading<ClusterReading>()
        kube.succeeded(ClusterReading(scaledObjects: objects), at: now)
        var nats = SourceReading<QueueReading>()
        nats.succeeded(QueueReading(stream: "MEMES", consumer: "meme-generator", pending: 43, ackPending: 0, redelivered: 0), at: now)
        var state = CollectorState()
        let s = assemble(CollectorInputs(mode: .cluster, nats: nats, natsLink: NATSLink(connected: true), metrics: SourceReading(),
                                         kubernetes: kube), state: &state, now: now)
        #expect(s.queue?.lagThreshold == nil)
    }

    @Test func anInactiveNATSScaledObjectCountsDownFromLastActiveTime() throws {
        // The captured ScaledObject with this project's trigger; its lastActiveTime is 2023-12-19T10:35:22Z.
        let so = try CollectorTests.natsScaledObject()
        let lastActive = try #require(parseRFC3339("2023-12-19T10:35:22Z"))
        let k = kedaStatus(so, lag: 0, lagAge: 0.3, currentReplicas: 2, now: lastActive + 10)
        // KEDA's HPA keeps its floor of 1 while cooling down; zero comes when cooldownPeriod runs out.
        #expect(!k.active && k.min == 0 && k.desired == 1)
        #expect(k.cooldownPeriodSeconds == 300 && k.scaleToZeroInSeconds == 290)
        #expect(k.source == "nats" && k.ageSeconds == 0.3)
        // Without lastActiveTime the countdown is unknown (nil), not zero.
        var noTime = so
        noTime.lastActiveTime = nil
        #expect(kedaStatus(noTime, lag: 0, currentReplicas: 2, now: lastActive).scaleToZeroInSeconds == nil)
    }

    // MARK: 13. Wording

    @Test func purgeNoticeCountsCorrectly() {
        #expect(ConsoleEngine.purgedNotice(1, stream: "MEMES") == "purged 1 message from MEMES")
        #expect(ConsoleEngine.purgedNotice(0, stream: "MEMES") == "purged 0 messages from MEMES")
        #expect(ConsoleEngine.purgedNotice(12, stream: "MEMES") == "purged 12 messages from MEMES")
    }
}

/// Local mode with the HPA and VPA stand-ins (issue 11): the same rows, JSON keys and event log as in a cluster.
@Suite struct LocalHPAAndVPATests {
    static func status() throws -> LocalScalerStatus {
        var s = try StandInTests.status()
        s.hpa = LocalHPAStatus(
            name: "meme-web", workload: "web", readAt: 1000, syncPeriodSeconds: 5, minReplicas: 1, maxReplicas: 5, replicas: 3,
            desiredReplicas: 3, terminating: 0,
            metrics: [LocalHPAStatus.Metric(name: "cpu", targetUtilization: 30, currentUtilization: 12, request: 10, averageUsage: 1,
                                            replicas: 2, explanation: "cpu 12% / 30% → 2 replicas")],
            pods: (1...3).map { LocalHPAStatus.Pod(name: "web-\($0)", pid: Int32($0), cpuMillicores: 1, memoryBytes: 30 << 20, ready: true, terminating: false) },
            reason: "cpu 12% / 30% → 2 replicas ⇒ 3 (scale-down stabilisation (300 s window holds 3))", scaleDownInSeconds: 200,
            events: [.init(at: 950, from: 1, to: 3, lag: nil, reason: "cpu 240% / 30% → 8 replicas ⇒ 3 (scale-up policy allows 3)")])
        s.vpa = LocalVPAStatus(
            name: "redis", workload: "redis", container: "redis", updateMode: "Recreate", controlledResources: ["cpu", "memory"],
            controlledValues: "RequestsOnly", minAllowed: ResourceAmounts(cpuMillicores: 100, memoryBytes: 512 << 20),
            maxAllowed: ResourceAmounts(cpuMillicores: 1000, memoryBytes: 1 << 30), readAt: 999.5, sampleIntervalSeconds: 2,
            halfLifeSeconds: 300, samples: 40, pid: 77, requests: ResourceAmounts(cpuMillicores: 100, memoryBytes: 512 << 20),
            usage: ResourceAmounts(cpuMillicores: 3, memoryBytes: 12 << 20), target: ResourceAmounts(cpuMillicores: 100, memoryBytes: 512 << 20),
            lowerBound: ResourceAmounts(cpuMillicores: 100, memoryBytes: 512 << 20), upperBound: ResourceAmounts(cpuMillicores: 514, memoryBytes: 1 << 30),
            uncappedTarget: ResourceAmounts(cpuMillicores: 25, memoryBytes: 250 << 20), maxMemoryBytes: 400 << 20,
            verdict: "memory request 512Mi within [512Mi, 1Gi]", wouldEvict: false, evictions: 1, nextCheckInSeconds: 20,
            events: [.init(at: 960, from: 1, to: 1, lag: nil, reason: "evicted: memory request 100Mi below lower bound 512Mi")])
        // As meme-stack writes it, as the console reads it.
        let body = try JSONEncoder().encode(s)
        return try LocalScalerSource.decode(Array(body))
    }

    @Test func theStandInsFillTheHPAAndVPARowsWorkloadsAndEvents() throws {
        var state = CollectorState()
        let s = assemble(StandInTests.inputs(status: try Self.status(), statusAt: 1000.1, queueLag: 0, queueAt: 1000.2), state: &state, now: 1010)
        #expect(s.workloads?.map(\.name) == ["web", "worker", "redis"])
        let hpa = try #require(s.autoscalers?.hpa.first)
        #expect(hpa.source == "local stand-in for the HPA" && hpa.current == 3 && hpa.metrics.first?.current == 12)
        #expect(hpa.scaleDownInSeconds == 190, "the countdown runs on between readings")
        #expect(hpa.note?.contains("sync 5 s") == true)
        let vpa = try #require(s.autoscalers?.vpa.first)
        #expect(vpa.source == "local stand-in for the VPA" && vpa.evictions == 1 && vpa.containers.first?.target?.memoryBytes == 512 << 20)
        #expect(vpa.note?.contains("half-life 5 min") == true)
        #expect(s.events.map(\.kind).sorted() == ["hpa", "keda", "keda", "vpa"])
        // `--once --json` carries them under autoscalers.hpa / autoscalers.vpa.
        let json = try #require(String(data: try JSONEncoder().encode(s), encoding: .utf8))
        #expect(json.contains(#""hpa":[{"#) && json.contains(#""vpa":[{"#) && json.contains(#""source":"local stand-in for the VPA""#))
    }
}
