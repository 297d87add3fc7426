import ConsoleUI
import Testing
@testable import ConsoleCore

@Suite struct BackoffTests {
    @Test func healthySourcesPollEveryInterval() {
        #expect(Backoff(interval: 1).delay(afterFailures: 0, random: 0.9) == 1)
        #expect(Backoff(interval: 2.5).delay(afterFailures: 0, random: 0) == 2.5)
    }

    @Test func failuresDoubleTheWaitUpToTheCap() {
        let b = Backoff(interval: 1, maximum: 30, jitter: 0.2)
        let schedule = (1...8).map { b.delay(afterFailures: $0, random: 0.5) }
        #expect(schedule == [1, 2, 4, 8, 16, 30, 30, 30])
        #expect(b.delay(afterFailures: 10_000, random: 0.5) == 30)
    }

    @Test func jitterStaysWithinItsFraction() {
        let b = Backoff(interval: 1, maximum: 30, jitter: 0.2)
        #expect(abs(b.delay(afterFailures: 3, random: 0) - 3.2) < 1e-9)
        #expect(abs(b.delay(afterFailures: 3, random: 0.999_999) - 4.8) < 1e-5)
        for _ in 0..<100 {
            let d = b.delay(afterFailures: 6, random: .random(in: 0..<1))
            #expect(d >= 24 && d <= 36)
        }
    }

    @Test func badSettingsAreClamped() {
        let b = Backoff(interval: 0, maximum: -1, jitter: 5)
        #expect(b.interval == 0.05)
        #expect(b.maximum == 0.05)
        #expect(b.jitter == 1)
    }
}

@Suite struct SourceReadingTests {
    @Test func noDataIsDownWithTheReason() {
        var r = SourceReading<Int>()
        #expect(r.status(now: 100, staleAfter: 5, downAfter: 60).state == .down)
        #expect(r.status(now: 100, staleAfter: 5, downAfter: 60).error == "no data yet")
        r.failed("connection refused")
        let s = r.status(now: 100, staleAfter: 5, downAfter: 60)
        #expect(s.state == .down && s.error == "connection refused" && s.ageSeconds == nil)
    }

    @Test func freshDataIsOkAndAgesIntoStaleThenDown() {
        var r = SourceReading<Int>()
        r.succeeded(7, at: 100)
        #expect(r.status(now: 101.7, staleAfter: 5, downAfter: 60) == SourceStatus(state: .ok, ageSeconds: 1))
        let stale = r.status(now: 110, staleAfter: 5, downAfter: 60)
        #expect(stale.state == .stale && stale.ageSeconds == 10 && stale.error == "no update for 10 s")
        #expect(r.status(now: 161, staleAfter: 5, downAfter: 60).state == .down)
    }

    @Test func aFailureKeepsTheLastValueMarkedStale() {
        var r = SourceReading<Int>()
        r.succeeded(7, at: 100)
        r.failed("timeout after 2 s")
        r.failed("timeout after 2 s")
        #expect(r.value == 7 && r.consecutiveFailures == 2)
        #expect(r.status(now: 112, staleAfter: 5, downAfter: 60) == SourceStatus(state: .stale, error: "timeout after 2 s", ageSeconds: 12))
        r.succeeded(8, at: 113)
        #expect(r.consecutiveFailures == 0 && r.error == nil && r.sequence == 2)
        #expect(r.status(now: 113, staleAfter: 5, downAfter: 60).state == .ok)
    }

    @Test func pausedDataDoesNotTurnStale() {
        var r = SourceReading<Int>()
        r.succeeded(7, at: 100)
        #expect(r.status(now: 130, staleAfter: 5, downAfter: 60, paused: true) == SourceStatus(state: .ok, ageSeconds: 30))
    }
}
