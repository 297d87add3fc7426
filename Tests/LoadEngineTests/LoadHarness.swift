import Foundation
import NATS
import TestServers

/// A real nats-server, optionally a real `meme-worker` (no Redis: REDIS_URL=off; it renders small images
/// with the offline renderer), and a client connection for the engine under test.
final class LoadHarness: @unchecked Sendable {
    let nats: NATSServer
    let connection: NATSConnection
    private(set) var worker: ProgramProcess?
    private(set) var metricsPort = 0
    private(set) var web: ProgramProcess?
    private(set) var redis: RedisServer?

    init(worker withWorker: Bool = true, concurrency: Int = 4) async throws {
        nats = try NATSServer()
        var options = NATSOptions(servers: [nats.url], name: "load-test")
        // Keep retrying while a test has the server down, so publishes fail by their own timeout.
        options.maxReconnectAttempts = 1000
        connection = try await NATSConnection.connect(options)
        if withWorker { try await startWorker(concurrency: concurrency) }
    }

    func startWorker(concurrency: Int) async throws {
        metricsPort = try FreePort.next()
        worker = try ProgramProcess("meme-worker", environment: [
            "NATS_URL": nats.url, "REDIS_URL": "off", "METRICS_ADDR": "127.0.0.1:\(metricsPort)",
            "WORKER_CONCURRENCY": "\(concurrency)", "WORKER_NAME": "load-test-worker",
        ])
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if HTTPProbe.get(port: metricsPort, path: "/readyz")?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerProcessError("worker not ready within 30 s:\n\(worker?.log ?? "")")
    }

    /// Runs `body` with a fresh harness and always stops the servers afterwards (a `defer { Task { … } }`
    /// may never run before the test process exits, leaving nats-server behind).
    static func with<T>(worker: Bool = true, concurrency: Int = 4, _ body: (LoadHarness) async throws -> T) async throws -> T {
        let h = try await LoadHarness(worker: worker, concurrency: concurrency)
        do {
            let result = try await body(h)
            await h.shutdown()
            return result
        } catch {
            await h.shutdown()
            throw error
        }
    }

    /// meme-web (with its own redis-server) in front of this harness's NATS; returns its base URL.
    /// `limits` replaces the default of no rate limit (`WEB_RATE_LIMIT=0`); `[:]` keeps meme-web's own defaults.
    func startWeb(limits: [String: String] = ["WEB_RATE_LIMIT": "0"]) async throws -> String {
        let redis = try RedisServer()
        let port = try FreePort.next()
        self.redis = redis
        web = try ProgramProcess("meme-web", environment: [
            "HOST": "127.0.0.1", "PORT": "\(port)", "NATS_URL": nats.url, "REDIS_URL": redis.url, "LOG_LEVEL": "warning",
        ].merging(limits) { $1 })
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if HTTPProbe.get(port: port, path: "/readyz")?.status == 200 { return "http://127.0.0.1:\(port)" }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerProcessError("meme-web not ready within 30 s:\n\(web?.log ?? "")")
    }

    func shutdown() async {
        web?.process.stop()
        redis?.stop()
        worker?.process.stop()
        await connection.close()
        nats.stop()
    }
}

/// Runs `meme-console` to completion (or kills it after `timeout`), with its output.
struct ConsoleRun {
    var status: Int32?
    var output: String

    init(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60) throws {
        let program = try ProgramProcess("meme-console", arguments: arguments, environment: environment)
        status = program.process.waitForExit(timeout: timeout)
        output = program.log
        if status == nil { program.process.kill9() }
    }
}
