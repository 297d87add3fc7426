import ArgumentParser
import Foundation
import LocalScaler
import LocalServers
import LocalStack
import Logging
import MemeKit
import ServiceLifecycle
import WorkerService

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the stack and keep it running until SIGTERM or Ctrl-C (then stop everything in order).",
        discussion: """
            Ports (flags win over the environment): DEMO_NATS_PORT 4222, DEMO_NATS_MONITOR_PORT 8222, DEMO_REDIS_PORT 6379, \
            DEMO_REDIS_EXPORTER_PORT 9121, DEMO_PROMETHEUS_PORT 9090, DEMO_WEB_PORT 8080 (the audience's address), \
            DEMO_WEB_PROCESS_BASE_PORT 9180 (meme-web process N on base + N - 1, behind the proxy), DEMO_CONTROL_PORT 9190 \
            (/status, /metrics, /stack, POST /services/<name>/<stop|kill|start|restart>), DEMO_WORKER_METRICS_BASE_PORT 9100 \
            (worker N's /metrics on base + N - 1). With --free-ports every port is picked free instead (tests).
            """)

    @Option(help: "State, logs and stack.json (env: DEMO_DIR).") var dir: String?
    @Option(help: "Run only these services, comma-separated: nats, redis, redis-exporter, prometheus, worker, web. The others' URLs come from NATS_URL, NATS_MONITOR_URL, REDIS_URL.")
    var only: String?
    @Flag(help: "Pick every port free on 127.0.0.1 (tests, drills, benchmarks).") var freePorts = false
    @Option(help: "Folder with meme-worker and meme-web (default: next to this binary).") var bin: String?
    @Option(help: "Folder with the Kubernetes objects the stand-ins read (default: k8s/base).") var k8s = "k8s/base"
    @Option(help: "Address the web port listens on (env: DEMO_WEB_HOST; default 0.0.0.0, so phones on the LAN reach it).") var webHost: String?

    @Option(help: "Override the ScaledObject's minReplicaCount.") var minReplicaCount: Int?
    @Option(help: "Override the ScaledObject's maxReplicaCount.") var maxReplicaCount: Int?
    @Option(help: "Override the trigger's lagThreshold.") var lagThreshold: Int?
    @Option(help: "Override the trigger's activationLagThreshold.") var activationLagThreshold: Int?
    @Option(help: "Override the ScaledObject's pollingInterval (seconds).") var pollingInterval: Int?
    @Option(help: "Override the ScaledObject's cooldownPeriod (seconds).") var cooldownPeriod: Int?
    @Option(help: "Override the ScaledObject's HPA scale-down stabilizationWindowSeconds.") var scaleDownStabilization: Int?

    @Option(help: "HPA stand-in: seconds between syncs (15 in a cluster; default 5).") var hpaSyncPeriod: Double?
    @Option(help: "HPA stand-in: override the HPA's scale-down stabilizationWindowSeconds (300 in hpa.yaml).") var hpaScaleDownStabilization: Int?
    @Option(help: "VPA stand-in: seconds between samples of Redis (default 2).") var vpaSampleInterval: Double?
    @Option(help: "VPA stand-in: the recommender's half-life and other 24 h constants, in seconds (default 300).") var vpaHalfLife: Double?
    @Option(help: "VPA stand-in: seconds between the updater's checks (60 in a cluster; default 30).") var vpaUpdateInterval: Double?
    @Option(help: "VPA stand-in: override vpa.yaml's updateMode (Off recommends only and never restarts Redis).") var vpaMode: String?

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "meme-stack")
        logger.logLevel = .info
        let env = ProcessInfo.processInfo.environment
        let reader = SettingsReader(flags: ["DEMO_DIR": dir, "DEMO_WEB_HOST": webHost].compactMapValues { $0 }, environment: env)
        let settings: StackSettings
        let specs: StandInSpecs
        let worker: WorkerSettings
        do {
            var tuning = StandInTuning()
            if let v = hpaSyncPeriod { tuning.hpaSyncPeriodSeconds = try positive(v, "--hpa-sync-period") }
            tuning.hpaScaleDownStabilizationSeconds = hpaScaleDownStabilization
            if let v = vpaSampleInterval { tuning.vpaSampleIntervalSeconds = try positive(v, "--vpa-sample-interval") }
            if let v = vpaHalfLife { tuning.vpaHalfLifeSeconds = try positive(v, "--vpa-half-life") }
            if let v = vpaUpdateInterval { tuning.vpaUpdateIntervalSeconds = try positive(v, "--vpa-update-interval") }
            tuning.vpaUpdateMode = vpaMode
            let directory = URL(fileURLWithPath: reader.string("DEMO_DIR", default: ".demo")).standardizedFileURL.path
            settings = StackSettings(
                directory: directory, ports: freePorts ? try StackSettings.freePorts() : try StackSettings.ports(reader),
                services: try StackSettings.services(only), binaries: try bin ?? Self.ownFolder(), manifests: k8s,
                webHost: reader.string("DEMO_WEB_HOST", default: "0.0.0.0"), tuning: tuning, environment: env)
            let overrides = ScalerOverrides(
                minReplicaCount: minReplicaCount, maxReplicaCount: maxReplicaCount, lagThreshold: lagThreshold,
                activationLagThreshold: activationLagThreshold, pollingIntervalSeconds: pollingInterval,
                cooldownPeriodSeconds: cooldownPeriod, scaleDownStabilizationSeconds: scaleDownStabilization)
            specs = try StandInSpecs.load(manifests: k8s, tuning: tuning, overrides: overrides)
            // The children's settings, checked now so a bad environment fails here, not in a crash loop.
            worker = try WorkerSettings.resolve(SettingsReader(environment: settings.childEnvironment))
            if FreePort.isListening(settings.ports.control) {
                throw StackError("port \(settings.ports.control) is already in use (set DEMO_CONTROL_PORT to move it)")
            }
            for name in ["meme-worker", "meme-web"] where !FileManager.default.isExecutableFile(atPath: "\(settings.binaries)/\(name)") {
                throw StackError("\(settings.binaries)/\(name) is missing (build it, or pass --bin FOLDER)")
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        let setup = JetStreamSetup(natsURL: settings.natsURL, stream: specs.keda.stream, consumer: specs.keda.consumer,
                                   subject: worker.requestSubject, ackWaitSeconds: worker.ackWaitSeconds, maxDeliver: worker.maxDeliver)
        let stack = LocalStack(settings: settings, specs: specs, workerDrainGraceSeconds: worker.drainGraceSeconds,
                               jetStreamSetup: settings.services.contains(.worker) ? setup : nil, logger: logger)
        logger.info("control on \(settings.controlURL) (/status, /stack, /metrics); state in \(settings.directory)")
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: stack.application(host: "127.0.0.1", port: settings.ports.control)),
                .init(service: stack, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            // The first line a presenter sees: what failed and what to change, not a stack of wrappers.
            FileHandle.standardError.write(Data("meme-stack: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func positive(_ v: Double, _ flag: String) throws -> Double {
        guard v > 0, v.isFinite else { throw ValidationError("\(flag) must be a positive number of seconds, got \(v)") }
        return v
    }

    /// The folder of this binary: meme-worker and meme-web are built next to it.
    static func ownFolder() throws -> String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        guard exe.path != "/proc/self/exe" else { throw ValidationError("cannot find this binary's folder; pass --bin FOLDER") }
        return exe.deletingLastPathComponent().path
    }
}
