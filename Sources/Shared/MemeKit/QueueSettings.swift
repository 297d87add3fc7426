/// Where the meme queue is: the NATS servers, the stream and consumer, the two subjects. Read
/// the same way by the worker, meme-web, the console and the load tool.
public struct QueueSettings: Sendable, Equatable {
    /// One URL or several, comma-separated (`ServerList`).
    public var natsURL = MemeDefaults.natsURL
    public var stream = MemeDefaults.stream
    public var consumer = MemeDefaults.consumer
    public var requestSubject = MemeDefaults.requestSubject
    public var responseSubject = MemeDefaults.responseSubject

    public init() {}

    public var servers: [String] { ServerList.split(natsURL) }
    public var errorSubject: String { MemeDefaults.errorSubject(for: responseSubject) }

    public static let environmentNames = [
        MemeEnv.natsURL, MemeEnv.natsStream, MemeEnv.natsConsumer, MemeEnv.requestSubject, MemeEnv.responseSubject,
    ]

    public static func resolve(_ r: SettingsReader) throws -> QueueSettings {
        var s = QueueSettings()
        s.natsURL = try r.servers(MemeEnv.natsURL, default: s.natsURL, schemes: ["nats"])
        s.stream = try r.name(MemeEnv.natsStream, default: s.stream)
        s.consumer = try r.name(MemeEnv.natsConsumer, default: s.consumer)
        s.requestSubject = try r.subject(MemeEnv.requestSubject, default: s.requestSubject)
        s.responseSubject = try r.subject(MemeEnv.responseSubject, default: s.responseSubject)
        return s
    }
}

extension QueueSettings: CustomStringConvertible {
    /// For start-up log lines: credentials redacted.
    public var description: String {
        "nats=\(SettingsReader.redacted(natsURL)) stream=\(stream) consumer=\(consumer) request=\(requestSubject) response=\(responseSubject)"
    }
}
