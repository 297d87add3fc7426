import Foundation

/// The `cluster {}` block of one member of a nats-server cluster: JetStream replicates streams
/// (Raft) between the members it names. Every member lists every other one.
public struct NATSClusterRoutes: Sendable, Equatable {
    public var name: String
    /// This member's route port.
    public var port: Int
    /// The other members' route ports (on the same host).
    public var routePorts: [Int]

    public init(name: String, port: Int, routePorts: [Int]) {
        self.name = name
        self.port = port
        self.routePorts = routePorts
    }

    func render(host: String) -> String {
        let routes = routePorts.map { "    nats-route://\(host):\($0)" }.joined(separator: "\n")
        return """
        cluster {
          name: \(name)
          listen: \(host):\(port)
          routes: [
        \(routes)
          ]
        }

        """
    }
}

/// Ports of one cluster member.
public struct NATSMemberPorts: Sendable, Equatable, Codable {
    public var client: Int
    public var monitor: Int
    public var route: Int

    public init(client: Int, monitor: Int, route: Int) {
        self.client = client
        self.monitor = monitor
        self.route = route
    }
}

/// A cluster of real nats-servers on loopback (the tests', the drills' and `DEMO_NATS_CLUSTER=3`'s),
/// each with its own JetStream store; the one definition of how they are configured.
public final class NATSCluster: @unchecked Sendable {
    public let servers: [NATSServer]
    /// Every member's client URL, comma-separated: what NATS_URL takes.
    public var url: String { urls.joined(separator: ",") }
    public var urls: [String] { servers.map(\.url) }

    /// The members' configurations: server names `<prefix>-1…n`, each routing to all the others.
    public static func configs(name: String = "memes", prefix: String, host: String = "127.0.0.1", ports: [NATSMemberPorts],
                               storeRoot: URL) -> [NATSServerConfig] {
        ports.enumerated().map { index, member in
            var config = NATSServerConfig(
                serverName: "\(prefix)-\(index + 1)", host: host, port: member.client, monitorPort: member.monitor,
                storeDirectory: storeRoot.appendingPathComponent("\(prefix)-\(index + 1)").path)
            config.cluster = NATSClusterRoutes(name: name, port: member.route,
                                               routePorts: ports.filter { $0 != member }.map(\.route))
            return config
        }
    }

    /// Free loopback ports, stores under a new temp dir; not started.
    public convenience init(size: Int = 3) throws {
        let root = try ManagedProcess.makeTempDirectory(prefix: "nats-cluster")
        let configs = Self.configs(prefix: "n", ports: try Self.freePorts(size), storeRoot: root.appendingPathComponent("js"))
        try self.init(configs: configs, directory: root)
    }

    /// Members from `configs`, each with its nats.conf in `directory/<server name>` and its log in
    /// `logDirectory/<server name>.log` (default: next to its nats.conf); not started.
    public init(configs: [NATSServerConfig], directory: URL, logDirectory: URL? = nil) throws {
        servers = try configs.map { config in
            let dir = directory.appendingPathComponent(config.serverName)
            let log = (logDirectory ?? dir).appendingPathComponent(logDirectory == nil ? "nats.log" : "\(config.serverName).log")
            return try NATSServer(config: config, directory: dir, logFile: log)
        }
    }

    public static func freePorts(_ size: Int) throws -> [NATSMemberPorts] {
        try (0..<size).map { _ in NATSMemberPorts(client: try FreePort.next(), monitor: try FreePort.next(), route: try FreePort.next()) }
    }

    /// Starts every member at once (a member's /healthz stays 503 until JetStream has a meta leader,
    /// which needs a quorum) and waits until all answer.
    public func start(timeout: TimeInterval = 30) throws {
        try servers.map { $0 as any ServerProcess }.startTogether(timeout: timeout)
    }

    /// The member named `serverName`.
    public func server(named serverName: String) -> NATSServer? {
        servers.first { $0.config.serverName == serverName }
    }

    public func stop() { for server in servers { server.stop() } }
    /// SIGKILL to every member.
    public func kill() { for server in servers { server.kill() } }
}
