import Autoscaling
import Foundation
import RedisCache
import Testing
import TestServers
@testable import LocalScaler

/// The VPA stand-in on a real redis-server: a request below the recommendation's lower bound is
/// "evicted" (Redis restarted with the target) and the cache survives the restart.
@Suite(.serialized) struct VPAStandInTests {
    @Test func aRequestBelowTheLowerBoundRestartsRedisWithTheTargetAndKeepsTheCache() async throws {
        // 100Mi is below what the VPA object allows (minAllowed 512Mi): the updater must evict.
        let stack = try RunningStack(only: ["redis"], arguments: [
            "--vpa-sample-interval", "0.5", "--vpa-update-interval", "6", "--vpa-half-life", "60",
        ]) { k8s in
            let sts = k8s.appendingPathComponent("redis/statefulset.yaml")
            try RunningStack.replace("cpu: 100m\n              memory: 512Mi", with: "cpu: 100m\n              memory: 100Mi", in: sts)
            try RunningStack.replace("- 400mb", with: "- 80mb", in: sts)
        }
        defer { _ = stack.stop() }
        try await stack.waitUntilReady()
        let redis = try RedisClient(url: stack.manifest.urls.redis)
        do {
            for i in 0..<100 { try await redis.set("vpa-test:\(i)", Array("value \(i)".utf8), ttlSeconds: 3600) }
        } catch {
            Issue.record("SET failed: \(error)\n\(stack.log)")
            return
        }
        let first = try #require(try stack.status().vpa)
        #expect(first.requests.memoryBytes == 100 * 1024 * 1024 && first.maxMemoryBytes == 80 * 1024 * 1024)
        #expect(first.source == "local stand-in for the VPA" && first.updateMode == "Recreate")

        try await stack.waitFor("an eviction", timeout: 60) { try stack.status().vpa?.evictions == 1 }
        let v = try #require(try stack.status().vpa)
        let event = try #require(v.events.last)
        #expect(event.reason.contains("memory request 100Mi below lower bound 512Mi"), "\(event.reason)")
        #expect(event.reason.contains("keys 100 → 100 (none lost)"), "\(event.reason)")
        // The recommendation keeps to the VPA object's bounds; the new request is its target.
        let target = try #require(v.target?.memoryBytes)
        #expect((512 * 1024 * 1024...1024 * 1024 * 1024).contains(target))
        #expect(v.requests.memoryBytes == target)
        #expect(v.maxMemoryBytes == Int(Double(target) * 0.8))
        // Redis runs again with the new --maxmemory and its keys.
        try await stack.waitFor("redis back", timeout: 20) { RedisProbe.keyCount(port: stack.manifest.ports.redis) == 100 }
        // A new connection: the old one ended with the process it was connected to.
        #expect(try await RedisClient(url: stack.manifest.urls.redis).get("vpa-test:7") == Array("value 7".utf8))
        // Within bounds now: no second eviction.
        try await Task.sleep(for: .seconds(7))
        #expect(try stack.status().vpa?.evictions == 1)
    }
}
