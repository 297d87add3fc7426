import Autoscaling
import Foundation
import JetStream
import NATS
import Testing
import TestServers
@testable import LocalScaler

/// `meme-worker supervise` as a real process, scaling real workers on a real nats-server's lag.
@Suite(.serialized) struct SuperviseIntegrationTests {
    @Test func burstScalesUpDrainsAndScalesToZeroAfterCooldown() async throws {
        // Short windows so the whole cycle fits in a test: polling 1 s, cooldown 3 s.
        let maxWorkers = 4
        let h = try SupervisorHarness(arguments: ["--polling-interval", "1", "--cooldown-period", "3"], maxWorkers: maxWorkers)
        defer { h.shutdown() }
        try await h.waitUntilReady()
        #expect(h.metric("meme_local_scaler_replicas") == 0)
        #expect(h.metric("meme_local_scaler_lag_threshold") == 5)
        #expect(h.metric("meme_local_scaler_max_replicas") == Double(maxWorkers))
        #expect(h.childPIDs().isEmpty)

        let connection = try await NATSConnection.connect(NATSOptions(servers: [h.nats.url], name: "supervise-test"))
        let js = JetStream(connection)
        let count = 50
        for i in 0..<count {
            // Full-size images render slowly enough that one worker cannot empty the queue before the next poll.
            _ = try await js.publish("meme.request", payload: Array(#"{"id":"s-\#(i)","prompt":"scale me \#(i)","small_image":false}"#.utf8), messageID: "s-\(i)")
        }
        await connection.close()

        // KEDA activates 0 → 1, then the HPA asks for ceil(lag / 5) within maxReplicaCount and its +4 pods scale-up policy.
        let expected = min(maxWorkers, KEDA.hpaReplicas(lag: count, KEDA.Parameters(lagThreshold: 5, maxReplicaCount: maxWorkers)), 1 + 4)
        try await h.waitFor("activation", timeout: 10) { (h.metric("meme_local_scaler_replicas") ?? 0) >= 1 }
        let activatedAt = Date()
        #expect(h.metric("meme_local_scaler_active") == 1)
        try await h.waitFor("\(expected) replicas", timeout: 2 * 1 + 3) { h.metric("meme_local_scaler_replicas") == Double(expected) }
        #expect(Date().timeIntervalSince(activatedAt) < 2 * 1 + 3)
        try await h.waitFor("\(expected) worker processes", timeout: 10) { h.childPIDs().count == expected }
        #expect(h.supervisor.log.contains("scale worker 0 → 1"))
        #expect(h.supervisor.log.contains("scale worker 1 → \(expected)"))
        // Each child has its own metrics port.
        for n in 0..<expected {
            try await h.waitFor("worker-\(n + 1) metrics", timeout: 30) { HTTPProbe.get(port: h.workerBasePort + n, path: "/healthz")?.status == 200 }
        }

        // The queue drains, the scaler turns inactive, and cooldown 3 s later every worker is told to stop.
        try await h.waitFor("lag 0", timeout: 120) { h.metric("meme_local_scaler_lag") == 0 }
        try await h.waitFor("scale to zero", timeout: 30) { h.metric("meme_local_scaler_replicas") == 0 }
        #expect(h.metric("meme_local_scaler_active") == 0)
        #expect(h.supervisor.log.contains("→ 0"))
        try await h.waitFor("workers exited", timeout: 40) { h.childPIDs().isEmpty }
        #expect(h.metric("meme_local_scaler_child_restarts_total") == 0)
        #expect(h.supervisor.log.contains("exited (status 0) after SIGTERM"))
        #expect(h.seenChildren.allSatisfy { !SupervisorHarness.alive($0) })
        let page = try #require(h.metricsPage)
        #expect(page.contains(#"meme_local_scaler_replicas{workload="worker"} 0"#))
        #expect(page.components(separatedBy: "meme_local_scaler_decision_info{").count == 2, "exactly one decision series")
        try expectPromtoolClean(page)
    }

    @Test func crashedChildIsRestartedAndSigtermStopsEverything() async throws {
        let h = try SupervisorHarness(arguments: ["--polling-interval", "1", "--min-replica-count", "1"], maxWorkers: 2)
        defer { h.shutdown() }
        try await h.waitUntilReady()
        try await h.waitFor("one worker", timeout: 20) { h.childPIDs().count == 1 }
        let first = try #require(h.childPIDs().first)
        try await h.waitFor("worker-1 metrics", timeout: 30) { HTTPProbe.get(port: h.workerBasePort, path: "/readyz")?.status == 200 }
        kill(first, SIGKILL)
        try await h.waitFor("a restart", timeout: 20) { h.metric("meme_local_scaler_child_restarts_total") == 1 }
        try await h.waitFor("a new worker", timeout: 20) { h.childPIDs().count == 1 && h.childPIDs() != [first] }
        #expect(h.metric("meme_local_scaler_replicas") == 1)
        #expect(h.supervisor.log.contains("without being asked; restarting"))
        // The restarted worker takes the same slot: same name, same metrics port.
        try await h.waitFor("worker-1 metrics again", timeout: 30) { HTTPProbe.get(port: h.workerBasePort, path: "/readyz")?.status == 200 }

        _ = h.childPIDs()
        h.supervisor.process.signal(SIGTERM)
        let status = h.supervisor.process.waitForExit(timeout: 40)
        #expect(status == 0, "exit status \(String(describing: status))\n\(h.supervisor.log)")
        #expect(h.seenChildren.count == 2)
        #expect(h.seenChildren.allSatisfy { !SupervisorHarness.alive($0) }, "left behind: \(h.seenChildren.filter(SupervisorHarness.alive))")
        #expect(h.supervisor.log.contains("all workers stopped"))
    }

    @Test func badScaledObjectFailsWithTheFileAndField() async throws {
        let dir = try ManagedProcess.makeTempDirectory(prefix: "so")
        let file = dir.appendingPathComponent("so.yaml").path
        try ScaledObjectFileTests.yaml(spec: "  maxReplicaCount: lots\n", metadata: "").write(toFile: file, atomically: true, encoding: .utf8)
        for (args, message) in [
            (["--scaled-object", file], "\(file): spec.maxReplicaCount must be a whole number, got 'lots'"),
            (["--scaled-object", "/nonexistent/so.yaml"], "/nonexistent/so.yaml: cannot read the ScaledObject"),
            (["--scaled-object", workerScaledObject, "--cooldown-period=-1"], "--cooldown-period must be ≥ 0, got -1"),
        ] {
            let p = try ProgramProcess("meme-worker", arguments: ["supervise"] + args, environment: [:])
            let status = p.process.waitForExit(timeout: 30)
            #expect(status != nil && status != 0)
            #expect(p.log.contains(message), "\(p.log)")
        }
    }

    func expectPromtoolClean(_ page: String) throws {
        let promtool = try ManagedProcess.locate("promtool")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(page.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(text)")
    }
}
