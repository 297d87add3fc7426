/// Where the worker keeps answers in Redis for late readers (the web service after a restart,
/// a browser that missed the core-NATS response). The value is the exact JSON published on
/// `meme.response` or `meme.response.error`.
public enum ResultKeys {
    public static func result(id: String) -> String { "meme:result:\(id)" }
    /// Newest-first list of answered request ids (the web wall starts from it).
    public static let recentList = "meme:recent"
}
