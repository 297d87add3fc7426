#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// Every error the NATS client throws. `message` says what went wrong in words a user can act on;
/// it never contains credentials. `underlying` keeps the error it came from (NIO's), so callers
/// check `kind` rather than search the text.
public struct NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidURL
        case unsupportedScheme
        /// Nothing listens on the server's port (ECONNREFUSED).
        case connectionRefused
        /// The server's name does not resolve.
        case hostNotFound
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
    /// The error this one was made from, if any.
    public let underlying: (any Error)?

    public init(_ kind: Kind, _ message: String, underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }

    /// A failed TCP connect to `server`, sorted by what NIO says happened.
    static func connect(to server: NATSServerAddress, _ error: any Error) -> NATSError {
        let kind: Kind
        let what: String
        switch error {
        case let e as NIOConnectionError where e.connectionErrors.isEmpty && (e.dnsAError != nil || e.dnsAAAAError != nil):
            (kind, what) = (.hostNotFound, "host not found")
        case let e as NIOConnectionError where e.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }:
            (kind, what) = (.connectionRefused, "connection refused")
        case let e as IOError where e.errnoCode == ECONNREFUSED:
            (kind, what) = (.connectionRefused, "connection refused")
        case ChannelError.connectTimeout:
            (kind, what) = (.timeout, "connect timed out")
        default:
            (kind, what) = (.connectionFailed, "\(error)")
        }
        return NATSError(kind, "cannot connect to \(server): \(what)", underlying: error)
    }

    public var description: String { "NATS: \(message)" }

    public static func == (lhs: NATSError, rhs: NATSError) -> Bool { lhs.kind == rhs.kind }

    static let closed = NATSError(.connectionClosed, "the connection is closed")
}
