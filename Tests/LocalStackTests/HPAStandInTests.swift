import Autoscaling
import Foundation
import LoadEngine
import Testing
import TestServers
@testable import LocalScaler

/// The HPA stand-in on real meme-web processes behind the stack's port, with real page loads.
@Suite(.serialized) struct HPAStandInTests {
    /// A copy of k8s/base where one idle debug meme-web sits well under the HPA's targets (the real
    /// requests are the subject of docs/benchmarks.md, "meme-web memory"), so only the load moves it.
    static func roomyRequests(_ k8s: URL) throws {
        let deployment = k8s.appendingPathComponent("web/deployment.yaml")
        try RunningStack.replace("cpu: 10m\n              memory: 64Mi", with: "cpu: 100m\n              memory: 512Mi", in: deployment)
    }

    @Test func pageLoadsScaleTheWebTierOutWithinASyncAndQuietBringsItBackWithoutRefusingARequest() async throws {
        let sync = 2.0
        let stack = try RunningStack(only: ["nats", "redis", "web"], arguments: [
            "--hpa-sync-period", "\(sync)", "--hpa-scale-down-stabilization", "10", "--hpa-initial-readiness-delay", "3", "--vpa-mode", "Off",
        ], edit: Self.roomyRequests)
        defer { _ = stack.stop() }
        try await stack.waitUntilReady()
        try await stack.waitFor("a first sync with one ready meme-web", timeout: 60) { try stack.status().hpa?.pods.first?.ready == true }
        let before = try #require(try stack.status().hpa)
        #expect(before.replicas == 1 && before.source == "local stand-in for the HPA")

        // Every sync's numbers, as they come (a sync holds for 2 s; this polls every 0.2 s).
        let syncs = SyncLog()
        let traffic = try WebTraffic(baseURL: "http://127.0.0.1:\(stack.manifest.ports.web)")
        try traffic.start(perSecond: 200)
        try await stack.waitFor("a second meme-web", timeout: 60) {
            let h = try stack.status().hpa
            if let h { syncs.add(h) }
            return (h?.replicas ?? 0) >= 2
        }
        // The first sync that saw CPU above the target (beyond the 10 % tolerance) is the one that scaled.
        let crossed = try #require(syncs.all.first { ($0.metrics.first { $0.name == "cpu" }?.currentUtilization ?? 0) > 33 })
        #expect(crossed.desiredReplicas >= 2, "the sync that saw \(crossed.metrics) kept \(crossed.desiredReplicas)")
        let up = try #require(try stack.status().hpa?.events.first)
        #expect(up.from == 1 && up.to >= 2 && up.reason.contains("cpu"))
        #expect(abs(up.at - (crossed.readAt ?? 0)) < 0.5, "scaled at \(up.at), crossed at \(String(describing: crossed.readAt))")
        // The proxy spreads the page loads over the processes.
        try await Task.sleep(for: .seconds(4))
        let pods = try #require(try stack.status().hpa).pods
        #expect(pods.filter { ($0.cpuMillicores ?? 0) > 0 }.count >= 2, "\(pods)")

        // Quiet (a trickle that keeps checking the port): back to one after the 10 s window, no request refused.
        try traffic.start(perSecond: 2)
        try await stack.waitFor("back to one meme-web", timeout: 90) {
            let h = try stack.status().hpa
            return h?.replicas == 1 && h?.terminating == 0
        }
        let down = try #require(try stack.status().hpa?.events.last)
        #expect(down.to == 1 && down.reason.contains("⇒ 1"))
        try await Task.sleep(for: .seconds(2))
        let counts = await { () async -> WebTraffic.Snapshot in let s = traffic.snapshot; await traffic.shutdown(); return s }()
        #expect(counts.failed == 0, "\(counts.failed) of \(counts.sent) page loads failed: \(counts.lastError ?? "")")
        #expect(counts.ok > 800)
        #expect(stack.log.contains("exited (status 0) after SIGTERM"), "a stopped meme-web drained and exited 0")
    }

    @Test func theStackStopsEveryWebProcessOnSIGTERM() async throws {
        let stack = try RunningStack(only: ["nats", "web"], arguments: ["--vpa-mode", "Off"], edit: Self.roomyRequests)
        try await stack.waitUntilReady()
        try await stack.waitFor("a meme-web", timeout: 60) { try stack.status().hpa?.pods.isEmpty == false }
        let pids = try #require(try stack.status().hpa).pods.map(\.pid)
        #expect(stack.stop() == 0, "\(stack.log)")
        #expect(pids.allSatisfy { kill($0, 0) != 0 }, "a meme-web outlived the stack")
    }
}

/// Distinct HPA syncs seen by polling /status.
final class SyncLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [LocalHPAStatus] = []
    func add(_ h: LocalHPAStatus) {
        lock.lock(); defer { lock.unlock() }
        if h.readAt != nil, seen.last?.readAt != h.readAt { seen.append(h) }
    }
    var all: [LocalHPAStatus] { lock.lock(); defer { lock.unlock() }; return seen }
}
