import Foundation

/// A real nats-server with JetStream (file store under a temp dir), on free loopback ports.
/// `restart()` keeps ports and store, so tests can kill and bring back the same server.
public final class NATSServer: @unchecked Sendable {
    public let port: Int
    public let monitorPort: Int
    public let websocketPort: Int?
    public let directory: URL
    public var url: String { "nats://127.0.0.1:\(port)" }
    public var monitorURL: String { "http://127.0.0.1:\(monitorPort)" }
    private var process: ManagedProcess

    /// - Parameters:
    ///   - extraConfig: appended verbatim to the generated config (e.g. `authorization { token: "s3cret" }`).
    public init(jetStream: Bool = true, websocket: Bool = false, maxPayload: Int = 8 * 1024 * 1024, extraConfig: String = "") throws {
        port = try FreePort.next()
        monitorPort = try FreePort.next()
        websocketPort = websocket ? try FreePort.next() : nil
        directory = try ManagedProcess.makeTempDirectory(prefix: "nats")
        var config = """
        listen: 127.0.0.1:\(port)
        http: 127.0.0.1:\(monitorPort)
        max_payload: \(maxPayload)
        server_name: test_\(port)

        """
        if jetStream {
            config += """
            jetstream {
              store_dir: "\(directory.appendingPathComponent("js").path)"
              max_memory_store: 256MB
              max_file_store: 1GB
            }

            """
        }
        if let websocketPort {
            config += "websocket { listen: \"127.0.0.1:\(websocketPort)\", no_tls: true }\n"
        }
        config += extraConfig + "\n"
        let configFile = directory.appendingPathComponent("nats.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        process = ManagedProcess(
            name: "nats-server", executable: try ManagedProcess.locate("nats-server"),
            arguments: ["-c", configFile.path], directory: directory)
        try start()
    }

    deinit { process.stop() }

    public func start() throws {
        try process.start()
        let port = self.port, monitorPort = self.monitorPort
        try process.waitUntil { FreePort.isListening(port) && HTTPProbe.get(port: monitorPort, path: "/healthz")?.status == 200 }
    }

    public func stop() { process.stop() }
    public func kill() { process.kill9() }
    public func restart() throws {
        process.stop()
        try start()
    }
    public var isRunning: Bool { process.isRunning }
    public var pid: Int32? { process.pid }
    public func logTail() -> String { process.logTail() }
}
