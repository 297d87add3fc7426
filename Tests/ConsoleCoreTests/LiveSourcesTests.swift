import ConsoleUI
import CurlHTTP
import Foundation
import JetStream
import NATS
import TestServers
import Testing
@testable import ConsoleCore

/// Real nats-server + redis-server + meme-worker, a real prometheus scraping the worker's /metrics,
/// and the built `meme-console` binary. One test so the servers start once.
@Suite(.serialized) struct LiveSourcesTests {
    final class Stack: @unchecked Sendable {
        let nats: NATSServer
        let redis: RedisServer
        let metricsPort: Int
        let worker: ProgramProcess
        /// `meme-worker supervise`, the local stand-in for KEDA, whose /status local mode reads.
        let supervisor: ProgramProcess
        let supervisorPort: Int
        let prometheus: PrometheusServer

        init() async throws {
            nats = try NATSServer()
            redis = try RedisServer()
            metricsPort = try FreePort.next()
            worker = try ProgramProcess("meme-worker", environment: [
                "NATS_URL": nats.url, "REDIS_URL": redis.url, "METRICS_ADDR": "127.0.0.1:\(metricsPort)", "WORKER_CONCURRENCY": "4",
            ])
            let deadline = Date().addingTimeInterval(30)
            while HTTPProbe.get(port: metricsPort, path: "/readyz")?.status != 200 {
                guard Date() < deadline else { throw TestServerError("worker not ready:\n\(worker.log)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            supervisorPort = try FreePort.next()
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            supervisor = try ProgramProcess("meme-worker", arguments: [
                "supervise", "--scaled-object", root.appendingPathComponent("k8s/base/worker/scaledobject.yaml").path,
                "--nats-monitor-url", nats.monitorURL, "--metrics-addr", "127.0.0.1:\(supervisorPort)",
                "--worker-metrics-base-port", "\(try FreePort.next())",
            ], environment: ["NATS_URL": nats.url, "REDIS_URL": redis.url])
            prometheus = try PrometheusServer(targets: [
                "meme-worker": ["127.0.0.1:\(metricsPort)"], "supervise": ["127.0.0.1:\(supervisorPort)"],
            ])
        }
    }

    struct Run: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built meme-console off the cooperative pool (it blocks until the process ends).
    static func console(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let path = try BuiltBinary.path("meme-console")
        return try await withCheckedThrowingContinuation { done in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: path)
                process.arguments = arguments
                var env = ProcessInfo.processInfo.environment
                for key in ["KUBECONFIG", "KUBERNETES_SERVICE_HOST", "NATS_URL", "PROMETHEUS_URL", "MEME_CONSOLE_MODE", "LOCAL_SCALER_URL"] { env[key] = nil }
                env["HOME"] = NSTemporaryDirectory()
                env.merge(environment) { $1 }
                process.environment = env
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                do {
                    try process.run()
                    let o = out.fileHandleForReading.readDataToEndOfFile()
                    let e = err.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    done.resume(returning: Run(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                               stderr: String(decoding: e, as: UTF8.self)))
                } catch {
                    done.resume(throwing: error)
                }
            }
        }
    }

    static func eventually(_ timeout: Double, _ what: String, _ check: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out after \(timeout) s waiting for \(what)")
    }

