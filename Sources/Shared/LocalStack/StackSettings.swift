import Foundation
import LocalServers
import MemeKit

/// Which parts of the stack run. The stack starts them in this order and stops them in reverse.
public enum StackService: String, Sendable, CaseIterable, Codable, Comparable {
    case nats, redis, redisExporter = "redis-exporter", prometheus, worker, web

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// `DEMO_NATS_PORT` … : the variable that moves this service's port.
    public var portVariable: String { "DEMO_\(rawValue.uppercased().replacingOccurrences(of: "-", with: "_"))_PORT" }
}

/// Every port of the local stack. Defaults are the ports the programs use on their own (4222,
/// 6379, 8080 …), so a console started by hand finds the stack without settings.
public struct StackPorts: Sendable, Equatable, Codable {
    public var nats = 4222
    public var natsMonitor = 8222
    public var redis = 6379
    public var redisExporter = 9121
    public var prometheus = 9090
    /// The audience's address: the proxy in front of the meme-web processes.
    public var web = 8080
    /// meme-web process N listens on webProcessBase + N - 1 (behind the proxy).
    public var webProcessBase = 9180
    /// meme-web process N serves /metrics on webMetricsBase + N - 1 (off the audience's port).
    public var webMetricsBase = 9200
    /// The stack's own /status, /metrics, /stack and control endpoints.
    public var control = 9190
    /// meme-worker N serves /metrics on workerMetricsBase + N - 1 (one Prometheus target each).
    public var workerMetricsBase = 9100

    public init() {}

    enum CodingKeys: String, CodingKey {
        case nats, redis, prometheus, web, control
        case natsMonitor = "nats_monitor"
        case redisExporter = "redis_exporter"
        case webProcessBase = "web_process_base"
        case webMetricsBase = "web_metrics_base"
        case workerMetricsBase = "worker_metrics_base"
    }

    /// The variables that move each port, with the key path they set.
    static var variables: [(String, WritableKeyPath<StackPorts, Int>)] { [
        (MemeEnv.demoNATSPort, \.nats), (MemeEnv.demoNATSMonitorPort, \.natsMonitor), (MemeEnv.demoRedisPort, \.redis),
        (MemeEnv.demoRedisExporterPort, \.redisExporter), (MemeEnv.demoPrometheusPort, \.prometheus), (MemeEnv.demoWebPort, \.web),
        (MemeEnv.demoWebProcessBasePort, \.webProcessBase), (MemeEnv.demoWebMetricsBasePort, \.webMetricsBase),
        (MemeEnv.demoControlPort, \.control),
        (MemeEnv.demoWorkerMetricsBasePort, \.workerMetricsBase),
    ] }
}

/// How the stand-ins are tuned for a demo (each shown on the console next to its numbers).
public struct StandInTuning: Sendable, Equatable {
    /// The HPA controller syncs every 15 s in a cluster; 5 s makes the web tier answer within a slide.
    public var hpaSyncPeriodSeconds: Double = 5
    /// A new process's CPU counts after this long (the controller's initial readiness delay, 30 s).
    public var hpaInitialReadinessDelaySeconds: Double = 30
    /// Overrides the HPA's scale-down stabilizationWindowSeconds (300 s in hpa.yaml); nil keeps it.
    public var hpaScaleDownStabilizationSeconds: Int?
    /// How often the VPA stand-in samples Redis (the recommender reads metrics-server every minute).
    public var vpaSampleIntervalSeconds: Double = 2
    /// The recommender's histogram half-life: 24 h in a cluster, minutes for a demo.
    public var vpaHalfLifeSeconds: Double = 300
    /// How often the VPA updater decides whether to evict (1 min in a cluster).
    public var vpaUpdateIntervalSeconds: Double = 30
    /// Overrides the VPA's updatePolicy.updateMode (Off: recommend only, never restart Redis).
    public var vpaUpdateMode: String?
    /// The conflict act's web VPA: its half-life (every 24 h constant) and updater interval, short so
    /// the room sees the VPA raise meme-web's CPU request within a minute.
    public var actVPAHalfLifeSeconds: Double = 60
    public var actVPAUpdateIntervalSeconds: Double = 10

    public init() {}
}

