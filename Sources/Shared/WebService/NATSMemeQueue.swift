import Foundation
import JetStream
import Logging
import MemeKit
import MemeStream
import NATS
import NIOCore
import Synchronization

/// The production `MemeQueue`: requests go to JetStream (`meme.request`, `Nats-Msg-Id` = id, the
/// call returns after the PubAck), results come from core NATS `meme.response` and
/// `meme.response.error` (no queue group: every meme-web replica sees every result, so every
/// wall shows everything). The connection reconnects on its own; `/readyz` follows its status.
public final class NATSMemeQueue: MemeQueue {
    public let connection: NATSConnection
    let jetStream: JetStream
    let requestSubject: String
    /// Sent as `Nats-Expected-Stream`, so a subject captured by another stream is refused, not lost.
    let stream: String?
    let logger: Logger
    private let subscribers = Mutex([UUID: AsyncStream<MemeOutcome>.Continuation]())
    private let readers = Mutex<[Task<Void, Never>]>([])

    /// Connects to `settings.servers` (one try; `WebBackends` retries), creates the stream and the
    /// consumer `settings.consumer` when missing, and subscribes to the answer subjects.
    /// - Throws: `MemeQueueError` naming the server when it cannot connect or subscribe.
    public static func connect(_ settings: QueueSettings, logger: Logger) async throws -> NATSMemeQueue {
        let (stream, requestSubject, responseSubject) = (settings.stream, settings.requestSubject, settings.responseSubject)
        var options = NATSOptions(servers: settings.servers, name: "meme-web")
        options.maxReconnectAttempts = -1
        options.logger = logger
        let connection: NATSConnection
        do {
            connection = try await NATSConnection.connect(options)
        } catch {
            throw MemeQueueError("cannot connect to NATS: \(error)", underlying: error)
        }
        let queue = NATSMemeQueue(connection: connection, stream: stream, requestSubject: requestSubject, logger: logger)
        // With the worker scaled to zero, nothing else may have created the stream yet.
        do {
            try await MemeStreamSetup(stream: settings.stream, consumer: settings.consumer, requestSubject: requestSubject)
                .ensure(JetStream(connection), logger: logger)
        } catch {
            logger.warning("could not create the stream/consumer; submits fail until the worker does", metadata: ["error": "\(error)"])
        }
        do {
            let responses = try await connection.subscribe(responseSubject)
            let errors = try await connection.subscribe(MemeDefaults.errorSubject(for: responseSubject))
            queue.startReading(responses) { MemeAnswer.decode($0, onErrorSubject: false) }
            queue.startReading(errors) { MemeAnswer.decode($0, onErrorSubject: true) }
        } catch {
            await connection.close()
            throw MemeQueueError("cannot subscribe to \(responseSubject): \(error)", underlying: error)
        }
        return queue
    }

    init(connection: NATSConnection, stream: String?, requestSubject: String, logger: Logger) {
        self.connection = connection
        self.stream = stream
        self.jetStream = JetStream(connection, timeout: .seconds(3))
        self.requestSubject = requestSubject
        self.logger = logger
    }

    public func submit(_ request: MemeRequest) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let payload = try encoder.encode(request)
        do {
            let headers = stream.map { NATSHeaders([(NATSHeaderName.expectedStream, $0)]) }
            try await jetStream.publish(requestSubject, payload: Array(payload), headers: headers, messageID: request.id)
        } catch {
            throw MemeQueueError.unavailable("\(error)", underlying: error)
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
        switch connection.status {
        case .connected: .ready
        case let other: .notReady("NATS connection is \(other)")
        }
    }

    public func close() async {
        for task in readers.withLock({ $0 }) { task.cancel() }
        await connection.close()
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
