import NIOCore

/// A message delivered to a subscription (or a request's reply).
public struct NATSMessage: Sendable {
    public var subject: String
    public var replyTo: String?
    /// The payload. `bytes` and `string` are copies for convenience.
    public var payload: ByteBuffer
    public var headers: NATSHeaders?
    /// Inline status from the header line, e.g. 503 (no responders), 408 (request timeout),
    /// 100 (idle heartbeat), 404 (no messages), 409 (conflict). nil for ordinary messages.
    public var status: Int?
    public var statusDescription: String?
    /// Subscription id on this connection.
    public var sid: UInt64

    public init(subject: String, replyTo: String? = nil, payload: ByteBuffer, headers: NATSHeaders? = nil,
                status: Int? = nil, statusDescription: String? = nil, sid: UInt64 = 0) {
        self.subject = subject
        self.replyTo = replyTo
        self.payload = payload
        self.headers = headers
        self.status = status
        self.statusDescription = statusDescription
        self.sid = sid
    }

    public var bytes: [UInt8] { Array(payload.readableBytesView) }
    public var string: String { String(buffer: payload) }
}
