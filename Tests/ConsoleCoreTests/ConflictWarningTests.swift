import Autoscaling
import ClusterReaders
import ConsoleUI
import Foundation
import TestServers
import Testing
@testable import ConsoleCore

/// The conflict warning (issue 13) from whatever objects were read: the captured Kubernetes objects
/// turned into the conflict act, and meme-stack's /status with a web VPA stand-in (`web_vpa`).
@Suite struct ConflictWarningTests {
    /// The captured KEDA HPA turned into meme-web's own HPA (k8s/base/web/hpa.yaml's cpu 30 % and memory 50 %), aimed at the
    /// captured coredns Deployment, no longer owned by a ScaledObject.
    static func resourceHPA() throws -> [HorizontalPodAutoscaler] {
        try KubernetesDecoding.horizontalPodAutoscalers(try CollectorTests.list("HorizontalPodAutoscaler", ["k8s/keda/keda-hpa-prometheus-external-openshift.json"]) { o in
            o["metadata"] = ["name": "coredns", "namespace": "kube-system"]
            var spec = o["spec"] as! [String: Any]
            spec["scaleTargetRef"] = ["apiVersion": "apps/v1", "kind": "Deployment", "name": "coredns"]
            spec["metrics"] = ["cpu": 30, "memory": 50].sorted { $0.key < $1.key }.map { name, percent in
                ["type": "Resource", "resource": ["name": name, "target": ["type": "Utilization", "averageUtilization": percent]]]
            }
            o["spec"] = spec
        })
    }

