import Foundation
import MemeKit

/// Everything the worker can be told, resolved flag → environment → default, with the
/// original Rust worker's environment names. Validation errors name the setting.
public struct WorkerSettings: Sendable, Equatable {
    public var natsURL = MemeDefaults.natsURL
    public var stream = MemeDefaults.stream
    public var consumer = MemeDefaults.consumer
    public var requestSubject = MemeDefaults.requestSubject
    public var responseSubject = MemeDefaults.responseSubject
    public var errorSubject: String { MemeDefaults.errorSubject(for: responseSubject) }
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
    /// MEMES bounds (discard new), declared with the stream; meme-web reads the same variables.
    public var streamMaxMessages = MemeDefaults.streamMaxMessages
    public var streamMaxBytes = MemeDefaults.streamMaxBytes

    public init() {}

    /// The environment names this program reads (checked against the Kubernetes manifests).
    public static let environmentNames = [
        MemeEnv.natsURL, MemeEnv.natsStream, MemeEnv.natsConsumer, MemeEnv.requestSubject, MemeEnv.responseSubject,
        MemeEnv.ackWait, MemeEnv.maxDeliver, MemeEnv.redisURL, MemeEnv.hfToken, MemeEnv.hfTokenFile, MemeEnv.hfURL,
        "HF_FAST_API_URL", "HF_TIMEOUT",
        MemeEnv.cacheTTL, "RESULT_TTL", MemeEnv.metricsAddress, MemeEnv.workerConcurrency, "WORKER_DRAIN_GRACE",
        "MAX_PROMPT_CHARS", "WORKER_NAME", MemeEnv.streamMaxMessages, MemeEnv.streamMaxBytes,
    ]

    public static func resolve(_ r: SettingsReader) throws -> WorkerSettings {
        var s = WorkerSettings()
        s.natsURL = try r.url(MemeEnv.natsURL, default: s.natsURL, schemes: ["nats"])
        s.stream = try Self.name(r, MemeEnv.natsStream, s.stream)
        s.consumer = try Self.name(r, MemeEnv.natsConsumer, s.consumer)
        s.requestSubject = try Self.subject(r, MemeEnv.requestSubject, s.requestSubject)
        s.responseSubject = try Self.subject(r, MemeEnv.responseSubject, s.responseSubject)
        s.ackWaitSeconds = try r.int(MemeEnv.ackWait, default: s.ackWaitSeconds, range: 1...3600)
        s.maxDeliver = try r.int(MemeEnv.maxDeliver, default: s.maxDeliver, range: 1...100)
        if let raw = r.raw(MemeEnv.redisURL), ["none", "off", "disabled"].contains(raw.value.lowercased()) {
            s.redisURL = ""
        } else {
            s.redisURL = try r.url(MemeEnv.redisURL, default: s.redisURL, schemes: ["redis"])
        }
        s.cacheTTLSeconds = try r.int(MemeEnv.cacheTTL, default: s.cacheTTLSeconds, range: 1...30 * 86400)
        s.resultTTLSeconds = try r.int("RESULT_TTL", default: s.resultTTLSeconds, range: 1...86400)
        s.hfToken = try r.secret(MemeEnv.hfToken, fileEnv: MemeEnv.hfTokenFile)
        s.hfURL = try r.url(MemeEnv.hfURL, default: s.hfURL, schemes: ["https", "http"])
        s.hfFastURL = try r.url("HF_FAST_API_URL", default: s.hfFastURL, schemes: ["https", "http"])
        s.hfTimeoutSeconds = try r.double("HF_TIMEOUT", default: s.hfTimeoutSeconds, range: 1...600)
        (s.metricsHost, s.metricsPort) = try r.hostPort(MemeEnv.metricsAddress, default: MemeDefaults.workerMetricsAddress)
        s.concurrency = try r.int(MemeEnv.workerConcurrency, default: s.concurrency, range: 1...64)
        s.drainGraceSeconds = try r.double("WORKER_DRAIN_GRACE", default: s.drainGraceSeconds, range: 0...600)
        s.maxPromptCharacters = try r.int("MAX_PROMPT_CHARS", default: s.maxPromptCharacters, range: 1...10_000)
        s.workerName = r.string("WORKER_NAME", default: s.workerName)
        s.streamMaxMessages = try r.int(MemeEnv.streamMaxMessages, default: s.streamMaxMessages, range: 1...100_000_000)
        s.streamMaxBytes = try r.int(MemeEnv.streamMaxBytes, default: s.streamMaxBytes, range: 1024...(1 << 40))
        return s
    }

    private static func name(_ r: SettingsReader, _ env: String, _ fallback: String) throws -> String {
        guard let (v, origin) = r.raw(env) else { return fallback }
        guard v.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw SettingsError("\(origin) may hold only letters, digits, '-' and '_', got '\(v)'")
        }
        return v
    }

    private static func subject(_ r: SettingsReader, _ env: String, _ fallback: String) throws -> String {
        guard let (v, origin) = r.raw(env) else { return fallback }
        let tokens = v.split(separator: ".", omittingEmptySubsequences: false)
        guard !tokens.contains(where: { $0.isEmpty || $0.contains(" ") || $0 == "*" || $0 == ">" }) else {
            throw SettingsError("\(origin) must be a NATS subject without wildcards like meme.request, got '\(v)'")
        }
        return v
    }
}

extension WorkerSettings: CustomStringConvertible {
    /// For the start-up log line: secrets redacted.
    public var description: String {
        "nats=\(SettingsReader.redacted(natsURL)) stream=\(stream) consumer=\(consumer) request=\(requestSubject) "
            + "response=\(responseSubject) ack_wait=\(ackWaitSeconds)s max_deliver=\(maxDeliver) "
            + "redis=\(redisURL.isEmpty ? "off" : SettingsReader.redacted(redisURL)) cache_ttl=\(cacheTTLSeconds)s "
            + "images=\(hfToken == nil ? "offline renderer" : "hugging face") metrics=\(metricsHost):\(metricsPort) "
            + "concurrency=\(concurrency)"
    }
}
