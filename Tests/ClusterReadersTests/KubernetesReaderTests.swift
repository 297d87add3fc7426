import Autoscaling
import CurlHTTP
import Testing
import TestServers
@testable import ClusterReaders

/// Reads through CurlHTTP from a fake API server replaying the captured fixtures.
@Suite struct KubernetesReaderTests {
    let client = CurlHTTPClient()

    func reader(_ api: FakeKubernetesAPI, token: String? = nil) -> KubernetesReader {
        KubernetesReader(connection: KubernetesConnection(server: api.url, authorization: token.map { .bearer($0) }, origin: "test"),
                         client: client)
    }

    @Test func deploymentsFromTheCapturedList() async throws {
        let api = try FakeKubernetesAPI()
        let list = try await reader(api).deployments(namespace: "kube-system")
        #expect(list.count == 1)
        let coredns = try #require(list.first)
        #expect(coredns.name == "coredns" && coredns.namespace == "kube-system")
        #expect(coredns.desiredReplicas == 2 && coredns.replicas == 2 && coredns.readyReplicas == 2 && coredns.updatedReplicas == 2)
        #expect(coredns.conditions.map(\.type) == ["Available", "Progressing"])
        #expect(coredns.containers.first?.requests == VPA.Amounts(cpuMillis: 100, memoryBytes: 70 << 20))
        #expect(coredns.containers.first?.limits == VPA.Amounts(memoryBytes: 170 << 20))
        let empty = try await reader(api).deployments(namespace: "default")
        #expect(empty.first?.name == "k8s-openapi-tests-patch-deployment")
        #expect(empty.first?.replicas == 0)  // "status": {} right after creation
        #expect(try await reader(api).statefulSets(namespace: "kube-system").isEmpty)
    }

    @Test func kedaOwnedHPA() async throws {
        let api = try FakeKubernetesAPI()
        let hpas = try await reader(api).horizontalPodAutoscalers(namespace: "openshift-ingress-operator")
        let hpa = try #require(hpas.first)
        #expect(hpa.name == "keda-hpa-test-app-scale-on-worker-role")
        #expect(hpa.scaledObject == "test-app-scale-on-worker-role")
        #expect(hpa.scaleTargetKind == "Deployment" && hpa.scaleTargetName == "test-app")
        #expect(hpa.minReplicas == 1 && hpa.maxReplicas == 20 && hpa.currentReplicas == 1 && hpa.desiredReplicas == 1)
        #expect(hpa.metrics == [HPAMetricStatus(type: "External", name: "s0-prometheus-worker_nodes", target: .value(milli: 1000), current: 0)])
        #expect(hpa.conditions.first { $0.type == "ScalingLimited" }?.reason == "TooFewReplicas")
        #expect(hpa.behavior == nil)
        let decision = hpa.evaluate()
        #expect(decision.desiredReplicas == 1)
        #expect(decision.explanation == "s0-prometheus-worker_nodes 0 / 1 → 0 replicas ⇒ 1 (minReplicas 1)")
    }

    @Test func scaledObjects() async throws {
        let api = try FakeKubernetesAPI()
        let openshift = try await reader(api).scaledObjects(namespace: "openshift-ingress-operator")
        let so = try #require(openshift.first)
        #expect(so.isReady && !so.isActive && !so.isFallbackActive)
        #expect(so.triggers.first?.type == "prometheus" && so.triggers.first?.metadata["threshold"] == "1")
        #expect(so.health["s0-prometheus-worker_nodes"] == ScaledObject.Health(numberOfFailures: 0, status: "Happy"))
        #expect(so.cooldownPeriod == 5 && so.minReplicaCount == 1 && so.maxReplicaCount == 20 && so.hpaName == nil)
        #expect(so.natsJetStreamParameters == nil)

        let keda = try await reader(api).scaledObjects(namespace: "keda")
        #expect(keda.map(\.name) == ["keda", "keda-with-fallback"])
        let fallback = keda[1]
        #expect(fallback.isFallbackActive && fallback.isActive)
        #expect(fallback.fallback == KEDA.Fallback(failureThreshold: 3, replicas: 5))
        #expect(fallback.health["prometheus"]?.status == "Failing")
        #expect(fallback.hpaName == "keda-with-fallback-hpa")
        #expect(fallback.lastActiveTime == "2023-12-19T10:35:22Z")
    }

