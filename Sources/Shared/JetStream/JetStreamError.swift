/// A JetStream API error as the server sent it (`{"error":{"code":404,"err_code":10059,"description":"stream not found"}}`),
/// or a client-side JetStream failure (then `code` and `errorCode` are 0).
public struct JetStreamError: Error, Sendable, Equatable, CustomStringConvertible, Decodable {
    /// HTTP-like status (400, 404, 503…).
    public let code: Int
    /// The server's specific error code, e.g. 10059 stream not found, 10014 consumer not found.
    public let errorCode: Int
    public let errorDescription: String

    public static let streamNotFound = 10059
    public static let consumerNotFound = 10014
    public static let streamNameInUse = 10058
    public static let jetStreamNotEnabled = 10076
    /// The stream refused to store a message; with `discard: new` and a limit reached the description says
    /// "maximum messages exceeded" or "maximum bytes exceeded".
    public static let storeFailed = 10077
    /// "JetStream system temporarily unavailable": a cluster without a meta leader (an election).
    public static let clusterNotAvailable = 10008
    /// 503s that stay: JetStream not enabled (for the server, for the account), store failed, no resources.
    static let final503: Set<Int> = [jetStreamNotEnabled, 10039, storeFailed, 10023]

    /// A stream with `discard: new` at its `max_msgs` / `max_bytes`: the publish was refused, nothing stored.
    public var isStreamFull: Bool {
        errorCode == Self.storeFailed && errorDescription.lowercased().contains("maximum")
    }

    enum CodingKeys: String, CodingKey { case code, errorCode = "err_code", errorDescription = "description" }

    public init(code: Int, errorCode: Int, description: String) {
        self.code = code
        self.errorCode = errorCode
        self.errorDescription = description
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decodeIfPresent(Int.self, forKey: .code) ?? 0
        errorCode = try c.decodeIfPresent(Int.self, forKey: .errorCode) ?? 0
        errorDescription = try c.decodeIfPresent(String.self, forKey: .errorDescription) ?? "unknown error"
    }

    /// Errors are equal when their codes are (the description is for people).
    public static func == (lhs: JetStreamError, rhs: JetStreamError) -> Bool {
        lhs.code == rhs.code && lhs.errorCode == rhs.errorCode
    }

    static func client(_ text: String) -> JetStreamError { JetStreamError(code: 0, errorCode: 0, description: text) }

    public var description: String {
        errorCode == 0 && code == 0 ? "JetStream: \(errorDescription)" : "JetStream: \(errorDescription) (code \(code), err_code \(errorCode))"
    }
}
