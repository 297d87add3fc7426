import ArgumentParser
import Foundation
import Logging
import MemeImages
import MemeKit
import OpsHTTP
import ServiceLifecycle
import WorkerService

/// `meme-worker [serve]`: consume and answer until SIGTERM/SIGINT, then drain.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume meme requests (the default).",
        discussion: """
            Every option is also read from the environment variable named in its help; the flag wins. \
            The Hugging Face token is a secret and never a flag: set it with (env: HF_API_TOKEN) or put it \
            in a file named by (env: HF_API_TOKEN_FILE). Without a token, memes are made offline.
            """)

    @Option(help: "NATS server URL(s), comma separated (env: NATS_URL, default \(MemeDefaults.natsURL)).") var natsUrl: String?
    @Option(help: "JetStream stream (env: NATS_STREAM, default \(MemeDefaults.stream)).") var natsStream: String?
    @Option(help: "Durable pull consumer (env: NATS_CONSUMER, default \(MemeDefaults.consumer)).") var natsConsumer: String?
    @Option(help: "Request subject (env: NATS_REQUEST_SUBJECT, default \(MemeDefaults.requestSubject)).") var natsRequestSubject: String?
    @Option(help: "Response subject; errors go to <subject>.error (env: NATS_RESPONSE_SUBJECT, default \(MemeDefaults.responseSubject)).") var natsResponseSubject: String?
    @Option(help: "Seconds JetStream waits for an ack before redelivering (env: NATS_ACK_WAIT, default \(MemeDefaults.ackWaitSeconds)).") var natsAckWait: String?
    @Option(help: "Deliveries before a request is answered with an error (env: NATS_MAX_DELIVER, default \(MemeDefaults.maxDeliver)).") var natsMaxDeliver: String?
    @Option(help: "Redis URL; 'off' disables the cache (env: REDIS_URL, default \(MemeDefaults.redisURL)).") var redisUrl: String?
    @Option(help: "Seconds an image stays cached (env: CACHE_TTL, default \(MemeDefaults.cacheTTLSeconds)).") var cacheTtl: String?
    @Option(help: "Seconds a result is kept by id for late readers (env: RESULT_TTL, default \(MemeDefaults.resultTTLSeconds)).") var resultTtl: String?
    @Option(help: "Hugging Face model URL, used when HF_API_TOKEN is set (env: HF_API_URL).") var hfApiUrl: String?
    @Option(help: "Hugging Face model URL for fast_mode or small_image requests (env: HF_FAST_API_URL, default \(MemeDefaults.hfFastModelURL)).") var hfFastApiUrl: String?
    @Option(help: "Seconds one Hugging Face image may take, retries included (env: HF_TIMEOUT, default 60).") var hfTimeout: String?
    @Option(help: "Listen address for /metrics, /healthz, /readyz (env: METRICS_ADDR, default \(MemeDefaults.workerMetricsAddress)).") var metricsAddr: String?
    @Option(help: "Requests processed at a time (env: WORKER_CONCURRENCY, default 2).") var workerConcurrency: String?
    @Option(help: "Seconds in-flight work may take after SIGTERM (env: WORKER_DRAIN_GRACE, default 20).") var workerDrainGrace: String?
    @Option(help: "Longest prompt accepted, in characters (env: MAX_PROMPT_CHARS, default \(MemeDefaults.maxPromptCharacters)).") var maxPromptChars: String?
    @Option(help: "Name reported in responses and logs (env: WORKER_NAME, default the host name).") var workerName: String?
    @Option(help: "Requests the MEMES stream holds before refusing new ones (env: NATS_STREAM_MAX_MSGS, default \(MemeDefaults.streamMaxMessages)).") var natsStreamMaxMsgs: String?
    @Option(help: "Bytes the MEMES stream holds before refusing new requests (env: NATS_STREAM_MAX_BYTES, default \(MemeDefaults.streamMaxBytes)).") var natsStreamMaxBytes: String?

    var flags: [String: String] {
        var f: [String: String] = [:]
        f[MemeEnv.natsURL] = natsUrl
        f[MemeEnv.natsStream] = natsStream
        f[MemeEnv.natsConsumer] = natsConsumer
        f[MemeEnv.requestSubject] = natsRequestSubject
        f[MemeEnv.responseSubject] = natsResponseSubject
        f[MemeEnv.ackWait] = natsAckWait
        f[MemeEnv.maxDeliver] = natsMaxDeliver
        f[MemeEnv.redisURL] = redisUrl
        f[MemeEnv.cacheTTL] = cacheTtl
        f["RESULT_TTL"] = resultTtl
        f[MemeEnv.hfURL] = hfApiUrl
        f["HF_FAST_API_URL"] = hfFastApiUrl
        f["HF_TIMEOUT"] = hfTimeout
        f[MemeEnv.metricsAddress] = metricsAddr
        f[MemeEnv.workerConcurrency] = workerConcurrency
        f["WORKER_DRAIN_GRACE"] = workerDrainGrace
        f["MAX_PROMPT_CHARS"] = maxPromptChars
        f["WORKER_NAME"] = workerName
        f[MemeEnv.streamMaxMessages] = natsStreamMaxMsgs
        f[MemeEnv.streamMaxBytes] = natsStreamMaxBytes
        return f
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "meme-worker")
        logger.logLevel = .info
        let settings: WorkerSettings
        do {
            settings = try WorkerSettings.resolve(SettingsReader(flags: flags))
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        logger.info("starting: \(settings)")
        let source: any ImageSource = try ImageSources.make(settings: settings, logger: logger)
        let worker = MemeWorker(settings: settings, source: source, logger: logger)
        let ops = OpsEndpoints(metrics: { worker.metrics.render() }, notReadyReason: { worker.notReadyReason })
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: ops.application(host: settings.metricsHost, port: settings.metricsPort)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
