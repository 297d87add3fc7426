import Retry

/// When a source is polled next: every `interval` while healthy; after failures the shared
/// `RetryPolicy` from one interval up to `maximum`, ± `jitter`, so several consoles do not hammer a
/// recovering server in step. Pure: the random number is passed in.
public struct Backoff: Sendable, Equatable {
    public var interval: Double
    public var retry: RetryPolicy

    public init(interval: Double = 1, maximum: Double = 30, jitter: Double = 0.2) {
        self.interval = max(0.05, interval)
        retry = RetryPolicy(initial: .seconds(self.interval), maximum: .seconds(max(self.interval, maximum)), jitter: jitter)
    }

    public var maximum: Double { retry.maximum.seconds }
    public var jitter: Double { retry.jitter }

    /// Seconds to wait after `failures` consecutive failed reads (0 = the last read worked).
    /// `random` is in [0, 1); 0.5 gives the un-jittered value.
    public func delay(afterFailures failures: Int, random: Double) -> Double {
        failures > 0 ? retry.delay(attempt: failures, random: random).seconds : interval
    }
}

extension Duration {
    /// Seconds as a Double (the console's readings and settings are in seconds).
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
