/// When a source is polled next: every `interval` while healthy; after failures the wait doubles
/// up to `maximum`, with ± `jitter` (a fraction) so several consoles do not hammer a recovering
/// server in step. Pure: the random number is passed in.
public struct Backoff: Sendable, Equatable {
    public var interval: Double
    public var maximum: Double
    public var jitter: Double

    public init(interval: Double = 1, maximum: Double = 30, jitter: Double = 0.2) {
        self.interval = max(0.05, interval)
        self.maximum = max(self.interval, maximum)
        self.jitter = min(max(0, jitter), 1)
    }

    /// Seconds to wait after `failures` consecutive failed reads (0 = the last read worked).
    /// `random` is in [0, 1); 0.5 gives the un-jittered value.
    public func delay(afterFailures failures: Int, random: Double) -> Double {
        guard failures > 0 else { return interval }
        // First retry after one interval, then 2×, 4×, … capped (the exponent is capped too, to avoid overflow).
        let base = min(maximum, interval * Double(1 << min(failures - 1, 20)))
        let factor = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return base * factor
    }
}
