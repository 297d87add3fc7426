import ConsoleUI
import DequeModule

/// The bookkeeping of a load run, as a plain value (LoadEngine keeps it under a lock; tests drive it
/// directly): what is queued, which ids wait for an answer since when, counts, latencies, recent answers.
struct LoadLedger {
    struct Pending {
        var prompt: String
        var submitted: ContinuousClock.Instant
    }

    /// An answer for an id not registered yet: the web path learns its id only from the 202, and a
    /// fast worker can answer before that.
    struct Orphan {
        var ok: Bool
        var error: String?
        var at: ContinuousClock.Instant
    }

    /// One request to publish, handed out by `takeJob`.
    struct Job: Sendable {
        var id: String
        var prompt: String
        var submitted: ContinuousClock.Instant
        /// Results of jobs taken before a `reset` must not touch the new counts.
        var generation: Int
    }

    let maxTracked: Int
    let recentLimit: Int
    let orphanLimit: Int
    let failedIDLimit = 100
    let prompts: PromptList

    private(set) var queued = 0
    private(set) var publishing = 0
    private(set) var sent = 0
    private(set) var stored = 0
    private(set) var duplicates = 0
    private(set) var publishErrors = 0
    private(set) var answered = 0
    private(set) var answerErrors = 0
    private(set) var untracked = 0
    /// 429 answers from meme-web; each was retried, none is an answer.
    private(set) var rateLimited = 0
    private(set) var generation = 0
    private(set) var latency = LatencyHistogram()
    private(set) var lastError: String?
    private var pending: [String: Pending] = [:]
    /// Ids in send order; may still hold answered ids (dropped lazily, see `compactOrder`).
    private var order: Deque<String> = []
    private var orphans: [String: Orphan] = [:]
    private var orphanOrder: Deque<String> = []
    private var failedIDs: [String] = []
    private var recent: Deque<RecentMeme> = []
    private var nextPrompt: Int
    private var firstSend: ContinuousClock.Instant?
    private var lastAnswer: ContinuousClock.Instant?
    /// When the latest publish finished (acked or failed).
    private var lastPublished: ContinuousClock.Instant?

    init(prompts: PromptList, maxTracked: Int = 100_000, recentLimit: Int = 20, orphanLimit: Int = 4096, firstPrompt: Int = 0) {
        self.prompts = prompts
        self.maxTracked = max(1, maxTracked)
        self.recentLimit = max(0, recentLimit)
        self.orphanLimit = max(0, orphanLimit)
        nextPrompt = firstPrompt
    }

    var inFlight: Int { sent - answered - answerErrors - publishErrors - untracked }

    mutating func enqueue(_ count: Int) { queued += max(0, count) }

    /// Forgets what is queued and not sent yet; returns how many.
    mutating func dropQueued() -> Int {
        defer { queued = 0 }
        return queued
    }

    /// The next request to publish, when one is queued and fewer than `limit` publishes wait for an ack.
    /// With `register` (the NATS path) its id waits for an answer from now on.
    mutating func takeJob(limit: Int, now: ContinuousClock.Instant, register: Bool, makeID: () -> String) -> Job? {
        guard queued > 0, publishing < limit else { return nil }
        queued -= 1
        publishing += 1
        sent += 1
        if firstSend == nil { firstSend = now }
        let job = Job(id: makeID(), prompt: prompts.prompt(nextPrompt), submitted: now, generation: generation)
        nextPrompt &+= 1
        if register { self.register(id: job.id, prompt: job.prompt, submitted: now) }
        return job
    }

    /// Starts waiting for `id`'s answer (which may already be here).
    mutating func register(id: String, prompt: String, submitted: ContinuousClock.Instant) {
        pending[id] = Pending(prompt: prompt, submitted: submitted)
        order.append(id)
        if let orphan = orphans.removeValue(forKey: id) {
            _ = answer(id: id, ok: orphan.ok, error: orphan.error, now: orphan.at)
        }
        while pending.count > maxTracked, let oldest = order.popFirst() {
            if pending.removeValue(forKey: oldest) != nil { untracked += 1 }
        }
        compactOrder()
    }

