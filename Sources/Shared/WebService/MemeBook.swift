import Foundation
import Logging
import MemeKit
import Synchronization

/// The service's bookkeeping: records what was accepted, applies workers' outcomes, answers
/// lookups (recent cache first, then the durable store) and tells live viewers.
final class MemeBook: Sendable {
    struct Counts: Sendable, Equatable {
        /// Accepted by this instance and not finished yet.
        var queued = 0
        var done = 0
        var errors = 0
    }

    let cache: InMemoryResultStore
    /// The shared store (Redis in production); nil when only the cache is used.
    let durable: (any ResultStore)?
    let ttlSeconds: Int
    let hub: LiveHub
    let metrics: WebMetrics
    let logger: Logger
    /// Metadata writes, off the request path: a slow or frozen Redis delays them, never a submit.
    let writes: StoreWriter
    private let counts = Mutex(Counts())

    init(cache: InMemoryResultStore, durable: (any ResultStore)?, ttlSeconds: Int, hub: LiveHub, metrics: WebMetrics, logger: Logger) {
        self.cache = cache
        self.durable = durable
        self.ttlSeconds = ttlSeconds
        self.hub = hub
        self.metrics = metrics
        self.logger = logger
        self.writes = StoreWriter()
    }

    var currentCounts: Counts { counts.withLock { $0 } }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Records a request the queue has acknowledged.
    func accepted(_ record: MemeRecord) async {
        cache.store(record, ttlSeconds: ttlSeconds)
        counts.withLock { $0.queued += 1 }
        metrics.memesSubmitted.increment()
        await persist(record)
    }

    /// Applies one worker outcome and pushes it to live viewers.
    func apply(_ outcome: MemeOutcome) async {
        let id: String = switch outcome {
        case .done(let r): r.requestId
        case .failed(let e): e.requestId
        }
        // The captions: ours when accepted here, else the accepting replica's metadata (no image read).
        let previous = if let cached = cache.lookup(id) { cached } else { await storedMetadata(id: id) }
        guard let record = MemeRecord.finished(outcome, previous: previous, now: Self.now()) else {
            logger.warning("worker response has unreadable image data", metadata: ["id": "\(id)"])
            return
        }
        if previous?.status == .done, record.status == .error {
            // A redelivery failed after an earlier success: keep the meme.
            return
        }
        await settle(record)
        hub.broadcast(LiveMessage.event(for: record))
    }

    /// Caches a finished record and counts it. Every replica sees every answer, and the worker
    /// has already stored it (image included) under `ResultKeys.result`; so only the replica
    /// that accepted the request (its cache held it queued) writes, and only metadata (status,
    /// finish time, image size), which lets the recent list skip reading images.
    private func settle(_ record: MemeRecord) async {
        let acceptedHere = cache.store(record, ttlSeconds: ttlSeconds) == .queued
        counts.withLock { counts in
            if acceptedHere, counts.queued > 0 { counts.queued -= 1 }
            if record.status == .done { counts.done += 1 } else { counts.errors += 1 }
        }
        if record.status == .done { metrics.memesDone.increment() } else { metrics.memesFailed.increment() }
        if acceptedHere { await persist(record) }
    }

    /// The meme by id; with `image` its bytes too (read from the worker's answer when not cached),
    /// else metadata is enough (a page polling for its meme reads a few hundred bytes, not the image).
    func find(id: String, image: Bool = false) async -> MemeRecord? {
        let cached = cache.lookup(id)
        if let cached, cached.status == .error || cached.image != nil { return cached }
        if !image, let cached, cached.status == .done, cached.imageBytes != nil || durable == nil { return cached }
        // Queued here (perhaps answered while this replica was not listening) or done with its
        // image dropped from the cache: the shared store has the worker's answer.
        guard let durable else { return cached }
        do {
            if !image, let meta = try await durable.metadata(id: id), meta.status != .queued {
                if cached?.status == .queued { await settle(meta) } else { cache.store(meta, ttlSeconds: ttlSeconds) }
                return meta
            }
            if let record = try await durable.get(id: id) {
                // A queued record read from the store is not cached: `settle` takes a cached
                // queued record to mean "accepted here".
                if record.status != .queued {
                    if cached?.status == .queued { await settle(record) } else { cache.store(record, ttlSeconds: ttlSeconds) }
                }
                return record.status == .queued ? cached ?? record : record
            }
        } catch {
            storeFailed("read", error, id: id)
        }
        return cache.lookup(id)
    }

    /// Newest first. Merges the durable store (other replicas, before a restart) with the cache;
    /// the cache's record wins unless it forgot an image the store still has.
    func recent(limit: Int) async -> [MemeRecord] {
        var byID: [String: MemeRecord] = [:]
        if let durable {
            do {
                for record in try await durable.recent(limit: limit) { byID[record.id] = record }
            } catch {
                storeFailed("list", error, id: nil)
            }
        }
        for record in cache.newest(limit) {
            if record.status == .done, record.imageBytes == nil, byID[record.id]?.imageBytes != nil { continue }
            byID[record.id] = record
        }
        return byID.values.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.prefix(limit).map { $0 }
    }

    func statsMessage() -> String {
        let counts = currentCounts
        return LiveMessage.stats(queued: counts.queued, done: counts.done, errors: counts.errors, viewers: hub.viewerCount)
    }

    /// Queues the record's metadata (never its image) for the shared store; `writeQueued` writes it.
    private func persist(_ record: MemeRecord) async {
        guard durable != nil else { return }
        if !writes.enqueue(record.metadata) {
            // The cache still has it; the worker writes the answer's metadata itself.
            storeFailed("write", StoreWriter.Full(capacity: writes.capacity), id: record.id)
        }
    }

    /// Writes queued metadata until cancelled (one writer, so a meme's "queued" goes before its "done").
    func writeQueued() async {
        guard let durable else { return }
        for await record in writes.records {
            do {
                try await durable.put(record, ttlSeconds: ttlSeconds)
            } catch {
                storeFailed("write", error, id: record.id)
            }
        }
    }

    private func storedMetadata(id: String) async -> MemeRecord? {
        guard let durable else { return nil }
        do {
            return try await durable.metadata(id: id)
        } catch {
            storeFailed("read", error, id: id)
            return nil
        }
    }

    /// Every Redis failure is counted (`meme_web_redis_errors_total{op}`); the log line is a warning.
    private func storeFailed(_ op: String, _ error: any Error, id: String?) {
        metrics.redisError(op: op)
        var metadata: Logger.Metadata = ["op": "\(op)", "error": "\(error)"]
        if let id { metadata["id"] = "\(id)" }
        logger.warning("result store \(op) failed", metadata: metadata)
    }
}

/// The JSON messages sent on /api/live.
enum LiveMessage {
    private struct Meme: Encodable {
        let view: MemeView
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: TypeKey.self)
            try c.encode(view.status == .done ? "meme" : "error", forKey: .type)
            try view.encode(to: encoder)
        }
    }
    private enum TypeKey: String, CodingKey { case type }
    private struct Stats: Encodable {
        let type = "stats"
        let queued, done, errors, viewers: Int
    }

    static func event(for record: MemeRecord) -> String {
        encode(Meme(view: record.view))
    }

    static func stats(queued: Int, done: Int, errors: Int, viewers: Int) -> String {
        encode(Stats(queued: queued, done: done, errors: errors, viewers: viewers))
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
