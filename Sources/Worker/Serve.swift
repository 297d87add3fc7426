import ArgumentParser
import Foundation
import Logging
import MemeImages
import MemeKit
import OpsHTTP
import SettingsFlags
import ServiceLifecycle
import WorkerService

/// `meme-worker [serve]`: consume and answer until SIGTERM/SIGINT, then drain.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume meme requests (the default).",
        discussion: """
            Every option is also read from the environment variable named in its help; the flag wins. \
            The Hugging Face token is a secret and never a flag: set it with (env: HF_API_TOKEN) or put it \
            in a file named by (env: HF_API_TOKEN_FILE). Without a token, memes are made offline. \
            Deprecated spellings (--worker-concurrency, --worker-drain-grace, --worker-name) still work; \
            see --help-hidden.
            """)

    @OptionGroup var queue: QueueFlags
    @Option(name: .setting(MemeEnv.ackWait), help: .setting(MemeEnv.ackWait)) var natsAckWait: String?
    @Option(name: .setting(MemeEnv.maxDeliver), help: .setting(MemeEnv.maxDeliver)) var natsMaxDeliver: String?
    @Option(name: .setting(MemeEnv.redisURL), help: .setting(MemeEnv.redisURL)) var redisURL: String?
    @Option(name: .setting(MemeEnv.cacheTTL), help: .setting(MemeEnv.cacheTTL)) var cacheTTL: String?
    @Option(name: .setting(MemeEnv.resultTTL), help: .setting(MemeEnv.resultTTL)) var resultTTL: String?
    @Option(name: .setting(MemeEnv.hfURL), help: .setting(MemeEnv.hfURL)) var hfURL: String?
    @Option(name: .setting(MemeEnv.hfFastURL), help: .setting(MemeEnv.hfFastURL)) var hfFastURL: String?
    @Option(name: .setting(MemeEnv.hfTimeout), help: .setting(MemeEnv.hfTimeout)) var hfTimeout: String?
    @Option(name: .setting(MemeEnv.metricsAddress), help: .setting(MemeEnv.metricsAddress)) var metricsAddr: String?
    @Option(name: .setting(MemeEnv.workerConcurrency), help: .setting(MemeEnv.workerConcurrency)) var concurrency: String?
    @Option(name: .setting(MemeEnv.workerDrainGrace), help: .setting(MemeEnv.workerDrainGrace)) var drainGrace: String?
    @Option(name: .setting(MemeEnv.maxPromptChars), help: .setting(MemeEnv.maxPromptChars)) var maxPromptChars: String?
    @Option(name: .setting(MemeEnv.workerName), help: .setting(MemeEnv.workerName)) var name: String?
    @Option(name: .setting(MemeEnv.logLevel), help: .setting(MemeEnv.logLevel)) var logLevel: String?
    @Option(name: .setting(MemeEnv.streamMaxMessages), help: .setting(MemeEnv.streamMaxMessages)) var streamMaxMessages: String?
    @Option(name: .setting(MemeEnv.streamMaxBytes), help: .setting(MemeEnv.streamMaxBytes)) var streamMaxBytes: String?
    @Option(name: .setting(MemeEnv.streamReplicas), help: .setting(MemeEnv.streamReplicas)) var streamReplicas: String?
    @Option(name: .deprecated(MemeEnv.workerConcurrency), help: .deprecated(MemeEnv.workerConcurrency)) var oldConcurrency: String?
    @Option(name: .deprecated(MemeEnv.workerDrainGrace), help: .deprecated(MemeEnv.workerDrainGrace)) var oldDrainGrace: String?
    @Option(name: .deprecated(MemeEnv.workerName), help: .deprecated(MemeEnv.workerName)) var oldName: String?

    func flags() throws -> SettingsFlagTable {
        var t = SettingsFlagTable()
        try queue.add(to: &t)
        for (variable, value) in [
            (MemeEnv.ackWait, natsAckWait), (MemeEnv.maxDeliver, natsMaxDeliver), (MemeEnv.redisURL, redisURL),
            (MemeEnv.cacheTTL, cacheTTL), (MemeEnv.resultTTL, resultTTL), (MemeEnv.hfURL, hfURL), (MemeEnv.hfFastURL, hfFastURL),
            (MemeEnv.hfTimeout, hfTimeout), (MemeEnv.metricsAddress, metricsAddr), (MemeEnv.workerConcurrency, concurrency),
            (MemeEnv.workerDrainGrace, drainGrace), (MemeEnv.maxPromptChars, maxPromptChars), (MemeEnv.workerName, name),
            (MemeEnv.logLevel, logLevel), (MemeEnv.streamMaxMessages, streamMaxMessages), (MemeEnv.streamMaxBytes, streamMaxBytes),
            (MemeEnv.streamReplicas, streamReplicas),
        ] { t.set(variable, value) }
        try t.set(deprecated: MemeEnv.workerConcurrency, oldConcurrency)
        try t.set(deprecated: MemeEnv.workerDrainGrace, oldDrainGrace)
        try t.set(deprecated: MemeEnv.workerName, oldName)
        return t
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let table = try flags()
        table.warn(as: "meme-worker")
        let settings: WorkerSettings
        do {
            settings = try WorkerSettings.resolve(table.reader)
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        var logger = Logger(label: "meme-worker")
        logger.logLevel = settings.logLevel
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
