import CurlHTTP
import Foundation
import JetStream
import Logging
import MemeKit
import MemeStream
import NATS
import NIOCore
import Synchronization

/// Sends meme requests in the background — a burst of N, or a sustained rate — and counts what
/// happens to them: acks, duplicates, answers and errors matched by id, and submit → answer latency.
///
///     let engine = try await LoadEngine.start(connection: nc)
///     try engine.submit(1000)                      // returns at once; publishing runs in the background
///     try engine.startSustained(perSecond: 20)     // again to change the rate; stopSustained() to stop
///     let s = engine.snapshot                      // cheap: a lock and a copy; poll it from a UI loop
///     await engine.shutdown()                      // the connection stays open (it is the caller's)
///
/// Answers are counted from `meme.response` / `meme.response.error` in both transports, so the
/// engine subscribes on `connection` even when it submits through the web service — unless
/// `listensForAnswers` is off and the caller feeds `answered(id:ok:error:)` from its own subscription.
public final class LoadEngine: Sendable {
    public let configuration: LoadConfiguration
    public let connection: NATSConnection
    private let js: JetStream
    private let http: CurlHTTPClient?
    private let publishLimit: Int
    private let ledger: Mutex<LoadLedger>
    private let control = Mutex(Control())
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation
    private let clock = ContinuousClock()
    /// After a 429 the web path paces itself: no POST before `until` (the largest Retry-After seen),
    /// and from then on one POST at a time (`busy`), so a refill lets requests through one by one
    /// instead of every waiting request firing at once and most of them earning another 429.
    private let webPace = Mutex(WebPace())

    private struct WebPace {
        var until: ContinuousClock.Instant?
        var limited = false
        var busy = false
    }

    /// 429s in a row after which one request gives up (a limit this tight will not let the run finish).
    public static let maxRateLimitedAttempts = 30

    private struct Control {
        var rate: Double?
        /// Requests sustained load still queues before it stops by itself; nil: no end.
        var remaining: Int?
        /// Which ticker is current: a cancelled one still finishing its sleep must not add requests.
        var tickerGeneration = 0
        var ticker: Task<Void, Never>?
        var tasks: [Task<Void, Never>] = []
        var subscriptions: [NATSSubscription] = []
        var closed = false
    }

    /// Most requests a single `submit` takes.
    public static let maxBurst = 1_000_000
    /// Highest sustained rate, requests per second.
    public static let maxRate = 10_000.0

