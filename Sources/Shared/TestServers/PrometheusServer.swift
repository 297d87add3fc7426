import Foundation

/// A real prometheus on a free loopback port scraping the given targets every `scrapeInterval`,
/// TSDB under a temp dir.
public final class PrometheusServer: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    public var url: String { "http://127.0.0.1:\(port)" }
    private let process: ManagedProcess

    /// - Parameter targets: job name → list of `host:port` to scrape at `/metrics`.
    public init(targets: [String: [String]], scrapeInterval: String = "1s") throws {
        port = try FreePort.next()
        directory = try ManagedProcess.makeTempDirectory(prefix: "prometheus")
        var config = """
        global:
          scrape_interval: \(scrapeInterval)
          evaluation_interval: \(scrapeInterval)
        scrape_configs:

        """
        for (job, hosts) in targets.sorted(by: { $0.key < $1.key }) {
            config += """
              - job_name: "\(job)"
                static_configs:
                  - targets: [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]

            """
        }
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        process = ManagedProcess(
            name: "prometheus", executable: try ManagedProcess.locate("prometheus"),
            arguments: ["--config.file=\(configFile.path)", "--web.listen-address=127.0.0.1:\(port)",
                        "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                        "--storage.tsdb.retention.time=1h"],
            directory: directory)
        try process.start()
        let port = self.port
        try process.waitUntil(timeout: 30) { HTTPProbe.get(port: port, path: "/-/ready")?.status == 200 }
    }

    deinit { process.stop() }
    public func stop() { process.stop() }
}