    @Test func sourcesEngineAndOnceJSONAgainstRealServers() async throws {
        let stack = try await Stack()

        // 1. The engine in-process: load through JetStream with acks, queue and answers read back.
        let settings = ConsoleSettings(natsURL: stack.nats.url, prometheusURL: stack.prometheus.url, interval: 0.3,
                                       localScalerURL: "http://127.0.0.1:\(stack.supervisorPort)")
        let engine = ConsoleEngine(settings: settings, mode: .local, kubernetes: nil)
        engine.start()
        try await Self.eventually(15, "nats connected") { engine.snapshot(ui: UIState()).sources.nats.state == .ok }
        #expect(engine.perform(.submit(count: 20)))
        try await Self.eventually(60, "20 memes answered") { engine.snapshot(ui: UIState()).load.answered == 20 }
        let s = engine.snapshot(ui: UIState(burstSize: 20))
        #expect(s.load.sent == 20 && s.load.acked == 20 && s.load.errors == 0 && s.load.inFlight == 0 && s.load.burstSize == 20)
        #expect(s.load.p50Milliseconds != nil)
        #expect(s.recent.count == 20 && s.recent.allSatisfy { $0.ok && $0.latencyMilliseconds != nil && !$0.prompt.isEmpty })
        #expect(s.queue?.stream == "MEMES" && s.queue?.consumer == "meme-generator" && s.queue?.lagThreshold == 5)

        // Sustained load: on at 20/s, re-rated, off; every request acked, none lost to the re-rating.
        #expect(engine.perform(.startSustained(perSecond: 20)))
        try await Task.sleep(for: .milliseconds(500))
        #expect(engine.perform(.startSustained(perSecond: 50)))
        try await Task.sleep(for: .milliseconds(500))
        #expect(engine.snapshot(ui: UIState()).load.sustainedRate == 50)
        #expect(engine.perform(.stopSustained))
        try await Self.eventually(30, "sustained load answered") {
            let l = engine.snapshot(ui: UIState()).load
            return l.sent > 30 && l.answered == l.sent && l.acked == l.sent
        }
        #expect(engine.snapshot(ui: UIState()).load.errors == 0 && engine.snapshot(ui: UIState()).load.sustainedRate == nil)

        // 2. Prometheus scraping the real worker: throughput and latency appear. A rate needs the counters
        // to move between two scrapes, so keep a trickle of memes going while waiting.
        let client = CurlHTTPClient()
        let source = MetricsSource(baseURL: stack.prometheus.url, client: client)
        try await Self.eventually(40, "completed/s > 0 in prometheus") {
            engine.perform(.submit(count: 2))
            let m = try await source.read()
            return m.completedPerSecond > 0 && m.p50Seconds != nil && m.submittedPerSecond.map { $0 > 0 } == true
        }
        #expect(try await source.read().errorsPerSecond == 0)
        try await Self.eventually(20, "prometheus in the engine's snapshot") {
            engine.snapshot(ui: UIState()).throughput.map { $0.completedPerSecond > 0 } == true
        }
        await client.shutdown()

        // The done/s rate from the answers the console saw itself (short window), whoever sent them.
        #expect(engine.snapshot(ui: UIState()).answers.map { $0.answered > 0 && $0.p50Seconds != nil } == true)

        // Local mode: the worker's replicas and the KEDA line come from supervise's GET /status, one reading.
        try await Self.eventually(30, "the stand-in's /status in the snapshot") {
            engine.snapshot(ui: UIState()).workloads?.first?.kind == "Process"
        }
        let standIn = engine.snapshot(ui: UIState())
        #expect(standIn.workloads?.map(\.name) == ["worker"], "\(standIn.sources)")
        #expect(standIn.sources.standIn?.state == .ok)
        let keda = try #require(standIn.autoscalers?.keda.first, "\(stack.supervisor.log)")
        #expect(keda.name == "worker" && keda.source == "stand-in" && keda.lagThreshold == 5 && keda.activationThreshold == 0)
        #expect(keda.min == 0 && keda.max == 10 && !keda.explanation.isEmpty && keda.ageSeconds != nil)
        #expect(standIn.queue?.lagThreshold == 5)
        // The burst above scaled the worker up: that event came from /status with the lag it was decided on.
        #expect(standIn.events.contains { $0.kind == "keda" && $0.message.hasPrefix("worker 0 → ") && !$0.message.contains("(lag unknown)") },
                "\(standIn.events)")

        // 3. Purge through the effect.
        engine.setNotice(nil)
        #expect(engine.perform(.purgeQueue))
        try await Self.eventually(10, "purge notice") { engine.notice?.hasPrefix("purged") == true }
        await engine.shutdown()

