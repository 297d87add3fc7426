/// Why a transfer failed before a complete response arrived. An HTTP error status (404, 500…) is
/// not an error: it comes back as an `HTTPResponse`. Messages never include credentials,
/// query strings or header values.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case invalidRequest
        case connectionRefused
        case couldNotConnect
        case couldNotResolveHost
        case timedOut
        case tls
        case connectionLost
        case responseTooLarge
        case cancelled
        case clientShutDown
        case other
    }

    public var kind: Kind
    public var message: String
    /// libcurl's result code, when the error came from libcurl.
    public var curlCode: Int?

    public init(_ kind: Kind, _ message: String, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { message }
}
