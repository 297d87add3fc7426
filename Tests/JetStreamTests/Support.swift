import Foundation
import NATS
import Retry
import TestServers
@testable import JetStream

func withTimeout<T: Sendable>(_ seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw JetStreamError.client("test step timed out after \(seconds) s")
        }
        group.cancelAll()
        return value
    }
}

/// A server, a connection, a work-queue stream MEMES on meme.request and a durable pull consumer.
struct Fixture {
    let server: NATSServer
    let nc: NATSConnection
    let js: JetStream

    init(ackWait: Duration = .seconds(1), maxDeliver: Int? = nil) async throws {
        server = try NATSServer()
        var options = NATSOptions(servers: [server.url], name: "js-tests")
        options.reconnect = RetryPolicy(initial: .milliseconds(50), maximum: .milliseconds(200))
        options.maxReconnectAttempts = -1
        nc = try await NATSConnection.connect(options)
        js = JetStream(nc)
        try await js.createOrUpdateStream(StreamConfig(
            name: "MEMES", subjects: ["meme.request"], retention: .workQueue, storage: .file, duplicateWindow: .seconds(120)))
        try await js.createOrUpdateConsumer(stream: "MEMES", ConsumerConfig(
            durable: "gen", ackPolicy: .explicit, ackWait: ackWait, maxDeliver: maxDeliver, filterSubject: "meme.request"))
    }

    func publish(_ count: Int, from start: Int = 0) async throws {
        for i in start..<(start + count) {
            try await js.publish("meme.request", payload: Array("m\(i)".utf8), messageID: "id-\(i)")
        }
    }
}

/// A captured NATS reply from Tests/Fixtures/nats (see Tests/Fixtures/SOURCES.md).
func fixture(_ name: String) throws -> Data {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/nats/\(name)")
    guard FileManager.default.fileExists(atPath: path.path) else { throw JetStreamError.client("fixture \(path.path) not found") }
    return try Data(contentsOf: path)
}
