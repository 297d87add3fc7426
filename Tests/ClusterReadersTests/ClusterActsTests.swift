import Autoscaling
import CurlHTTP
import Foundation
import Testing
import TestServers
@testable import ClusterReaders

/// The acts' VPA writes: the plan per act, and the writes against the fake API server (which
/// answers them in captured shapes and records them). Tests/System/test_console_acts.py checks the
/// bodies against the CRD schema and the kustomize render.
@Suite struct ClusterActsTests {
    let client = CurlHTTPClient()

    @Test func planPerAct() {
        let conflict = ClusterActs.plan(.conflict, webVPAExists: false, appNamespace: "meme-generator", cacheNamespace: "cache")
        #expect(conflict.map(\.description) == ["create verticalpodautoscalers/meme-web in meme-generator",
                                                "patch verticalpodautoscalers/redis in cache"])
        #expect(conflict[0].body?.contains(#""controlledResources":["cpu"]"#) == true)
        #expect(conflict[0].body?.contains(#""apiVersion":"apps/v1""#) == true)  // no escaped slashes
        #expect(ClusterActs.plan(.conflict, webVPAExists: true, appNamespace: "a", cacheNamespace: "c").first?.verb == .patch)
        let keda = ClusterActs.plan(.kedaOnly, webVPAExists: true, appNamespace: "meme-generator", cacheNamespace: "cache")
        #expect(keda.map(\.verb) == [.delete, .patch])
        #expect(keda[1].body == #"{"spec":{"updatePolicy":{"updateMode":"Off"}}}"#)
        #expect(ClusterActs.plan(.harmony, webVPAExists: false, appNamespace: "a", cacheNamespace: "c").map(\.verb) == [.patch])
    }

    @Test func applyWritesThroughTheFakeAndAForbiddenWriteNamesTheRole() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("acts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = dir.appendingPathComponent("seed.json")
        try Data(#"[{"apiVersion":"autoscaling.k8s.io/v1","kind":"VerticalPodAutoscaler","metadata":{"name":"redis","namespace":"cache"},"spec":{"targetRef":{"apiVersion":"apps/v1","kind":"StatefulSet","name":"redis"}}}]"#.utf8)
            .write(to: seed)
        let record = dir.appendingPathComponent("writes.jsonl").path
        let api = try FakeKubernetesAPI(seed: seed.path, recordWrites: record)
        let connection = KubernetesConnection(server: api.url, origin: "test")
        let reader = KubernetesReader(connection: connection, client: client)
        let writer = KubernetesWriter(reader: reader)
        let done = try await ClusterActs.apply(.conflict, reader: reader, writer: writer, appNamespace: "meme-generator", cacheNamespace: "cache")
        #expect(done.map(\.verb) == [.create, .patch])
        let vpas = try await reader.verticalPodAutoscalers(namespace: "meme-generator")
        #expect(vpas.map(\.name) == ["meme-web"] && vpas.first?.updateMode == .recreate)
        let lines = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let again = try await ClusterActs.apply(.harmony, reader: reader, writer: writer, appNamespace: "meme-generator", cacheNamespace: "cache")
        #expect(again.map(\.verb) == [.delete, .patch])
        #expect(try await reader.verticalPodAutoscalers(namespace: "meme-generator").isEmpty)

        // With a token the request lacks, the captured 403: the message names the verb, the object and the Role.
        let guarded = try FakeKubernetesAPI(token: "t0ken")
        let denied = KubernetesWriter(reader: KubernetesReader(connection: KubernetesConnection(server: guarded.url, origin: "test"), client: client))
        let error = await #expect(throws: ClusterReadError.self) {
            try await denied.mergePatch(.verticalPodAutoscalers, namespace: "cache", name: "redis", body: Array("{}".utf8))
        }
        #expect(error?.message.hasPrefix("RBAC: cannot patch verticalpodautoscalers/redis in cache (user system:anonymous)") == true)
    }
}
