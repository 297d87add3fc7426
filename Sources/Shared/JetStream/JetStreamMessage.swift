import Foundation
import NATS
import NIOCore

/// Delivery facts carried in the ack subject (ADR-15):
/// `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` (9 tokens) or
/// `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>[.<token>]` (11/12).
public struct JetStreamMetadata: Sendable, Equatable {
    public var domain: String?
    public var accountHash: String?
    public var stream: String
    public var consumer: String
    /// 1 on first delivery, more on redeliveries.
    public var numDelivered: UInt64
    public var streamSequence: UInt64
    public var consumerSequence: UInt64
    /// Nanoseconds since 1970 when the message was stored.
    public var timestampNanos: Int64
    /// Messages still pending for the consumer after this one.
    public var numPending: UInt64

    public var timestamp: Date { Date(timeIntervalSince1970: Double(timestampNanos) / 1e9) }

    public init(replySubject: String) throws {
        let tokens = replySubject.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.count >= 2, tokens[0] == "$JS", tokens[1] == "ACK" else {
            throw JetStreamError.client("not a JetStream ack subject: \(replySubject.debugDescription)")
        }
        let base: Int
        switch tokens.count {
        case 9:
            base = 2
        case 11, 12:
            domain = tokens[2] == "_" ? nil : String(tokens[2])
            accountHash = String(tokens[3])
            base = 4
        default:
            throw JetStreamError.client("ack subject has \(tokens.count) tokens, expected 9, 11 or 12: \(replySubject.debugDescription)")
        }
        func number<T: FixedWidthInteger>(_ i: Int, _ what: String) throws -> T {
            guard let value = T(tokens[base + i]) else {
                throw JetStreamError.client("bad \(what) in ack subject \(replySubject.debugDescription)")
            }
            return value
        }
        stream = String(tokens[base])
        consumer = String(tokens[base + 1])
        numDelivered = try number(2, "delivery count")
        streamSequence = try number(3, "stream sequence")
        consumerSequence = try number(4, "consumer sequence")
        timestampNanos = try number(5, "timestamp")
        numPending = try number(6, "pending count")
    }
}

/// A message from a JetStream consumer, with its metadata and acknowledgement methods.
public struct JetStreamMessage: Sendable {
    public let message: NATSMessage
    public let metadata: JetStreamMetadata
    let connection: NATSConnection

    public init(_ message: NATSMessage, connection: NATSConnection) throws {
        guard let reply = message.replyTo else { throw JetStreamError.client("message on \(message.subject) has no ack subject") }
        self.message = message
        self.metadata = try JetStreamMetadata(replySubject: reply)
        self.connection = connection
    }

    public var subject: String { message.subject }
    public var payload: ByteBuffer { message.payload }
    public var bytes: [UInt8] { message.bytes }
    public var headers: NATSHeaders? { message.headers }

    /// `+ACK`: done, do not redeliver.
    public func ack() async throws { try await send("+ACK") }

    /// `+ACK` as a request: returns once the server confirmed it (so the ack cannot be lost).
    public func doubleAck(timeout: Duration = .seconds(5)) async throws {
        guard let reply = message.replyTo else { return }
        _ = try await connection.request(reply, payload: "+ACK", timeout: timeout)
    }

    /// `-NAK`: redeliver, after `delay` if given.
    public func nak(delay: Duration? = nil) async throws {
        if let delay {
            try await send("-NAK {\"delay\": \(delay.nanoseconds)}")
        } else {
            try await send("-NAK")
        }
    }

    /// `+WPI`: still working, restart the ack wait.
    public func inProgress() async throws { try await send("+WPI") }

    /// `+TERM`: never redeliver. The reason goes to servers ≥ 2.10 (they report it in advisories); older servers
    /// only understand a bare `+TERM`, so it is left out for them.
    public func term(reason: String? = nil) async throws {
        if let reason, !reason.isEmpty, Self.supportsTermReason(connection.serverInfo?.version) {
            try await send("+TERM \(reason)")
        } else {
            try await send("+TERM")
        }
    }

    static func supportsTermReason(_ version: String?) -> Bool {
        guard let version else { return false }
        let parts = version.split(separator: ".").prefix(2).map { Int($0.prefix { $0.isNumber }) ?? 0 }
        guard parts.count == 2 else { return false }
        return parts[0] > 2 || (parts[0] == 2 && parts[1] >= 10)
    }

    private func send(_ body: String) async throws {
        guard let reply = message.replyTo else { return }
        try await connection.publish(reply, payload: body)
    }
}
