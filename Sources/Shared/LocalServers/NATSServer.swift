import Foundation

/// nats-server's configuration file, the one definition the demo stack, the tests, the drills and
/// the benchmarks all start nats-server from (max_payload, JetStream limits, monitoring port).
public struct NATSServerConfig: Sendable, Equatable {
    /// 8 MiB: a 1024 px PNG meme in base64 is ~1.4 MB; the server's default (1 MB) would refuse it.
    public static let defaultMaxPayload = 8 * 1024 * 1024

    public var serverName: String
    public var host: String
    public var port: Int
    /// HTTP monitoring (/healthz, /jsz: what KEDA's scaler and the console read).
    public var monitorPort: Int
    public var websocketPort: Int?
    /// JetStream's file store; nil runs core NATS only.
    public var storeDirectory: String?
    public var maxPayload: Int
    public var maxMemoryStore: String
    public var maxFileStore: String
    /// Appended verbatim (e.g. `authorization { token: "s3cret" }`).
    public var extra: String
    /// Set for a member of a cluster (see `NATSCluster`): its route port and the others' routes.
    public var cluster: NATSClusterRoutes?

    public init(serverName: String, host: String = "127.0.0.1", port: Int, monitorPort: Int, websocketPort: Int? = nil,
                storeDirectory: String?, maxPayload: Int = Self.defaultMaxPayload, maxMemoryStore: String = "256MB",
                maxFileStore: String = "1GB", extra: String = "") {
        self.serverName = serverName
        self.host = host
        self.port = port
        self.monitorPort = monitorPort
        self.websocketPort = websocketPort
        self.storeDirectory = storeDirectory
        self.maxPayload = maxPayload
        self.maxMemoryStore = maxMemoryStore
        self.maxFileStore = maxFileStore
        self.extra = extra
    }

    /// The text of nats.conf.
    public func render() -> String {
        var config = """
        # written by meme-generator's LocalServers (NATSServerConfig)
        server_name: \(serverName)
        listen: \(host):\(port)
        http: \(host):\(monitorPort)
        max_payload: \(maxPayload)

        """
        if let storeDirectory {
            config += """
            jetstream {
              store_dir: "\(storeDirectory)"
              max_memory_store: \(maxMemoryStore)
              max_file_store: \(maxFileStore)
            }

            """
        }
        if let websocketPort {
            config += "websocket { listen: \"\(host):\(websocketPort)\", no_tls: true }\n"
        }
        if let cluster { config += cluster.render(host: host) }
        if !extra.isEmpty { config += extra + "\n" }
        return config
    }
}

/// A real nats-server. `restart()` keeps ports and store, so tests and drills can kill and bring
/// back the same server.
public final class NATSServer: ServerProcess, @unchecked Sendable {
    public let config: NATSServerConfig
    public let directory: URL
    public var port: Int { config.port }
    public var monitorPort: Int { config.monitorPort }
    public var websocketPort: Int? { config.websocketPort }
    public var url: String { "nats://127.0.0.1:\(port)" }
    public var monitorURL: String { "http://127.0.0.1:\(monitorPort)" }
    public let process: ManagedProcess

    /// nats-server with `config`, its nats.conf and (by default) its log in `directory`; not started.
    public init(config: NATSServerConfig, directory: URL, logFile: URL? = nil, environment: [String: String]? = nil) throws {
        self.config = config
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configFile = directory.appendingPathComponent("nats.conf")
        try config.render().write(to: configFile, atomically: true, encoding: .utf8)
        process = ManagedProcess(
            name: "nats-server", executable: try ManagedProcess.locate("nats-server"),
            arguments: ["-c", configFile.path], directory: directory, environment: environment, logFile: logFile)
    }

    /// For tests: free loopback ports, the store under a new temp dir, started and answering.
    public convenience init(jetStream: Bool = true, websocket: Bool = false, maxPayload: Int = NATSServerConfig.defaultMaxPayload,
                            extraConfig: String = "") throws {
        let port = try FreePort.next()
        let directory = try ManagedProcess.makeTempDirectory(prefix: "nats")
        let config = NATSServerConfig(
            serverName: "test_\(port)", port: port, monitorPort: try FreePort.next(),
            websocketPort: websocket ? try FreePort.next() : nil,
            storeDirectory: jetStream ? directory.appendingPathComponent("js").path : nil, maxPayload: maxPayload, extra: extraConfig)
        try self.init(config: config, directory: directory)
        try start()
    }

    deinit { process.stop() }

    /// Listening for clients and /healthz answers 200.
    public var isAnswering: Bool {
        FreePort.isListening(port) && HTTPProbe.get(port: monitorPort, path: "/healthz")?.status == 200
    }

}
