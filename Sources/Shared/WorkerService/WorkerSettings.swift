import Foundation
import Logging
import MemeKit

/// Everything the worker can be told, resolved flag → environment → default, with the
/// original Rust worker's environment names. Validation errors name the flag and the variable.
public struct WorkerSettings: Sendable, Equatable {
    public var queue = QueueSettings()
    public var natsURL: String { get { queue.natsURL } set { queue.natsURL = newValue } }
    public var stream: String { get { queue.stream } set { queue.stream = newValue } }
    public var consumer: String { get { queue.consumer } set { queue.consumer = newValue } }
    public var requestSubject: String { get { queue.requestSubject } set { queue.requestSubject = newValue } }
    public var responseSubject: String { get { queue.responseSubject } set { queue.responseSubject = newValue } }
    public var errorSubject: String { queue.errorSubject }
    public var ackWaitSeconds = MemeDefaults.ackWaitSeconds
    public var maxDeliver = MemeDefaults.maxDeliver
    /// Empty disables the cache (memes are still made).
    public var redisURL = MemeDefaults.redisURL
    public var cacheTTLSeconds = MemeDefaults.cacheTTLSeconds
    public var resultTTLSeconds = MemeDefaults.resultTTLSeconds
    /// Never printed: see `description`.
    public var hfToken: String?
    public var hfURL = MemeDefaults.hfDefaultURL
    /// The model for fast_mode/small_image requests (the original hard-coded FLUX.1-schnell).
    public var hfFastURL = MemeDefaults.hfFastModelURL
    public var hfTimeoutSeconds = 60.0
    public var metricsHost = "0.0.0.0"
    public var metricsPort = 9091
    /// One core renders about one meme at a time per thread; two overlaps I/O with rendering.
    public var concurrency = 2
    public var drainGraceSeconds = 20.0
    public var maxPromptCharacters = MemeDefaults.maxPromptCharacters
    public var workerName = ProcessInfo.processInfo.hostName
    public var logLevel = Logger.Level.info
    /// MEMES bounds (discard new) and copies, declared with the stream; meme-web reads the same variables.
    public var streamBounds = StreamBounds()

    public init() {}

    /// The environment names this program reads (checked against `MemeEnv.all` and the Kubernetes manifests).
    public static let environmentNames = QueueSettings.environmentNames + [
        MemeEnv.ackWait, MemeEnv.maxDeliver, MemeEnv.redisURL, MemeEnv.hfToken, MemeEnv.hfTokenFile, MemeEnv.hfURL,
        MemeEnv.hfFastURL, MemeEnv.hfTimeout, MemeEnv.cacheTTL, MemeEnv.resultTTL, MemeEnv.metricsAddress,
        MemeEnv.workerConcurrency, MemeEnv.workerDrainGrace, MemeEnv.maxPromptChars, MemeEnv.workerName, MemeEnv.logLevel,
    ] + StreamBounds.environmentNames

    public static func resolve(_ r: SettingsReader) throws -> WorkerSettings {
        var s = WorkerSettings()
        s.queue = try QueueSettings.resolve(r)
        s.ackWaitSeconds = try r.int(MemeEnv.ackWait, default: s.ackWaitSeconds, range: 1...3600)
        s.maxDeliver = try r.int(MemeEnv.maxDeliver, default: s.maxDeliver, range: 1...100)
        s.redisURL = try r.urlOrOff(MemeEnv.redisURL, default: s.redisURL, schemes: ["redis"]) ?? ""
        s.cacheTTLSeconds = try r.int(MemeEnv.cacheTTL, default: s.cacheTTLSeconds, range: 1...30 * 86400)
        s.resultTTLSeconds = try r.int(MemeEnv.resultTTL, default: s.resultTTLSeconds, range: 1...86400)
        s.hfToken = try r.secret(MemeEnv.hfToken, fileEnv: MemeEnv.hfTokenFile)
        s.hfURL = try r.url(MemeEnv.hfURL, default: s.hfURL, schemes: ["https", "http"])
        s.hfFastURL = try r.url(MemeEnv.hfFastURL, default: s.hfFastURL, schemes: ["https", "http"])
        s.hfTimeoutSeconds = try r.double(MemeEnv.hfTimeout, default: s.hfTimeoutSeconds, range: 1...600)
        (s.metricsHost, s.metricsPort) = try r.hostPort(MemeEnv.metricsAddress, default: MemeDefaults.workerMetricsAddress)
        s.concurrency = try r.int(MemeEnv.workerConcurrency, default: s.concurrency, range: 1...64)
        s.drainGraceSeconds = try r.double(MemeEnv.workerDrainGrace, default: s.drainGraceSeconds, range: 0...600)
        s.maxPromptCharacters = try r.int(MemeEnv.maxPromptChars, default: s.maxPromptCharacters, range: 1...10_000)
        s.workerName = r.string(MemeEnv.workerName, default: s.workerName)
        s.logLevel = Logger.Level(rawValue: try r.logLevel()) ?? s.logLevel
        s.streamBounds = try StreamBounds.resolve(r)
        return s
    }
}

extension WorkerSettings: CustomStringConvertible {
    /// For the start-up log line: secrets redacted.
    public var description: String {
        "\(queue) ack_wait=\(ackWaitSeconds)s max_deliver=\(maxDeliver) "
            + "redis=\(redisURL.isEmpty ? "off" : SettingsReader.redacted(redisURL)) cache_ttl=\(cacheTTLSeconds)s "
            + "images=\(hfToken == nil ? "offline renderer" : "hugging face") metrics=\(metricsHost):\(metricsPort) "
            + "concurrency=\(concurrency)"
    }
}
