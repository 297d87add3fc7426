import Testing
@testable import JetStream

@Suite struct PullBudgetTests {
    @Test func pullsTheBatchThenRepullsAtHalf() {
        var budget = PullBudget(batch: 10)
        #expect(budget.nextPull() == 10)
        #expect(budget.nextPull() == nil)
        for _ in 0..<10 { budget.received() }
        #expect(budget.nextPull() == nil)  // 10 buffered, none consumed yet
        for _ in 0..<4 { budget.consumed() }
        #expect(budget.nextPull() == nil)  // 6 outstanding > 5
        budget.consumed()
        #expect(budget.nextPull() == 5)  // 5 buffered → ask for 5 more
        #expect(budget.requested == 5 && budget.buffered == 5)
    }

    @Test func endedRequestsAndResets() {
        var budget = PullBudget(batch: 8)
        _ = budget.nextPull()
        budget.received()
        budget.consumed()
        budget.requestEnded(undelivered: 7)  // 408 with Nats-Pending-Messages: 7
        #expect(budget.requested == 0)
        #expect(budget.nextPull() == 8)
        budget.requestEnded(undelivered: nil)  // no header: assume every pull is gone
        #expect(budget.requested == 0)
        _ = budget.nextPull()
        budget.reset()
        #expect(budget.nextPull() == 8)
        budget.notSent(8)
        #expect(budget.requested == 0)
        budget.discarded()
        #expect(budget.requested == 0)
    }

    @Test func batchOfOne() {
        var budget = PullBudget(batch: 1)
        #expect(budget.nextPull() == 1)
        budget.received()
        #expect(budget.nextPull() == nil)
        budget.consumed()
        #expect(budget.nextPull() == 1)
    }
}
