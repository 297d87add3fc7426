import Foundation
import MemeKit
import RedisCache

/// The production `ResultStore`, over MemeKit.ResultKeys:
/// - `meme:result:<id>` is the worker's answer, the one record holding the image. meme-web never
///   writes it, nor any other copy of the image.
/// - `meme:meta:<id>` is meme-web's metadata (`MemeRecord` without `image`, a few hundred bytes):
///   captions and submit time the answer does not carry, and the status. The accepting replica
///   writes it at submit (queued) and again when it sees the answer (done/error, image size), so
///   the recent list is answered from metadata without reading images. The worker writes it too, with
///   its answer (so memes published straight to NATS are listed as well).
/// - `meme:recent` (the worker's) lists answered ids, newest first.
/// When the metadata is missing or still says queued (the accepting replica died, or the meme
/// came from elsewhere), the status is derived from the worker's answer.
public final class RedisResultStore: ResultStore {
    let client: RedisClient

    public init(client: RedisClient) { self.client = client }

    /// - Parameter timeout: for each Redis call; short, as reads sit in request paths (a frozen Redis
    ///   costs a lookup this long, then the client fails fast while it backs off).
    public convenience init(url: String, timeout: Duration = .milliseconds(500)) throws {
        self.init(client: try RedisClient(url: url, timeout: timeout))
    }

    public func get(id: String) async throws -> MemeRecord? {
        let meta = try await metadata(id: id)
        // A failure's text is in the metadata; only a done or unknown meme needs the answer.
        if meta?.status == .error { return meta }
        guard let body = try await client.get(ResultKeys.result(id: id)), let outcome = MemeAnswer.decodeStored(body) else { return meta }
        return Self.join(meta, outcome) ?? meta
    }

    public func metadata(id: String) async throws -> MemeRecord? {
        try await client.get(ResultKeys.metadata(id: id)).flatMap { try? JSONDecoder().decode(MemeRecord.self, from: Data($0)) }
    }

    public func put(_ record: MemeRecord, ttlSeconds: Int) async throws {
        let body = Array(try JSONEncoder().encode(record.metadata))
        let key = ResultKeys.metadata(id: record.id), ttl = max(1, ttlSeconds)
        if record.status == .queued {
            // One round trip; never hides an answer that was recorded first.
            try await client.setIfAbsent(key, body, ttlSeconds: ttl)
        } else {
            try await client.set(key, body, ttlSeconds: ttl)
        }
    }

    public func recent(limit: Int) async throws -> [MemeRecord] {
        let ids = try await client.range(ResultKeys.recentList, start: 0, stop: max(0, limit - 1))
        var records: [MemeRecord] = []
        var seen = Set<String>()
        for raw in ids {
            let id = String(decoding: raw, as: UTF8.self)
            guard seen.insert(id).inserted else { continue }
            // Metadata only, never the worker's answer (the image): the worker writes the metadata with
            // its answer, so an answered id without any is one whose answer expired or predates that.
            if let meta = try await metadata(id: id) {
                records.append(meta)
            }
        }
        return records
    }

    /// The metadata with the worker's answer applied; the finish time is the recorded one, else the answer's.
    static func join(_ meta: MemeRecord?, _ outcome: MemeOutcome) -> MemeRecord? {
        MemeRecord.finished(outcome, previous: meta, now: meta?.finishedAt ?? Double(outcome.timestamp))
    }
}
