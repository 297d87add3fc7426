/// The MEMES stream's bounds (discard new) and its copies on a JetStream cluster. Whichever of
/// meme-web and the worker starts first declares the stream, so both read the same variables.
public struct StreamBounds: Sendable, Equatable {
    public var maxMessages = MemeDefaults.streamMaxMessages
    public var maxBytes = MemeDefaults.streamMaxBytes
    /// `NATS_STREAM_REPLICAS`: 1 on one server, 3 on the cluster overlay.
    public var replicas = MemeDefaults.streamReplicas

    public init() {}

    public static let environmentNames = [MemeEnv.streamMaxMessages, MemeEnv.streamMaxBytes, MemeEnv.streamReplicas]

    public static func resolve(_ r: SettingsReader) throws -> StreamBounds {
        var b = StreamBounds()
        b.maxMessages = try r.int(MemeEnv.streamMaxMessages, default: b.maxMessages, range: 1...100_000_000)
        b.maxBytes = try r.int(MemeEnv.streamMaxBytes, default: b.maxBytes, range: 1024...(1 << 40))
        b.replicas = try r.int(MemeEnv.streamReplicas, default: b.replicas, range: 1...5)
        return b
    }
}
