import Autoscaling
import ClusterReaders
import ConsoleUI
import NATS
import Foundation
import TestServers
import Testing
@testable import ConsoleCore

/// The collector fed with recorded source results: real Kubernetes captures from Tests/Fixtures
/// decoded by ClusterReaders, queue and metrics readings as the sources produce them.
@Suite struct CollectorTests {
    static func list(_ kind: String, _ paths: [String], edit: (inout [String: Any]) -> Void = { _ in }) throws -> [UInt8] {
        let items = try paths.map { path -> [String: Any] in
            var object = try JSONSerialization.jsonObject(with: Data(try SharedFixtures.bytes(path))) as! [String: Any]
            edit(&object)
            return object
        }
        return Array(try JSONSerialization.data(withJSONObject: ["kind": kind + "List", "items": items]))
    }

    /// The captured ScaledObject with fallback, its trigger replaced by this project's nats-jetstream
    /// trigger (values from k8s/base/worker/scaledobject.yaml), aimed at the captured coredns Deployment.
    static func natsScaledObject() throws -> ScaledObject {
        let body = try list("ScaledObject", ["k8s/keda/scaledobject-fallback-active.argo-cd-testdata.json"]) { o in
            var spec = o["spec"] as! [String: Any]
            spec["triggers"] = [["type": "nats-jetstream", "metadata": [
                "account": "$G", "stream": "MEMES", "consumer": "meme-generator", "lagThreshold": "5", "activationLagThreshold": "1",
            ]]]
            spec["minReplicaCount"] = 0
            spec["scaleTargetRef"] = ["name": "coredns"]
            o["spec"] = spec
            var meta = o["metadata"] as! [String: Any]
            meta["namespace"] = "kube-system"
            o["metadata"] = meta
        }
        return try KubernetesDecoding.scaledObjects(body)[0]
    }

    static func cluster() throws -> ClusterReading {
        let deployments = try KubernetesDecoding.workloads(
            try SharedFixtures.bytes("k8s/deployments/deploymentlist.kube-system.kind-v1.36.k8s-openapi.json"), kind: "Deployment")
        let hpas = try KubernetesDecoding.horizontalPodAutoscalers(try list("HorizontalPodAutoscaler", ["k8s/keda/keda-hpa-prometheus-external-openshift.json"]))
        let vpaBody = try list("VerticalPodAutoscaler", ["k8s/vpa/vpa-status.hamster.openshift.vpa-adventure-uc1a.json"]) { o in
            o = ["apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler",
                 "metadata": ["name": "coredns-vpa", "namespace": "kube-system"],
                 "spec": ["targetRef": ["kind": "Deployment", "name": "coredns"], "updatePolicy": ["updateMode": "Off"]], "status": o]
        }
        var vpas = try KubernetesDecoding.verticalPodAutoscalers(vpaBody)
        // The capture recommends for container "hamster"; coredns's container is "coredns".
        vpas[0].recommendations[0].containerName = "coredns"
        return ClusterReading(workloads: deployments, hpas: hpas, scaledObjects: [try natsScaledObject()], vpas: vpas)
    }

    static let watched = [
        WatchedWorkload(label: "dns", kind: "Deployment", namespace: "kube-system", name: "coredns"),
        WatchedWorkload(label: "web", kind: "Deployment", namespace: "meme-generator", name: "meme-web"),
    ]

    static func inputs(cluster: ClusterReading?, queue: QueueReading?, at now: Double, sequence: Int = 1) -> CollectorInputs {
        var nats = SourceReading<QueueReading>()
        if let queue { nats.succeeded(queue, at: now) }
        var metrics = SourceReading<MetricsReading>()
        metrics.succeeded(MetricsReading(completedPerSecond: 3.5, errorsPerSecond: 0.1, submittedPerSecond: 4, p50Seconds: 0.8, p95Seconds: nil), at: now - 2)
        var kube = SourceReading<ClusterReading>()
        if let cluster { kube = SourceReading(value: cluster, readAt: now, sequence: sequence) }
        return CollectorInputs(mode: .cluster, nats: nats, natsLink: NATSLink(connected: true), metrics: metrics, kubernetes: kube,
                               watched: watched)
    }

