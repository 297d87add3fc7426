import Foundation
import NATS
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
        options.reconnectWait = .milliseconds(50)
        options.maxReconnectWait = .milliseconds(200)
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

/// `…/Tests/JetStreamTests/Support.swift` → the shared fixtures next to the checkout (../shared/fixtures).
func fixture(_ name: String) throws -> Data {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<6 {
        let candidate = dir.appendingPathComponent("shared/fixtures/nats/\(name)")
        if FileManager.default.fileExists(atPath: candidate.path) { return try Data(contentsOf: candidate) }
        dir.deleteLastPathComponent()
    }
    throw JetStreamError.client("fixture \(name) not found above \(#filePath)")
}
