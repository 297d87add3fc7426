import Foundation
import NATS
import NIOCore
import Synchronization

/// The continuous pull flow of `PullConsumer.messages()`. Iterate it once.
public final class JetStreamMessages: AsyncSequence, Sendable {
    public typealias Element = JetStreamMessage

    public struct AsyncIterator: AsyncIteratorProtocol {
        var inner: AsyncThrowingStream<JetStreamMessage, any Error>.AsyncIterator
        /// Keeps the flow alive while someone iterates it (its deinit stops the pulls).
        let owner: JetStreamMessages

        public mutating func next() async throws -> JetStreamMessage? {
            let message = try await inner.next()
            if message != nil { owner.pump.consumed() }
            return message
        }
    }

    let pump: Pump
    let stream: AsyncThrowingStream<JetStreamMessage, any Error>

    init(consumer: PullConsumer, batch: Int, expires: Duration, heartbeat: Duration) {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: JetStreamMessage.self)
        self.stream = stream
        pump = Pump(consumer: consumer, batch: batch, expires: expires, heartbeat: heartbeat, output: continuation)
        continuation.onTermination = { [pump] _ in pump.stop() }
        pump.start()
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: stream.makeAsyncIterator(), owner: self) }

    /// Nobody can read it any more: stop pulling (unacked messages get redelivered after ack_wait).
    deinit { pump.stop() }

    /// Ends the flow; messages already received can still be read.
    public func stop() { pump.stop() }
}

/// Keeps pull requests outstanding and moves messages from the inbox to the output stream.
final class Pump: Sendable {
    struct State {
        var budget: PullBudget
        var lastActivity = ContinuousClock.now
        var stopped = false
        var tasks: [Task<Void, Never>] = []
        var subscription: NATSSubscription?
    }

    let consumer: PullConsumer
    let batch: Int
    let expires: Duration
    let heartbeat: Duration
    let output: AsyncThrowingStream<JetStreamMessage, any Error>.Continuation
    let state: Mutex<State>
    let inbox = NATSConnection.newInbox()

    init(consumer: PullConsumer, batch: Int, expires: Duration, heartbeat: Duration,
         output: AsyncThrowingStream<JetStreamMessage, any Error>.Continuation) {
        self.consumer = consumer
        self.batch = batch
        self.expires = expires
        self.heartbeat = heartbeat
        self.output = output
        state = Mutex(State(budget: PullBudget(batch: batch)))
    }

    var connection: NATSConnection { consumer.js.connection }

    func start() {
        let events = connection.events
        let reader = Task {
            do {
                let sub = try await connection.subscribe(inbox, capacity: batch * 2 + 64)
                let stopped = state.withLock { s in
                    s.subscription = sub
                    return s.stopped
                }
                if stopped { try? await sub.unsubscribe(); return }
                pullIfNeeded()
                for try await message in sub {
                    handle(message)
                }
                output.finish()
            } catch {
                output.finish(throwing: error)
            }
        }
        let watchdog = Task {
            // Missed heartbeats (two intervals without any traffic): the pull is gone, ask again.
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeat)
                let stale = state.withLock { s in
                    guard !s.stopped, ContinuousClock.now - s.lastActivity > heartbeat * 2 else { return false }
                    s.budget.reset()
                    s.lastActivity = ContinuousClock.now
                    return true
                }
                if stale { pullIfNeeded() }
            }
        }
        let reconnects = Task {
            for await event in events {
                if case .reconnected = event {
                    state.withLock { s in
                        s.budget.reset()
                        s.lastActivity = ContinuousClock.now
                    }
                    pullIfNeeded()
                }
            }
        }
        state.withLock { $0.tasks = [reader, watchdog, reconnects] }
    }

    private func handle(_ message: NATSMessage) {
        state.withLock { $0.lastActivity = ContinuousClock.now }
        switch message.status {
        case nil:
            do {
                let jsMessage = try JetStreamMessage(message, connection: connection)
                state.withLock { $0.budget.received() }
                output.yield(jsMessage)
            } catch {
                state.withLock { $0.budget.discarded() }
            }
        case 100:
            // Idle heartbeat; may carry flow control (push consumers only), nothing to answer for pull.
            break
        case 404, 408, 409:
            if message.status == 409, let text = message.statusDescription?.lowercased(),
               text.contains("consumer deleted") || text.contains("consumer is push based") {
                output.finish(throwing: JetStreamError(code: 409, errorCode: 0, description: message.statusDescription ?? "consumer deleted"))
                stop()
                return
            }
            // The request ended; the messages it did not deliver are no longer coming.
            let undelivered = message.headers?[NATSHeaderName.pendingMessages].flatMap(Int.init)
            state.withLock { $0.budget.requestEnded(undelivered: undelivered) }
            pullIfNeeded()
        default:
            break
        }
    }

    func consumed() {
        state.withLock { $0.budget.consumed() }
        pullIfNeeded()
    }

    /// Re-pull at half the batch (see `PullBudget`).
    func pullIfNeeded() {
        let pull: Int? = state.withLock { s in
            guard !s.stopped, s.subscription != nil else { return nil }
            return s.budget.nextPull()
        }
        guard let want = pull else { return }
        let request = PullRequest(batch: want, expires: expires.nanoseconds, noWait: nil, idleHeartbeat: heartbeat.nanoseconds)
        let subject = consumer.nextSubject
        let inbox = self.inbox
        let connection = self.connection
        Task {
            do {
                let body = try JSONEncoder().encode(request)
                try await connection.publish(subject, payload: ByteBuffer(bytes: body), replyTo: inbox)
            } catch {
                // Not sent (e.g. reconnect buffer full): forget it, the watchdog asks again.
                self.state.withLock { $0.budget.notSent(want) }
            }
        }
    }

    func stop() {
        let (tasks, sub): ([Task<Void, Never>], NATSSubscription?) = state.withLock { s in
            if s.stopped { return ([], nil) }
            s.stopped = true
            return (s.tasks, s.subscription)
        }
        for task in tasks { task.cancel() }
        if let sub { Task { try? await sub.unsubscribe() } }
        output.finish()
    }
}
