import ConsoleUI

/// Counts of a load run at one moment; cheap to take (`LoadEngine.snapshot`).
///
/// Every request goes: queued → sent (publish started) → stored or duplicate (JetStream ack; for the
/// web path, the 202) or a publish error → answered or an answer error (matched by id on
/// `meme.response` / `meme.response.error`).
public struct LoadSnapshot: Sendable, Equatable, Codable {
    /// Asked for but not published yet (a burst waiting for a publish slot, or sustained ticks).
    public var queued = 0
    public var sent = 0
    /// Acked by JetStream as new messages (web path: accepted with 202).
    public var stored = 0
    /// Acked by JetStream as duplicates of an id seen within the stream's duplicate window.
    public var duplicates = 0
    /// Publishes (or POSTs) that failed or timed out; these are never answered.
    public var publishErrors = 0
    /// Answered on `meme.response`.
    public var answered = 0
    /// Answered on `meme.response.error`.
    public var answerErrors = 0
    /// Publishes (or POSTs) waiting for their ack right now.
    public var publishing = 0
    /// Sent and still waiting for an answer (publishing ones included).
    public var inFlight = 0
    /// Requests dropped from tracking because more than `LoadConfiguration.maxTracked` were waiting.
    public var untracked = 0
    /// Times meme-web answered 429 (rate limited); each such request waited for Retry-After and was
    /// sent again, so these are neither answers nor errors.
    public var rateLimited = 0
    public var latency = LatencySummary()
    /// Requests per second while sustained load runs; nil when it is off.
    public var sustainedRate: Double?
    /// Newest first.
    public var recent: [RecentMeme] = []
    /// The most recent publish or answer error, for a status line.
    public var lastError: String?
    /// Seconds from the first send (since start or `reset`) to now.
    public var elapsedSeconds = 0.0
    /// Seconds from the first send to the latest answer (0 before any answer).
    public var answeringSeconds = 0.0
    /// Seconds from the first send to the latest finished publish (0 before any).
    public var publishingSeconds = 0.0

    public init() {}

    /// Publish errors plus error answers.
    public var errors: Int { publishErrors + answerErrors }
    /// Acked by JetStream (stored + duplicates).
    public var acked: Int { stored + duplicates }
    /// Answers (ok or error) per second between the first send and the latest answer.
    public var answersPerSecond: Double? {
        answeringSeconds > 0 ? Double(answered + answerErrors) / answeringSeconds : nil
    }
    /// Publishes finished (acked or failed) per second between the first send and the latest one.
    public var publishesPerSecond: Double? {
        publishingSeconds > 0 ? Double(acked + publishErrors) / publishingSeconds : nil
    }
    /// Nothing queued, publishing or waiting for an answer, and sustained load is off.
    public var isIdle: Bool { queued == 0 && publishing == 0 && inFlight == 0 && sustainedRate == nil }

    enum CodingKeys: String, CodingKey {
        case queued, sent, stored, duplicates, answered, publishing, untracked, latency, recent
        case publishErrors = "publish_errors"
        case answerErrors = "answer_errors"
        case inFlight = "in_flight"
        case rateLimited = "rate_limited"
        case sustainedRate = "sustained_rate"
        case lastError = "last_error"
        case elapsedSeconds = "elapsed_s"
        case answeringSeconds = "answering_s"
        case publishingSeconds = "publishing_s"
    }
}
