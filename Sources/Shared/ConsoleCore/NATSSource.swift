import ConsoleUI
import Foundation
import JetStream
import MemeKit
import NATS
import Synchronization

/// The console's NATS connection, shared by the queue poller, the answer listener and the load publisher.
public final class NATSLinkBox: Sendable {
    private let state = Mutex<(connection: NATSConnection?, link: NATSLink)>((nil, NATSLink(connected: false, reason: "connecting")))
    public init() {}
    public var connection: NATSConnection? { state.withLock { $0.connection } }
    public var link: NATSLink { state.withLock { $0.link } }
    func set(_ connection: NATSConnection?, _ link: NATSLink) { state.withLock { $0 = (connection, link) } }
    func setLink(_ link: NATSLink) { state.withLock { $0.link = link } }

    /// The connection, or an error saying NATS is down.
    public func require() throws -> NATSConnection {
        let (connection, link) = state.withLock { ($0.connection, $0.link) }
        guard let connection, link.connected else { throw ConsoleError("nats not connected" + (link.reason.map { ": " + $0 } ?? "")) }
        return connection
    }
}

/// NATS: connection state from the client's events, the queue from JetStream consumer info (polled),
/// and recent answers from `meme.response` / `meme.response.error`.
public final class NATSSource: Sendable {
    public let url: String
    public let stream: String
    public let consumer: String
    public let responseSubject: String
    public let box = NATSLinkBox()
    public let queue: Poller<QueueReading>
    private let recentAnswers = Mutex<[RecentMeme]>([])
    /// Every answer seen, for the short-window rate; nil until the first subscription.
    private let answerWindow = Mutex<AnswerWindow?>(nil)
    /// Where each answer goes besides the recent list (the load engine's ledger): this is the console's
    /// only subscription to the answer subjects, so each ~1 MB answer is decoded once.
    private let answerSink = Mutex<(@Sendable (_ id: String, _ ok: Bool, _ error: String?) -> Void)?>(nil)
    public static let recentLimit = 20

    public init(url: String, stream: String = MemeDefaults.stream, consumer: String = MemeDefaults.consumer,
                responseSubject: String = MemeDefaults.responseSubject, backoff: Backoff,
                queueFetch: (@Sendable () async throws -> QueueReading)? = nil) {
        self.url = url
        self.stream = stream
        self.consumer = consumer
        self.responseSubject = responseSubject
        let box = self.box
        queue = Poller(name: "nats", backoff: backoff, fetch: queueFetch ?? {
            // One attempt per poll: the next poll is the retry, and the panel shows what failed meanwhile.
            let js = JetStream(try box.require(), timeout: .seconds(2), retryWindow: .zero)
            let info: ConsumerInfo
            do {
                info = try await js.consumerInfo(stream: stream, consumer: consumer)
            } catch let error as JetStreamError {
                throw ConsoleError(jetStreamProblem(error, stream: stream, consumer: consumer), underlying: error)
            }
            // The stream's fill against its bound (discard new: at max_msgs new memes are refused).
            let streamInfo = try? await js.streamInfo(stream)
            return QueueReading(stream: stream, consumer: consumer, pending: Int(info.numPending), ackPending: info.numAckPending,
                                redelivered: info.numRedelivered, messages: streamInfo.map { Int($0.state.messages) },
                                maxMessages: streamInfo?.config.maxMessages.flatMap { $0 > 0 ? Int($0) : nil })
        })
    }

    /// Newest last.
    public var recent: [RecentMeme] { recentAnswers.withLock { $0 } }

    /// Answers per second and end-to-end latency over the last `AnswerWindow.defaultSeconds`; nil before
    /// the console ever subscribed.
    public func answerRates(now: Double) -> AnswerRates? { answerWindow.withLock { $0?.rates(now: now) } }

    /// Hands every answer with a request id to `sink` too, from then on.
    public func forwardAnswers(to sink: @escaping @Sendable (_ id: String, _ ok: Bool, _ error: String?) -> Void) {
        answerSink.withLock { $0 = sink }
    }

    /// Tries once to connect.
    func connect() async throws -> NATSConnection {
        var options = NATSOptions(servers: ServerList.split(url), name: "meme-console")
        options.maxReconnectAttempts = -1
        options.connectTimeout = .seconds(2)
        return try await NATSConnection.connect(options)
    }

    /// Both answer subjects, confirmed by the server (flush) so nothing published after this is missed.
    private func subscribeToAnswers(_ connection: NATSConnection) async throws -> (ok: NATSSubscription, error: NATSSubscription) {
        let ok = try await connection.subscribe(responseSubject)
        let error = try await connection.subscribe(MemeDefaults.errorSubject(for: responseSubject))
        try await connection.flush(timeout: .seconds(2))
        return (ok, error)
    }

