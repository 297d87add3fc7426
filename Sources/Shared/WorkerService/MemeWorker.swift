import Foundation
import JetStream
import Logging
import MemeImages
import MemeKit
import MemeStream
import NATS
import RedisCache
import Retry
import ServiceLifecycle
import Synchronization

/// The meme worker as a `Service`: connect (retrying until NATS answers), make sure the stream
/// and the durable pull consumer exist, then consume `concurrency` messages at a time. On graceful
/// shutdown (SIGTERM) it stops pulling, hands unstarted messages back at once, finishes in-flight
/// jobs within the drain grace, and returns.
public final class MemeWorker: Service, Sendable {
    public let settings: WorkerSettings
    public let metrics: WorkerMetrics
    let source: any ImageSource
    let logger: Logger
    private let state = Mutex(State())

    struct State {
        var connection: NATSConnection?
        var consuming = false
    }

    public init(settings: WorkerSettings, source: any ImageSource, metrics: WorkerMetrics = WorkerMetrics(), logger: Logger) {
        self.settings = settings
        self.source = source
        self.metrics = metrics
        self.logger = logger
    }

    /// nil when ready (connected and consuming), else why not; drives `/readyz`.
    public var notReadyReason: String? {
        state.withLock { s in
            guard let c = s.connection else { return "not connected to NATS yet" }
            guard c.status == .connected else { return "NATS connection is \(c.status)" }
            return s.consuming ? nil : "not consuming yet"
        }
    }

    public func run() async throws {
        // SIGTERM while NATS has not answered yet is a normal stop (exit 0), not an error.
        guard let connection = try await connectWithRetry() else {
            logger.info("stopping before NATS answered")
            return
        }
        state.withLock { $0.connection = connection }
        defer { state.withLock { $0.consuming = false } }
        let events = Task { [logger] in
            for await event in connection.events { logger.info("nats: \(event)") }
        }
        defer { events.cancel() }

        let js = JetStream(connection)
        let setup = MemeStreamSetup(settings.queue, bounds: settings.streamBounds,
                                    ackWaitSeconds: settings.ackWaitSeconds, maxDeliver: settings.maxDeliver)
        let maxDeliver = try await setup.ensure(js, updateConsumer: true, logger: logger)
        let consumer = try await js.consumer(stream: settings.stream, name: settings.consumer)
        let cache = makeRedis()
        let handler = MessageHandler(
            settings: settings, connection: connection,
            pipeline: ImagePipeline(source: source, cache: cache, cacheTTLSeconds: settings.cacheTTLSeconds, metrics: metrics, logger: logger),
            results: cache, metrics: metrics, logger: logger, maxDeliver: maxDeliver)

        let messages = consumer.messages(batch: settings.concurrency, expires: .seconds(30))
        state.withLock { $0.consuming = true }
        logger.info("consuming", metadata: ["stream": "\(settings.stream)", "consumer": "\(settings.consumer)", "concurrency": "\(settings.concurrency)"])

        try await withGracefulShutdownHandler {
            try await consume(messages, handler: handler)
        } onGracefulShutdown: { [logger] in
            logger.info("SIGTERM: no more pulls; finishing in-flight work")
            messages.stop()
        }
        logger.info("drained; closing NATS")
        try? await connection.drain(timeout: .seconds(5))
        await connection.close()
    }

    /// Keeps at most `concurrency` handlers running; when the flow ends (shutdown), hands back any
    /// message not yet started and waits for the running ones, bounded by the drain grace.
    private func consume(_ messages: JetStreamMessages, handler: MessageHandler) async throws {
        let grace = settings.drainGraceSeconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            var iterator = messages.makeAsyncIterator()
            while true {
                if running >= settings.concurrency {
                    try await group.next()
                    running -= 1
                }
                if Task.isShuttingDownGracefully { break }
                guard let message = try await iterator.next() else { break }
                if Task.isShuttingDownGracefully {
                    try? await message.nak()
                    break
                }
                running += 1
                group.addTask { await handler.handle(message) }
            }
            // Unstarted deliveries go back now rather than after ack_wait.
            messages.stop()
            while let leftover = try? await iterator.next() { try? await leftover.nak() }
            // In-flight jobs get the drain grace; past it they are cancelled and, never acked,
            // come back to another worker after ack_wait.
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(grace * 1000)))
                throw DrainTimeout(seconds: grace)
            }
            while running > 0 {
                try await group.next()
                running -= 1
            }
            group.cancelAll()
        }
    }

    /// Connects, retrying until NATS answers; nil when a graceful shutdown comes first (a normal
    /// stop: the worker then exits 0).
    private func connectWithRetry() async throws -> NATSConnection? {
        var options = NATSOptions(servers: settings.queue.servers, name: "meme-worker \(settings.workerName)")
        options.maxReconnectAttempts = -1
        do {
            return try await cancelWhenGracefulShutdown { [logger, settings, options] in
                try await RetryPolicy.connect.run({ try await NATSConnection.connect(options) }, onFailure: { error, _, wait in
                    logger.warning("waiting for NATS", metadata: ["url": "\(SettingsReader.redacted(settings.natsURL))", "error": "\(error)", "retry_in": "\(wait)"])
                })
            }
        } catch is CancellationError {
            return nil
        }
    }

    private func makeRedis() -> RedisClient? {
        guard !settings.redisURL.isEmpty else { return nil }
        do {
            return try RedisClient(url: settings.redisURL, timeout: .milliseconds(500), logger: logger)
        } catch {
            logger.error("cache disabled: \(error)")
            return nil
        }
    }
}

struct DrainTimeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "in-flight work did not finish within the \(seconds) s drain grace" }
}
