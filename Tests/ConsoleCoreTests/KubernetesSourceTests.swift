import ClusterReaders
import ConsoleUI
import CurlHTTP
import Foundation
import TestServers
import Testing
@testable import ConsoleCore

/// The Kubernetes source against the fake API server replaying real captures (Tests/Fixtures).
@Suite struct KubernetesSourceTests {
    static let coredns = [WatchedWorkload(label: "dns", kind: "Deployment", namespace: "kube-system", name: "coredns")]

    func source(_ api: FakeKubernetesAPI, token: String? = nil) throws -> (KubernetesSource, CurlHTTPClient) {
        var connection = try KubernetesConnection.proxy(api.url)
        if let token { connection.authorization = .bearer(token) }
        let client = KubernetesReader.makeClient(for: connection)
        let reader = KubernetesReader(connection: connection, client: client)
        return (KubernetesSource(reader: reader, watched: Self.coredns, appNamespace: "openshift-ingress-operator",
                                 vpaNamespaces: ["vpa-adventure"]), client)
    }

    @Test func readsWorkloadsHPAsScaledObjectsAndVPAs() async throws {
        let api = try FakeKubernetesAPI()
        defer { api.stop() }
        let (source, client) = try source(api)
        let reading = try await source.read()
        await client.shutdown()
        let dns = try #require(reading.workloads.first { $0.name == "coredns" })
        #expect(dns.replicas == 2 && dns.readyReplicas == 2)
        #expect(dns.containers.first?.requests.cpuMillis == 100 && dns.containers.first?.requests.memoryBytes == 70 * 1024 * 1024)
        #expect(reading.hpas.map(\.name) == ["keda-hpa-test-app-scale-on-worker-role"])
        #expect(reading.scaledObjects.map(\.name) == ["test-app-scale-on-worker-role"])
        #expect(reading.vpas.map(\.name).sorted() == ["hamster-vpa", "hamster-vpa-limited", "stress-vpa"])
        #expect(reading.notes.isEmpty)

        // Through the collector: the KEDA-owned HPA is folded into its ScaledObject, VPAs keep millicores/bytes.
        var state = CollectorState()
        var kube = SourceReading<ClusterReading>()
        kube.succeeded(reading, at: 10)
        let snapshot = assemble(CollectorInputs(mode: .cluster, nats: SourceReading(), natsLink: NATSLink(connected: true),
                                                metrics: SourceReading(), kubernetes: kube, watched: Self.coredns), state: &state, now: 10)
        #expect(snapshot.sources.kubernetes == SourceStatus(state: .ok, ageSeconds: 0))
        #expect(snapshot.workloads?.map(\.name) == ["dns"])
        #expect(snapshot.autoscalers?.hpa.isEmpty == true)
        let keda = try #require(snapshot.autoscalers?.keda.first)
        #expect(keda.explanation.contains("not a nats-jetstream scaler"))
        let hamster = try #require(snapshot.autoscalers?.vpa.first { $0.name == "hamster-vpa" }?.containers.first)
        #expect(hamster.target == Resources(cpuMillicores: 247, memoryBytes: 262_144_000))
    }

    @Test func missingAddOnsAreNotedWithoutFailingTheSource() async throws {
        let api = try FakeKubernetesAPI(missingGroups: ["keda.sh", "autoscaling.k8s.io"])
        defer { api.stop() }
        let (source, client) = try source(api)
        let reading = try await source.read()
        await client.shutdown()
        #expect(reading.scaledObjects.isEmpty && reading.vpas.isEmpty)
        #expect(reading.notes.count == 2)
        #expect(reading.notes.contains { $0.contains("KEDA") }, "\(reading.notes)")
        #expect(reading.notes.contains { $0.contains("VPA") }, "\(reading.notes)")
    }

    @Test func forbiddenListsFailWithTheRBACReason() async throws {
        let api = try FakeKubernetesAPI(token: "demo-token")
        defer { api.stop() }
        let (source, client) = try source(api)
        await #expect {
            _ = try await source.read()
        } throws: { error in
            "\(error)".hasPrefix("RBAC: cannot list deployments in kube-system")
        }
        let (allowed, client2) = try self.source(api, token: "demo-token")
        #expect(try await allowed.read().workloads.isEmpty == false)
        await client.shutdown()
        await client2.shutdown()
    }

    @Test func aLostAPIServerLeavesTheLastReadingStaleThenRecovers() async throws {
        let api = try FakeKubernetesAPI()
        let (source, client) = try source(api)
        let poller = Poller(name: "kubernetes", backoff: Backoff(interval: 0.1)) { try await source.read() }
        await poller.pollOnce()
        #expect(poller.current.sequence == 1)
        api.stop()
        await poller.pollOnce()
        let reading = poller.current
        #expect(reading.value != nil && reading.consecutiveFailures == 1)
        #expect(reading.error?.isEmpty == false)
        let status = reading.status(now: (reading.readAt ?? 0) + 2, staleAfter: 5, downAfter: 60)
        #expect(status.state == .stale && status.ageSeconds == 2)
        await client.shutdown()
    }

    @Test func clusterModeWithoutAConnectionSaysWhy() async throws {
        let engine = ConsoleEngine(settings: ConsoleSettings(natsURL: "nats://127.0.0.1:1", prometheusURL: "http://127.0.0.1:1"),
                                   mode: .cluster, kubernetes: nil, kubernetesProblem: "cannot read kubeconfig /nowhere")
        await engine.kubernetes?.pollOnce()
        let s = engine.snapshot(ui: UIState())
        #expect(s.sources.kubernetes == SourceStatus(state: .down, error: "cannot read kubeconfig /nowhere"))
        #expect(s.workloads == nil && s.autoscalers == nil)
        await engine.shutdown()
    }
}
