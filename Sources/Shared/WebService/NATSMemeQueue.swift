import Foundation
import JetStream
import Logging
import MemeKit
import MemeStream
import NATS
import NIOCore
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
    public struct Configuration: Sendable {
        public var url: String
        public var stream: String?
        public var requestSubject: String
        public var responseSubject: String
        /// Bounds of the stream when this process creates it (discard new).
        public var streamMaxMessages: Int
        public var streamMaxBytes: Int

        public init(url: String, stream: String? = MemeDefaults.stream, requestSubject: String = MemeDefaults.requestSubject,
                    responseSubject: String = MemeDefaults.responseSubject,
                    streamMaxMessages: Int = MemeDefaults.streamMaxMessages, streamMaxBytes: Int = MemeDefaults.streamMaxBytes) {
            self.url = url
            self.stream = stream
            self.requestSubject = requestSubject
            self.responseSubject = responseSubject
            self.streamMaxMessages = streamMaxMessages
            self.streamMaxBytes = streamMaxBytes
        }
    }

    struct State {
        var connection: NATSConnection?
        var lastError: String?
        var closed = false
    }

    public let configuration: Configuration
    let logger: Logger
    private let state = Mutex(State())
    private let subscribers = Mutex([UUID: AsyncStream<MemeOutcome>.Continuation]())
    private let readers = Mutex<[Task<Void, Never>]>([])

    /// Not connected yet: `run()` (as a service) connects.
    public init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Connects once (tests, tools): throws `MemeQueueError` naming the server when it cannot.
    public static func connect(
        url: String, stream: String? = MemeDefaults.stream, requestSubject: String = MemeDefaults.requestSubject,
        responseSubject: String = MemeDefaults.responseSubject, logger: Logger
    ) async throws -> NATSMemeQueue {
        let queue = NATSMemeQueue(.init(url: url, stream: stream, requestSubject: requestSubject, responseSubject: responseSubject),
                                  logger: logger)
        try await queue.start()
        return queue
    }

    /// The connection once established.
    public var connection: NATSConnection? { state.withLock { $0.connection } }

    /// Connects (retrying with backoff until NATS answers), then keeps the queue until shutdown.
    public func run() async throws {
        // NATS may start after us (./demo.sh, a rolling cluster): wait for it instead of exiting.
        var delay = Duration.milliseconds(200)
        while connection == nil, !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await start()
            } catch {
                state.withLock { $0.lastError = "\(error)" }
                logger.warning("waiting for NATS", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                let pause = delay + .milliseconds(Int64.random(in: 0...200))
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                } catch {
                    break
                }
                delay = min(delay * 2, .seconds(5))
            }
        }
        try? await gracefulShutdown()
        await close()
    }

    /// One connection attempt: connect, declare the stream and consumer, subscribe to the answers.
    func start() async throws {
        var options = NATSOptions(servers: [configuration.url], name: "meme-web")
        options.maxReconnectAttempts = -1
        options.logger = logger
        let connection: NATSConnection
        do {
            connection = try await NATSConnection.connect(options)
        } catch {
            throw MemeQueueError.unavailable("cannot connect to NATS: \(error)")
        }
        // With the worker scaled to zero, nothing else may have created the stream yet.
        do {
            var setup = MemeStreamSetup(stream: configuration.stream ?? MemeDefaults.stream, requestSubject: configuration.requestSubject)
            setup.maxMessages = configuration.streamMaxMessages
            setup.maxBytes = configuration.streamMaxBytes
            try await setup.ensure(JetStream(connection), logger: logger)
        } catch {
            logger.warning("could not create the stream/consumer; submits fail until the worker does", metadata: ["error": "\(error)"])
        }
        do {
            let responses = try await connection.subscribe(configuration.responseSubject)
            let errors = try await connection.subscribe(MemeDefaults.errorSubject(for: configuration.responseSubject))
            startReading(responses, decode: Self.decodeResponse)
            startReading(errors, decode: Self.decodeError)
        } catch {
            await connection.close()
            throw MemeQueueError.unavailable("cannot subscribe to \(configuration.responseSubject): \(error)")
        }
        let keep = state.withLock { s in
            guard !s.closed else { return false }
            s.connection = connection
            s.lastError = nil
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
        case .failure(let error): throw MemeQueueError(message: error.message, detail: error.message)
        }
        let headers = configuration.stream.map { NATSHeaders([(NATSHeaderName.expectedStream, $0)]) }
        var pause = Duration.milliseconds(100)
        while true {
            guard let connection else { throw MemeQueueError.unavailable("not connected to NATS yet") }
            do {
                try await JetStream(connection, timeout: .seconds(3)).publish(
                    configuration.requestSubject, payload: payload, headers: headers, messageID: request.id,
                    holdWhileDisconnected: false)
                return
            } catch let error as NATSError where [.disconnected, .timeout].contains(error.kind) {
                logger.debug("submit attempt failed; retrying with the same id", metadata: ["id": "\(request.id ?? "")", "error": "\(error)"])
            } catch let error as JetStreamError where error.isStreamFull {
                throw MemeQueueError.full("\(error)")
            } catch let error as JetStreamError where error.code == 503 && error.errorCode == 0 {
                // No responders: JetStream not back yet after a restart.
                logger.debug("submit attempt failed; retrying with the same id", metadata: ["id": "\(request.id ?? "")", "error": "\(error)"])
            } catch is CancellationError {
                throw MemeQueueError.unavailable("no acknowledgement before the submit deadline")
            } catch {
                throw MemeQueueError.unavailable("\(error)")
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

    static func decodeResponse(_ bytes: [UInt8]) -> MemeOutcome? {
        (try? JSONDecoder().decode(MemeResponse.self, from: Data(bytes))).map(MemeOutcome.done)
    }

    static func decodeError(_ bytes: [UInt8]) -> MemeOutcome? {
        (try? JSONDecoder().decode(MemeErrorResponse.self, from: Data(bytes))).map(MemeOutcome.failed)
    }
}