/// Everything `meme-stack up` needs, resolved and checked before anything starts.
public struct StackSettings: Sendable {
    /// State, logs and stack.json.
    public var directory: String
    public var ports: StackPorts
    public var services: Set<StackService>
    /// Folder with meme-worker and meme-web.
    public var binaries: String
    /// k8s/base: the objects the stand-ins read (ScaledObject, HPA, VPA, Deployment, StatefulSet).
    public var manifests: String
    /// Address meme-web's proxy listens on: 0.0.0.0 so phones on the LAN reach it.
    public var webHost: String
    public var tuning: StandInTuning
    /// The servers this stack does not run itself (`--only`): NATS_URL, NATS_MONITOR_URL, REDIS_URL.
    public var externalNATSURL = MemeDefaults.natsURL
    public var externalNATSMonitorURL = "http://127.0.0.1:8222"
    public var externalRedisURL: String? = MemeDefaults.redisURL
    /// `DEMO_NATS_CLUSTER` > 1: the members of the local JetStream cluster (member 1 on `ports.nats`).
    public var natsMembers: [NATSMemberPorts] = []
    /// The environment children start from (the stack adds NATS_URL, REDIS_URL … for its own servers).
    public var environment: [String: String]

    public init(directory: String, ports: StackPorts = StackPorts(), services: Set<StackService> = Set(StackService.allCases),
                binaries: String, manifests: String, webHost: String = "0.0.0.0", tuning: StandInTuning = StandInTuning(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = directory
        self.ports = ports
        self.services = services
        self.binaries = binaries
        self.manifests = manifests
        self.webHost = webHost
        self.tuning = tuning
        self.environment = environment
    }

    /// The variables `meme-stack up` reads (each also a flag: DEMO_NATS_PORT ↔ --nats-port).
    public static let environmentNames = [MemeEnv.demoDir, MemeEnv.demoWebHost, MemeEnv.demoNATSCluster] + StackPorts.variables.map(\.0)
        + [MemeEnv.natsURL, MemeEnv.natsMonitorURL, MemeEnv.redisURL]

    /// Flag → environment → default for every variable; errors name the flag and the variable.
    /// `freePorts` picks every port free instead of reading DEMO_*_PORT (tests, drills, benchmarks).
    public static func resolve(_ r: SettingsReader, services: Set<StackService> = Set(StackService.allCases), freePorts: Bool = false,
                               binaries: String, manifests: String, tuning: StandInTuning = StandInTuning(),
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StackSettings {
        let directory = URL(fileURLWithPath: r.string(MemeEnv.demoDir, default: ".demo")).standardizedFileURL.path
        var s = StackSettings(directory: directory, ports: freePorts ? try Self.freePorts() : try Self.ports(r), services: services,
                              binaries: binaries, manifests: manifests, webHost: r.string(MemeEnv.demoWebHost, default: "0.0.0.0"),
                              tuning: tuning, environment: environment)
        s.externalNATSURL = ServerList.split(try r.servers(MemeEnv.natsURL, default: MemeDefaults.natsURL, schemes: ["nats"])).joined(separator: ",")
        s.externalNATSMonitorURL = try r.servers(MemeEnv.natsMonitorURL, default: s.externalNATSMonitorURL, schemes: ["http", "https"])
        s.externalRedisURL = try r.urlOrOff(MemeEnv.redisURL, default: MemeDefaults.redisURL, schemes: ["redis"])
        let size = try r.int(MemeEnv.demoNATSCluster, default: 1, range: 1...5)
        guard size % 2 == 1 else {
            throw SettingsError("\(MemeEnv.demoNATSCluster) is \(size): a JetStream cluster needs an odd number of servers (1, 3 or 5) to keep a majority")
        }
        if size > 1 { s.natsMembers = try Self.natsMembers(size, ports: s.ports, free: freePorts) }
        return s
    }

    /// Member 1 on the stack's NATS ports; the others next to them (or on free ports).
    static func natsMembers(_ size: Int, ports: StackPorts, free: Bool) throws -> [NATSMemberPorts] {
        if free {
            var members = try NATSCluster.freePorts(size)
            (members[0].client, members[0].monitor) = (ports.nats, ports.natsMonitor)
            return members
        }
        return (0..<size).map { NATSMemberPorts(client: ports.nats + $0, monitor: ports.natsMonitor + $0, route: 6222 + $0) }
    }

    /// Copies of the stream the stack's programs ask for: 3 on a cluster (R3 survives one member down).
    public var streamReplicas: Int { natsMembers.isEmpty ? 1 : min(3, natsMembers.count) }

    public var logDirectory: String { directory + "/logs" }
    public var manifestFile: String { directory + "/stack.json" }

    public var natsURL: String {
        guard services.contains(.nats) else { return externalNATSURL }
        guard !natsMembers.isEmpty else { return "nats://127.0.0.1:\(ports.nats)" }
        return natsMembers.map { "nats://127.0.0.1:\($0.client)" }.joined(separator: ",")
    }
    /// Member 1's monitor, or the first of an external list (the stack's manifest names it).
    public var natsMonitorURL: String {
        services.contains(.nats) ? "http://127.0.0.1:\(ports.natsMonitor)" : ServerList.split(externalNATSMonitorURL).first ?? externalNATSMonitorURL
    }
    /// Every member's monitor URL, comma-separated, when the stack runs a cluster (what the console reads
    /// to show each server, and the KEDA stand-in to read the consumer leader's lag); otherwise `natsMonitorURL`.
    public var natsMonitorURLs: String {
        guard services.contains(.nats) else { return ServerList.split(externalNATSMonitorURL).joined(separator: ",") }
        guard !natsMembers.isEmpty else { return natsMonitorURL }
        return natsMembers.map { "http://127.0.0.1:\($0.monitor)" }.joined(separator: ",")
    }
    public var redisURL: String { services.contains(.redis) ? "redis://127.0.0.1:\(ports.redis)" : externalRedisURL ?? "off" }
    public var prometheusURL: String { "http://127.0.0.1:\(ports.prometheus)" }
    public var controlURL: String { "http://127.0.0.1:\(ports.control)" }
    public var webURL: String { "http://127.0.0.1:\(ports.web)" }

    /// The variables every child gets, pointing it at this stack's servers.
    public var childEnvironment: [String: String] {
        var env = environment
        env[MemeEnv.natsURL] = natsURL
        env[MemeEnv.redisURL] = redisURL
        env[MemeEnv.natsMonitorURL] = natsMonitorURLs
        env[MemeEnv.prometheusURL] = prometheusURL
        env[MemeEnv.localScalerURL] = controlURL
        if services.contains(.nats) && !natsMembers.isEmpty { env[MemeEnv.streamReplicas] = String(streamReplicas) }
        return env
    }

    /// Ports from `DEMO_*_PORT` (flags win, as everywhere): each a whole number 1…65535, all different.
    public static func ports(_ reader: SettingsReader) throws -> StackPorts {
        var ports = StackPorts()
        for (name, path) in StackPorts.variables {
            ports[keyPath: path] = try reader.int(name, default: ports[keyPath: path], range: 1...65535)
        }
        try check(ports)
        return ports
    }

    /// Ranges that must not overlap: the worker metrics block and the web process block hold up to 10 ports.
    static func check(_ ports: StackPorts) throws {
        var used: [Int: String] = [:]
        func claim(_ port: Int, _ what: String) throws {
            if let other = used[port] { throw SettingsError("\(what) and \(other) both want port \(port): move one") }
            used[port] = what
        }
        // Worker metrics and web processes each take a block of `maxProcesses` ports from their base.
        let blocks: Set<String> = [MemeEnv.demoWorkerMetricsBasePort, MemeEnv.demoWebProcessBasePort, MemeEnv.demoWebMetricsBasePort]
        for (variable, path) in StackPorts.variables {
            let name = "\(variable) (--\(MemeEnv.flagName(variable)))"
            if blocks.contains(variable) {
                for i in 0..<maxProcesses { try claim(ports[keyPath: path] + i, i == 0 ? name : "\(name) + \(i)") }
            } else {
                try claim(ports[keyPath: path], name)
            }
        }
    }

    /// Port blocks are sized for this many processes per workload (maxReplicaCount ≤ 10).
    public static let maxProcesses = 10

    /// Free loopback ports for everything (tests, drills, benchmarks): nothing collides with a
    /// running demo or another test.
    public static func freePorts() throws -> StackPorts {
        var ports = StackPorts()
        ports.nats = try FreePort.next()
        ports.natsMonitor = try FreePort.next()
        ports.redis = try FreePort.next()
        ports.redisExporter = try FreePort.next()
        ports.prometheus = try FreePort.next()
        ports.web = try FreePort.next()
        ports.control = try FreePort.next()
        ports.workerMetricsBase = try FreePort.block(maxProcesses)
        ports.webProcessBase = try FreePort.block(maxProcesses, avoiding: [ports.workerMetricsBase..<(ports.workerMetricsBase + maxProcesses)])
        ports.webMetricsBase = try FreePort.block(maxProcesses, avoiding: [ports.workerMetricsBase..<(ports.workerMetricsBase + maxProcesses),
                                                                            ports.webProcessBase..<(ports.webProcessBase + maxProcesses)])
        try check(ports)
        return ports
    }

    /// `--only nats,redis`: a comma-separated list of service names.
    public static func services(_ text: String?) throws -> Set<StackService> {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return Set(StackService.allCases) }
        var set = Set<StackService>()
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let s = StackService(rawValue: name) else {
                throw SettingsError("--only: unknown service '\(name)'; the services are \(StackService.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            set.insert(s)
        }
        return set
    }
}
