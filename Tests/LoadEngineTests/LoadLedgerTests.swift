import Testing
@testable import LoadEngine

struct LoadLedgerTests {
    let t0 = ContinuousClock.now

    func ledger(maxTracked: Int = 100, recent: Int = 5) throws -> LoadLedger {
        LoadLedger(prompts: try PromptList(["a / b", "c / d"]), maxTracked: maxTracked, recentLimit: recent)
    }

    @Test func aBurstRespectsTheInFlightLimitAndCountsAddUp() throws {
        var l = try ledger()
        var n = 0
        l.enqueue(5)
        var jobs: [LoadLedger.Job] = []
        while let job = l.takeJob(limit: 3, now: t0, register: true, makeID: { n += 1; return "id-\(n)" }) { jobs.append(job) }
        #expect(jobs.map(\.id) == ["id-1", "id-2", "id-3"])
        #expect(jobs.map(\.prompt) == ["a / b", "c / d", "a / b"])
        #expect(l.queued == 2 && l.publishing == 3 && l.sent == 3)
        l.published(jobs[0], duplicate: false, now: t0)
        l.published(jobs[1], duplicate: true, now: t0)
        l.publishFailed(jobs[2], error: "publish id-3: timeout", now: t0)
        while let job = l.takeJob(limit: 3, now: t0, register: true, makeID: { n += 1; return "id-\(n)" }) { jobs.append(job) }
        #expect(jobs.count == 5)
        for job in jobs[3...] { l.published(job, duplicate: false, now: t0) }
        let first = l.answer(id: "id-1", ok: true, error: nil, now: t0 + .milliseconds(40))
        let failed = l.answer(id: "id-4", ok: false, error: "render failed", now: t0 + .milliseconds(90))
        let again = l.answer(id: "id-1", ok: true, error: nil, now: t0 + .milliseconds(95))  // a second answer is not counted
        #expect(first && failed && !again)
        let s = l.snapshot(now: t0 + .seconds(1), sustainedRate: nil)
        #expect(s.sent == 5 && s.stored == 3 && s.duplicates == 1 && s.publishErrors == 1)
        #expect(s.answered == 1 && s.answerErrors == 1 && s.errors == 2)
        #expect(s.inFlight == 2)  // id-2 (duplicate, still answered by the first copy) and id-5
        #expect(s.latency.count == 1 && s.latency.p50 == 40)
        #expect(s.recent.map(\.id) == ["id-4", "id-1", "id-3"])
        #expect(s.recent.first?.error == "render failed")
        #expect(s.lastError == "render failed")
        #expect(l.unanswered(limit: 10) == ["id-3", "id-2", "id-5"])
        #expect(l.unanswered(limit: 2) == ["id-3", "id-2"])
        #expect(s.elapsedSeconds == 1 && s.answeringSeconds == 0.09)
    }

    @Test func webAnswersArrivingBeforeTheIdIsKnownAreMatched() throws {
        var l = try ledger()
        l.enqueue(1)
        let jobTaken = l.takeJob(limit: 8, now: t0, register: false, makeID: { "local-1" })
        let job = try #require(jobTaken)
        #expect(l.inFlight == 1)
        // The worker is faster than the 202.
        let early = l.answer(id: "server-7", ok: true, error: nil, now: t0 + .milliseconds(30))
        #expect(!early)
        var accepted = job
        accepted.id = "server-7"
        l.published(accepted, duplicate: false, register: true, now: t0)
        let s = l.snapshot(now: t0 + .seconds(1), sustainedRate: 5)
        #expect(s.answered == 1 && s.inFlight == 0 && s.stored == 1)
        #expect(s.latency.p50 == 30)
        #expect(s.sustainedRate == 5)
    }

    @Test func resetIgnoresResultsOfEarlierJobs() throws {
        var l = try ledger()
        l.enqueue(2)
        let aTaken = l.takeJob(limit: 8, now: t0, register: true, makeID: { "a" })
        let a = try #require(aTaken)
        l.reset()
        #expect(l.publishing == 1 && l.sent == 0 && l.queued == 1)
        l.published(a, duplicate: false, now: t0)
        let late = l.answer(id: "a", ok: true, error: nil, now: t0)
        #expect(!late)
        #expect(l.publishing == 0 && l.stored == 0 && l.answered == 0 && l.inFlight == 0)
        let dropped = l.dropQueued()
        #expect(dropped == 1 && l.queued == 0)
    }

    @Test func trackingIsBoundedAndOrphansAreForgotten() throws {
        var l = LoadLedger(prompts: try PromptList(["p"]), maxTracked: 3, recentLimit: 2, orphanLimit: 2)
        var n = 0
        l.enqueue(10)
        while let job = l.takeJob(limit: 100, now: t0, register: true, makeID: { n += 1; return "id-\(n)" }) {
            l.published(job, duplicate: false, now: t0)
        }
        let s = l.snapshot(now: t0, sustainedRate: nil)
        #expect(s.untracked == 7 && s.inFlight == 3)
        #expect(l.unanswered(limit: 10) == ["id-8", "id-9", "id-10"])
        for i in 1...3 { l.answer(id: "other-\(i)", ok: true, error: nil, now: t0) }
        // other-1 was pushed out of the orphan list, so registering it later matches nothing.
        l.register(id: "other-1", prompt: "p", submitted: t0)
        l.register(id: "other-3", prompt: "p", submitted: t0)
        #expect(l.answered == 1)
        #expect(l.snapshot(now: t0, sustainedRate: nil).recent.count == 1)
    }

    @Test func manyAnswersKeepTheOrderListSmall() throws {
        var l = LoadLedger(prompts: try PromptList(["p"]), maxTracked: 10, recentLimit: 3)
        var n = 0
        for _ in 0..<5000 {
            l.enqueue(1)
            let jobTaken = l.takeJob(limit: 1, now: t0, register: true, makeID: { n += 1; return "id-\(n)" })
        let job = try #require(jobTaken)
            l.published(job, duplicate: false, now: t0)
            l.answer(id: job.id, ok: true, error: nil, now: t0 + .milliseconds(5))
        }
        #expect(l.answered == 5000 && l.inFlight == 0 && l.untracked == 0)
        #expect(l.unanswered(limit: 5).isEmpty)
        #expect(l.snapshot(now: t0, sustainedRate: nil).recent.count == 3)
    }
}