    /// The publish of `job` was acked (web path: accepted); registers it when `register` is set.
    mutating func published(_ job: Job, duplicate: Bool, register: Bool = false, now: ContinuousClock.Instant) {
        publishing -= 1
        guard job.generation == generation else { return }
        lastPublished = now
        if duplicate { duplicates += 1 } else { stored += 1 }
        if register { self.register(id: job.id, prompt: job.prompt, submitted: job.submitted) }
    }

    /// meme-web refused `job` with 429; it stays publishing and is sent again after Retry-After.
    mutating func wasRateLimited(_ job: Job) {
        guard job.generation == generation else { return }
        rateLimited += 1
    }

    mutating func publishFailed(_ job: Job, error: String, now: ContinuousClock.Instant) {
        publishing -= 1
        guard job.generation == generation else { return }
        lastPublished = now
        publishErrors += 1
        pending.removeValue(forKey: job.id)
        if failedIDs.count < failedIDLimit { failedIDs.append(job.id) }
        lastError = error
        remember(RecentMeme(id: job.id, prompt: job.prompt, latencyMilliseconds: nil, ok: false, error: error))
    }

    /// Records an answer; false when the id is not one of ours (kept a while as an orphan).
    @discardableResult
    mutating func answer(id: String, ok: Bool, error: String?, now: ContinuousClock.Instant) -> Bool {
        guard let request = pending.removeValue(forKey: id) else {
            if orphanLimit > 0, orphans.updateValue(Orphan(ok: ok, error: error, at: now), forKey: id) == nil {
                orphanOrder.append(id)
                while orphanOrder.count > orphanLimit, let oldest = orphanOrder.popFirst() { orphans[oldest] = nil }
            }
            return false
        }
        let milliseconds = max(0, Self.milliseconds(now - request.submitted))
        if ok {
            answered += 1
            latency.record(milliseconds: milliseconds)
        } else {
            answerErrors += 1
            lastError = error
        }
        lastAnswer = now
        remember(RecentMeme(id: id, prompt: request.prompt, latencyMilliseconds: milliseconds, ok: ok, error: error))
        return true
    }

    /// Ids sent and not answered: failed publishes first, then the oldest waiting.
    func unanswered(limit: Int) -> [String] {
        var ids = Array(failedIDs.prefix(limit))
        for id in order where ids.count < limit && pending[id] != nil { ids.append(id) }
        return ids
    }

    /// Zeroes the counts; publishes still out finish without counting. Queued requests stay queued.
    mutating func reset() {
        generation += 1
        sent = 0; stored = 0; duplicates = 0; publishErrors = 0
        answered = 0; answerErrors = 0; untracked = 0; rateLimited = 0
        pending = [:]; order = []; orphans = [:]; orphanOrder = []; failedIDs = []; recent = []
        latency = LatencyHistogram()
        lastError = nil; firstSend = nil; lastAnswer = nil; lastPublished = nil
    }

    func snapshot(now: ContinuousClock.Instant, sustainedRate: Double?) -> LoadSnapshot {
        var s = LoadSnapshot()
        s.queued = queued
        s.sent = sent
        s.stored = stored
        s.duplicates = duplicates
        s.publishErrors = publishErrors
        s.answered = answered
        s.answerErrors = answerErrors
        s.publishing = publishing
        s.inFlight = inFlight
        s.untracked = untracked
        s.rateLimited = rateLimited
        s.latency = latency.summary
        s.sustainedRate = sustainedRate
        s.recent = recent.reversed()
        s.lastError = lastError
        if let firstSend {
            s.elapsedSeconds = Self.milliseconds(now - firstSend) / 1000
            if let lastAnswer { s.answeringSeconds = max(0, Self.milliseconds(lastAnswer - firstSend) / 1000) }
            if let lastPublished { s.publishingSeconds = max(0, Self.milliseconds(lastPublished - firstSend) / 1000) }
        }
        return s
    }

    private mutating func remember(_ answer: RecentMeme) {
        guard recentLimit > 0 else { return }
        recent.append(answer)
        while recent.count > recentLimit { recent.removeFirst() }
    }

    /// Keeps `order` from growing with answered ids: rebuilt once it is mostly stale.
    private mutating func compactOrder() {
        guard order.count > 2 * pending.count + 1024 else { return }
        order = Deque(order.filter { pending[$0] != nil })
    }

    static func milliseconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