    @Test func assemblesWorkloadsQueueAndAutoscalersFromRecordedReadings() throws {
        var state = CollectorState()
        let q = QueueReading(stream: "MEMES", consumer: "meme-generator", pending: 40, ackPending: 3, redelivered: 2)
        let s = assemble(Self.inputs(cluster: try Self.cluster(), queue: q, at: 1000), state: &state, now: 1000)

        #expect(s.sources.nats == .ok)
        #expect(s.sources.prometheus == SourceStatus(state: .ok, ageSeconds: 2))
        #expect(s.workloads == [ConsoleUI.Workload(name: "dns", kind: "Deployment", replicas: 2, ready: 2, desired: 2, history: [2])])
        #expect(s.queue == QueueStats(stream: "MEMES", consumer: "meme-generator", pending: 40, ackPending: 3, redelivered: 2, lag: 43,
                                      lagThreshold: 5, ageSeconds: 0))
        #expect(s.throughput == Throughput(completedPerSecond: 3.5, errorsPerSecond: 0.1, p50Seconds: 0.8, submittedPerSecond: 4))

        let keda = try #require(s.autoscalers?.keda.first)
        #expect(keda.lag == 43 && keda.lagThreshold == 5 && keda.activationThreshold == 1 && keda.active)
        #expect(keda.min == 0 && keda.max == 10 && keda.desired == 9)
        #expect(keda.fallback == KEDAFallback(failureThreshold: 3, replicas: 5))
        #expect(keda.explanation.contains("ceil(43 / 5)"), "\(keda.explanation)")

        // The only HPA capture is KEDA's own; it is shown as an HPA because its ScaledObject is not among those read.
        let hpa = try #require(s.autoscalers?.hpa.first)
        #expect(hpa.targetRef == "Deployment/test-app" && hpa.min == 1 && hpa.max == 20 && hpa.current == 1)
        #expect(hpa.metrics.first?.kind == "Value" && hpa.metrics.first?.target == 1 && hpa.metrics.first?.current == 0)
        #expect(hpa.metrics.first?.explanation == HPA.propose(HPA.MetricReading(name: "s0-prometheus-worker_nodes", target: .value(milli: 1000), current: 0), currentReplicas: 1).explanation)
        #expect(hpa.conditions.contains { $0.type == "ScalingLimited" && $0.reason == "TooFewReplicas" })

        let vpa = try #require(s.autoscalers?.vpa.first)
        #expect(vpa.updateMode == "Off" && vpa.targetRef == "Deployment/coredns")
        let c = try #require(vpa.containers.first)
        #expect(c.target == Resources(cpuMillicores: 247, memoryBytes: 262_144_000))
        #expect(c.lowerBound == Resources(cpuMillicores: 100, memoryBytes: 262_144_000))
        #expect(c.upperBound == Resources(cpuMillicores: 2000, memoryBytes: 2 * 1024 * 1024 * 1024))
        #expect(c.requests == Resources(cpuMillicores: 100, memoryBytes: 70 * 1024 * 1024))
        #expect(c.verdict?.hasPrefix("memory request 70Mi below lower bound") == true, "\(c.verdict ?? "nil")")
    }

    @Test func replicaChangesBuildHistoryAndScalingEvents() throws {
        var state = CollectorState()
        var cluster = try Self.cluster()
        let q = QueueReading(stream: "MEMES", consumer: "meme-generator", pending: 20, ackPending: 0, redelivered: 0)
        _ = assemble(Self.inputs(cluster: cluster, queue: q, at: 1000, sequence: 1), state: &state, now: 1000)
        // The same reading again (render ticks between polls) adds nothing.
        _ = assemble(Self.inputs(cluster: cluster, queue: q, at: 1000, sequence: 1), state: &state, now: 1000.2)
        let index = cluster.workloads.firstIndex { $0.name == "coredns" }!
        cluster.workloads[index].replicas = 4
        let s = assemble(Self.inputs(cluster: cluster, queue: q, at: 1001, sequence: 2), state: &state, now: 1001)
        #expect(s.workloads?.first?.history == [2, 4])
        #expect(s.events.map(\.kind) == ["keda"])
        #expect(s.events.first?.message == "dns 2 → 4 (lag 20 when seen)")
        #expect(s.events.first?.time == "1970-01-01T00:16:41Z")
    }

    @Test func sourceStateChangesAreLoggedAndNATSDownIsImmediate() throws {
        var state = CollectorState()
        var inputs = Self.inputs(cluster: try Self.cluster(), queue: QueueReading(stream: "MEMES", consumer: "c", pending: 1, ackPending: 0, redelivered: 0), at: 1000)
        _ = assemble(inputs, state: &state, now: 1000)
        inputs.natsLink = NATSLink(connected: false, reason: "disconnected: connection reset by peer")
        let down = assemble(inputs, state: &state, now: 1001)
        #expect(down.sources.nats == SourceStatus(state: .down, error: "disconnected: connection reset by peer", ageSeconds: 1))
        #expect(down.queue?.pending == 1, "the last queue reading stays on screen")
        #expect(down.events.last?.message == "nats down: disconnected: connection reset by peer")
        inputs.natsLink = NATSLink(connected: true)
        inputs.nats.succeeded(QueueReading(stream: "MEMES", consumer: "c", pending: 0, ackPending: 0, redelivered: 0), at: 1005)
        let back = assemble(inputs, state: &state, now: 1005)
        #expect(back.sources.nats.state == .ok)
        #expect(back.events.map(\.message).contains("nats ok again"))
    }

    @Test func theFirstSuccessfulReadIsNotLoggedAsARecovery() throws {
        var state = CollectorState()
        var inputs = Self.inputs(cluster: try Self.cluster(), queue: nil, at: 1000)
        _ = assemble(inputs, state: &state, now: 1000)
        inputs.nats.succeeded(QueueReading(stream: "MEMES", consumer: "c", pending: 0, ackPending: 0, redelivered: 0), at: 1001)
        let s = assemble(inputs, state: &state, now: 1001)
        #expect(s.sources.nats.state == .ok)
        #expect(s.events.isEmpty, "\(s.events)")
    }

    @Test func kubernetesAddOnNotesShowOnAnOkSource() throws {
        var cluster = try Self.cluster()
        cluster.scaledObjects = []
        cluster.notes = ["not found: no KEDA installed"]
        var state = CollectorState()
        let s = assemble(Self.inputs(cluster: cluster, queue: nil, at: 1000), state: &state, now: 1000)
        #expect(s.sources.kubernetes == SourceStatus(state: .ok, error: "not found: no KEDA installed", ageSeconds: 0))
        #expect(s.autoscalers?.keda == [])
        #expect(s.queue == nil && s.sources.nats.state == .down)
    }

    @Test func answersDecodeWithLatencyFromSubmittedAt() {
        let ok = NATSSource.decodeAnswer(Array(#"{"request_id":"m-1","prompt":"cat","image_data":"AA==","timestamp":5,"submitted_at":99.5}"#.utf8),
                                         ok: true, now: 100)
        #expect(ok == RecentMeme(id: "m-1", prompt: "cat", latencyMilliseconds: 500, ok: true))
        let bad = NATSSource.decodeAnswer(Array(#"{"request_id":"m-2","error":"timeout","timestamp":5}"#.utf8), ok: false, now: 100)
        #expect(bad == RecentMeme(id: "m-2", prompt: "", ok: false, error: "timeout"))
        #expect(NATSSource.decodeAnswer(Array("not json".utf8), ok: true, now: 1) == nil)
    }

    @Test func statusLinesLoseCredentials() {
        let refused = NATSError(.connectionRefused, "cannot connect to nats://127.0.0.1:4222: connection refused (errno 111)")
        let line = NATSSource.connectFailure(url: "nats://user:secret@127.0.0.1:4222", refused)
        #expect(line == "cannot connect to nats://***@127.0.0.1:4222: connection refused")
        // Sorted by the error's kind, not its words.
        let other = NATSSource.connectFailure(url: "nats://h:1", NATSError(.connectionFailed, "the words connection refused"))
        #expect(other == "cannot connect to nats://h:1: NATS: the words connection refused")
    }

    @Test func queriesAreListedInTheConsoleQueriesFile() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("k8s/monitoring/console-queries.txt")
        let lines = Set(try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init))
        for query in ConsoleQueries.all { #expect(lines.contains(query), "\(query) missing from console-queries.txt") }
    }
}
