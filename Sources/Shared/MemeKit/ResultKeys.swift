/// The one key scheme for results in Redis, shared by meme-worker (writer of the answer) and
/// meme-web (reader; writer of small metadata only). Each meme's image is stored once: in the
/// worker's answer. Whatever else meme-web needs per meme lives beside it, without image bytes.
public enum ResultKeys {
    /// The worker's answer for late readers (a restarted or other meme-web replica, a browser
    /// that missed the live push): the exact JSON published on `meme.response` (image included,
    /// base64) or `meme.response.error`. The only record of a meme that holds its image.
    public static func result(id: String) -> String { "meme:result:\(id)" }
    /// A meme's metadata (`ResultMetadata`: captions, submit time, status, image size; never the
    /// image): what listings read. Written by the worker with its answer, and by the meme-web
    /// replica that accepted the request ("queued" at submit, never over an answer).
    public static func metadata(id: String) -> String { "meme:meta:\(id)" }
    /// Newest-first list of answered request ids (the web wall starts from it).
    public static let recentList = "meme:recent"
}
