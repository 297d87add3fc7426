import Foundation

/// prometheus.yml and prometheus's command line: the one definition the demo stack and the tests use.
public struct PrometheusConfig: Sendable, Equatable {
    public struct Job: Sendable, Equatable {
        public var name: String
        /// `host:port` targets scraped at `/metrics`.
        public var targets: [String]
        public init(name: String, targets: [String]) {
            self.name = name
            self.targets = targets
        }
    }

    public var host: String
    public var port: Int
    /// Where the TSDB lives.
    public var directory: String
    public var scrapeInterval: String
    public var jobs: [Job]
    public var retention: String

    public init(host: String = "127.0.0.1", port: Int, directory: String, scrapeInterval: String = "2s", jobs: [Job],
                retention: String = "2h") {
        self.host = host
        self.port = port
        self.directory = directory
        self.scrapeInterval = scrapeInterval
        self.jobs = jobs
        self.retention = retention
    }

    /// The text of prometheus.yml. NATS's monitoring (/jsz) is JSON, not Prometheus text, so it is not a job.
    public func render() -> String {
        var config = """
        # written by meme-generator's LocalServers (PrometheusConfig)
        global:
          scrape_interval: \(scrapeInterval)
          evaluation_interval: \(scrapeInterval)
        scrape_configs:

        """
        for job in jobs {
            config += """
              - job_name: "\(job.name)"
                static_configs:
                  - targets: [\(job.targets.map { "\"\($0)\"" }.joined(separator: ", "))]

            """
        }
        return config
    }

    public func arguments(configFile: String) -> [String] {
        ["--config.file=\(configFile)", "--web.listen-address=\(host):\(port)",
         "--storage.tsdb.path=\(directory)/data", "--storage.tsdb.retention.time=\(retention)"]
    }
}

/// A real prometheus scraping the configured targets.
public final class PrometheusServer: ServerProcess, @unchecked Sendable {
    public let config: PrometheusConfig
    public var port: Int { config.port }
    public var directory: URL { URL(fileURLWithPath: config.directory) }
    public var url: String { "http://127.0.0.1:\(port)" }
    public let process: ManagedProcess

    /// prometheus with `config` (prometheus.yml written into its directory); not started.
    public init(config: PrometheusConfig, logFile: URL? = nil, environment: [String: String]? = nil) throws {
        self.config = config
        try FileManager.default.createDirectory(atPath: config.directory, withIntermediateDirectories: true)
        let configFile = URL(fileURLWithPath: config.directory).appendingPathComponent("prometheus.yml")
        try config.render().write(to: configFile, atomically: true, encoding: .utf8)
        process = ManagedProcess(
            name: "prometheus", executable: try ManagedProcess.locate("prometheus"), arguments: config.arguments(configFile: configFile.path),
            directory: URL(fileURLWithPath: config.directory), environment: environment, logFile: logFile)
    }

    /// For tests: a free loopback port, TSDB under a new temp dir, scraping `targets` (job → `host:port` list), started.
    public convenience init(targets: [String: [String]], scrapeInterval: String = "1s") throws {
        let directory = try ManagedProcess.makeTempDirectory(prefix: "prometheus")
        let jobs = targets.sorted { $0.key < $1.key }.map { PrometheusConfig.Job(name: $0.key, targets: $0.value) }
        try self.init(config: PrometheusConfig(port: try FreePort.next(), directory: directory.path, scrapeInterval: scrapeInterval,
                                               jobs: jobs, retention: "1h"))
        try start()
    }

    deinit { process.stop() }

    public var startTimeout: TimeInterval { 30 }
    public var isAnswering: Bool { HTTPProbe.get(port: port, path: "/-/ready")?.status == 200 }
}

/// prometheus-redis-exporter: Redis's numbers as Prometheus metrics (the cluster runs it as Redis's sidecar).
public final class RedisExporter: ServerProcess, @unchecked Sendable {
    public let port: Int
    public let process: ManagedProcess

    public init(port: Int, host: String = "127.0.0.1", redisPort: Int, directory: URL, logFile: URL? = nil,
                environment: [String: String]? = nil) throws {
        self.port = port
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = ManagedProcess(
            name: "redis-exporter", executable: try ManagedProcess.locate("prometheus-redis-exporter"),
            arguments: ["-redis.addr", "redis://127.0.0.1:\(redisPort)", "-web.listen-address", "\(host):\(port)"],
            directory: directory, environment: environment, logFile: logFile)
    }

    public var isAnswering: Bool { HTTPProbe.get(port: port, path: "/metrics")?.status == 200 }
}
