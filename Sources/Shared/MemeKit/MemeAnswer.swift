import Foundation

/// One answer from a worker: `meme.response` (a meme) or `meme.response.error` (why not). The one
/// decoder of both, for meme-web, the console, the load engine and the tests.
public enum MemeAnswer: Sendable, Equatable {
    case done(MemeResponse)
    case failed(MemeErrorResponse)

    public var requestId: String {
        switch self {
        case .done(let r): r.requestId
        case .failed(let e): e.requestId
        }
    }

    /// Unix seconds of the answer.
    public var timestamp: UInt64 {
        switch self {
        case .done(let r): r.timestamp
        case .failed(let e): e.timestamp
        }
    }

    /// An answer as it arrives: the subject says which shape it has (`onErrorSubject`: it came on
    /// `<response subject>.error`). Nil for a body that is not that shape.
    public static func decode(_ body: some Sequence<UInt8>, onErrorSubject: Bool) -> MemeAnswer? {
        let data = Data(body)
        return onErrorSubject
            ? (try? JSONDecoder().decode(MemeErrorResponse.self, from: data)).map(MemeAnswer.failed)
            : (try? JSONDecoder().decode(MemeResponse.self, from: data)).map(MemeAnswer.done)
    }

    /// An answer as the worker stores it (Redis `meme:result:<id>`): either shape, told apart by its fields.
    public static func decodeStored(_ body: some Sequence<UInt8>) -> MemeAnswer? {
        let data = Data(body)
        if let response = try? JSONDecoder().decode(MemeResponse.self, from: data) { return .done(response) }
        return (try? JSONDecoder().decode(MemeErrorResponse.self, from: data)).map(MemeAnswer.failed)
    }
}

/// What readers that only count answers need (the console's recent list and rates, the load
/// engine's ledger): everything but the image, so the ~1 MB of base64 is never made a String.
/// Lenient: a field may be missing; an answer without `request_id` is `unknownRequestID`.
public struct MemeAnswerSummary: Sendable, Equatable {
    public var requestId: String
    public var ok: Bool
    public var prompt: String?
    /// The worker's reason, for an answer on the error subject ("error" when it gave none).
    public var error: String?
    /// Unix seconds when the request was submitted, when the requester said so.
    public var submittedAt: Double?

    public init(requestId: String, ok: Bool, prompt: String? = nil, error: String? = nil, submittedAt: Double? = nil) {
        self.requestId = requestId
        self.ok = ok
        self.prompt = prompt
        self.error = error
        self.submittedAt = submittedAt
    }

    private struct Fields: Decodable {
        var requestId: String?
        var prompt: String?
        var error: String?
        var submittedAt: Double?
        enum CodingKeys: String, CodingKey {
            case prompt, error
            case requestId = "request_id"
            case submittedAt = "submitted_at"
        }
    }

    /// Nil for a body that is not a JSON object.
    public static func decode(_ body: some Sequence<UInt8>, onErrorSubject: Bool) -> MemeAnswerSummary? {
        guard let f = try? JSONDecoder().decode(Fields.self, from: Data(body)) else { return nil }
        return MemeAnswerSummary(requestId: f.requestId ?? unknownRequestID, ok: !onErrorSubject, prompt: f.prompt,
                                 error: onErrorSubject ? (f.error ?? "error") : nil, submittedAt: f.submittedAt)
    }
}
