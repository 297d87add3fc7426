import Foundation
import JetStream
import Logging
import MemeKit
import MemeStream
import NATS
import NIOCore
import Retry
import ServiceLifecycle
import Synchronization

/// The production `MemeQueue`: requests go to JetStream (`meme.request`, `Nats-Msg-Id` = id, the
/// call returns after the PubAck), results come from core NATS `meme.response` and
/// `meme.response.error` (no queue group: every meme-web replica sees every result, so every
/// wall shows everything). The connection reconnects on its own; `/readyz` follows its status.
///
/// As a `Service` it connects in the background, retrying until NATS answers, so meme-web listens
/// (serves the page, says "not ready" on /readyz) while NATS is down at start.
public final class NATSMemeQueue: MemeQueue, Service {
    struct State {
        var connection: NATSConnection?
        var closed = false
    }

    public let settings: QueueSettings
    /// Bounds and copies of the stream when this process creates it (discard new).
    let streamBounds: StreamBounds
    let retry: RetryPolicy
    let logger: Logger
    private let state = Mutex(State())
    private let subscribers = Mutex([UUID: AsyncStream<MemeOutcome>.Continuation]())
    private let readers = Mutex<[Task<Void, Never>]>([])

    /// Not connected yet: `run()` (as a service) connects, waiting for NATS with `retry`.
    public init(_ settings: QueueSettings, streamBounds: StreamBounds = StreamBounds(), retry: RetryPolicy = .connect, logger: Logger) {
        self.settings = settings
        self.streamBounds = streamBounds
        self.retry = retry
        self.logger = logger
    }

    /// Connects once (tests, tools), creating the stream and the consumer `settings.consumer` when
    /// missing and subscribing to the answer subjects.
    /// - Throws: `MemeQueueError` naming the server when it cannot connect or subscribe.
    public static func connect(_ settings: QueueSettings, logger: Logger) async throws -> NATSMemeQueue {
        let queue = NATSMemeQueue(settings, logger: logger)
        try await queue.start()
        return queue
    }

    /// The connection once established.
    public var connection: NATSConnection? { state.withLock { $0.connection } }

    /// Connects (NATS may start after us: `./demo.sh`, a rolling cluster; the shared connect policy
    /// waits for it), then keeps the queue until shutdown. SIGTERM while waiting is a normal stop.
    public func run() async throws {
        if connection == nil {
            do {
                try await cancelWhenGracefulShutdown { [self] in
                    try await retry.run({ try await self.start() }, onFailure: { error, _, wait in
                        self.logger.warning("waiting for NATS", metadata: [
                            "url": "\(SettingsReader.redacted(self.settings.natsURL))", "error": "\(error)", "retry_in": "\(wait)",
                        ])
                    })
                }
            } catch {
                logger.info("stopping before NATS answered")
            }
        }
        try? await gracefulShutdown()
        await close()
    }

    /// One connection attempt: connect, declare the stream and consumer, subscribe to the answers.
    func start() async throws {
        var options = NATSOptions(servers: settings.servers, name: "meme-web")
        options.maxReconnectAttempts = -1
        options.logger = logger
        let connection: NATSConnection
        do {
            connection = try await NATSConnection.connect(options)
        } catch {
            throw MemeQueueError("cannot connect to NATS: \(error)", underlying: error)
        }
        // With the worker scaled to zero, nothing else may have created the stream yet.
        do {
            try await MemeStreamSetup(settings, bounds: streamBounds).ensure(JetStream(connection), logger: logger)
        } catch {
            logger.warning("could not create the stream/consumer; submits fail until the worker does", metadata: ["error": "\(error)"])
        }
        do {
            let responses = try await connection.subscribe(settings.responseSubject)
            let errors = try await connection.subscribe(settings.errorSubject)
            startReading(responses) { MemeAnswer.decode($0, onErrorSubject: false) }
            startReading(errors) { MemeAnswer.decode($0, onErrorSubject: true) }
        } catch {
            await connection.close()
            throw MemeQueueError("cannot subscribe to \(settings.responseSubject): \(error)", underlying: error)
        }
        let keep = state.withLock { s in
            guard !s.closed else { return false }
            s.connection = connection
            return true
        }
        if !keep { await connection.close() }
    }

