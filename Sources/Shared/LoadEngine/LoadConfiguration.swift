import MemeKit

/// How requests reach the queue.
public enum LoadTransport: Sendable, Equatable {
    /// JetStream publish on the request subject, `Nats-Msg-Id` = id, waiting for the PubAck.
    case nats
    /// `POST <baseURL>/api/memes` on meme-web; the web service picks the id and publishes.
    case web(baseURL: String)
}

/// Settings of a `LoadEngine`; the defaults match the worker's.
public struct LoadConfiguration: Sendable {
    public var transport: LoadTransport
    public var prompts: PromptList
    /// Publishes (or POSTs) waiting for their ack at most; a burst goes as fast as this allows.
    public var maxConcurrentPublishes: Int
    public var smallImage: Bool
    /// Sent as `fast_mode` when set.
    public var fastMode: Bool?
    /// How long one publish waits for its JetStream ack (or one POST for its answer).
    public var publishTimeout: Duration
    public var requestSubject: String
    public var responseSubject: String
    public var stream: String
    /// The worker's durable consumer (created with the stream when missing).
    public var consumer: String
    /// Create the stream and consumer when missing (MemeStreamSetup, as the worker and meme-web do), so
    /// load can queue up while no worker runs (scale from zero). Existing ones are never changed.
    public var createQueueIfMissing: Bool
    /// The stream's bounds and copies when this creates it: the workers' (`NATS_STREAM_REPLICAS` …).
    public var streamBounds: StreamBounds
    /// Requests waiting for an answer that are tracked at most; older ones are dropped (`untracked`).
    public var maxTracked: Int
    /// Length of `LoadSnapshot.recent`.
    public var recentLimit: Int
    /// Ids are `<idPrefix><uuid>`, so a run's requests are easy to spot in logs.
    public var idPrefix: String
    /// Subscribe to the answer subjects. Off when the caller already subscribes on the same connection
    /// (the console does) and hands each answer to `LoadEngine.answered(id:ok:error:)`: an answer is
    /// ~1 MB of JSON, decoded once instead of once per subscription.
    public var listensForAnswers: Bool

    public init(
        transport: LoadTransport = .nats, prompts: PromptList = .builtIn, maxConcurrentPublishes: Int = 256,
        smallImage: Bool = true, fastMode: Bool? = nil, publishTimeout: Duration = .seconds(5),
        requestSubject: String = MemeDefaults.requestSubject, responseSubject: String = MemeDefaults.responseSubject,
        stream: String = MemeDefaults.stream, consumer: String = MemeDefaults.consumer, createQueueIfMissing: Bool = true, maxTracked: Int = 100_000,
        recentLimit: Int = 20, idPrefix: String = "load-", listensForAnswers: Bool = true, streamBounds: StreamBounds = StreamBounds()
    ) {
        self.transport = transport
        self.prompts = prompts
        self.maxConcurrentPublishes = maxConcurrentPublishes
        self.smallImage = smallImage
        self.fastMode = fastMode
        self.publishTimeout = publishTimeout
        self.requestSubject = requestSubject
        self.responseSubject = responseSubject
        self.stream = stream
        self.consumer = consumer
        self.createQueueIfMissing = createQueueIfMissing
        self.maxTracked = maxTracked
        self.recentLimit = recentLimit
        self.idPrefix = idPrefix
        self.listensForAnswers = listensForAnswers
        self.streamBounds = streamBounds
    }

    /// Throws a `LoadError` naming the first bad setting.
    public func validate() throws(LoadError) {
        guard (1...10_000).contains(maxConcurrentPublishes) else {
            throw LoadError("concurrent publishes must be 1…10000, not \(maxConcurrentPublishes)")
        }
        guard publishTimeout > .zero else { throw LoadError("publish timeout must be positive") }
        guard maxTracked >= 1 else { throw LoadError("maxTracked must be at least 1") }
        guard recentLimit >= 0 else { throw LoadError("recentLimit must not be negative") }
        for (name, subject) in [("request subject", requestSubject), ("response subject", responseSubject)] {
            guard !subject.isEmpty, !subject.contains(where: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) else {
                throw LoadError("\(name) '\(subject)' is not a valid NATS subject")
            }
        }
        for (kind, name) in [("stream", stream), ("consumer", consumer)] {
            guard !name.isEmpty, !name.contains(where: { ".*> \t".contains($0) }) else {
                throw LoadError("\(kind) name '\(name)' is not valid")
            }
        }
        guard !idPrefix.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw LoadError("id prefix '\(idPrefix)' must not contain spaces or '/'")
        }
        if case .web(let url) = transport {
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count > 8 else {
                throw LoadError("web URL '\(url)' must start with http:// or https://")
            }
        }
    }
}
