/// Where results live so they survive a meme-web restart and are shared by its replicas.
/// The production conformer is Redis-backed (keys expire after `ttlSeconds`);
/// `InMemoryResultStore` is the service's own cache of recent results.
public protocol ResultStore: Sendable {
    func get(id: String) async throws -> MemeRecord?
    /// Inserts or replaces the record for `record.id`, kept for `ttlSeconds`. A `.queued` record
    /// must not replace a finished (`.done` / `.error`) one: the worker may answer before the
    /// web service writes its "queued" entry.
    func put(_ record: MemeRecord, ttlSeconds: Int) async throws
    /// The most recently created records, newest first, at most `limit`.
    func recent(limit: Int) async throws -> [MemeRecord]
}
