import Foundation
import Synchronization

/// A token bucket: `rate` tokens per second, holding at most `burst`. Pure value type.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    public private(set) var tokens: Double
    public private(set) var updated: Double

    public init(rate: Double, burst: Int, now: Double) {
        self.rate = rate
        self.burst = Double(max(1, burst))
        self.tokens = self.burst
        self.updated = now
    }

    /// Takes one token. Returns nil when allowed, else the seconds until a token is available.
    public mutating func take(now: Double) -> Double? {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return rate > 0 ? (1 - tokens) / rate : .infinity
    }

    mutating func refill(now: Double) {
        if now > updated {
            tokens = min(burst, tokens + (now - updated) * rate)
            updated = now
        }
    }

    /// Gives back a token taken by a request another limit then refused.
    public mutating func refund() { tokens = min(burst, tokens + 1) }

    /// True when the bucket is full again, so forgetting it changes nothing.
    func isFull(now: Double) -> Bool {
        tokens + max(0, now - updated) * rate >= burst
    }
}

/// Per-client token buckets. Idle clients are forgotten (their bucket would be full anyway),
/// and the number of tracked clients is capped so spoofed addresses cannot grow memory.
public final class RateLimiter: Sendable {
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Retry after this many whole seconds (≥ 1), for the `Retry-After` header.
        case limited(retryAfter: Int)
    }

    public let rate: Double
    public let burst: Int
    let maxClients: Int
    private let buckets = Mutex([String: TokenBucket]())

    /// `rate` ≤ 0 disables limiting (benchmarks, trusted internal callers).
    public init(rate: Double, burst: Int, maxClients: Int = 100_000) {
        self.rate = rate
        self.burst = max(1, burst)
        self.maxClients = max(1, maxClients)
    }

    public var isEnabled: Bool { rate > 0 }

    public func check(client: String, now: Double) -> Decision {
        guard isEnabled else { return .allowed }
        let rate = self.rate, burst = self.burst, maxClients = self.maxClients
        return buckets.withLock { buckets in
            if buckets[client] == nil, buckets.count >= maxClients {
                buckets = buckets.filter { !$0.value.isFull(now: now) }
                if buckets.count >= maxClients {
                    // Still full of active clients: refuse the newcomer rather than grow.
                    return .limited(retryAfter: 1)
                }
            }
            var bucket = buckets[client] ?? TokenBucket(rate: rate, burst: burst, now: now)
            let wait = bucket.take(now: now)
            buckets[client] = bucket
            guard let wait else { return .allowed }
            return .limited(retryAfter: max(1, Int(wait.rounded(.up))))
        }
    }

    /// Returns the token `check` took for `client` (another layer refused the request).
    public func refund(client: String) {
        guard isEnabled else { return }
        buckets.withLock { $0[client]?.refund() }
    }

    /// Forgets clients whose bucket has refilled; called periodically.
    public func prune(now: Double) {
        buckets.withLock { $0 = $0.filter { !$1.isFull(now: now) } }
    }

    var trackedClients: Int { buckets.withLock { $0.count } }
}
