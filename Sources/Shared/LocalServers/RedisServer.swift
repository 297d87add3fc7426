import Foundation

/// redis-server's command line: the one definition the demo stack and the tests start Redis from.
public struct RedisServerConfig: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Working directory: where dump.rdb is written and read back after a restart.
    public var directory: String
    /// `--maxmemory` in bytes; nil leaves Redis unbounded (its default).
    public var maxMemoryBytes: Int?
    /// allkeys-lru, as the cluster's StatefulSet: a full cache evicts old entries instead of failing writes.
    public var maxMemoryPolicy: String
    /// RDB save points (`--save`), e.g. "300 10"; empty turns snapshots off. With save points set,
    /// a SIGTERM shutdown writes dump.rdb, so a restart (a VPA "eviction") keeps the cache.
    public var savePoints: String

    public init(host: String = "127.0.0.1", port: Int, directory: String, maxMemoryBytes: Int? = nil,
                maxMemoryPolicy: String = "allkeys-lru", savePoints: String = "") {
        self.host = host
        self.port = port
        self.directory = directory
        self.maxMemoryBytes = maxMemoryBytes
        self.maxMemoryPolicy = maxMemoryPolicy
        self.savePoints = savePoints
    }

    public var arguments: [String] {
        var args = ["--bind", host, "--port", "\(port)", "--dir", directory, "--save", savePoints, "--appendonly", "no",
                    "--daemonize", "no", "--maxmemory-policy", maxMemoryPolicy]
        if let maxMemoryBytes { args += ["--maxmemory", "\(maxMemoryBytes)"] }
        return args
    }
}

/// A real redis-server. The configuration can change between runs (`restart(with:)`), which is how
/// the local VPA stand-in applies a new memory request.
public final class RedisServer: ServerProcess, @unchecked Sendable {
    public private(set) var config: RedisServerConfig
    public var port: Int { config.port }
    public var directory: URL { URL(fileURLWithPath: config.directory) }
    public var url: String { "redis://127.0.0.1:\(port)" }
    private let logFile: URL?
    private let environment: [String: String]?
    public private(set) var process: ManagedProcess

    /// redis-server with `config`; not started.
    public init(config: RedisServerConfig, logFile: URL? = nil, environment: [String: String]? = nil) throws {
        self.config = config
        self.logFile = logFile
        self.environment = environment
        try FileManager.default.createDirectory(atPath: config.directory, withIntermediateDirectories: true)
        process = try Self.process(config, logFile: logFile, environment: environment)
    }

    /// For tests: a free loopback port, persistence off, data dir under a new temp dir, started.
    public convenience init() throws {
        let directory = try ManagedProcess.makeTempDirectory(prefix: "redis")
        try self.init(config: RedisServerConfig(port: try FreePort.next(), directory: directory.path))
        try start()
    }

    private static func process(_ config: RedisServerConfig, logFile: URL?, environment: [String: String]?) throws -> ManagedProcess {
        ManagedProcess(name: "redis-server", executable: try ManagedProcess.locate("redis-server"), arguments: config.arguments,
                       directory: URL(fileURLWithPath: config.directory), environment: environment, logFile: logFile)
    }

    deinit { process.stop() }

    /// Accepts connections and answers PING with PONG.
    public var isAnswering: Bool { RedisProbe.ping(port: port) }

    /// SIGTERM gives Redis time to save first when save points are set.
    public var stopGrace: TimeInterval { 10 }

    /// Stops this run and starts the next with another configuration (same port and directory).
    public func restart(with newConfig: RedisServerConfig) throws {
        stop()
        config = newConfig
        process = try Self.process(newConfig, logFile: logFile, environment: environment)
        try start()
    }

}