        // 4. --once --json, local mode: valid JSON with the documented keys, exit 0.
        let local = try await Self.console(["--once", "--json", "--mode", "local", "--nats-url", stack.nats.url,
                                            "--prometheus-url", stack.prometheus.url,
                                            "--local-scaler-url", "http://127.0.0.1:\(stack.supervisorPort)"])
        #expect(local.status == 0, "\(local.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(local.stdout.utf8)) as? [String: Any], "\(local.stdout)")
        #expect(Set(json.keys).isSuperset(of: ["sources", "mode", "load", "recent", "events", "paused", "queue", "throughput"]))
        #expect(json["mode"] as? String == "local")
        let sources = try #require(json["sources"] as? [String: [String: Any]])
        #expect(sources["nats"]?["state"] as? String == "ok")
        #expect(sources["prometheus"]?["state"] as? String == "ok")
        #expect(sources["kubernetes"]?["state"] as? String == "disabled")
        #expect(sources["stand_in"]?["state"] as? String == "ok", "\(local.stdout)")
        let queue = try #require(json["queue"] as? [String: Any])
        #expect(Set(queue.keys) == ["stream", "consumer", "pending", "ack_pending", "redelivered", "lag", "lag_threshold", "age_s",
                                    "messages", "max_messages"])
        // The stream's bound (issue 18 item 8), read from /jsz?config=true.
        #expect(queue["max_messages"] as? Int == 20_000)  // MemeDefaults.streamMaxMessages
        let throughput = try #require(json["throughput"] as? [String: Any])
        #expect(throughput["completed_per_s"] is Double && throughput["errors_per_s"] is Double)
        #expect(Set((json["load"] as? [String: Any] ?? [:]).keys).isSuperset(of: ["sent", "acked", "answered", "errors", "in_flight", "burst_size"]))

        // 5. Cluster mode through the fake API (real captures): VPA figures in millicores and bytes.
        // (`--kube-api` is the deprecated spelling of `--kube-api-url`: it still works, with a warning.)
        let api = try FakeKubernetesAPI()
        defer { api.stop() }
        let cluster = try await Self.console(["--once", "--json", "--kube-api", api.url, "--namespace", "openshift-ingress-operator",
                                              "--cache-namespace", "vpa-adventure", "--nats-url", stack.nats.url,
                                              "--prometheus-url", stack.prometheus.url])
        #expect(cluster.status == 0, "\(cluster.stderr)")
        #expect(cluster.stderr.contains("meme-console: --kube-api is deprecated; use --kube-api-url"))
        let cj = try #require(try JSONSerialization.jsonObject(with: Data(cluster.stdout.utf8)) as? [String: Any], "\(cluster.stdout)")
        #expect(cj["mode"] as? String == "cluster")
        let autoscalers = try #require(cj["autoscalers"] as? [String: Any])
        let vpas = try #require(autoscalers["vpa"] as? [[String: Any]])
        let hamster = try #require(vpas.first { $0["name"] as? String == "hamster-vpa" })
        let container = try #require((hamster["containers"] as? [[String: Any]])?.first)
        let target = try #require(container["target"] as? [String: Any])
        #expect(target["cpu_millicores"] as? Int == 247)
        #expect(target["memory_bytes"] as? Int == 262_144_000)
        #expect((autoscalers["keda"] as? [[String: Any]])?.first?["name"] as? String == "test-app-scale-on-worker-role")

        // 6. A required source down: exit 1, the JSON still printed with the reason.
        stack.nats.stop()
        let down = try await Self.console(["--once", "--json", "--mode", "local", "--nats-url", stack.nats.url,
                                           "--prometheus-url", stack.prometheus.url, "--timeout", "2"])
        #expect(down.status == 1)
        #expect(down.stderr.contains("required source down: nats"))
        let dj = try JSONSerialization.jsonObject(with: Data(down.stdout.utf8)) as? [String: Any]
        let natsStatus = (dj?["sources"] as? [String: [String: Any]])?["nats"]
        #expect(natsStatus?["state"] as? String == "down")
        #expect((natsStatus?["error"] as? String)?.contains("connection refused") == true)
        stack.prometheus.stop()
    }
}
