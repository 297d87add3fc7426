import Foundation
import MemeKit
import RedisCache

/// The production `ResultStore`. meme-web keeps its records (captions, status, image) under
/// `meme-web:meme:<id>`; the worker independently keeps its response under `meme:result:<id>`
/// and the answered ids in `meme:recent` (MemeKit.ResultKeys). Reads merge both, so a result
/// is found even when this replica (or its predecessor before a restart) never saw the response.
public final class RedisResultStore: ResultStore {
    let client: RedisClient

    public init(client: RedisClient) { self.client = client }

    public convenience init(url: String) throws {
        self.init(client: try RedisClient(url: url))
    }

    static func key(_ id: String) -> String { "meme-web:meme:\(id)" }

    public func get(id: String) async throws -> MemeRecord? {
        let mine = try await client.get(Self.key(id)).flatMap { try? JSONDecoder().decode(MemeRecord.self, from: Data($0)) }
        if let mine, mine.status != .queued { return mine }
        guard let body = try await client.get(ResultKeys.result(id: id)), let outcome = Self.outcome(body) else { return mine }
        return MemeRecord.finished(outcome, previous: mine, now: Date().timeIntervalSince1970) ?? mine
    }

    public func put(_ record: MemeRecord, ttlSeconds: Int) async throws {
        if record.status == .queued, let existing = try await client.get(Self.key(record.id)),
            let old = try? JSONDecoder().decode(MemeRecord.self, from: Data(existing)), old.status != .queued {
            return   // never hide a result that already arrived
        }
        let body = try JSONEncoder().encode(record)
        try await client.set(Self.key(record.id), Array(body), ttlSeconds: max(1, ttlSeconds))
    }

    public func recent(limit: Int) async throws -> [MemeRecord] {
        let ids = try await client.range(ResultKeys.recentList, start: 0, stop: max(0, limit - 1))
        var records: [MemeRecord] = []
        var seen = Set<String>()
        for raw in ids {
            let id = String(decoding: raw, as: UTF8.self)
            guard seen.insert(id).inserted, let record = try await get(id: id) else { continue }
            records.append(record)
        }
        return records
    }

    /// The worker's stored body: a `MemeResponse` or a `MemeErrorResponse`.
    static func outcome(_ body: [UInt8]) -> MemeOutcome? {
        let data = Data(body)
        if let response = try? JSONDecoder().decode(MemeResponse.self, from: data) { return .done(response) }
        if let failure = try? JSONDecoder().decode(MemeErrorResponse.self, from: data) { return .failed(failure) }
        return nil
    }
}
