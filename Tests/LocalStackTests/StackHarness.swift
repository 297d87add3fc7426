import Autoscaling
import Foundation
import JetStream
import NATS
import TestServers

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let k8sBase = "\(repoRoot)/k8s/base"

/// Real nats-server + redis-server and a real `meme-stack up --only worker` process (the KEDA stand-in)
/// whose children are real workers.
final class StackHarness: @unchecked Sendable {
    /// The NATS server, or the first member of `natsCluster`.
    let nats: NATSServer
    /// A started cluster the stack is pointed at (every member's URL and monitor), when given.
    let natsCluster: NATSCluster?
    let redis: RedisServer
    let metricsPort: Int
    let workerBasePort: Int
    let supervisor: ProgramProcess
    let workerLogs: String
    /// Every child pid ever seen, to check none is left behind.
    private(set) var seenChildren = Set<Int32>()

    init(arguments: [String], workerEnvironment: [String: String] = [:], maxWorkers: Int, k8s: String = k8sBase,
         natsCluster: NATSCluster? = nil) throws {
        self.natsCluster = natsCluster
        nats = try natsCluster?.servers[0] ?? NATSServer()
        redis = try RedisServer()
        metricsPort = try FreePort.next()
        workerBasePort = try FreePort.block(maxWorkers)
        let dir = try ManagedProcess.makeTempDirectory(prefix: "stack")
        var env = [
            "NATS_URL": natsCluster?.url ?? nats.url, "REDIS_URL": redis.url,
            "NATS_MONITOR_URL": natsCluster?.servers.map(\.monitorURL).joined(separator: ",") ?? nats.monitorURL,
            "DEMO_CONTROL_PORT": "\(metricsPort)", "DEMO_WORKER_METRICS_BASE_PORT": "\(workerBasePort)",
            "DEMO_WEB_PROCESS_BASE_PORT": "\(try FreePort.block(10, avoiding: [workerBasePort..<(workerBasePort + 10)]))",
            "WORKER_CONCURRENCY": "1",
        ]
        env.merge(workerEnvironment) { $1 }
        // Worker logs go to <dir>/logs, so the stack's own log stays short enough to search.
        workerLogs = dir.appendingPathComponent("logs").path
        supervisor = try ProgramProcess("meme-stack", arguments: [
            "up", "--only", "worker", "--dir", dir.path, "--k8s", k8s, "--max-replica-count", "\(maxWorkers)",
        ] + arguments, environment: env)
    }

    /// Waits until /readyz says the lag was read (the stream and consumer exist).
    func waitUntilReady(timeout: TimeInterval = 60) async throws {
        try await waitFor("supervisor ready", timeout: timeout) { HTTPProbe.get(port: metricsPort, path: "/readyz")?.status == 200 }
    }

    var metricsPage: String? { HTTPProbe.get(port: metricsPort, path: "/metrics")?.body }

    /// `name` → value for the first series of each metric (labels ignored).
    func metrics() -> [String: Double] {
        var out: [String: Double] = [:]
        for line in (metricsPage ?? "").split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            if out[name] == nil, let value = Double(line.split(separator: " ").last ?? "") { out[name] = value }
        }
        return out
    }

    func metric(_ name: String) -> Double? { metrics()[name] }

    /// The stack's `GET /status`, decoded as the console decodes it.
    func status() throws -> LocalScalerStatus {
        guard let r = HTTPProbe.get(port: metricsPort, path: "/status") else { throw ServerProcessError("GET /status: no answer") }
        guard r.status == 200 else { throw ServerProcessError("GET /status: \(r.status) \(r.body)") }
        return try JSONDecoder().decode(LocalScalerStatus.self, from: Data(r.body.utf8))
    }

    /// Live child processes of the supervisor (from /proc), recorded in `seenChildren`.
    func childPIDs() -> [Int32] {
        guard let pid = supervisor.process.pid else { return [] }
        let kids = Self.children(of: pid)
        seenChildren.formUnion(kids)
        return kids
    }

    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // Fields after "(comm)": state, ppid, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && fields[0] != "Z" && Int32(fields[1]) == parent
        }
    }

    /// True while a process exists and is not a zombie.
    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    func waitFor(_ what: String, timeout: TimeInterval, _ check: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if check() { return }
            if !supervisor.process.isRunning { throw ServerProcessError("meme-stack exited while waiting for \(what):\n\(supervisor.log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerProcessError("timed out after \(Int(timeout)) s waiting for \(what); metrics:\n\(metricsPage ?? "none")\nlog:\n\(supervisor.log)")
    }

    func shutdown() {
        supervisor.process.stop(grace: 40)
        if let natsCluster { natsCluster.stop() } else { nats.stop() }
        redis.stop()
    }
}

/// The worker tests' Hugging Face stand-in (Tests/WorkerServiceTests/Resources/hf_stub_server.py), used
/// here for its `/slow` model: every image takes a fixed time, so the lag a steady rate leaves does not
/// depend on how busy the machine is.
final class SlowImageStub: Sendable {
    let port: Int
    let token = "hf_supervise_\(UUID().uuidString.prefix(8))"
    private let process: ManagedProcess

    init() throws {
        port = try FreePort.next()
        let script = "\(repoRoot)/Tests/WorkerServiceTests/Resources/hf_stub_server.py"
        process = ManagedProcess(name: "hf-stub", executable: try ManagedProcess.locate("python3"),
                                 arguments: [script, "\(port)", token], directory: try ManagedProcess.makeTempDirectory(prefix: "hfstub"))
        try process.start()
        let port = self.port
        try process.waitUntil { FreePort.isListening(port) }
    }

    /// Worker environment: both models answer after `seconds`.
    func workerEnvironment(seconds: Double) -> [String: String] {
        let url = "http://127.0.0.1:\(port)/slow/supervise?seconds=\(seconds)"
        return ["HF_API_TOKEN": token, "HF_API_URL": url, "HF_FAST_API_URL": url]
    }

    func stop() { process.stop(grace: 1) }
}