    /// Keeps a connection (the client reconnects by itself; a closed one is replaced after a backoff),
    /// follows its events and listens for answers, until cancelled.
    public func run(backoff: Backoff) async {
        var failures = 0
        while !Task.isCancelled {
            let connection: NATSConnection
            let answers: (ok: NATSSubscription, error: NATSSubscription)
            do {
                connection = try await connect()
                do {
                    answers = try await subscribeToAnswers(connection)
                } catch {
                    await connection.close()
                    throw error
                }
                failures = 0
            } catch {
                failures += 1
                box.set(nil, NATSLink(connected: false, reason: Self.connectFailure(url: url, error)))
                try? await Task.sleep(for: .milliseconds(Int(backoff.delay(afterFailures: failures, random: .random(in: 0..<1)) * 1000)))
                continue
            }
            // Subscribed before the connection is shown: the load engine publishes on it once it sees it.
            box.set(connection, NATSLink(connected: true))
            answerWindow.withLock { if $0 == nil { $0 = AnswerWindow(since: Date().timeIntervalSince1970) } }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.follow(connection) }
                group.addTask { await self.listen(answers.ok, ok: true) }
                group.addTask { await self.listen(answers.error, ok: false) }
                // The events stream ends when the connection closes or we are cancelled; the listeners follow.
                await group.next()
                group.cancelAll()
            }
            box.set(nil, NATSLink(connected: false, reason: Task.isCancelled ? "stopped" : "connection closed"))
            await connection.close()
        }
    }

    /// "cannot connect to nats://127.0.0.1:4222: connection refused" rather than NIO's nested error text.
    static func connectFailure(url: String, _ error: any Error) -> String {
        let short = switch (error as? NATSError)?.kind {
        case .connectionRefused: "connection refused"
        case .timeout: "timeout"
        case .hostNotFound: "host not found"
        default: describe(error)
        }
        return "cannot connect to \(SettingsReader.redacted(url)): \(short)"
    }

    private func follow(_ connection: NATSConnection) async {
        var lost = "disconnected"
        for await event in connection.events {
            switch event {
            case .connected, .reconnected: box.setLink(NATSLink(connected: true))
            case .disconnected(let reason):
                lost = "disconnected: \(reason)"
                box.setLink(NATSLink(connected: false, reason: lost))
            case .reconnecting(let attempt): box.setLink(NATSLink(connected: false, reason: "\(lost) (reconnect attempt \(attempt))"))
            case .closed: return
            case .slowConsumer, .serverError, .lameDuckMode, .discoveredServers: break
            }
        }
    }

    private func listen(_ subscription: NATSSubscription, ok: Bool) async {
        do {
            for try await message in subscription {
                let now = Date().timeIntervalSince1970
                guard let meme = Self.decodeAnswer(message.bytes, ok: ok, now: now) else { continue }
                if meme.id != unknownRequestID, let sink = answerSink.withLock({ $0 }) { sink(meme.id, ok, meme.error) }
                answerWindow.withLock { $0?.record(at: now, ok: ok, latency: meme.latencyMilliseconds.map { $0 / 1000 }) }
                recentAnswers.withLock {
                    $0.append(meme)
                    if $0.count > Self.recentLimit { $0.removeFirst($0.count - Self.recentLimit) }
                }
            }
        } catch {}
        try? await subscription.unsubscribe()
    }

    /// A `meme.response` or `meme.response.error` body as a recent-meme line; latency from `submitted_at` when present.
    static func decodeAnswer(_ bytes: [UInt8], ok: Bool, now: Double) -> RecentMeme? {
        guard let a = MemeAnswerSummary.decode(bytes, onErrorSubject: !ok) else { return nil }
        return RecentMeme(id: a.requestId, prompt: a.prompt ?? "", latencyMilliseconds: a.submittedAt.map { max(0, (now - $0) * 1000) },
                          ok: ok, error: a.error)
    }
}

/// JetStream API errors the presenter meets, said plainly.
func jetStreamProblem(_ error: JetStreamError, stream: String, consumer: String) -> String {
    switch error.errorCode {
    case JetStreamError.streamNotFound: "stream \(stream) not found (no meme-worker has created it yet?)"
    case JetStreamError.consumerNotFound: "consumer \(stream)/\(consumer) not found"
    case JetStreamError.jetStreamNotEnabled: "JetStream is not enabled on this nats-server"
    default: error.errorDescription
    }
}
