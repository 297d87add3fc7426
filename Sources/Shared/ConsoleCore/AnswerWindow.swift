import ConsoleUI

/// The answers this console received (meme.response and meme.response.error) over the last
/// `seconds`: the done/s rate and end-to-end latency it shows. Prometheus's 1-minute rate misses
/// short bursts (1000 memes in 14 s showed "done 17/s") and lingers after work stops; this follows
/// what is happening now. Pure: the caller brings the clock.
public struct AnswerWindow: Sendable, Equatable {
    public static let defaultSeconds = 10.0

    public let seconds: Double
    /// When counting began (the subscription); the window is shorter until `seconds` have passed.
    public let since: Double
    private var samples: [(at: Double, ok: Bool, latency: Double?)] = []

    public init(seconds: Double = Self.defaultSeconds, since: Double) {
        self.seconds = seconds
        self.since = since
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.seconds == b.seconds && a.since == b.since && a.samples.count == b.samples.count
            && zip(a.samples, b.samples).allSatisfy { $0.at == $1.at && $0.ok == $1.ok && $0.latency == $1.latency }
    }

    /// One answer, `latency` in seconds from the request's `submitted_at` when it had one.
    public mutating func record(at time: Double, ok: Bool, latency: Double?) {
        samples.append((time, ok, latency))
        // Keep memory bounded by the window, not the run.
        if let first = samples.first, first.at < time - seconds {
            samples.removeAll { $0.at < time - seconds }
        }
    }

    public func rates(now: Double) -> AnswerRates {
        let window = max(1, min(seconds, now - since))
        let inWindow = samples.filter { $0.at > now - window && $0.at <= now }
        let errors = inWindow.filter { !$0.ok }.count
        let latencies = inWindow.filter(\.ok).compactMap(\.latency).sorted()
        return AnswerRates(windowSeconds: window, answered: inWindow.count - errors, errors: errors,
                           perSecond: Double(inWindow.count - errors) / window, errorsPerSecond: Double(errors) / window,
                           p50Seconds: quantile(latencies, 0.5), p95Seconds: quantile(latencies, 0.95))
    }
}

/// Nearest-rank quantile of sorted values; nil when empty.
func quantile(_ sorted: [Double], _ q: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let rank = Int((q * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
}
