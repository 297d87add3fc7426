import Testing
@testable import WebService

@Suite struct RateLimiterTests {
    @Test func bucketAllowsBurstThenRefillsAtRate() {
        var bucket = TokenBucket(rate: 5, burst: 20, now: 0)
        for _ in 0..<20 { #expect(bucket.take(now: 0) == nil) }
        let wait = bucket.take(now: 0)
        #expect(wait != nil && abs(wait! - 0.2) < 1e-9)
        #expect(bucket.take(now: 0.2) == nil)   // one token back after 1/5 s
        #expect(bucket.take(now: 0.2) != nil)
        #expect(bucket.take(now: 100) == nil)   // refill is capped at the burst
        #expect(bucket.tokens <= 20)
    }

    @Test func limiterIsPerClientAndReportsWholeSecondRetry() {
        let limiter = RateLimiter(rate: 5, burst: 2)
        #expect(limiter.check(client: "a", now: 0) == .allowed)
        #expect(limiter.check(client: "a", now: 0) == .allowed)
        #expect(limiter.check(client: "a", now: 0) == .limited(retryAfter: 1))
        #expect(limiter.check(client: "b", now: 0) == .allowed)
        #expect(limiter.check(client: "a", now: 0.25) == .allowed)
    }

    @Test func slowRateGivesLongerRetryAfter() {
        let limiter = RateLimiter(rate: 0.25, burst: 1)
        #expect(limiter.check(client: "a", now: 0) == .allowed)
        #expect(limiter.check(client: "a", now: 0) == .limited(retryAfter: 4))
    }

    @Test func disabledLimiterAllowsEverything() {
        let limiter = RateLimiter(rate: 0, burst: 1)
        for _ in 0..<1000 { #expect(limiter.check(client: "a", now: 0) == .allowed) }
        #expect(limiter.trackedClients == 0)
    }

    @Test func idleClientsAreForgottenAndTrackingIsCapped() {
        let limiter = RateLimiter(rate: 10, burst: 1, maxClients: 3)
        for client in ["a", "b", "c"] { _ = limiter.check(client: client, now: 0) }
        // Full of active clients: a newcomer is refused rather than growing the table.
        #expect(limiter.check(client: "d", now: 0) == .limited(retryAfter: 1))
        // Later the old buckets are full again, so they can be forgotten.
        #expect(limiter.check(client: "d", now: 10) == .allowed)
        limiter.prune(now: 20)
        #expect(limiter.trackedClients == 0)
    }

    @Test func clientAddressTrustsForwardedForOnlyBehindProxy() {
        #expect(ClientAddress.resolve(forwardedFor: "203.0.113.9, 10.0.0.1", peer: "10.0.0.1", trustProxy: true) == "203.0.113.9")
        #expect(ClientAddress.resolve(forwardedFor: "203.0.113.9", peer: "10.0.0.1", trustProxy: false) == "10.0.0.1")
        #expect(ClientAddress.resolve(forwardedFor: " ", peer: "10.0.0.1", trustProxy: true) == "10.0.0.1")
        #expect(ClientAddress.resolve(forwardedFor: nil, peer: nil, trustProxy: true) == "unknown")
    }
}
