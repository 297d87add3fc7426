import Testing
import Retry

@Suite struct RetryPolicyTests {
    @Test func doublesFromInitialAndStopsAtTheMaximum() {
        let p = RetryPolicy(initial: .milliseconds(100), maximum: .seconds(2), jitter: 0.2)
        #expect(p.delay(attempt: 1, random: 0.5) == .milliseconds(100))
        #expect(p.delay(attempt: 2, random: 0.5) == .milliseconds(200))
        #expect(p.delay(attempt: 4, random: 0.5) == .milliseconds(800))
        #expect(p.delay(attempt: 10, random: 0.5) == .seconds(2))
        // A huge attempt count neither overflows nor passes the cap.
        #expect(p.delay(attempt: 1_000_000, random: 0.5) == .seconds(2))
        // Attempt 0 or below counts as the first retry.
        #expect(p.delay(attempt: 0, random: 0.5) == .milliseconds(100))
    }

    @Test func jitterSpreadsEachWaitByTheFraction() {
        let p = RetryPolicy(initial: .seconds(1), maximum: .seconds(30), jitter: 0.2)
        #expect(p.delay(attempt: 1, random: 0) == .milliseconds(800))
        #expect(p.delay(attempt: 1, random: 1) == .milliseconds(1200))
        #expect(p.delay(attempt: 6, random: 1) == .seconds(36))
        for _ in 0..<200 {
            let d = p.delay(attempt: 3)
            #expect(d >= .milliseconds(3200) && d <= .milliseconds(4800))
        }
    }

    @Test func nonsenseBoundsAreClamped() {
        let p = RetryPolicy(initial: .zero, maximum: .seconds(-1), jitter: 5)
        #expect(p.initial == .milliseconds(1) && p.maximum == .milliseconds(1) && p.jitter == 1)
        #expect(p.delay(attempt: 3, random: 0) == .zero)
    }

    @Test func runRetriesUntilTheOperationSucceeds() async throws {
        let p = RetryPolicy(initial: .milliseconds(1), maximum: .milliseconds(4))
        var calls = 0
        var seen: [Int] = []
        let value = try await p.run({
            calls += 1
            if calls < 4 { throw Refused() }
            return "up"
        }, onFailure: { _, attempt, wait in
            seen.append(attempt)
            #expect(wait <= .milliseconds(5))
        })
        #expect(value == "up" && calls == 4 && seen == [1, 2, 3])
    }

    @Test func onFailureMayGiveUp() async {
        let p = RetryPolicy(initial: .milliseconds(1), maximum: .milliseconds(1))
        await #expect(throws: Refused.self) {
            _ = try await p.run({ () async throws -> Int in throw Refused() }, onFailure: { error, attempt, _ in
                if attempt == 2 { throw error }
            })
        }
    }

    @Test func cancellationEndsTheLoop() async {
        let p = RetryPolicy(initial: .seconds(10), maximum: .seconds(10))
        let task = Task { try await p.run({ () async throws -> Int in throw Refused() }) }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    struct Refused: Error {}
}
