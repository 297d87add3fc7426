import Autoscaling
import Foundation
import JetStream
import NATS
import Testing
import TestServers
@testable import LocalScaler

/// The KEDA stand-in in a real `meme-stack up --only worker` process, scaling real workers on a real nats-server's lag.
@Suite(.serialized) struct KEDAStandInTests {
    @Test func burstScalesUpDrainsAndScalesToZeroAfterCooldown() async throws {
        // Short windows so the whole cycle fits in a test: polling 1 s, cooldown 3 s.
        let maxWorkers = 4
        let h = try StackHarness(arguments: ["--polling-interval", "1", "--cooldown-period", "3"], maxWorkers: maxWorkers)
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
        // The supervisor notices exits on its next status poll, a moment after the processes are gone.
        try await h.waitFor("exit logged", timeout: 15) { h.supervisor.log.contains("exited (status 0) after SIGTERM") }
        #expect(h.seenChildren.allSatisfy { !StackHarness.alive($0) })
        let page = try #require(h.metricsPage)
        #expect(page.contains(#"meme_local_scaler_replicas{workload="worker"} 0"#))
        #expect(page.components(separatedBy: "meme_local_scaler_decision_info{").count == 2, "exactly one decision series")
        try expectPromtoolClean(page)

        // /status: every replica change with the lag it was decided on, not a lag read after the queue drained.
        let status = try h.status()
        #expect(status.version == LocalScalerStatus.currentVersion)
        #expect(status.replicas == 0 && status.desiredReplicas == 0 && status.lag == 0 && !status.active)
        #expect(status.maxReplicas == maxWorkers && status.pollingIntervalSeconds == 1 && status.cooldownPeriodSeconds == 3)
        #expect(status.scaleToZeroInSeconds == nil, "at zero: nothing counting down")
        let events = status.events
        #expect(events.first?.from == 0 && events.first?.to == 1)
        #expect(events.contains { $0.from == 1 && $0.to == expected })
        #expect(events.last?.to == 0)
        for event in events where event.to > event.from {
            let lag = try #require(event.lag)
            #expect(lag > status.activationLagThreshold, "scale-up \(event.from) → \(event.to) decided on lag \(lag): \(event.reason)")
            #expect(event.reason.contains("lag \(lag)"), "\(event.reason)")
        }
        #expect(events.last?.lag == 0 && events.last?.reason.contains("cooldown") == true, "\(events)")
        // Scale-ups come in order, each one poll or more after the last.
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.at < $1.at })
        let readAt = try #require(status.readAt)
        #expect(abs(readAt - Date().timeIntervalSince1970) < 30)
        #expect(try #require(status.lastActiveAt) <= readAt)
    }

    @Test func onAClusterTheLagStaysReadableWhileTheFirstMemberIsDown() async throws {
        // DEMO_NATS_CLUSTER=3 as the stack runs it: every member's URL and monitor, R3. No worker wakes
        // (activation far above the lag), so the lag stays what was published.
        let cluster = try NATSCluster()
        try cluster.start()
        let h = try StackHarness(arguments: ["--polling-interval", "1", "--activation-lag-threshold", "1000"],
                                 workerEnvironment: ["NATS_STREAM_REPLICAS": "3"], maxWorkers: 2, natsCluster: cluster)
        defer { h.shutdown() }
        try await h.waitUntilReady()
        let connection = try await NATSConnection.connect(NATSOptions(servers: cluster.urls, name: "cluster-standin-test"))
        let js = JetStream(connection)
        // The stand-in declared the stream as the workers would have: three copies.
        #expect(try await js.streamInfo("MEMES").config.replicas == 3)
        func publish(_ range: Range<Int>) async throws {
            for i in range {
                _ = try await js.publish("meme.request", payload: Array(#"{"id":"r3-\#(i)","prompt":"cluster \#(i)"}"#.utf8), messageID: "r3-\(i)")
            }
        }
        try await publish(0..<7)
        try await h.waitFor("lag 7", timeout: 20) { h.metric("meme_local_scaler_lag") == 7 }
        // The member whose monitor used to be the only one read.
        cluster.servers[0].kill()
        try await publish(7..<10)
        try await h.waitFor("lag 10 with the first member down", timeout: 30) { h.metric("meme_local_scaler_lag") == 10 }
        #expect(HTTPProbe.get(port: h.metricsPort, path: "/readyz")?.status == 200)
        #expect(h.metric("meme_local_scaler_replicas") == 0)
        await connection.close()
    }

    @Test func aLoneMemeWithNoWorkersIsAnswered() async throws {
        // The ScaledObject's own activation threshold: no --activation-lag-threshold override.
        let h = try StackHarness(arguments: ["--polling-interval", "1"], maxWorkers: 2)
        defer { h.shutdown() }
        try await h.waitUntilReady()
        #expect(try h.status().activationLagThreshold == 0)
        #expect(h.childPIDs().isEmpty)

        let connection = try await NATSConnection.connect(NATSOptions(servers: [h.nats.url], name: "lone-meme-test"))
        let answers = try await connection.subscribe("meme.response")
        try await connection.flush()
        _ = try await JetStream(connection).publish("meme.request", payload: Array(#"{"id":"lone-1","prompt":"all alone","small_image":true}"#.utf8), messageID: "lone-1")
        let answer = Task {
            for try await message in answers where String(decoding: message.bytes, as: UTF8.self).contains("lone-1") { return true }
            return false
        }
        // Closing the connection ends the subscription, so a missing answer fails instead of hanging.
        let timeout = Task { try await Task.sleep(for: .seconds(90)); await connection.close() }
        let answered = (try? await answer.value) ?? false
        timeout.cancel()
        await connection.close()
        #expect(answered, "no answer to the lone meme; status: \(String(describing: try? h.status()))\n\(h.supervisor.log)")
        let up = try #require(try h.status().events.first)
        #expect(up.from == 0 && up.to == 1 && up.lag == 1, "\(up)")
    }

    @Test func aSteadyTrickleKeepsItsWorkerThroughTheCooldown() async throws {
        // The ScaledObject's activation and polling; a cooldown short enough for a test (the demo's is 60 s).
        let cooldown = 10, trickleSeconds = 36.0, rate = 4.0  // the trickle outlasts the cooldown three times over
        // Every image takes 0.25 s and a worker renders two at a time: one worker keeps up with 4 a
        // second and leaves about one meme in flight — the lag at a poll is mostly 0, 1 or 2, as a
        // steady audience leaves it (and as it did at 20/s with the offline renderer).
        let stub = try SlowImageStub()
        defer { stub.stop() }
        let h = try StackHarness(arguments: ["--cooldown-period", "\(cooldown)"],
                                      workerEnvironment: stub.workerEnvironment(seconds: 0.25).merging(["WORKER_CONCURRENCY": "2"]) { $1 },
                                      maxWorkers: 2)
        defer { h.shutdown() }
        try await h.waitUntilReady()
        let connection = try await NATSConnection.connect(NATSOptions(servers: [h.nats.url], name: "trickle-test"))
        let js = JetStream(connection)
        let start = Date()
        var sent = 0
        while Date().timeIntervalSince(start) < trickleSeconds {
            let due = Int(Date().timeIntervalSince(start) * rate) + 1
            while sent < due {
                _ = try await js.publish("meme.request", payload: Array(#"{"id":"t-\#(sent)","prompt":"trickle \#(sent)","small_image":true}"#.utf8), messageID: "t-\(sent)")
                sent += 1
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let trickleEnd = Date().timeIntervalSince1970
        await connection.close()
        let during = try h.status()
        // From the first scale-up to the end of the trickle: never back to zero.
        let firstUp = try #require(during.events.first { $0.from == 0 }, "never activated: \(during)")
        let flaps = during.events.filter { $0.to == 0 && $0.at > firstUp.at && $0.at < trickleEnd }
        #expect(flaps.isEmpty, "scaled to zero while memes were flowing: \(flaps.map { "\($0.reason) (\(Int($0.at - trickleEnd)) s)" })")
        #expect(during.replicas >= 1)
        // Once the trickle stops, cooldownPeriod after the last active poll it does go to zero.
        try await h.waitFor("scale to zero after the trickle", timeout: Double(cooldown) + 60) { (try? h.status().replicas) == 0 }
        let down = try #require(try h.status().events.last)
        #expect(down.to == 0 && down.lag == 0 && down.at >= trickleEnd, "\(down)")
    }

    @Test func statusCountsDownToZeroDuringTheCooldown() async throws {
        let h = try StackHarness(arguments: ["--polling-interval", "1", "--cooldown-period", "8"], maxWorkers: 2)
        defer { h.shutdown() }
        try await h.waitUntilReady()
        var status = try h.status()
        #expect(status.readAt != nil && status.lag == 0 && status.replicas == 0 && status.events.isEmpty)
        #expect(status.scaleToZeroInSeconds == nil)

        let connection = try await NATSConnection.connect(NATSOptions(servers: [h.nats.url], name: "status-test"))
        _ = try await JetStream(connection).publish("meme.request", payload: Array(#"{"id":"c-1","prompt":"count down","small_image":true}"#.utf8), messageID: "c-1")
        await connection.close()
        try await h.waitFor("one worker", timeout: 20) { (try? h.status().replicas) == 1 }
        // Once the lone meme is made the scaler is inactive and counts down from its last active poll.
        try await h.waitFor("the countdown", timeout: 60) { (try? h.status().scaleToZeroInSeconds) != nil }
        status = try h.status()
        let countdown = try #require(status.scaleToZeroInSeconds)
        let lastActive = try #require(status.lastActiveAt), readAt = try #require(status.readAt)
        #expect(!status.active && status.lag == 0)
        #expect(countdown >= 1 && countdown <= 8, "\(countdown)")
        // The zero comes at the first poll at least cooldownPeriod after the last active one.
        #expect(readAt + countdown >= lastActive + 8 - 0.001)
        #expect(readAt + countdown < lastActive + 8 + 1 + 0.5)
        try await h.waitFor("scale to zero", timeout: 30) { (try? h.status().replicas) == 0 }
        let down = try #require(try h.status().events.last)
        #expect(down.from == 1 && down.to == 0 && down.lag == 0)
        #expect(down.at >= lastActive + 8 - 0.001, "scaled to zero \(down.at - lastActive) s after the last active poll")
    }

    @Test func crashedChildIsRestartedAndSigtermStopsEverything() async throws {
        let h = try StackHarness(arguments: ["--polling-interval", "1", "--min-replica-count", "1"], maxWorkers: 2)
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
        #expect(h.seenChildren.allSatisfy { !StackHarness.alive($0) }, "left behind: \(h.seenChildren.filter(StackHarness.alive))")
        #expect(h.supervisor.log.contains("all workers stopped"))
    }

    @Test func badScaledObjectFailsWithTheFileAndField() async throws {
        // A copy of k8s/base with a broken ScaledObject.
        let dir = try ManagedProcess.makeTempDirectory(prefix: "k8s")
        for sub in ["worker", "web", "redis"] {
            try FileManager.default.copyItem(atPath: "\(k8sBase)/\(sub)", toPath: dir.appendingPathComponent(sub).path)
        }
        let file = dir.appendingPathComponent("worker/scaledobject.yaml").path
        let broken = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "maxReplicaCount: 10", with: "maxReplicaCount: lots")
        #expect(broken.contains("lots"))
        try broken.write(toFile: file, atomically: true, encoding: .utf8)
        for (args, message) in [
            (["--k8s", dir.path], "\(file): spec.maxReplicaCount must be a whole number, got 'lots'"),
            (["--k8s", "/nonexistent"], "/nonexistent/worker/scaledobject.yaml: cannot read the ScaledObject"),
            (["--k8s", k8sBase, "--cooldown-period=-1"], "--cooldown-period must be ≥ 0, got -1"),
        ] {
            let p = try ProgramProcess("meme-stack", arguments: ["up", "--only", "worker", "--free-ports"] + args, environment: [:])
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
