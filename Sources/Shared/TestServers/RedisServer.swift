import Foundation

/// A real redis-server on a free loopback port, persistence off, data dir under a temp dir.
public final class RedisServer: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    public var url: String { "redis://127.0.0.1:\(port)" }
    private let process: ManagedProcess

    public init() throws {
        port = try FreePort.next()
        directory = try ManagedProcess.makeTempDirectory(prefix: "redis")
        process = ManagedProcess(
            name: "redis-server", executable: try ManagedProcess.locate("redis-server"),
            arguments: ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--dir", directory.path, "--daemonize", "no"],
            directory: directory)
        try start()
    }

    deinit { process.stop() }

    public func start() throws {
        try process.start()
        let port = self.port
        try process.waitUntil { FreePort.isListening(port) }
    }
    public func stop() { process.stop() }
    public func kill() { process.kill9() }
    public func restart() throws { process.stop(); try start() }
    public var isRunning: Bool { process.isRunning }
    public var pid: Int32? { process.pid }
}
