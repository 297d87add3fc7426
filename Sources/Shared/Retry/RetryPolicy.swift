/// How long to wait before trying again: `initial`, doubling per failure up to `maximum`, each
/// wait scaled by a random factor in 1 ± `jitter`, so many clients that lost one server do not
/// come back in step. The one retry policy of every client (NATS reconnect, Redis, Hugging Face,
/// the programs' connect loops, the console's polls); each picks its bounds, none its own formula.
public struct RetryPolicy: Sendable, Equatable, CustomStringConvertible {
    public var initial: Duration
    public var maximum: Duration
    /// A fraction from 0 to 1: 0.2 waits between 80 % and 120 % of the un-jittered delay.
    public var jitter: Double

    public init(initial: Duration, maximum: Duration, jitter: Double = 0.2) {
        self.initial = max(initial, .milliseconds(1))
        self.maximum = max(maximum, self.initial)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// Connecting to a server this program needs (NATS, Redis): 100 ms, 200 ms, … capped at 2 s,
    /// ± 20 %. Short enough that a restarted server is found within ~2 s, long enough that a
    /// hundred pods waiting for it make a few requests per second between them.
    public static let connect = RetryPolicy(initial: .milliseconds(100), maximum: .seconds(2), jitter: 0.2)

    /// The wait before retry number `attempt` (1 is the first retry). `random` is in [0, 1);
    /// 0.5 gives the un-jittered value, which is what tests pass.
    public func delay(attempt: Int, random: Double) -> Duration {
        // The exponent is capped so the doubling cannot overflow Duration.
        let base = min(maximum, initial * (1 << min(max(attempt, 1) - 1, 30)))
        let factor = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return base * factor
    }

    /// `delay(attempt:random:)` with a fresh random number.
    public func delay(attempt: Int) -> Duration { delay(attempt: attempt, random: Double.random(in: 0..<1)) }

    /// Runs `operation` until it returns, waiting `delay(attempt:)` after each failure.
    /// `onFailure(error, attempt, wait)` sees every failure before the wait (to log it) and may
    /// throw to give up. Ends with `CancellationError` when the task is cancelled.
    public func run<T>(
        _ operation: () async throws -> T,
        onFailure: (_ error: any Error, _ attempt: Int, _ wait: Duration) throws -> Void = { _, _, _ in }
    ) async throws -> T {
        var attempt = 0
        while true {
            try Task.checkCancellation()
            do {
                return try await operation()
            } catch {
                try Task.checkCancellation()
                attempt += 1
                let wait = delay(attempt: attempt)
                try onFailure(error, attempt, wait)
                try await Task.sleep(for: wait)
            }
        }
    }

    public var description: String { "\(initial) doubling to \(maximum) ± \(Int((jitter * 100).rounded())) %" }
}
