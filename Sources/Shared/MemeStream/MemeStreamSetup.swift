import JetStream
import Logging
import MemeKit
import NATS

/// The meme queue's JetStream objects, created idempotently by whichever program starts first.
///
/// Both the worker and the web service call this: with KEDA scaling the worker to zero, the web
/// service may be the only program running, and it must still be able to store requests (and give
/// KEDA a consumer whose lag it can read).
public struct MemeStreamSetup: Sendable {
    public var stream = MemeDefaults.stream
    public var consumer = MemeDefaults.consumer
    public var requestSubject = MemeDefaults.requestSubject
    public var ackWaitSeconds = MemeDefaults.ackWaitSeconds
    public var maxDeliver = MemeDefaults.maxDeliver
    /// The stream's bounds, with `discard: new`: at the bound a publish is refused (the publisher hears
    /// "full") instead of growing the queue while no worker drains it; and the copies of the stream and
    /// of the consumer on a JetStream cluster.
    public var bounds = StreamBounds()
    public var maxMessages: Int { get { bounds.maxMessages } set { bounds.maxMessages = newValue } }
    public var maxBytes: Int { get { bounds.maxBytes } set { bounds.maxBytes = newValue } }
    public var replicas: Int { get { bounds.replicas } set { bounds.replicas = newValue } }

    public init(stream: String = MemeDefaults.stream, consumer: String = MemeDefaults.consumer,
                requestSubject: String = MemeDefaults.requestSubject, ackWaitSeconds: Int = MemeDefaults.ackWaitSeconds,
                maxDeliver: Int = MemeDefaults.maxDeliver, bounds: StreamBounds = StreamBounds()) {
        self.stream = stream
        self.consumer = consumer
        self.requestSubject = requestSubject
        self.ackWaitSeconds = ackWaitSeconds
        self.maxDeliver = maxDeliver
        self.bounds = bounds
    }

    /// The queue's names from `QueueSettings`, as meme-web and the worker resolve them.
    public init(_ queue: QueueSettings, bounds: StreamBounds, ackWaitSeconds: Int = MemeDefaults.ackWaitSeconds,
                maxDeliver: Int = MemeDefaults.maxDeliver) {
        self.init(stream: queue.stream, consumer: queue.consumer, requestSubject: queue.requestSubject,
                  ackWaitSeconds: ackWaitSeconds, maxDeliver: maxDeliver, bounds: bounds)
    }

    public var streamConfig: StreamConfig {
        StreamConfig(name: stream, subjects: [requestSubject], retention: .workQueue, storage: .file,
                     maxMessages: Int64(maxMessages), maxBytes: Int64(maxBytes), discard: .new, replicas: replicas,
                     duplicateWindow: .seconds(MemeDefaults.duplicateWindowSeconds))
    }

    public var consumerConfig: ConsumerConfig { consumerConfig(replicas: replicas) }

    /// The consumer with `replicas` copies: the stream's own count, so the consumer never asks for
    /// more copies than the stream it reads has.
    func consumerConfig(replicas: Int) -> ConsumerConfig {
        ConsumerConfig(durable: consumer, ackPolicy: .explicit, ackWait: .seconds(ackWaitSeconds),
                       maxDeliver: maxDeliver, filterSubject: requestSubject, replicas: replicas > 1 ? replicas : nil)
    }

    /// Creates the stream if missing. An existing stream is left as its operator configured it, except
    /// that one with neither a message nor a byte limit (made before the queue was bounded) gets ours;
    /// one with another replica count is reported (a warning naming both counts), not changed: moving
    /// a stream between R1 and R3 is an operator's decision (`nats stream edit --replicas`).
    /// Returns the stream's replica count.
    @discardableResult
    public func ensureStream(_ js: JetStream, logger: Logger) async throws -> Int {
        do {
            let info = try await js.streamInfo(stream)
            let existing = max(1, info.config.replicas ?? 1)
            if let warning = Self.replicaMismatch(stream: stream, existing: existing, wanted: replicas) {
                logger.warning("\(warning)", metadata: ["stream": "\(stream)", "replicas": "\(existing)", "wanted": "\(replicas)"])
            }
            if Self.isUnbounded(info.config) {
                var bounded = info.config
                bounded.maxMessages = Int64(maxMessages)
                bounded.maxBytes = Int64(maxBytes)
                bounded.discard = .new
                _ = try await js.createOrUpdateStream(bounded)
                logger.info("bounded stream", metadata: ["stream": "\(stream)", "max_msgs": "\(maxMessages)", "max_bytes": "\(maxBytes)"])
            }
            return existing
        } catch let error as JetStreamError where error.errorCode == JetStreamError.streamNotFound {
            _ = try await js.createOrUpdateStream(streamConfig)
            logger.info("created stream", metadata: ["stream": "\(stream)", "subject": "\(requestSubject)", "replicas": "\(replicas)"])
            return replicas
        }
    }

    /// What to tell the operator when the stream has another replica count than configured, nil when it matches.
    static func replicaMismatch(stream: String, existing: Int, wanted: Int) -> String? {
        guard existing != wanted else { return nil }
        return "stream \(stream) exists with \(existing) replica\(existing == 1 ? "" : "s") but \(MemeEnv.streamReplicas) is \(wanted): "
            + "left unchanged (change it with `nats stream edit \(stream) --replicas \(wanted)`, or set \(MemeEnv.streamReplicas)=\(existing))"
    }

    static func isUnbounded(_ config: StreamConfig) -> Bool {
        (config.maxMessages ?? -1) <= 0 && (config.maxBytes ?? -1) <= 0
    }

    /// Creates the consumer if missing. With `update` (the worker, which owns ack_wait and
    /// max_deliver) an existing consumer takes these settings; without it (the web service) an
    /// existing consumer is left alone. Returns the consumer's effective max_deliver.
    @discardableResult
    public func ensureConsumer(_ js: JetStream, update: Bool = false, streamReplicas: Int? = nil, logger: Logger) async throws -> Int {
        let info: ConsumerInfo
        let config = consumerConfig(replicas: streamReplicas ?? replicas)
        if update {
            info = try await js.createOrUpdateConsumer(stream: stream, config)
            return info.config.maxDeliver.flatMap { $0 > 0 ? $0 : nil } ?? maxDeliver
        }
        do {
            info = try await js.consumerInfo(stream: stream, consumer: consumer)
        } catch let error as JetStreamError where error.errorCode == JetStreamError.consumerNotFound {
            info = try await js.createOrUpdateConsumer(stream: stream, config)
            logger.info("created consumer", metadata: ["stream": "\(stream)", "consumer": "\(consumer)"])
        }
        return info.config.maxDeliver.flatMap { $0 > 0 ? $0 : nil } ?? maxDeliver
    }

    /// Both, in order; returns the consumer's effective max_deliver.
    @discardableResult
    public func ensure(_ js: JetStream, updateConsumer: Bool = false, logger: Logger) async throws -> Int {
        let streamReplicas = try await ensureStream(js, logger: logger)
        return try await ensureConsumer(js, update: updateConsumer, streamReplicas: streamReplicas, logger: logger)
    }
}
