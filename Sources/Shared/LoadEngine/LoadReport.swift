import Foundation

/// The end of a `meme-console load` run: the summary (text or JSON), what went wrong, and the
/// exit status (0: every request answered with a meme; 1: some were not; 130: interrupted).
public struct LoadReport: Sendable, Encodable {
    public var snapshot: LoadSnapshot
    /// The first unanswered ids (at most 10).
    public var unanswered: [String]
    public var interrupted: Bool
    var requested: Int
    var via: LoadSettings.Via
    var timeoutSeconds: Double

    public init(snapshot: LoadSnapshot, unanswered: [String], interrupted: Bool, settings: LoadSettings) {
        self.snapshot = snapshot
        self.unanswered = unanswered
        self.interrupted = interrupted
        requested = settings.count
        via = settings.via
        timeoutSeconds = settings.timeoutSeconds
    }

    enum CodingKeys: String, CodingKey { case snapshot, unanswered, interrupted }

    /// One object with the documented keys (`--json`).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public var summary: String {
        let s = snapshot
        let l = s.latency
        var lines = [
            "sent        \(s.sent)",
            "stored      \(s.stored)" + (via == .web ? " (accepted by meme-web)" : "") + "   duplicates \(s.duplicates)",
            "answered    \(s.answered)   errors \(s.errors) (publish \(s.publishErrors), answer \(s.answerErrors))   unanswered \(s.inFlight)",
            "latency     p50 \(Self.ms(l.p50))  p95 \(Self.ms(l.p95))  p99 \(Self.ms(l.p99))  max \(Self.ms(l.max))",
        ]
        lines.append(
            "throughput  " + (s.answersPerSecond.map { "\(Self.number($0)) answers/s over \(Self.number(s.answeringSeconds)) s" } ?? "no answers")
                + (s.publishesPerSecond.map { "; published \(Self.number($0))/s" } ?? ""))
        if s.rateLimited > 0 {
            lines.append("rate limit  meme-web answered 429 \(s.rateLimited) times; each request waited for its Retry-After and was sent again (429s are not answers)")
        }
        if let error = s.lastError { lines.append("last error  \(error)") }
        return lines.joined(separator: "\n")
    }

    /// What went wrong, one line each; empty for a run where every request was answered with a meme.
    public var problems: [String] {
        let s = snapshot
        var problems: [String] = []
        let missing = s.inFlight + s.publishErrors
        if missing > 0 {
            let why = interrupted ? "before the interrupt" : "within \(Self.number(timeoutSeconds)) s"
            problems.append("\(missing) of \(s.sent) requests were not answered \(why)"
                + (s.publishErrors > 0 ? " (\(s.publishErrors) failed to publish)" : "")
                + ": " + unanswered.joined(separator: ", ") + (missing > unanswered.count ? ", …" : ""))
        }
        if s.answerErrors > 0 {
            let errorIDs = s.recent.filter { !$0.ok && $0.latencyMilliseconds != nil }.map(\.id)
            problems.append("\(s.answerErrors) requests were answered with an error"
                + (errorIDs.isEmpty ? "" : ": " + errorIDs.prefix(10).joined(separator: ", "))
                + (s.lastError.map { " (last: \($0))" } ?? ""))
        }
        if s.sent < requested && !interrupted {
            problems.append("only \(s.sent) of \(requested) requests were sent")
        }
        return problems
    }

    public var exitCode: Int32 { interrupted ? 130 : problems.isEmpty ? 0 : 1 }

    /// The progress line, once a second while the run goes on.
    public static func progress(_ s: LoadSnapshot, count: Int) -> String {
        "sent \(s.sent)/\(count) stored \(s.stored) answered \(s.answered) errors \(s.errors)"
            + " in-flight \(s.inFlight) p50 \(ms(s.latency.p50)) p95 \(ms(s.latency.p95))"
            + (s.rateLimited > 0 ? " 429s \(s.rateLimited)" : "")
    }

    static func ms(_ value: Double?) -> String { value.map { "\(number($0)) ms" } ?? "–" }

    static func number(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }
}

extension LoadEngine {
    /// One headless run (`meme-console load`): sends `settings.count` requests (a burst, or at
    /// `settings.rate`), waits until everything is acked, then for the answers until all are in
    /// or `settings.timeoutSeconds` pass, and reports. `progress` sees a snapshot every 100 ms;
    /// `interrupted` ends the run early (Ctrl-C) with what came in so far.
    public func run(_ settings: LoadSettings, interrupted: () -> Bool, progress: (LoadSnapshot) -> Void) async throws -> LoadReport {
        if let rate = settings.rate {
            try startSustained(perSecond: rate, total: settings.count)
        } else {
            try submit(settings.count)
        }
        // Sending: until everything is queued, published and acked (or failed).
        while !interrupted() {
            let s = snapshot
            if !isSustained && s.queued == 0 && s.publishing == 0 { break }
            progress(s)
            try? await Task.sleep(for: .milliseconds(100))
        }
        // Answers: until all are in or the timeout passes.
        let deadline = ContinuousClock.now + .milliseconds(Int64(settings.timeoutSeconds * 1000))
        while !interrupted() && !snapshot.isIdle && ContinuousClock.now < deadline {
            progress(snapshot)
            try? await Task.sleep(for: .milliseconds(100))
        }
        let stopped = interrupted()
        if stopped { _ = stop() }
        return LoadReport(snapshot: snapshot, unanswered: unansweredIDs(limit: 10), interrupted: stopped, settings: settings)
    }
}
