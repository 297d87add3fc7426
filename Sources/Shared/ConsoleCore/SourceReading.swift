import ConsoleUI

/// The latest result of one data source: the last good value (kept while the source fails) and
/// why the last attempt failed. Times are unix seconds.
public struct SourceReading<Value: Sendable>: Sendable {
    public var value: Value?
    /// When `value` was read.
    public var readAt: Double?
    /// The last attempt's error; nil when it worked.
    public var error: String?
    public var consecutiveFailures: Int
    /// Bumped on every successful read, so consumers can tell a new reading from an old one.
    public var sequence: Int

    public init(value: Value? = nil, readAt: Double? = nil, error: String? = nil, consecutiveFailures: Int = 0, sequence: Int = 0) {
        self.value = value
        self.readAt = readAt
        self.error = error
        self.consecutiveFailures = consecutiveFailures
        self.sequence = sequence
    }

    public mutating func succeeded(_ value: Value, at now: Double) {
        self.value = value
        readAt = now
        error = nil
        consecutiveFailures = 0
        sequence += 1
    }

    public mutating func failed(_ message: String) {
        error = message
        consecutiveFailures += 1
    }

    /// ok while fresh; stale (last data kept, age and error shown) when the last read failed or the data
    /// is older than `staleAfter` seconds; down when there is no data at all or it is older than
    /// `downAfter`. While paused data does not age into stale (the presenter froze it on purpose), and
    /// after a resume (`resumedAt`) it ages from then: a pause never causes a "no update" warning.
    public func status(now: Double, staleAfter: Double, downAfter: Double, paused: Bool = false,
                       resumedAt: Double? = nil) -> SourceStatus {
        let age = readAt.map { (max(0, now - $0)).rounded(.down) }
        guard value != nil, let age, let readAt else {
            return SourceStatus(state: .down, error: error ?? "no data yet")
        }
        if let error {
            return SourceStatus(state: age > downAfter ? .down : .stale, error: error, ageSeconds: age)
        }
        let unrefreshed = max(0, now - max(readAt, resumedAt ?? readAt)).rounded(.down)
        if !paused && unrefreshed > staleAfter {
            return SourceStatus(state: unrefreshed > downAfter ? .down : .stale, error: "no update for \(Int(unrefreshed)) s",
                                ageSeconds: age)
        }
        return SourceStatus(state: .ok, ageSeconds: age)
    }
}
