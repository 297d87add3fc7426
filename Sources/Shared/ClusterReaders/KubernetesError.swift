import CurlHTTP

/// Why a Kubernetes read failed, with a message fit for the console's status line.
public struct KubernetesError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// 403: RBAC denies the request. `user` is parsed from the server's message when present.
        case forbidden(user: String?)
        /// 401: credentials missing or rejected.
        case unauthorized
        /// 404: the resource type (e.g. a CRD not installed) or object does not exist.
        case notFound
        /// Another HTTP status with a Status body (or none).
        case status(code: Int)
        /// Connection, TLS or timeout trouble.
        case transport(HTTPClientError.Kind)
        case decoding
    }

    public var kind: Kind
    public var message: String
    /// The API server's own `message`, when it sent a Status.
    public var serverMessage: String?

    public init(_ kind: Kind, _ message: String, serverMessage: String? = nil) {
        self.kind = kind
        self.message = message
        self.serverMessage = serverMessage
    }

    public var description: String { message }
}