    private init(connection: NATSConnection, configuration: LoadConfiguration) {
        self.configuration = configuration
        self.connection = connection
        // The publish timeout bounds a publish in total, its retries through an election included.
        js = JetStream(connection, timeout: configuration.publishTimeout, retryWindow: configuration.publishTimeout)
        if case .web = configuration.transport {
            // Each transfer holds a thread while it runs, so the web path runs fewer at once.
            let threads = min(configuration.maxConcurrentPublishes, 32)
            http = CurlHTTPClient(configuration: HTTPClientConfiguration(
                timeouts: HTTPTimeouts(connect: min(.seconds(5), configuration.publishTimeout), total: configuration.publishTimeout),
                maxConcurrentTransfers: threads, maxResponseBytes: 1 << 20, userAgent: "meme-console-load"))
            publishLimit = threads
        } else {
            http = nil
            publishLimit = configuration.maxConcurrentPublishes
        }
        ledger = Mutex(LoadLedger(
            prompts: configuration.prompts, maxTracked: configuration.maxTracked,
            recentLimit: configuration.recentLimit, firstPrompt: Int.random(in: 0..<configuration.prompts.count)))
        (wakeups, wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Checks the configuration, subscribes to the answer subjects (unless `listensForAnswers` is off), and
    /// (for the NATS path) makes sure the stream exists. Throws `LoadError` with what failed.
    public static func start(connection: NATSConnection, configuration: LoadConfiguration = LoadConfiguration()) async throws -> LoadEngine {
        try configuration.validate()
        let engine = LoadEngine(connection: connection, configuration: configuration)
        do {
            try await engine.begin()
        } catch {
            await engine.shutdown()
            throw error
        }
        return engine
    }

    private func begin() async throws {
        let c = configuration
        if c.transport == .nats && c.createQueueIfMissing { try await ensureQueue() }
        var subscriptions: [NATSSubscription] = []
        var tasks: [Task<Void, Never>] = []
        let answerSubjects = c.listensForAnswers ? [(c.responseSubject, true), (MemeDefaults.errorSubject(for: c.responseSubject), false)] : []
        for (subject, ok) in answerSubjects {
            let sub: NATSSubscription
            do {
                sub = try await connection.subscribe(subject)
            } catch {
                throw LoadError("cannot subscribe to \(subject): \(Self.describe(error))")
            }
            subscriptions.append(sub)
            tasks.append(Task { [self] in await listen(sub, ok: ok) })
        }
        if !subscriptions.isEmpty {
            do {
                try await connection.flush(timeout: c.publishTimeout)
            } catch {
                throw LoadError("NATS did not confirm the answer subscriptions: \(Self.describe(error))")
            }
        }
        tasks.append(Task { [self] in await dispatch() })
        control.withLock {
            $0.subscriptions = subscriptions
            $0.tasks = tasks
        }
    }

    private func ensureQueue() async throws {
        let c = configuration
        let setup = MemeStreamSetup(stream: c.stream, consumer: c.consumer, requestSubject: c.requestSubject, bounds: c.streamBounds)
        do {
            try await setup.ensure(js, updateConsumer: false, logger: Logger(label: "meme-load"))
        } catch {
            throw LoadError("cannot set up stream \(c.stream) / consumer \(c.consumer): \(Self.describe(error))")
        }
    }

    // MARK: Controls (cheap, never wait: safe to call from a UI loop)

    /// Queues `count` requests; they go out in the background, at most `maxConcurrentPublishes` at a time.
    public func submit(_ count: Int = 1) throws(LoadError) {
        guard (1...Self.maxBurst).contains(count) else {
            throw LoadError("burst size must be 1…\(Self.maxBurst), not \(count)")
        }
        try checkOpen()
        ledger.withLock { $0.enqueue(count) }
        wakeup.yield()
    }

    /// Starts sending `perSecond` requests per second, or changes the rate when already running.
    /// With `total`, sustained load turns itself off after that many more requests; without, it runs until
    /// `stopSustained()`.
    public func startSustained(perSecond rate: Double, total: Int? = nil) throws(LoadError) {
        guard rate.isFinite, rate > 0, rate <= Self.maxRate else {
            throw LoadError("sustained rate must be above 0 and at most \(Int(Self.maxRate)) per second, not \(rate)")
        }
        if let total, !(1...Self.maxBurst).contains(total) {
            throw LoadError("sustained total must be 1…\(Self.maxBurst), not \(total)")
        }
        try control.withLock { (c) throws(LoadError) in
            guard !c.closed else { throw LoadError("the load engine is shut down") }
            c.rate = rate
            c.remaining = total
            if c.ticker == nil {
                c.tickerGeneration += 1
                let generation = c.tickerGeneration
                c.ticker = Task { [self] in await tick(generation: generation) }
            }
        }
    }

    public func stopSustained() {
        let ticker = control.withLock { c in
            c.rate = nil
            c.remaining = nil
            defer { c.ticker = nil }
            return c.ticker
        }
        ticker?.cancel()
    }

    /// True while sustained load runs.
    public var isSustained: Bool { control.withLock { $0.rate != nil } }

    /// Stops sustained load and forgets queued requests not sent yet; returns how many were dropped.
    /// Requests already sent are still counted when answered.
    @discardableResult
    public func stop() -> Int {
        stopSustained()
        return ledger.withLock { $0.dropQueued() }
    }

    /// Counts one answer (`ok`: from the response subject, else from the error subject); an id that is not
    /// ours is kept a while in case its 202 is still on the way. Cheap: a lock.
    public func answered(id: String, ok: Bool, error: String?) {
        let now = clock.now
        _ = ledger.withLock { $0.answer(id: id, ok: ok, error: ok ? nil : (error ?? "error without a message"), now: now) }
    }

    /// Zeroes every count (requests already out finish without being counted).
    public func reset() { ledger.withLock { $0.reset() } }

    /// The counts now.
    public var snapshot: LoadSnapshot {
        let rate = control.withLock { $0.rate }
        return ledger.withLock { $0.snapshot(now: clock.now, sustainedRate: rate) }
    }

    /// Snapshots every `interval` until the consumer stops iterating or the engine shuts down.
    public func progress(every interval: Duration = .seconds(1)) -> AsyncStream<LoadSnapshot> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task { [self] in
                while !Task.isCancelled && !isClosed {
                    continuation.yield(snapshot)
                    try? await Task.sleep(for: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Waits until nothing is queued, publishing or waiting for an answer and sustained load is off;
    /// false if `timeout` passed first.
    public func waitUntilIdle(timeout: Duration, poll: Duration = .milliseconds(20)) async -> Bool {
        let deadline = clock.now + timeout
        while true {
            if snapshot.isIdle { return true }
            if clock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: poll)
        }
    }

    /// Ids sent and never answered (failed publishes first, then the oldest waiting), at most `limit`.
    public func unansweredIDs(limit: Int = 10) -> [String] { ledger.withLock { $0.unanswered(limit: max(0, limit)) } }

    /// Stops everything the engine started (sustained load, publishing, answer subscriptions). Publishes
    /// out at this moment are cancelled. The NATS connection stays open.
    public func shutdown() async {
        let (ticker, tasks, subscriptions) = control.withLock { c in
            c.closed = true
            c.rate = nil
            defer { c.ticker = nil; c.tasks = []; c.subscriptions = [] }
            return (c.ticker, c.tasks, c.subscriptions)
        }
        ticker?.cancel()
        _ = ledger.withLock { $0.dropQueued() }
        wakeup.finish()
        for sub in subscriptions { try? await sub.unsubscribe() }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        await http?.shutdown()
    }

    private var isClosed: Bool { control.withLock { $0.closed } }

    private func checkOpen() throws(LoadError) {
        if isClosed { throw LoadError("the load engine is shut down") }
    }

    // MARK: Background work

    /// Hands queued requests to publisher tasks while slots are free; publishers wake it when done.
    private func dispatch() async {
        let register = configuration.transport == .nats
        let prefix = configuration.idPrefix
        await withDiscardingTaskGroup { group in
            for await _ in wakeups {
                while !Task.isCancelled, let job = ledger.withLock({ l in
                    l.takeJob(limit: publishLimit, now: clock.now, register: register) {
                        prefix + UUID().uuidString.lowercased()
                    }
                }) {
                    group.addTask { [self] in
                        await send(job)
                        wakeup.yield()
                    }
                }
            }
        }
    }

    private func send(_ job: LoadLedger.Job) async {
        switch configuration.transport {
        case .nats: await publish(job)
        case .web(let baseURL): await post(job, baseURL: baseURL)
        }
    }

    private func publish(_ job: LoadLedger.Job) async {
        let c = configuration
        let request = MemeRequest(
            id: job.id, prompt: job.prompt, fastMode: c.fastMode, smallImage: c.smallImage,
            submittedAt: Date().timeIntervalSince1970)
        do {
            let payload = try JSONEncoder().encode(request)
            let ack = try await js.publish(c.requestSubject, payload: ByteBuffer(bytes: payload), messageID: job.id)
            ledger.withLock { $0.published(job, duplicate: ack.duplicate, now: clock.now) }
        } catch {
            let message = "publish \(job.id): \(Self.describe(error))"
            ledger.withLock { $0.publishFailed(job, error: message, now: clock.now) }
        }
    }

    private struct WebSubmit: Encodable {
        var prompt: String
        var smallImage: Bool
        var fastMode: Bool?
        enum CodingKeys: String, CodingKey { case prompt, smallImage = "small_image", fastMode = "fast_mode" }
    }

    private struct WebAccepted: Decodable { var id: String }
    private struct WebError: Decodable { var error: String }

    /// Waits for this request's turn to POST: at once until meme-web first answered 429, then one at a
    /// time after the latest Retry-After. Returns true when it took the turn (release it afterwards).
    private func takeWebTurn() async throws -> Bool {
        while true {
            let (turn, until) = webPace.withLock { p -> (Bool?, ContinuousClock.Instant?) in
                if let until = p.until, until > clock.now { return (nil, until) }
                if !p.limited { return (false, nil) }
                if p.busy { return (nil, nil) }
                p.busy = true
                return (true, nil)
            }
            if let turn { return turn }
            if let until { try await clock.sleep(until: until) } else { try await Task.sleep(for: .milliseconds(5)) }
            try checkOpen()
        }
    }

    private func releaseWebTurn() { webPace.withLock { $0.busy = false } }

    private func post(_ job: LoadLedger.Job, baseURL: String) async {
        guard let http else { return }
        var holdsTurn = false
        defer { if holdsTurn { releaseWebTurn() } }
        let c = configuration
        let url = (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/api/memes"
        do {
            let body = try JSONEncoder().encode(WebSubmit(prompt: job.prompt, smallImage: c.smallImage, fastMode: c.fastMode))
            holdsTurn = try await takeWebTurn()
            var response = try await http.send(.postJSON(url: url, json: Array(body)))
            var limited = 0
            while response.status == 429 {
                // Rate limited: not an answer and not (yet) an error. Wait as told, then send it again.
                limited += 1
                ledger.withLock { $0.wasRateLimited(job) }
                let wait = Self.retryAfter(response.headers["Retry-After"])
                guard limited < Self.maxRateLimitedAttempts else {
                    throw LoadError("web answered 429 \(limited) times in a row (Retry-After \(response.headers["Retry-After"] ?? "missing"))")
                }
                webPace.withLock { p in
                    let candidate = clock.now + .milliseconds(Int64(wait * 1000))
                    p.until = max(p.until ?? candidate, candidate)
                    p.limited = true
                }
                if holdsTurn { releaseWebTurn() }
                holdsTurn = false
                holdsTurn = try await takeWebTurn()
                response = try await http.send(.postJSON(url: url, json: Array(body)))
            }
            guard response.isSuccess else {
                let reason = (try? JSONDecoder().decode(WebError.self, from: Data(response.body)))?.error
                    ?? String(response.text.prefix(200))
                throw LoadError("web answered \(response.status): \(reason)")
            }
            guard let accepted = try? JSONDecoder().decode(WebAccepted.self, from: Data(response.body)), !accepted.id.isEmpty else {
                throw LoadError("web answered \(response.status) without an id: \(response.text.prefix(200))")
            }
            var registered = job
            registered.id = accepted.id
            ledger.withLock { $0.published(registered, duplicate: false, register: true, now: clock.now) }
        } catch {
            ledger.withLock { $0.publishFailed(job, error: "POST /api/memes: \(Self.describe(error))", now: clock.now) }
        }
    }

    private func listen(_ subscription: NATSSubscription, ok: Bool) async {
        do {
            for try await message in subscription {
                // Answers of other clients (the audience) arrive too; they are not ours and are skipped.
                guard let answer = MemeAnswerSummary.decode(message.payload.readableBytesView, onErrorSubject: !ok) else { continue }
                answered(id: answer.requestId, ok: ok, error: answer.error)
            }
        } catch {
            // The subscription ends with the connection; the engine stops counting answers.
        }
    }

    /// Adds due requests for the current rate. Due counts from the moment the rate was set, so sleep jitter
    /// never accumulates into a lower rate.
    private func tick(generation: Int) async {
        var anchor = clock.now
        var issued = 0
        var rate = 0.0
        while !Task.isCancelled {
            guard let current = control.withLock({ $0.tickerGeneration == generation ? $0.rate : nil }) else { return }
            let now = clock.now
            if current != rate {
                rate = current
                anchor = now
                issued = 0
            }
            let due = Int(LoadLedger.milliseconds(now - anchor) / 1000 * rate) + 1 - issued
            if due > 0 {
                // After a stall (suspended laptop, starved machine) catch up by at most one second's worth.
                let wanted = min(due, max(1, Int(rate.rounded(.up))))
                let (granted, finished) = control.withLock { c -> (Int, Bool) in
                    guard c.rate != nil, c.tickerGeneration == generation else { return (0, true) }
                    guard let remaining = c.remaining else { return (wanted, false) }
                    let n = min(wanted, remaining)
                    c.remaining = remaining - n
                    if remaining - n == 0 {
                        c.rate = nil
                        c.remaining = nil
                        c.ticker = nil
                    }
                    return (n, remaining - n == 0)
                }
                if granted > 0 {
                    ledger.withLock { $0.enqueue(granted) }
                    wakeup.yield()
                }
                if finished { return }
                issued += due
            }
            let interval = min(max(1 / rate, 0.005), 0.1)
            try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
        }
    }

    /// Seconds from a Retry-After header (delta-seconds; an HTTP date or nothing counts as 1 s), capped at 60.
    static func retryAfter(_ header: String?) -> Double {
        guard let header, let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds.isFinite, seconds >= 0 else { return 1 }
        return min(max(seconds, 0.1), 60)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let e as LoadError: return e.message
        case let e as NATSError: return e.message
        case let e as HTTPClientError: return e.message
        case let e as JetStreamError: return e.description
        default: return String(describing: error)
        }
    }
}
