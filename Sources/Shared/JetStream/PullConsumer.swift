import Foundation
import NATS
import NIOCore
import Synchronization

/// A pull consumer (ADR-13): `fetch` for one batch, `messages()` for a continuous flow.
public struct PullConsumer: Sendable {
    public let js: JetStream
    public let stream: String
    public let name: String
    /// Info from when the handle was made.
    public let cachedInfo: ConsumerInfo

    init(js: JetStream, stream: String, name: String, info: ConsumerInfo) {
        self.js = js
        self.stream = stream
        self.name = name
        self.cachedInfo = info
    }

    var nextSubject: String { "\(js.apiPrefix).CONSUMER.MSG.NEXT.\(stream).\(name)" }

    public func info() async throws -> ConsumerInfo {
        try await js.consumerInfo(stream: stream, consumer: name)
    }

    /// Up to `batch` messages, returning early when the server says there are no more (404/408) or `expires` passes.
    public func fetch(batch: Int, expires: Duration = .seconds(5)) async throws -> [JetStreamMessage] {
        guard batch > 0 else { throw JetStreamError.client("fetch batch must be > 0, got \(batch)") }
        let connection = js.connection
        let inbox = NATSConnection.newInbox()
        let sub = try await connection.subscribe(inbox, capacity: batch + 16)
        defer { Task { try? await sub.unsubscribe() } }
        let request = PullRequest(batch: batch, expires: expires.nanoseconds, noWait: nil, idleHeartbeat: nil)
        try await connection.publish(nextSubject, payload: ByteBuffer(bytes: try JSONEncoder().encode(request)), replyTo: inbox)
        return try await withThrowingTaskGroup(of: [JetStreamMessage]?.self) { group in
            group.addTask {
                var out: [JetStreamMessage] = []
                for try await message in sub {
                    switch message.status {
                    case nil:
                        out.append(try JetStreamMessage(message, connection: connection))
                        if out.count == batch { return out }
                    case 100:
                        continue
                    case 404, 408:
                        return out
                    case 409:
                        let text = message.statusDescription ?? "conflict"
                        if out.isEmpty && !text.lowercased().contains("exceeded maxrequestbatch") {
                            throw JetStreamError(code: 409, errorCode: 0, description: "pull request refused: \(text)")
                        }
                        return out
                    default:
                        throw JetStreamError(code: message.status ?? 0, errorCode: 0,
                                             description: "pull request failed: \(message.statusDescription ?? "status \(message.status ?? 0)")")
                    }
                }
                return out
            }
            group.addTask {
                // The server answers 408 at `expires`; this is only a guard against a lost reply.
                try await Task.sleep(for: expires + .seconds(1))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }

    /// A continuous flow of messages: keeps up to `batch` requested, asks for more once half of them were consumed,
    /// asks the server for idle heartbeats and re-pulls when they stop (lost pull, server restart), and re-pulls
    /// after a reconnect. Stop by leaving the loop (or `stop()`).
    public func messages(batch: Int = 64, expires: Duration = .seconds(30), idleHeartbeat: Duration? = nil) -> JetStreamMessages {
        let heartbeat = idleHeartbeat ?? min(.seconds(5), expires / 2)
        return JetStreamMessages(consumer: self, batch: max(1, batch), expires: expires, heartbeat: heartbeat)
    }
}

struct PullRequest: Encodable {
    var batch: Int
    var expires: Int64
    var noWait: Bool?
    var idleHeartbeat: Int64?
    enum CodingKeys: String, CodingKey { case batch, expires, noWait = "no_wait", idleHeartbeat = "idle_heartbeat" }
}
