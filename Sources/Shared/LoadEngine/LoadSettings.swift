import MemeKit

/// `meme-console load`'s settings: the run's own flags (no variables: a run is a command, not a
/// service) and the queue's, which come from flags or the same variables every program reads.
public struct LoadSettings: Sendable, Equatable {
    public enum Via: String, Sendable, CaseIterable {
        /// JetStream publish on the request subject.
        case nats
        /// POST /api/memes on meme-web, through its rate limits like the audience.
        case web
    }

    public var count = 100
    /// Requests per second; nil sends the whole count as one burst.
    public var rate: Double?
    public var concurrency = 256
    public var via = Via.nats
    /// Prompts, one per line; nil: the built-in list.
    public var promptsFile: String?
    public var queue = QueueSettings()
    /// The stream's bounds and copies, should this run be the one to create it.
    public var streamBounds = StreamBounds()
    public var webURL = "http://127.0.0.1:\(MemeDefaults.webPort)"
    public var timeoutSeconds = 120.0
    /// How long one publish (or POST) waits for its ack: longer than meme-web's WEB_SUBMIT_TIMEOUT
    /// when the web is told to ride out a JetStream leader election.
    public var publishTimeoutSeconds = 5.0
    public var smallImage = true
    public var fastMode = false
    public var idPrefix = "load-"

    public init() {}

    /// The environment names the load tool reads.
    public static let environmentNames = QueueSettings.environmentNames + StreamBounds.environmentNames

    /// `run` (the run's own flags) with the queue's settings resolved from `r` (flags keyed by
    /// variable, then the environment), all checked; errors name the flag (and the variable, for
    /// the queue's).
    public static func resolve(_ r: SettingsReader, run: LoadSettings = LoadSettings()) throws -> LoadSettings {
        var s = run
        s.queue = try QueueSettings.resolve(r)
        s.streamBounds = try StreamBounds.resolve(r)
        try s.validate()
        return s
    }

    public func validate() throws {
        guard (1...LoadEngine.maxBurst).contains(count) else {
            throw SettingsError("--count must be 1…\(LoadEngine.maxBurst), not \(count)")
        }
        if let rate, !(rate.isFinite && rate > 0 && rate <= LoadEngine.maxRate) {
            throw SettingsError("--rate must be above 0 and at most \(Int(LoadEngine.maxRate)) per second, not \(rate)")
        }
        guard (1...10_000).contains(concurrency) else { throw SettingsError("--concurrency must be 1…10000, not \(concurrency)") }
        guard timeoutSeconds.isFinite, timeoutSeconds > 0, timeoutSeconds <= 86_400 else {
            throw SettingsError("--timeout must be above 0 and at most 86400 seconds, not \(timeoutSeconds)")
        }
        guard publishTimeoutSeconds.isFinite, publishTimeoutSeconds >= 0.1, publishTimeoutSeconds <= 600 else {
            throw SettingsError("--publish-timeout must be 0.1…600 seconds, not \(publishTimeoutSeconds)")
        }
        do {
            try configuration(prompts: .builtIn).validate()
        } catch {
            throw SettingsError(error.message)
        }
        if let promptsFile {
            do { _ = try PromptList.load(file: promptsFile) } catch { throw SettingsError("--prompts: \(error.message)") }
        }
    }

    public func configuration(prompts: PromptList) -> LoadConfiguration {
        LoadConfiguration(
            transport: via == .web ? .web(baseURL: webURL) : .nats, prompts: prompts, maxConcurrentPublishes: concurrency,
            smallImage: smallImage, fastMode: fastMode ? true : nil,
            publishTimeout: .milliseconds(Int64(publishTimeoutSeconds * 1000)), requestSubject: queue.requestSubject,
            responseSubject: queue.responseSubject, stream: queue.stream, consumer: queue.consumer, idPrefix: idPrefix,
            streamBounds: streamBounds)
    }

    /// Where requests go, for the first log line (credentials redacted).
    public var target: String { via == .web ? webURL : SettingsReader.redacted(queue.natsURL) }

    /// "burst, 256 in flight at most" or "20/s".
    public var pace: String { rate.map { "\(LoadReport.number($0))/s" } ?? "burst, \(concurrency) in flight at most" }
}