    /// The captured hamster VPA status with a spec aimed at coredns; `policy` is its resourcePolicy.
    static func vpa(mode: String, policy: [String: Any]? = nil) throws -> [VerticalPodAutoscaler] {
        try KubernetesDecoding.verticalPodAutoscalers(try CollectorTests.list("VerticalPodAutoscaler", ["k8s/vpa/vpa-status.hamster.openshift.vpa-adventure-uc1a.json"]) { o in
            var spec: [String: Any] = ["targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "coredns"], "updatePolicy": ["updateMode": mode]]
            if let policy { spec["resourcePolicy"] = policy }
            o = ["apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler",
                 "metadata": ["name": "coredns", "namespace": "kube-system"], "spec": spec, "status": o]
        })
    }

    static func cluster(vpaMode: String, policy: [String: Any]? = nil, secondHPA: Bool = false) throws -> ClusterReading {
        var c = try CollectorTests.cluster()
        c.vpas = try vpa(mode: vpaMode, policy: policy)
        c.hpas = secondHPA ? try resourceHPA() : []
        if !secondHPA {
            c.scaledObjects = []
            c.hpas = try resourceHPA()
        }
        return c
    }

    @Test func decodesTheVPAResourcePolicy() throws {
        // The shape of k8s/base/redis/vpa.yaml's containerPolicies.
        let v = try Self.vpa(mode: "Recreate", policy: ["containerPolicies": [
            ["containerName": "redis", "controlledResources": ["cpu", "memory"], "controlledValues": "RequestsOnly",
             "minAllowed": ["cpu": "100m", "memory": "512Mi"], "maxAllowed": ["cpu": "1000m", "memory": "1Gi"]],
            ["containerName": "redis-exporter", "mode": "Off"],
        ]])[0]
        #expect(v.containerPolicies == [
            VPA.ContainerPolicy(containerName: "redis", controlledValues: .requestsOnly, minAllowed: .init(cpuMillis: 100, memoryBytes: 512 << 20),
                                maxAllowed: .init(cpuMillis: 1000, memoryBytes: 1 << 30)),
            VPA.ContainerPolicy(containerName: "redis-exporter", mode: .off),
        ])
        #expect { try Self.vpa(mode: "Auto", policy: ["containerPolicies": [["containerName": "x", "controlledValues": "Everything"]]]) }
            throws: { "\($0)".contains("VPA coredns containerPolicy x: controlledValues 'Everything' is not RequestsAndLimits or RequestsOnly") }
    }

    @Test func clusterHPAOnCPUAndMemoryAgainstADefaultVPA() throws {
        var state = CollectorState()
        let s = assemble(CollectorTests.inputs(cluster: try Self.cluster(vpaMode: "Auto"), queue: nil, at: 1000), state: &state, now: 1000)
        #expect(s.warnings.map(\.resource) == ["cpu", "memory"])
        let w = s.warnings[0]
        #expect(w.kind == "hpa-vpa" && w.workload == "Deployment/coredns")
        #expect(w.objects == ["HorizontalPodAutoscaler coredns", "VerticalPodAutoscaler coredns"])
        #expect(s.events.contains { $0.kind == "warning" && $0.message == "conflict: HorizontalPodAutoscaler coredns and VerticalPodAutoscaler coredns on cpu of Deployment/coredns" })
        // `--once --json`: a top-level "warnings" array.
        let json = try OnceReport(snapshot: s).json()
        #expect(json.contains(#""warnings":[{"kind":"hpa-vpa","message":"HPA coredns scales Deployment/coredns on cpu utilisation"#))

        // The harmony act: the VPA on memory only, the HPA still on cpu and memory: memory alone is left.
        let harmony = try Self.cluster(vpaMode: "Auto", policy: ["containerPolicies": [["containerName": "*", "controlledResources": ["memory"]]]])
        let h = assemble(CollectorTests.inputs(cluster: harmony, queue: nil, at: 1010, sequence: 2), state: &state, now: 1010)
        #expect(h.warnings.map(\.resource) == ["memory"])
        #expect(h.events.last?.message == "conflict over: HorizontalPodAutoscaler coredns and VerticalPodAutoscaler coredns on cpu of Deployment/coredns")
        // Recommendation mode: no conflict at all.
        let off = assemble(CollectorTests.inputs(cluster: try Self.cluster(vpaMode: "Off"), queue: nil, at: 1020, sequence: 3), state: &state, now: 1020)
        #expect(off.warnings.isEmpty)
        #expect(try OnceReport(snapshot: off).json().contains(#""warnings":[]"#))
    }

    @Test func aSecondHPAOnTheKEDAScaledDeployment() throws {
        // CollectorTests' nats-jetstream ScaledObject scales coredns; the resource HPA is a second one on it.
        var state = CollectorState()
        let s = assemble(CollectorTests.inputs(cluster: try Self.cluster(vpaMode: "Off", secondHPA: true), queue: nil, at: 1000), state: &state, now: 1000)
        #expect(s.warnings.map(\.kind) == ["two-hpas"])
        #expect(s.warnings[0].objects == ["ScaledObject keda-with-fallback", "HorizontalPodAutoscaler coredns"])
        #expect(s.warnings[0].resource == "replicas")
    }

    @Test func theLastWarningsStayWhileKubernetesCannotBeRead() throws {
        var state = CollectorState()
        _ = assemble(CollectorTests.inputs(cluster: try Self.cluster(vpaMode: "Auto"), queue: nil, at: 1000), state: &state, now: 1000)
        let down = assemble(CollectorTests.inputs(cluster: nil, queue: nil, at: 1005), state: &state, now: 1005)
        #expect(down.warnings.count == 2)
    }

    /// /status with the HPA stand-in (cpu) and a web VPA stand-in under `web_vpa` acting on cpu.
    static func localStatus(webVPAMode: String, resources: [String]) throws -> LocalScalerStatus {
        var s = try LocalHPAAndVPATests.status()
        var web = try #require(s.vpa)
        web.name = "meme-web"
        web.workload = "web"
        web.container = "meme-web"
        web.updateMode = webVPAMode
        web.controlledResources = resources
        web.controlledValues = "RequestsAndLimits"
        web.events = []
        s.webVPA = web
        return try LocalScalerSource.decode(Array(try JSONEncoder().encode(s)))
    }

    @Test func localHPAStandInAgainstAWebVPAStandIn() throws {
        var state = CollectorState()
        let conflict = try Self.localStatus(webVPAMode: "Auto", resources: ["cpu"])
        let s = assemble(StandInTests.inputs(status: conflict, statusAt: 1000.1, queueLag: 0, queueAt: 1000.2), state: &state, now: 1001)
        #expect(s.warnings == [AutoscalerWarning(
            kind: "hpa-vpa", workload: "Process/web", objects: ["HorizontalPodAutoscaler meme-web", "VerticalPodAutoscaler meme-web"],
            resource: "cpu",
            message: "HPA meme-web scales Process/web on cpu utilisation while VPA meme-web (Auto) sets its cpu requests and limits: "
                + "a higher request lowers the utilisation the HPA sees, so it scales in and the load per pod rises")])
        #expect(s.autoscalers?.vpa.map(\.name) == ["meme-web", "redis"])
        // Harmony: the web VPA on memory only (the HPA stand-in's metric here is cpu alone).
        let harmony = try Self.localStatus(webVPAMode: "Auto", resources: ["memory"])
        #expect(assemble(StandInTests.inputs(status: harmony, statusAt: 1002, queueLag: 0, queueAt: 1002, sequence: 2), state: &state, now: 1003).warnings.isEmpty)
        // A /status without `web_vpa` (today's meme-stack) decodes and warns of nothing.
        #expect(try StandInTests.status().webVPA == nil)
    }

    @Test func theFeedbackTraceFollowsTheHPAStandInsSyncs() throws {
        var state = CollectorState()
        var status = try Self.localStatus(webVPAMode: "Auto", resources: ["cpu"])
        // Three syncs: the web VPA raised the request 10m → 20m, the utilisation the HPA measured halved, it wanted fewer.
        for (i, (readAt, request, utilization, desired)) in [(1000.0, 10, 12, 3), (1005, 20, 6, 2), (1005, 20, 6, 2)].enumerated() {
            status.hpa?.readAt = readAt  // the third reading repeats the second sync
            status.hpa?.metrics[0].request = request
            status.hpa?.metrics[0].currentUtilization = utilization
            status.hpa?.desiredReplicas = desired
            _ = assemble(StandInTests.inputs(status: status, statusAt: 1000 + Double(i), queueLag: 0, queueAt: 1000, sequence: i + 1),
                         state: &state, now: 1000 + Double(i))
        }
        let s = assemble(StandInTests.inputs(status: status, statusAt: 1003, queueLag: 0, queueAt: 1003, sequence: 4), state: &state, now: 1003)
        let f = try #require(s.feedback)
        #expect(f.workload == "Process/web" && f.resource == "cpu" && f.targetUtilization == 30)
        #expect(f.samples.map(\.request) == [10, 20] && f.samples.map(\.utilization) == [12, 6] && f.samples.map(\.desired) == [3, 2])
        // Each replica: the request now, its own usage (1m of 20m = 5 %).
        #expect(f.pods == (1...3).map { FeedbackPod(name: "web-\($0)", request: 20, usage: 1, utilization: 5) })
        #expect(try OnceReport(snapshot: s).json().contains(#""feedback":{"pods":[{"name":"web-1","request":20,"#))
        // Harmony: no fight, no trace.
        let harmony = try Self.localStatus(webVPAMode: "Auto", resources: ["memory"])
        #expect(assemble(StandInTests.inputs(status: harmony, statusAt: 1010, queueLag: 0, queueAt: 1010, sequence: 5), state: &state, now: 1010).feedback == nil)
    }

    @Test func countdownsFromClusterStatus() throws {
        // The captured KEDA HPA (owner ScaledObject test-app-scale-on-worker-role, minReplicaCount 1: no scale to zero) with
        // AbleToScale ScaleDownStabilized as conflict-keda-hpa-describe.txt shows it, and a lastScaleTime 35 s before now.
        let now = 1_700_000_000.0
        let hpas = try KubernetesDecoding.horizontalPodAutoscalers(try CollectorTests.list("HorizontalPodAutoscaler", ["k8s/keda/keda-hpa-prometheus-external-openshift.json"]) { o in
            var status = o["status"] as! [String: Any]
            var conditions = status["conditions"] as! [[String: Any]]
            conditions[0]["reason"] = "ScaleDownStabilized"
            conditions[0]["message"] = "recent recommendations were higher than current one, applying the highest recent recommendation"
            status["conditions"] = conditions
            status["lastScaleTime"] = "2023-11-14T22:12:45Z"  // now - 35 s
            o["status"] = status
        })
        #expect(hpas[0].lastScaleTime == "2023-11-14T22:12:45Z")
        let so = try KubernetesDecoding.scaledObjects(try CollectorTests.list("ScaledObject", ["k8s/keda/scaledobject-prometheus-openshift.json"]))
        let a = clusterAutoscalers(ClusterReading(hpas: hpas, scaledObjects: so), lag: nil, now: now)
        // KEDA's HPA is folded into its ScaledObject's line, and so is its countdown: no sooner than lastScaleTime + 300 s.
        #expect(a.hpa.isEmpty)
        #expect(a.keda.first?.countdown == AutoscalerCountdown(
            action: "scale-down allowed", seconds: 265, bound: "earliest",
            rule: "lastScaleTime + scaleDown window 300 s (ScaleDownStabilized; recommendations not published)"))
        // Shown as an HPA of its own when its ScaledObject was not read, with the same countdown and last_scale_time.
        let alone = clusterAutoscalers(ClusterReading(hpas: hpas), lag: nil, now: now)
        #expect(alone.hpa.first?.countdown?.seconds == 265 && alone.hpa.first?.lastScaleTime == "2023-11-14T22:12:45Z")
        // The captured status as it is (ReadyForNewScale): nothing held.
        let ready = try KubernetesDecoding.horizontalPodAutoscalers(try CollectorTests.list("HorizontalPodAutoscaler", ["k8s/keda/keda-hpa-prometheus-external-openshift.json"]))
        #expect(clusterAutoscalers(ClusterReading(hpas: ready), lag: nil, now: now).hpa.first?.countdown == nil)
        // A VPA in Auto whose phase a cluster does not publish: at most one updater interval.
        let vpa = try Self.vpa(mode: "Auto")
        #expect(clusterAutoscalers(ClusterReading(vpas: vpa), lag: nil, now: now).vpa.first?.countdown?.bound == "latest")
    }

    /// The real meme-console against the fake API's conflict-act namespace (the captures, edited into the act): the banner on
    /// the screen `--once` prints, and `warnings` in `--once --json`. No NATS: exit 1, both still printed.
    @Test func theConsoleBinaryShowsTheConflictOnScreenAndInJSON() async throws {
        let api = try FakeKubernetesAPI()
        defer { api.stop() }
        let common = ["--once", "--mode", "cluster", "--kube-api-url", api.url, "--namespace", "conflict-act", "--cache-namespace", "conflict-act",
                      "--nats-url", "nats://127.0.0.1:\(try FreePort.next())", "--prometheus-url", "http://127.0.0.1:\(try FreePort.next())",
                      "--timeout", "3"]
        let json = try await LiveSourcesTests.console(common + ["--json"])
        #expect(json.stderr.contains("required source down: nats"))
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)\n\(json.stderr)")
        let warnings = try #require(o["warnings"] as? [[String: Any]])
        #expect(warnings.map { $0["resource"] as? String } == ["cpu", "memory", "replicas"])
        #expect(warnings[0]["objects"] as? [String] == ["HorizontalPodAutoscaler meme-web", "VerticalPodAutoscaler meme-web"])
        #expect(warnings[2]["objects"] as? [String] == ["ScaledObject meme-worker", "HorizontalPodAutoscaler meme-worker"])
        let screen = try await LiveSourcesTests.console(common)
        #expect(screen.stdout.contains("⚠ CONFLICT on cpu, memory of Deployment/meme-web: HorizontalPodAutoscaler meme-web ⇄ VerticalPodAutoscaler meme-web"),
                "\(screen.stdout)")
        #expect(screen.stdout.contains("⚠ CONFLICT on replicas of Deployment/meme-worker"))
    }
}
