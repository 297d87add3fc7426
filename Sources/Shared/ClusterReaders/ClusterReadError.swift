import CurlHTTP

/// Why a read (or the console's one write path) against the cluster failed — the Kubernetes API,
/// Prometheus, a NATS monitor endpoint or the kubeconfig — with a message fit for the console's
/// status line and the kind a caller decides on.
public struct ClusterReadError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// 403: RBAC denies the request. `user` is parsed from the server's message when present.
        case forbidden(user: String?)
        /// 401: credentials missing or rejected.
        case unauthorized
        /// 404, or a stream that does not exist: the resource type (e.g. a CRD not installed) or object is absent.
        case notFound
        /// Another HTTP status (with a Kubernetes Status body, or none).
        case status(code: Int)
        /// Prometheus answered `status: error`; `errorType` is e.g. `bad_data`, `execution`, `timeout`.
        case query(errorType: String)
        /// Connection, TLS or timeout trouble.
        case transport(HTTPClientError.Kind)
        /// An answer that is not the documented shape.
        case decoding
        /// The kubeconfig or in-cluster settings cannot be used.
        case configuration
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
