import Foundation
import JetStream
import MemeKit
import NATS
import NIOCore
import Synchronization
import TestServers

/// A real nats-server + redis-server + `meme-worker` process, and a NATS client that records every
/// answer on `meme.response` / `meme.response.error`.
final class WorkerHarness: @unchecked Sendable {
    let nats: NATSServer
    let redis: RedisServer
    let metricsPort: Int
    let ackWait: Int
    /// Extra environment for every worker this harness starts (e.g. HF_API_TOKEN and stub URLs).
    let env: [String: String]
    var worker: ProgramProcess?
    let client: NATSConnection
    let js: JetStream
    let answers = Mutex<[String: [Answer]]>([:])
    private var listeners: [Task<Void, Never>] = []

    struct Answer: Sendable {
        var ok: Bool
        var json: [String: JSONValue]
        var string: String? { if case .string(let s)? = json["error"] { return s } else { return nil } }
    }

    /// - Parameter maxPayload: the nats-server's max_payload (a default server's is 1 MB).
    init(ackWait: Int = 60, concurrency: Int = 2, env: [String: String] = [:], maxPayload: Int = 8 * 1024 * 1024) async throws {
        nats = try NATSServer(maxPayload: maxPayload)
        redis = try RedisServer()
        metricsPort = try FreePort.next()
        self.ackWait = ackWait
        self.env = env
        client = try await NATSConnection.connect(NATSOptions(servers: [nats.url], name: "worker-test"))
        js = JetStream(client)
        for (subject, ok) in [("meme.response", true), ("meme.response.error", false)] {
            let sub = try await client.subscribe(subject)
            listeners.append(Task { [self] in
                do {
                    for try await message in sub {
                        guard case .object(let json)? = try? JSONDecoder().decode(JSONValue.self, from: Data(message.bytes)),
                              case .string(let id)? = json["request_id"] else { continue }
                        answers.withLock { $0[id, default: []].append(Answer(ok: ok, json: json)) }
                    }
                } catch {}
            })
        }
        try await client.flush()
        try startWorker(concurrency: concurrency)
        try await waitUntilReady()
    }

    func startWorker(concurrency: Int = 2, extra: [String: String] = [:]) throws {
        var env = [
            "NATS_URL": nats.url, "REDIS_URL": redis.url, "METRICS_ADDR": "127.0.0.1:\(metricsPort)",
            "NATS_ACK_WAIT": "\(ackWait)", "WORKER_CONCURRENCY": "\(concurrency)", "WORKER_NAME": "test-worker",
        ]
        env.merge(self.env) { $1 }
        env.merge(extra) { $1 }
        worker = try ProgramProcess("meme-worker", environment: env)
    }

    func waitUntilReady(timeout: TimeInterval = 30) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if HTTPProbe.get(port: metricsPort, path: "/readyz")?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestServerError("worker not ready within \(timeout) s:\n\(worker?.log ?? "")")
    }

    /// Publishes raw bytes to the request stream, as any client of the original would.
    @discardableResult
    func submit(_ payload: [UInt8], messageID: String? = nil) async throws -> PubAck {
        try await js.publish("meme.request", payload: payload, messageID: messageID)
    }

    func submit(json: String, messageID: String? = nil) async throws {
        try await submit(Array(json.utf8), messageID: messageID)
    }

    func answers(for id: String) -> [Answer] { answers.withLock { $0[id] ?? [] } }

    /// Waits until every id has at least one answer; returns the ids still missing.
    func waitForAnswers(_ ids: some Collection<String>, timeout: TimeInterval) async throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let missing = answers.withLock { a in ids.filter { a[$0] == nil } }
            if missing.isEmpty || Date() > deadline { return missing }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func metric(_ name: String) -> Double? {
        guard let page = HTTPProbe.get(port: metricsPort, path: "/metrics")?.body else { return nil }
        for line in page.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    /// Synchronous, so a `defer` can call it: a `defer { Task { … } }` may never run before the
    /// test process exits, leaving servers behind.
    func stopProcesses() {
        worker?.process.stop()
        listeners.forEach { $0.cancel() }
        nats.stop()
        redis.stop()
    }

    func shutdown() async {
        stopProcesses()
        await client.close()
    }
}
