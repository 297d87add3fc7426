/// A Redis failure with a message saying what went wrong (never containing the password).
public struct RedisError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The URL could not be parsed.
        case invalidURL
        /// Connecting failed, the connection broke, or a call timed out.
        case connection
        /// Redis answered with an error reply (e.g. WRONGTYPE, NOAUTH).
        case server
        /// The reply had an unexpected shape.
        case protocolViolation
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "redis: \(message)" }
}