    @Test func verticalPodAutoscalers() async throws {
        let api = try FakeKubernetesAPI()
        let vpas = try await reader(api).verticalPodAutoscalers(namespace: "vpa-adventure")
        #expect(vpas.map(\.name) == ["hamster-vpa", "hamster-vpa-limited", "stress-vpa"])
        // SOURCES.md lists these two the other way round; the files say uc1a has 2Gi and uc1b 673899999.
        #expect(vpas[0].recommendations.first?.upperBound.memoryBytes == 2 << 30)
        #expect(vpas[1].recommendations.first?.upperBound == VPA.Amounts(cpuMillis: 2000, memoryBytes: 673_899_999))
        let stress = try #require(vpas[2].recommendations.first)
        #expect(stress.target == VPA.Amounts(cpuMillis: 1000, memoryBytes: 262_144_000))
        #expect(stress.uncappedTarget.cpuMillis == 1388)
        #expect(stress.upperBound.memoryBytes == 1 << 30)
        #expect(vpas[2].conditions.first?.type == "RecommendationProvided")
        #expect(vpas[2].updateMode == nil)
    }

    @Test func events() async throws {
        let api = try FakeKubernetesAPI()
        let events = try await reader(api).events(namespace: "default")
        #expect(events == [KubernetesEvent(type: "Normal", reason: "Pulled", message: "Successfully pulled image \"blang/busybox-bash\"",
                                           involvedKind: "Pod", involvedName: "hello-1567197780-mn4mv", count: 1,
                                           firstTimestamp: "2019-08-30T20:43:05Z", lastTimestamp: "2019-08-30T20:43:05Z", source: "kubelet")])
    }

    @Test func forbiddenBecomesRBACError() async throws {
        let api = try FakeKubernetesAPI(token: "right")
        let error = await #expect(throws: ClusterReadError.self) {
            try await reader(api, token: "wrong").horizontalPodAutoscalers(namespace: "meme-generator")
        }
        #expect(error?.kind == .forbidden(user: "system:anonymous"))
        #expect(error?.message == "RBAC: cannot list horizontalpodautoscalers in meme-generator (user system:anonymous)")
        #expect(error?.serverMessage?.hasPrefix("deployments.apps is forbidden") == true)
        #expect(try await reader(api, token: "right").deployments(namespace: "kube-system").count == 1)
    }

    @Test func missingCRDsBecomeNotInstalled() async throws {
        let api = try FakeKubernetesAPI(missingGroups: ["keda.sh", "autoscaling.k8s.io"])
        let keda = await #expect(throws: ClusterReadError.self) { try await reader(api).scaledObjects(namespace: "meme-generator") }
        #expect(keda?.kind == .notFound)
        #expect(keda?.message == "not found: no KEDA installed (keda.sh/v1alpha1 scaledobjects)")
        let vpa = await #expect(throws: ClusterReadError.self) { try await reader(api).verticalPodAutoscalers(namespace: "meme-generator") }
        #expect(vpa?.message == "not found: no VPA installed (autoscaling.k8s.io/v1 verticalpodautoscalers)")
    }

    @Test func transportAndInputErrors() async throws {
        let port = try FreePort.next()
        let r = KubernetesReader(connection: KubernetesConnection(server: "http://127.0.0.1:\(port)", origin: "kubectl proxy"), client: client)
        let error = await #expect(throws: ClusterReadError.self) { try await r.deployments(namespace: "default") }
        #expect(error?.kind == .transport(.connectionRefused))
        #expect(error?.message == "Kubernetes API (kubectl proxy): connection refused to 127.0.0.1:\(port)")
        await #expect(throws: ClusterReadError.self) { try await r.deployments(namespace: "../etc") }
    }

    @Test func statusBodiesDecodeWithoutServer() throws {
        let pretty = try Fixtures.bytes("k8s/status/status-403-forbidden-list-pods.curl-pretty.metrictank-1495.json")
        let e = KubernetesReader.error(status: 403, body: pretty, resource: .deployments, namespace: "x")
        guard case .forbidden = e.kind else { Issue.record("expected forbidden, got \(e)"); return }
        let invalid = try Fixtures.bytes("k8s/status/status-422-invalid.kind-v1.36.k8s-openapi.json")
        let e422 = KubernetesReader.error(status: 422, body: invalid, resource: .deployments, namespace: "x")
        #expect(e422.kind == .status(code: 422))
        #expect(e422.message.hasPrefix("HTTP 422 listing apps/v1 deployments in x: "))
        // A single object where a list is expected is refused with a clear message.
        #expect(throws: ClusterReadError(.decoding, "expected a DeploymentList, got kind Deployment")) {
            try KubernetesDecoding.workloads(try Fixtures.bytes("k8s/deployments/deployment.gke.k9s-testdata.json"), kind: "Deployment")
        }
    }
}
