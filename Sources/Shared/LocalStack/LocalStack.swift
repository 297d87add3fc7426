import Autoscaling
import Foundation
import LocalScaler
import LocalServers
import Logging
import MemeKit
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// The whole demo on one machine, as one supervisor: nats-server (JetStream), redis-server,
/// redis-exporter and prometheus as kept-alive servers, meme-worker processes scaled by the KEDA
/// stand-in, meme-web processes behind one port scaled by the HPA stand-in, Redis sized by the VPA
/// stand-in. Started in that order and stopped in reverse on graceful shutdown (SIGTERM/SIGINT):
/// workers and web processes drain, Redis saves, nothing is left running.
public final class LocalStack: Service, Sendable {
    public let settings: StackSettings
    public let specs: StandInSpecs
    public let registry = PrometheusCollectorRegistry()
    let logger: Logger
    private let units = Mutex<[StackService: InfraUnit]>([:])
    private let startedAt = Date().timeIntervalSince1970
    private let phase = Mutex<String?>("starting")
    /// meme-web processes answering /readyz at the last probe.
    private let readyWeb = Mutex(0)
    public let keda: KEDAStandIn?
    public let hpa: HPAStandIn?
    public let proxy: ServiceProxy?
    /// The act the stand-ins play (`POST /act/<name>`); harmony at start, as k8s/base is.
    let actState = Mutex(DemoAct.harmony)
    /// The conflict act's VPA stand-in on meme-web and the task running it.
    let webVPAStandIn = Mutex<(stand: VPAStandIn, task: Task<Void, Never>)?>(nil)

    /// - Parameter worker: the workers' drain grace (WORKER_DRAIN_GRACE) and the stream settings
    ///   the KEDA stand-in declares, already checked.
    public init(settings: StackSettings, specs: StandInSpecs, workerDrainGraceSeconds: Double, jetStreamSetup: JetStreamSetup?,
                logger: Logger) {
        self.settings = settings
        self.specs = specs
        self.logger = logger
        let env = settings.childEnvironment
        let ports = settings.ports
        let logs = settings.logDirectory
        keda = settings.services.contains(.worker) ? KEDAStandIn(
            settings: KEDAStandInSettings(
                spec: specs.keda, natsMonitorURL: settings.natsMonitorURLs,
                launch: .worker(executable: settings.binaries + "/meme-worker", environment: env, metricsBasePort: ports.workerMetricsBase,
                                logDirectory: logs, stopGraceSeconds: workerDrainGraceSeconds + 5),
                jetStreamSetup: jetStreamSetup),
            logger: logger, registry: registry) : nil
        if settings.services.contains(.web) {
            let proxy = ServiceProxy(host: settings.webHost, port: ports.web, logger: logger, sendsProxyHeader: true)
            self.proxy = proxy
            var webEnv = env
            // Only the proxy reaches the processes; the wall shows the proxy's port.
            webEnv[MemeEnv.host] = "127.0.0.1"
            webEnv[MemeEnv.webPublicAddress] = "\(settings.webHost):\(ports.web)"
            // The client's address comes in the proxy's PROXY line, as X-Forwarded-For from 127.0.0.1.
            webEnv[MemeEnv.webProxyProtocol] = "true"
            webEnv[MemeEnv.webTrustedProxies] = "127.0.0.1"
            let base = ports.webProcessBase, metricsBase = ports.webMetricsBase
            hpa = HPAStandIn(
                settings: HPAStandInSettings(spec: specs.hpa, launch: ReplicaLaunch(
                    executable: settings.binaries + "/meme-web", arguments: [], environment: webEnv, namePrefix: "web",
                    logDirectory: logs, stopGraceSeconds: 15, preStopSeconds: 1) { slot in
                        [MemeEnv.port: "\(base + slot - 1)", MemeEnv.webMetricsAddress: "127.0.0.1:\(metricsBase + slot - 1)"]
                    }),
                logger: logger, registry: registry, beforeStop: { [proxy] name in proxy.remove(name: name) })
        } else {
            proxy = nil
            hpa = nil
        }
    }

    public var notReadyReason: String? { phase.withLock { $0 } }

    /// `GET /status`: the KEDA stand-in's numbers with the HPA's and VPA's beside them.
    public var status: LocalScalerStatus {
        var s = keda?.status ?? LocalScalerStatus(
            readAt: nil, workload: "worker", replicas: 0, desiredReplicas: 0, terminating: 0, lag: nil, lagThreshold: 0,
            activationLagThreshold: 0, minReplicas: 0, maxReplicas: 0, pollingIntervalSeconds: 0, cooldownPeriodSeconds: 0,
            active: false, lastActiveAt: nil, scaleToZeroInSeconds: nil, reason: "this stack runs no workers", events: [])
        s.hpa = hpa?.status
        s.vpa = vpaStandIn.withLock { $0 }?.status
        s.act = actState.withLock { $0 }.rawValue
        s.webVPA = webVPAStandIn.withLock { $0 }?.stand.status
        return s
    }

