/// Every error the NATS client throws. `message` says what went wrong in words a user can act on;
/// it never contains credentials.
public struct NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidURL
        case unsupportedScheme
        case connectionFailed
        case authorizationFailed
        case protocolError
        case serverError
        case maxPayloadExceeded
        case invalidSubject
        case timeout
        case noResponders
        case connectionClosed
        case reconnectBufferFull
        case disconnected
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "NATS: \(message)" }

    public static func == (lhs: NATSError, rhs: NATSError) -> Bool { lhs.kind == rhs.kind }

    static let closed = NATSError(.connectionClosed, "the connection is closed")
}
