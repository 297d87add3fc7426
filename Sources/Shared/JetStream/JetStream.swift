import Foundation
import NATS
import NIOCore

/// The JetStream API over a NATS connection: streams, consumers, publish with ack.
///
///     let js = JetStream(nc)
///     try await js.createOrUpdateStream(StreamConfig(name: "MEMES", subjects: ["meme.request"], retention: .workQueue))
///     let ack = try await js.publish("meme.request", payload: bytes, messageID: id)
public struct JetStream: Sendable {
    public let connection: NATSConnection
    /// API subject prefix (`$JS.API`, or `$JS.<domain>.API`).
    public let apiPrefix: String
    /// Timeout of each API request (and of a publish's ack).
    public let timeout: Duration
    /// How long an API call or a publish keeps trying through a cluster's leader election or a reconnect
    /// (no responders, 503, and — when repeating cannot store twice — a timeout). Zero: one attempt. 30 s by
    /// default: nats-server elects a new meta leader 10–16 s after losing one (measured, ClusterTests).
    public let retryWindow: Duration

    public init(_ connection: NATSConnection, domain: String? = nil, timeout: Duration = .seconds(5),
                retryWindow: Duration = .seconds(30)) {
        self.connection = connection
        apiPrefix = domain.map { "$JS.\($0).API" } ?? "$JS.API"
        self.timeout = timeout
        self.retryWindow = retryWindow
    }

    // MARK: Streams

    /// Creates the stream, or updates it when it exists with another configuration.
    @discardableResult
    public func createOrUpdateStream(_ config: StreamConfig) async throws -> StreamInfo {
        try Self.checkName(config.name, "stream")
        do {
            return try await api("STREAM.CREATE.\(config.name)", body: config)
        } catch let error as JetStreamError where error.errorCode == JetStreamError.streamNameInUse {
            return try await api("STREAM.UPDATE.\(config.name)", body: config)
        }
    }

    public func streamInfo(_ name: String) async throws -> StreamInfo {
        try Self.checkName(name, "stream")
        return try await api("STREAM.INFO.\(name)")
    }

    /// Removes every message; returns how many were purged.
    @discardableResult
    public func purgeStream(_ name: String) async throws -> UInt64 {
        try Self.checkName(name, "stream")
        let reply: PurgeResponse = try await api("STREAM.PURGE.\(name)")
        return reply.purged ?? 0
    }

    public func deleteStream(_ name: String) async throws {
        try Self.checkName(name, "stream")
        let _: SuccessResponse = try await api("STREAM.DELETE.\(name)")
    }

    // MARK: Consumers

    /// Creates a pull consumer (durable when `config.durable` is set), or updates an existing durable.
    @discardableResult
    public func createOrUpdateConsumer(stream: String, _ config: ConsumerConfig) async throws -> ConsumerInfo {
        try Self.checkName(stream, "stream")
        struct Request: Encodable {
            var streamName: String
            var config: ConsumerConfig
            enum CodingKeys: String, CodingKey { case streamName = "stream_name", config }
        }
        let body = Request(streamName: stream, config: config)
        if let durable = config.durable {
            try Self.checkName(durable, "consumer")
            // DURABLE.CREATE is understood by every 2.x server; it updates the allowed fields of an existing durable.
            return try await api("CONSUMER.DURABLE.CREATE.\(stream).\(durable)", body: body)
        }
        return try await api("CONSUMER.CREATE.\(stream)", body: body)
    }

    public func consumerInfo(stream: String, consumer: String) async throws -> ConsumerInfo {
        try Self.checkName(stream, "stream")
        try Self.checkName(consumer, "consumer")
        return try await api("CONSUMER.INFO.\(stream).\(consumer)")
    }

    public func deleteConsumer(stream: String, consumer: String) async throws {
        try Self.checkName(stream, "stream")
        try Self.checkName(consumer, "consumer")
        let _: SuccessResponse = try await api("CONSUMER.DELETE.\(stream).\(consumer)")
    }

    /// A handle on an existing pull consumer (checked with a CONSUMER.INFO request).
    public func consumer(stream: String, name: String) async throws -> PullConsumer {
        let info = try await consumerInfo(stream: stream, consumer: name)
        return PullConsumer(js: self, stream: stream, name: name, info: info)
    }

    // MARK: Publish

