import Foundation

/// One rate limit: `rate` per second with bursts of `burst`; rate ≤ 0 turns it off.
public struct RateLimit: Sendable, Equatable {
    public var rate: Double
    public var burst: Int
    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = burst
    }
}

/// The limits on `POST /api/memes`, three layers deep so an audience behind one address (a venue's
/// NAT, a load balancer) is not limited as if it were one person:
/// - per client: the page's `X-Meme-Client` id (within its address), else the address;
/// - per address: everyone behind it together, sized for a room of phones;
/// - everyone: this meme-web process, so a flood cannot fill the queue faster than it drains.
/// A request refused by a later layer gets its tokens back from the earlier ones.
public final class SubmitLimiter: Sendable {
    public enum Scope: String, Sendable, Equatable {
        case client, address, everyone
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        case limited(retryAfter: Int, scope: Scope)
    }

    let perClient: RateLimiter
    let perAddress: RateLimiter
    let everyone: RateLimiter

    public init(client: RateLimit, address: RateLimit, everyone: RateLimit, maxClients: Int = 100_000) {
        perClient = RateLimiter(rate: client.rate, burst: client.burst, maxClients: maxClients)
        perAddress = RateLimiter(rate: address.rate, burst: address.burst, maxClients: maxClients)
        self.everyone = RateLimiter(rate: everyone.rate, burst: everyone.burst, maxClients: 1)
    }

    public func check(address: String, browserID: String?, now: Double) -> Decision {
        let clientKey = browserID.map { "\(address) \($0)" } ?? address
        if case .limited(let wait) = perClient.check(client: clientKey, now: now) {
            return .limited(retryAfter: wait, scope: .client)
        }
        if case .limited(let wait) = perAddress.check(client: address, now: now) {
            perClient.refund(client: clientKey)
            return .limited(retryAfter: wait, scope: .address)
        }
        if case .limited(let wait) = everyone.check(client: "", now: now) {
            perClient.refund(client: clientKey)
            perAddress.refund(client: address)
            return .limited(retryAfter: wait, scope: .everyone)
        }
        return .allowed
    }

    /// Forgets idle buckets; called periodically.
    public func prune(now: Double) {
        perClient.prune(now: now)
        perAddress.prune(now: now)
    }

    /// The 429 message: which limit, and when to try again.
    public static func message(_ scope: Scope, retryAfter: Int) -> String {
        switch scope {
        case .client: "too many requests from this browser; try again in \(retryAfter) s"
        case .address: "too many requests from your network (everyone behind its address shares a limit); try again in \(retryAfter) s"
        case .everyone: "meme-web is at its limit for all requests; try again in \(retryAfter) s"
        }
    }
}