    /// Publishes with one id until JetStream acknowledges it; the caller's deadline (cancellation) ends it.
    /// Every attempt carries the same `Nats-Msg-Id`, so a copy stored by an attempt whose PubAck was lost makes
    /// the next one a duplicate (still a PubAck: the request is stored once). No attempt is held in the
    /// client's reconnect buffer (`holdWhileDisconnected: false`): when the caller gives up, nothing of this
    /// request is left to be sent later, so a 503 means it was not queued.
    public func submit(_ request: MemeRequest) async throws {
        let payload: [UInt8]
        switch MemeRequestEncoder.encode(request) {
        case .success(let bytes): payload = bytes
        case .failure(let error): throw MemeQueueError(error.message, underlying: error)
        }
        // Sent as `Nats-Expected-Stream`, so a subject captured by another stream is refused, not lost.
        let headers = NATSHeaders([(NATSHeaderName.expectedStream, settings.stream)])
        var pause = Duration.milliseconds(100)
        while true {
            guard let connection else { throw MemeQueueError.unavailable("not connected to NATS yet") }
            do {
                try await JetStream(connection, timeout: .seconds(3)).publish(
                    settings.requestSubject, payload: payload, headers: headers, messageID: request.id,
                    holdWhileDisconnected: false)
                return
            } catch let error as NATSError where [.disconnected, .timeout].contains(error.kind) {
                logger.debug("submit attempt failed; retrying with the same id", metadata: ["id": "\(request.id ?? "")", "error": "\(error)"])
            } catch let error as JetStreamError where error.isStreamFull {
                throw MemeQueueError.full("\(error)", underlying: error)
            } catch let error as JetStreamError where error.code == 503 && error.errorCode == 0 {
                // No responders: JetStream not back yet after a restart.
                logger.debug("submit attempt failed; retrying with the same id", metadata: ["id": "\(request.id ?? "")", "error": "\(error)"])
            } catch is CancellationError {
                throw MemeQueueError.unavailable("no acknowledgement before the submit deadline")
            } catch {
                throw MemeQueueError.unavailable("\(error)", underlying: error)
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw MemeQueueError.unavailable("no acknowledgement before the submit deadline")
            }
            pause = min(pause * 2, .milliseconds(500))
        }
    }

    public func outcomes() -> AsyncStream<MemeOutcome> {
        let (stream, continuation) = AsyncStream<MemeOutcome>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let key = UUID()
        subscribers.withLock { $0[key] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: key) } }
        return stream
    }

    public func readiness() async -> MemeQueueReadiness {
        // The reason is shown on the public port too: no server address (the log has it and the last error).
        guard let connection else { return .notReady("waiting for NATS (not connected yet)") }
        switch connection.status {
        case .connected: return .ready
        case let other: return .notReady("NATS connection is \(other)")
        }
    }

    public func close() async {
        let connection = state.withLock { s in
            s.closed = true
            return s.connection
        }
        for task in readers.withLock({ $0 }) { task.cancel() }
        await connection?.close()
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
    }

    private func startReading(_ subscription: NATSSubscription, decode: @escaping @Sendable ([UInt8]) -> MemeOutcome?) {
        let task = Task { [weak self] in
            do {
                for try await message in subscription {
                    guard let self else { return }
                    guard let outcome = decode(message.bytes) else {
                        self.logger.warning("unreadable result message", metadata: ["subject": "\(message.subject)"])
                        continue
                    }
                    for continuation in self.subscribers.withLock({ Array($0.values) }) { continuation.yield(outcome) }
                }
            } catch {
                self?.logger.warning("result subscription ended", metadata: ["error": "\(error)"])
            }
        }
        readers.withLock { $0.append(task) }
    }
}
