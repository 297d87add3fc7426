import ArgumentParser
import Foundation
import LocalScaler
import Logging
import MemeKit
import OpsHTTP
import ServiceLifecycle
import WorkerService

/// `meme-worker supervise`: the local stand-in for KEDA. Runs worker processes of this same binary
/// and scales them on the JetStream consumer lag, with the numbers from the worker's ScaledObject.
struct Supervise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scale local worker processes on the JetStream lag, as KEDA does in the cluster.",
        discussion: """
            Reads minReplicaCount, maxReplicaCount, pollingInterval, cooldownPeriod, fallback, the trigger's
            lagThreshold / activationLagThreshold / stream / consumer and the HPA scale-down behaviour from the
            ScaledObject; flags override them. Children run `meme-worker serve` with the environment of this
            process plus METRICS_ADDR=<host>:<base port + N - 1> and WORKER_NAME=worker-N. SIGTERM or SIGINT
            drains every child (SIGTERM, then SIGKILL after the worker's drain grace + 5 s) and exits 0.
            """)

    @Option(help: "The worker's KEDA ScaledObject.") var scaledObject = "k8s/base/worker/scaledobject.yaml"
    @Option(help: "NATS monitoring URL for /jsz (env: NATS_MONITOR_URL, default http://127.0.0.1:8222).") var natsMonitorUrl: String?
    @Option(help: "Listen address for this supervisor's /metrics, /status, /healthz, /readyz (env: SUPERVISOR_METRICS_ADDR, default 127.0.0.1:9190).")
    var metricsAddr: String?
    @Option(help: "Worker N serves its metrics on this port + N - 1.") var workerMetricsBasePort = 9100
    @Option(help: "Host the workers' metrics listen on.") var workerMetricsHost = "127.0.0.1"
    @Option(help: "Folder for worker-N.log files (default: the workers write to this process's stderr).") var workerLogDir: String?
    @Flag(name: .customLong("no-jetstream-setup"), help: "Do not create the stream and consumer when they are missing.") var noJetStreamSetup = false

    @Option(help: "Override spec.minReplicaCount.") var minReplicaCount: Int?
    @Option(help: "Override spec.maxReplicaCount.") var maxReplicaCount: Int?
    @Option(help: "Override the trigger's lagThreshold.") var lagThreshold: Int?
    @Option(help: "Override the trigger's activationLagThreshold.") var activationLagThreshold: Int?
    @Option(help: "Override spec.pollingInterval (seconds).") var pollingInterval: Int?
    @Option(help: "Override spec.cooldownPeriod (seconds).") var cooldownPeriod: Int?
    @Option(help: "Override the HPA scale-down stabilizationWindowSeconds.") var scaleDownStabilization: Int?

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "meme-supervise")
        logger.logLevel = .info
        let env = ProcessInfo.processInfo.environment
        let spec: ScaledObjectSpec
        do {
            let overrides = ScalerOverrides(
                minReplicaCount: minReplicaCount, maxReplicaCount: maxReplicaCount, lagThreshold: lagThreshold,
                activationLagThreshold: activationLagThreshold, pollingIntervalSeconds: pollingInterval,
                cooldownPeriodSeconds: cooldownPeriod, scaleDownStabilizationSeconds: scaleDownStabilization)
            spec = try overrides.apply(to: ScaledObjectFile.load(path: scaledObject))
        } catch {
            throw ValidationError("\(error)")
        }
        // The children's settings, validated now so a bad environment fails here, not in a crash loop.
        let worker: WorkerSettings
        do { worker = try WorkerSettings.resolve(SettingsReader()) } catch { throw ValidationError("worker configuration: \(error)") }
        let reader = SettingsReader(flags: ["NATS_MONITOR_URL": natsMonitorUrl, "SUPERVISOR_METRICS_ADDR": metricsAddr].compactMapValues { $0 })
        let monitorURL: String
        let host: String, port: Int
        do {
            monitorURL = try reader.url("NATS_MONITOR_URL", default: "http://127.0.0.1:8222", schemes: ["http", "https"])
            (host, port) = try reader.hostPort("SUPERVISOR_METRICS_ADDR", default: "127.0.0.1:9190")
        } catch {
            throw ValidationError("\(error)")
        }
        guard (1...65535).contains(workerMetricsBasePort), workerMetricsBasePort + spec.parameters.maxReplicaCount <= 65535 else {
            throw ValidationError("--worker-metrics-base-port \(workerMetricsBasePort) leaves no room for \(spec.parameters.maxReplicaCount) workers")
        }
        if let dir = workerLogDir {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("--worker-log-dir \(dir) is not a folder")
            }
        }
        let launch = WorkerLaunch(
            executable: try Self.ownExecutable(), arguments: ["serve"], environment: env, metricsHost: workerMetricsHost,
            metricsBasePort: workerMetricsBasePort, logDirectory: workerLogDir, stopGraceSeconds: worker.drainGraceSeconds + 5)
        let setup = noJetStreamSetup ? nil : JetStreamSetup(
            natsURL: worker.natsURL, stream: spec.stream, consumer: spec.consumer, subject: worker.requestSubject,
            ackWaitSeconds: worker.ackWaitSeconds, maxDeliver: worker.maxDeliver)
        let scaler = LocalScaler(
            settings: LocalScalerSettings(spec: spec, natsMonitorURL: monitorURL, launch: launch, jetStreamSetup: setup), logger: logger)
        let ops = OpsEndpoints(metrics: { scaler.metrics.render() }, notReadyReason: { scaler.notReadyReason },
                               status: { scaler.statusJSON() })
        logger.info("metrics on http://\(host):\(port)/metrics, decision on /status")
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: scaler, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: ops.application(host: host, port: port)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// This very binary, so children are the same build as the supervisor.
    static func ownExecutable() throws -> String {
        let linked = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if linked != "/proc/self/exe", FileManager.default.isExecutableFile(atPath: linked) { return linked }
        let argv0 = CommandLine.arguments[0]
        if argv0.contains("/") { return URL(fileURLWithPath: argv0).standardizedFileURL.resolvingSymlinksInPath().path }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(argv0)") {
            return "\(dir)/\(argv0)"
        }
        throw ValidationError("cannot locate the meme-worker binary (argv[0] = \(argv0))")
    }
}