    public func statusJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(status) else { return #"{"error":"cannot encode the status"}"# }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Made once Redis runs (it restarts Redis through this stack).
    private let vpaStandIn = Mutex<VPAStandIn?>(nil)
    public var vpa: VPAStandIn? { vpaStandIn.withLock { $0 } }

    // MARK: - Run

    public func run() async throws {
        do {
            try await startServers()
        } catch {
            phase.withLock { $0 = "\(error)" }
            await stopServers()
            throw error
        }
        writeManifest()
        if let proxy {
            do { try await proxy.start() } catch {
                await stopServers()
                throw error
            }
        }
        if settings.services.contains(.redis), let unit = unit(.redis), let redis = unit.server as? RedisServer {
            let stand = VPAStandIn(spec: specs.vpa, logger: logger, registry: registry, pid: { redis.pid }) { [self] requests in
                try await restartRedis(unit: unit, redis: redis, requests: requests)
            }
            vpaStandIn.withLock { $0 = stand }
        }
        phase.withLock { $0 = settings.services.contains(.worker) ? "workers: no lag read yet" : nil }
        logger.info("the stack is up: \(settings.manifestFile)")

        // The stand-ins run until graceful shutdown; the watchdog ends early only with a start-up failure.
        let failure: StackError? = await withTaskGroup(of: StackError?.self) { group in
            if let keda { group.addTask { try? await keda.run(); return nil } }
            if let hpa { group.addTask { try? await hpa.run(); return nil } }
            if let vpa = vpaStandIn.withLock({ $0 }) { group.addTask { try? await vpa.run(); return nil } }
            group.addTask { [self] in
                do throws(StackError) { try await watch() } catch { return error }
                return nil
            }
            var first: StackError?
            for await result in group where result != nil && first == nil {
                first = result
                group.cancelAll()
            }
            return first
        }
        phase.withLock { $0 = "stopping" }
        await stopWebVPA()
        await proxy?.stop()
        await stopServers()
        try? FileManager.default.removeItem(atPath: settings.manifestFile)
        if let error = failure {
            logger.error("\(error)")
            throw error
        }
        logger.info("the stack has stopped")
    }

    /// Every second: restart servers that died, refresh readiness, proxy endpoints and stack.json.
    /// Throws when meme-web keeps crashing before it was ever ready (a broken build or setting):
    /// the stack then stops rather than pretend to be up.
    private func watch() async throws(StackError) {
        var tick = 0
        var webWasReady = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let hpa, !webWasReady {
                webWasReady = readyWeb.withLock { $0 } > 0
                if !webWasReady, let loop = await hpa.crashLoops().first(where: { $0.crashes >= 3 }) {
                    let log = "\(settings.logDirectory)/\(loop.name).log"
                    let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
                    throw StackError("meme-web (\(loop.name)) exited \(loop.crashes) times during start-up, last with status "
                        + "\(loop.status.map(String.init) ?? "?") (log: \(log)):\n\(tail)")
                }
            }
            var changed = false
            for unit in units.withLock({ Array($0.values) }).sorted(by: { $0.service < $1.service }) {
                if let line = await blocking({ unit.watch() }) {
                    logger.warning("\(line)")
                    changed = true
                }
            }
            if let hpa, let proxy { await refreshEndpoints(hpa: hpa, proxy: proxy, tick: tick) }
            let kedaProblem = keda?.notReadyReason.map { "workers: \($0)" }
            let webProblem: String? = hpa != nil && readyWeb.withLock({ $0 }) == 0 ? "web: no meme-web process is ready yet" : nil
            phase.withLock { $0 = webProblem ?? kedaProblem }
            tick += 1
            // stack.json keeps every server's pid current (`meme-stack stop` uses them if this process is killed).
            if changed || tick % 5 == 0 { writeManifest() }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Probes meme-web processes' /readyz; the proxy routes to the ready ones. A process not ready
    /// yet is probed every second (so a new one takes traffic at once), a ready one every
    /// `readyProbePeriod` ticks, as a kubelet's readinessProbe does (each probe costs the process CPU,
    /// which the HPA stand-in measures).
    private func refreshEndpoints(hpa: HPAStandIn, proxy: ServiceProxy, tick: Int) async {
        let base = settings.ports.webProcessBase
        let replicas = await hpa.replicas().filter { !$0.terminating }
        let known = probeResults.withLock { $0 }
        let due = replicas.filter { known[$0.name] != true || tick % Self.readyProbePeriod == 0 }
        let probed: [(String, Bool)] = await blocking {
            due.map { r in (r.name, HTTPProbe.get(port: base + r.slot - 1, path: "/readyz", timeoutSeconds: 1)?.status == 200) }
        }
        let results = probeResults.withLock { results -> [String: Bool] in
            results = results.filter { name, _ in replicas.contains { $0.name == name } }
            for (name, ok) in probed { results[name] = ok }
            return results
        }
        proxy.update(endpoints: replicas.map { ProxyEndpoint(name: $0.name, port: base + $0.slot - 1, ready: results[$0.name] == true) })
        let ready = Set(results.filter(\.value).keys)
        hpa.setReady(ready)
        readyWeb.withLock { $0 = ready.count }
    }

    static let readyProbePeriod = 5
    /// The last readiness probe of each meme-web process.
    private let probeResults = Mutex<[String: Bool]>([:])

    // MARK: - Servers

    private func unit(_ service: StackService) -> InfraUnit? { units.withLock { $0[service] } }

    private func startServers() async throws {
        let s = settings
        let dir = URL(fileURLWithPath: s.directory)
        try FileManager.default.createDirectory(atPath: s.logDirectory, withIntermediateDirectories: true)
        func log(_ name: String) -> URL { URL(fileURLWithPath: "\(s.logDirectory)/\(name).log") }
        for service in StackService.allCases where s.services.contains(service) {
            let server: (any ServerProcess)?
            var members: [any ServerProcess] = []
            switch service {
            case .nats:
                try checkFree(s.ports.nats, service.portVariable)
                try checkFree(s.ports.natsMonitor, "DEMO_NATS_MONITOR_PORT")
                if s.natsMembers.isEmpty {
                    server = try NATSServer(
                        config: NATSServerConfig(serverName: "meme_demo", port: s.ports.nats, monitorPort: s.ports.natsMonitor,
                                                 storeDirectory: dir.appendingPathComponent("nats/js").path, maxFileStore: "2GB"),
                        directory: dir.appendingPathComponent("nats"), logFile: log("nats"))
                } else {
                    for member in s.natsMembers.dropFirst() { try checkFree(member.client, MemeEnv.demoNATSCluster) }
                    var configs = NATSCluster.configs(prefix: "meme_demo", ports: s.natsMembers, storeRoot: dir.appendingPathComponent("nats/js"))
                    for i in configs.indices { configs[i].maxFileStore = "2GB" }
                    let cluster = try NATSCluster(configs: configs, directory: dir.appendingPathComponent("nats"),
                                                  logDirectory: URL(fileURLWithPath: s.logDirectory))
                    members = cluster.servers
                    server = cluster.servers[0]
                }
            case .redis:
                try checkFree(s.ports.redis, service.portVariable)
                server = try RedisServer(config: redisConfig(requests: specs.vpa.requests), logFile: log("redis"))
            case .redisExporter:
                try checkFree(s.ports.redisExporter, service.portVariable)
                server = try RedisExporter(port: s.ports.redisExporter, redisPort: s.ports.redis,
                                           directory: dir.appendingPathComponent("redis-exporter"), logFile: log("redis-exporter"))
            case .prometheus:
                try checkFree(s.ports.prometheus, service.portVariable)
                server = try PrometheusServer(config: prometheusConfig(), logFile: log("prometheus"))
            case .worker, .web:
                server = nil
            }
            guard let server else { continue }
            if service == .web || service == .worker { continue }
            logger.info("starting \(service.rawValue)")
            let unit = members.isEmpty ? InfraUnit(service: service, server: server) : InfraUnit(service: service, servers: members)
            units.withLock { $0[service] = unit }
            try await blocking { try unit.start(timeout: 30) }
        }
        if s.services.contains(.web) { try checkFree(s.ports.web, StackService.web.portVariable) }
    }

    private func checkFree(_ port: Int, _ variable: String) throws {
        if FreePort.isListening(port) { throw StackError("port \(port) is already in use (set \(variable) to move it)") }
    }

    func redisConfig(requests: VPA.Amounts) -> RedisServerConfig {
        // Save points as the StatefulSet's: SIGTERM writes dump.rdb, so a VPA restart keeps the cache.
        RedisServerConfig(port: settings.ports.redis, directory: settings.directory + "/redis",
                          maxMemoryBytes: specs.vpa.maxMemory(for: requests), savePoints: "300 10")
    }

    private func prometheusConfig() -> PrometheusConfig {
        let p = settings.ports
        func block(_ base: Int, _ count: Int) -> [String] { (0..<count).map { "127.0.0.1:\(base + $0)" } }
        return PrometheusConfig(port: p.prometheus, directory: settings.directory + "/prometheus", scrapeInterval: "2s", jobs: [
            .init(name: "meme-web", targets: block(p.webMetricsBase, specs.hpa.maxReplicas)),
            .init(name: "meme-worker", targets: block(p.workerMetricsBase, specs.keda.parameters.maxReplicaCount)),
            .init(name: "meme-local-scaler", targets: ["127.0.0.1:\(p.control)"]),
            .init(name: "redis", targets: ["127.0.0.1:\(p.redisExporter)"]),
        ])
    }

    private func stopServers() async {
        let all = units.withLock { $0.values.sorted { $0.service > $1.service } }
        for unit in all {
            logger.info("stopping \(unit.service.rawValue)")
            await blocking { unit.stop() }
        }
    }

    /// The VPA's "eviction" of Redis: save, stop, start with the new --maxmemory, count the keys on both sides.
    private func restartRedis(unit: InfraUnit, redis: RedisServer, requests: VPA.Amounts) async throws -> VPARestartReport {
        let config = redisConfig(requests: requests)
        let port = settings.ports.redis
        return try await blocking {
            let before = RedisProbe.keyCount(port: port)
            let started = Date()
            try unit.replace { try redis.restart(with: config) }
            self.writeManifest()
            let after = RedisProbe.keyCount(port: port)
            return VPARestartReport(keysBefore: before, keysAfter: after, downSeconds: Date().timeIntervalSince(started))
        }
    }

    // MARK: - Control

    /// The manifest with every service's state now.
    public func manifest() async -> StackManifest {
        var services: [String: StackManifest.ServiceState] = [:]
        for unit in units.withLock({ Array($0.values) }) {
            services[unit.service.rawValue] = StackManifest.ServiceState(
                running: unit.server.isRunning, answering: unit.server.isRunning && unit.server.isAnswering, pid: unit.server.pid,
                restarts: unit.restarts, heldDown: unit.heldDown, log: "\(settings.logDirectory)/\(unit.service.rawValue).log")
        }
        if let keda {
            let st = keda.status
            services["worker"] = .init(running: true, answering: keda.notReadyReason == nil, pid: nil, restarts: 0, heldDown: false,
                                       log: "\(settings.logDirectory)/worker-N.log", replicas: st.replicas)
        }
        if let hpa {
            services["web"] = .init(running: true, answering: readyWeb.withLock { $0 } > 0, pid: nil, restarts: 0, heldDown: false,
                                    log: "\(settings.logDirectory)/web-N.log", replicas: await hpa.replicas().filter { !$0.terminating }.count)
        }
        let s = settings
        var manifest = StackManifest(
            version: StackManifest.currentVersion, pid: getpid(), directory: s.directory, startedAt: startedAt, ports: s.ports,
            urls: .init(nats: s.natsURL, natsMonitor: s.natsMonitorURL, redis: s.redisURL, prometheus: s.prometheusURL, web: s.webURL,
                        control: s.controlURL),
            services: services)
        if let nats = unit(.nats), nats.servers.count > 1 {
            manifest.natsCluster = nats.servers.compactMap { $0 as? NATSServer }.map { member in
                .init(name: member.config.serverName, url: member.url, monitorURL: member.monitorURL, pid: member.pid,
                      running: member.isRunning, log: "\(s.logDirectory)/\(member.config.serverName).log")
            }
        }
        return manifest
    }

    private func writeManifest() {
        Task { [self] in
            let text = await manifest().json()
            try? text.write(toFile: settings.manifestFile, atomically: true, encoding: .utf8)
        }
    }

    public enum Action: String, Sendable, CaseIterable { case stop, kill, start, restart }

    /// `POST /services/<name>/<action>`: for drills ("NATS is gone for 10 s").
    public func control(service name: String, action: String) async throws -> String {
        guard let service = StackService(rawValue: name) else {
            throw StackError("unknown service '\(name)'; the services are \(StackService.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let act = Action(rawValue: action) else {
            throw StackError("unknown action '\(action)'; the actions are \(Action.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let unit = unit(service) else {
            throw StackError(service == .web || service == .worker
                ? "\(name) is scaled by its stand-in, not started or stopped by hand"
                : "this stack does not run \(name)")
        }
        try await blocking {
            switch act {
            case .stop: unit.stop()
            case .kill: unit.kill()
            case .start: try unit.start(timeout: 30)
            case .restart:
                unit.stop()
                try unit.start(timeout: 30)
            }
        }
        logger.info("control: \(name) \(action)")
        writeManifest()
        return "\(name): \(action) done\n"
    }
}

/// Runs blocking work (process waits, probes) off the cooperative pool.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}

func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    (try? await NIOThreadPool.singleton.runIfActive(body)) ?? body()
}
