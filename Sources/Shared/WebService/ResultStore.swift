/// Where results outlive this process and are shared by meme-web's replicas (Redis in production,
/// keys from MemeKit.ResultKeys). Each meme's image is stored once, by the worker, in its answer;
/// meme-web keeps only small metadata of its own beside it (captions, submit time, status), so N
/// replicas add no image writes. `InMemoryResultStore` is each process's own cache, not this.
public protocol ResultStore: Sendable {
    /// The meme as readers see it: meme-web's metadata joined with the worker's answer, image included.
    /// Found from the worker's answer alone when no replica recorded metadata.
    func get(id: String) async throws -> MemeRecord?
    /// meme-web's metadata alone (never reads the image): captions for an answer arriving live.
    func metadata(id: String) async throws -> MemeRecord?
    /// Keeps `record`'s metadata for `ttlSeconds`; its image bytes are never stored. A `.queued`
    /// record must not replace a finished one: the worker may answer before the submit's write.
    func put(_ record: MemeRecord, ttlSeconds: Int) async throws
    /// Recently answered memes, newest first, at most `limit`, without image bytes (`image` nil,
    /// `imageBytes` set for a stored image).
    func recent(limit: Int) async throws -> [MemeRecord]
}
