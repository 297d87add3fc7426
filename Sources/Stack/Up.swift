import ArgumentParser
import Foundation
import LocalScaler
import LocalServers
import LocalStack
import Logging
import MemeKit
import ServiceLifecycle
import SettingsFlags
import WorkerService

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the stack and keep it running until SIGTERM or Ctrl-C (then stop everything in order).",
        discussion: """
            Every setting is a flag or its environment variable (the flag wins); with --free-ports every port is picked \
            free instead (tests). The control port serves /status (the three stand-ins), /stack (where everything is), \
            /metrics, /healthz, /readyz and POST /services/<nats|redis|redis-exporter|prometheus>/<stop|kill|start|restart>.
            """)

    @Option(name: .setting(MemeEnv.demoDir), help: .setting(MemeEnv.demoDir)) var dir: String?
    @Option(name: .setting(MemeEnv.demoWebHost), help: .setting(MemeEnv.demoWebHost)) var webHost: String?
    @Option(name: .setting(MemeEnv.demoNATSPort), help: .setting(MemeEnv.demoNATSPort)) var natsPort: String?
    @Option(name: .setting(MemeEnv.demoNATSMonitorPort), help: .setting(MemeEnv.demoNATSMonitorPort)) var natsMonitorPort: String?
    @Option(name: .setting(MemeEnv.demoRedisPort), help: .setting(MemeEnv.demoRedisPort)) var redisPort: String?
    @Option(name: .setting(MemeEnv.demoRedisExporterPort), help: .setting(MemeEnv.demoRedisExporterPort)) var redisExporterPort: String?
    @Option(name: .setting(MemeEnv.demoPrometheusPort), help: .setting(MemeEnv.demoPrometheusPort)) var prometheusPort: String?
    @Option(name: .setting(MemeEnv.demoWebPort), help: .setting(MemeEnv.demoWebPort)) var webPort: String?
    @Option(name: .setting(MemeEnv.demoWebProcessBasePort), help: .setting(MemeEnv.demoWebProcessBasePort)) var webProcessBasePort: String?
    @Option(name: .setting(MemeEnv.demoWebMetricsBasePort), help: .setting(MemeEnv.demoWebMetricsBasePort)) var webMetricsBasePort: String?
    @Option(name: .setting(MemeEnv.demoControlPort), help: .setting(MemeEnv.demoControlPort)) var controlPort: String?
    @Option(name: .setting(MemeEnv.demoWorkerMetricsBasePort), help: .setting(MemeEnv.demoWorkerMetricsBasePort)) var workerMetricsBasePort: String?
    @Option(name: .setting(MemeEnv.natsURL), help: .setting(MemeEnv.natsURL)) var natsURL: String?
    @Option(name: .setting(MemeEnv.natsMonitorURL), help: .setting(MemeEnv.natsMonitorURL)) var natsMonitorURL: String?
    @Option(name: .setting(MemeEnv.redisURL), help: .setting(MemeEnv.redisURL)) var redisURL: String?
    @Option(help: "Run only these services, comma-separated: nats, redis, redis-exporter, prometheus, worker, web. The others' URLs come from NATS_URL, NATS_MONITOR_URL, REDIS_URL.")
    var only: String?
    @Flag(help: "Pick every port free on 127.0.0.1 (tests, drills, benchmarks).") var freePorts = false
    @Option(help: "Folder with meme-worker and meme-web (default: next to this binary).") var bin: String?
    @Option(help: "Folder with the Kubernetes objects the stand-ins read (default: k8s/base).") var k8s = "k8s/base"

    @Option(help: "Override the ScaledObject's minReplicaCount.") var minReplicaCount: Int?
    @Option(help: "Override the ScaledObject's maxReplicaCount.") var maxReplicaCount: Int?
    @Option(help: "Override the trigger's lagThreshold.") var lagThreshold: Int?
    @Option(help: "Override the trigger's activationLagThreshold.") var activationLagThreshold: Int?
    @Option(help: "Override the ScaledObject's pollingInterval (seconds).") var pollingInterval: Int?
    @Option(help: "Override the ScaledObject's cooldownPeriod (seconds).") var cooldownPeriod: Int?
    @Option(help: "Override the ScaledObject's HPA scale-down stabilizationWindowSeconds.") var scaleDownStabilization: Int?

    @Option(help: "HPA stand-in: seconds between syncs (15 in a cluster; default 5).") var hpaSyncPeriod: Double?
    @Option(help: "HPA stand-in: override the HPA's scale-down stabilizationWindowSeconds (300 in hpa.yaml).") var hpaScaleDownStabilization: Int?
    @Option(help: "HPA stand-in: seconds before a new process's CPU counts (the controller's initial readiness delay; default 30).")
    var hpaInitialReadinessDelay: Double?
    @Option(help: "VPA stand-in: seconds between samples of Redis (default 2).") var vpaSampleInterval: Double?
    @Option(help: "VPA stand-in: the recommender's half-life and other 24 h constants, in seconds (default 300).") var vpaHalfLife: Double?
    @Option(help: "VPA stand-in: seconds between the updater's checks (60 in a cluster; default 30).") var vpaUpdateInterval: Double?
    @Option(help: "VPA stand-in: override vpa.yaml's updateMode (Off recommends only and never restarts Redis).") var vpaMode: String?
    @Option(help: "The conflict act's web VPA stand-in: its half-life in seconds (default 60).") var actVpaHalfLife: Double?
    @Option(help: "The conflict act's web VPA stand-in: seconds between the updater's checks (default 10).") var actVpaUpdateInterval: Double?

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "meme-stack")
        logger.logLevel = .info
        let env = ProcessInfo.processInfo.environment
        var table = SettingsFlagTable()
        for (variable, value) in [
            (MemeEnv.demoDir, dir), (MemeEnv.demoWebHost, webHost), (MemeEnv.demoNATSPort, natsPort),
            (MemeEnv.demoNATSMonitorPort, natsMonitorPort), (MemeEnv.demoRedisPort, redisPort), (MemeEnv.demoRedisExporterPort, redisExporterPort),
            (MemeEnv.demoPrometheusPort, prometheusPort), (MemeEnv.demoWebPort, webPort), (MemeEnv.demoWebProcessBasePort, webProcessBasePort),
            (MemeEnv.demoWebMetricsBasePort, webMetricsBasePort),
            (MemeEnv.demoControlPort, controlPort), (MemeEnv.demoWorkerMetricsBasePort, workerMetricsBasePort),
            (MemeEnv.natsURL, natsURL), (MemeEnv.natsMonitorURL, natsMonitorURL), (MemeEnv.redisURL, redisURL),
        ] { table.set(variable, value) }
        let settings: StackSettings
        let specs: StandInSpecs
        let worker: WorkerSettings
        do {
            var tuning = StandInTuning()
            if let v = hpaSyncPeriod { tuning.hpaSyncPeriodSeconds = try positive(v, "--hpa-sync-period") }
            tuning.hpaScaleDownStabilizationSeconds = hpaScaleDownStabilization
            if let v = hpaInitialReadinessDelay {
                guard v >= 0, v.isFinite else { throw ValidationError("--hpa-initial-readiness-delay must be 0 or more seconds, got \(v)") }
                tuning.hpaInitialReadinessDelaySeconds = v
            }
            if let v = vpaSampleInterval { tuning.vpaSampleIntervalSeconds = try positive(v, "--vpa-sample-interval") }
            if let v = vpaHalfLife { tuning.vpaHalfLifeSeconds = try positive(v, "--vpa-half-life") }
            if let v = vpaUpdateInterval { tuning.vpaUpdateIntervalSeconds = try positive(v, "--vpa-update-interval") }
            tuning.vpaUpdateMode = vpaMode
            if let v = actVpaHalfLife { tuning.actVPAHalfLifeSeconds = try positive(v, "--act-vpa-half-life") }
            if let v = actVpaUpdateInterval { tuning.actVPAUpdateIntervalSeconds = try positive(v, "--act-vpa-update-interval") }
            settings = try StackSettings.resolve(
                SettingsReader(flags: table.values, environment: env), services: try StackSettings.services(only), freePorts: freePorts,
                binaries: try bin ?? Self.ownFolder(), manifests: k8s, tuning: tuning, environment: env)
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
                                   subject: worker.requestSubject, ackWaitSeconds: worker.ackWaitSeconds, maxDeliver: worker.maxDeliver,
                                   bounds: worker.streamBounds)
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