    /// Publishes to a stream and waits for the server's ack. `messageID` sets `Nats-Msg-Id`: a repeat within the
    /// stream's duplicate window is not stored again (`PubAck.duplicate`). Within `retryWindow` it tries again on what a
    /// cluster in motion answers (see `ClusterRetry`): no responders (JetStream not ready yet, e.g. right after a
    /// server restart), a 503, and — only with a `messageID`, so the stream drops a repeat — a lost ack (timeout,
    /// connection lost). `holdWhileDisconnected: false`: see
    /// `NATSConnection.request` (the publish is never sent on a later connection, nor after the caller gave up).
    @discardableResult
    public func publish(_ subject: String, payload: ByteBuffer = ByteBuffer(), headers: NATSHeaders? = nil,
                        messageID: String? = nil, holdWhileDisconnected: Bool = true) async throws -> PubAck {
        var headers = headers
        if let messageID {
            var h = headers ?? NATSHeaders()
            h[NATSHeaderName.messageID] = messageID
            headers = h
        }
        do {
            // With an id a repeat is dropped by the stream, so a lost ack can be retried; without one only
            // failures that stored nothing are.
            return try await retrying(idempotent: messageID != nil) {
                let reply = try await connection.request(subject, payload: payload, headers: headers, timeout: timeout,
                                                         holdWhileDisconnected: holdWhileDisconnected)
                return try Self.decode(PubAck.self, from: reply)
            }
        } catch let error as NATSError where error.kind == .noResponders {
            throw JetStreamError(code: 503, errorCode: 0, description: "no stream listens on \(subject) (or JetStream is not enabled)")
        }
    }

    @discardableResult
    public func publish(_ subject: String, payload: [UInt8], headers: NATSHeaders? = nil, messageID: String? = nil,
                        holdWhileDisconnected: Bool = true) async throws -> PubAck {
        try await publish(subject, payload: ByteBuffer(bytes: payload), headers: headers, messageID: messageID,
                          holdWhileDisconnected: holdWhileDisconnected)
    }

    // MARK: Plumbing

    func api<Response: Decodable>(_ suffix: String) async throws -> Response {
        try await request(suffix, payload: ByteBuffer())
    }

    func api<Response: Decodable>(_ suffix: String, body: some Encodable) async throws -> Response {
        let data = try JSONEncoder().encode(body)
        return try await request(suffix, payload: ByteBuffer(bytes: data))
    }

    private func request<Response: Decodable>(_ suffix: String, payload: ByteBuffer) async throws -> Response {
        do {
            return try await retrying(idempotent: true) {
                let reply = try await connection.request("\(apiPrefix).\(suffix)", payload: payload, timeout: timeout)
                return try Self.decode(Response.self, from: reply)
            }
        } catch let error as NATSError where error.kind == .noResponders {
            throw JetStreamError(code: 503, errorCode: JetStreamError.jetStreamNotEnabled, description: "JetStream is not enabled on the server")
        }
    }

    /// Runs `operation` until it succeeds, fails for good, or `retryWindow` has passed (see `ClusterRetry`).
    func retrying<T>(idempotent: Bool, _ operation: () async throws -> T) async throws -> T {
        let retry = ClusterRetry(window: retryWindow)
        let start = ContinuousClock.now
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await operation()
            } catch {
                guard case .retry(let wait) = retry.verdict(after: error, attempt: attempt, elapsed: .now - start,
                                                            idempotent: idempotent) else { throw error }
                try await Task.sleep(for: wait)
            }
        }
    }

    /// Decodes an API reply: an `error` object becomes a thrown `JetStreamError`.
    static func decode<T: Decodable>(_ type: T.Type, from message: NATSMessage) throws -> T {
        try decode(type, from: Data(message.payload.readableBytesView))
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        if let envelope = try? decoder.decode(ErrorEnvelope.self, from: data), let error = envelope.error {
            throw error
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw JetStreamError.client("unexpected reply for \(T.self): \(error)")
        }
    }

    static func checkName(_ name: String, _ what: String) throws {
        let bad = name.isEmpty || name.contains { $0 == "." || $0 == "*" || $0 == ">" || $0.isWhitespace }
        if bad { throw JetStreamError.client("invalid \(what) name \(name.debugDescription): must be non-empty, without '.', '*', '>' or spaces") }
    }
}

struct ErrorEnvelope: Decodable { var error: JetStreamError? }

/// The server's acknowledgement of a JetStream publish.
public struct PubAck: Decodable, Sendable, Equatable {
    public var stream: String
    public var sequence: UInt64
    /// True when the `Nats-Msg-Id` was seen within the duplicate window: the message was not stored again.
    public var duplicate: Bool
    public var domain: String?

    enum CodingKeys: String, CodingKey { case stream, sequence = "seq", duplicate, domain }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stream = try c.decode(String.self, forKey: .stream)
        sequence = try c.decodeIfPresent(UInt64.self, forKey: .sequence) ?? 0
        duplicate = try c.decodeIfPresent(Bool.self, forKey: .duplicate) ?? false
        domain = try c.decodeIfPresent(String.self, forKey: .domain)
    }
}
