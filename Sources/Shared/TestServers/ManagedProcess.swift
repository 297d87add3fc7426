import Foundation

/// A child server process with its output in a log file under its own temp directory.
/// Stopped (SIGTERM, then SIGKILL) when `stop()` is called or the object is released.
public final class ManagedProcess: @unchecked Sendable {
    public let name: String
    public let executable: String
    public let arguments: [String]
    public let directory: URL
    public var logFile: URL { directory.appendingPathComponent("\(name).log") }
    private let lock = NSLock()
    private var process: Process?

    public init(name: String, executable: String, arguments: [String], directory: URL) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.directory = directory
    }

    deinit { stop() }

    /// Finds a program on PATH (and in the usual sbin folders, where Debian puts some servers).
    public static func locate(_ program: String) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/local/sbin:/sbin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestServerError("\(program) is not installed (run ./demo.sh test, which installs it)")
    }

    public static func makeTempDirectory(prefix: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    public func start() throws {
        lock.lock(); defer { lock.unlock() }
        guard process == nil else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.currentDirectoryURL = directory
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
    }

    public var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return process?.isRunning ?? false
    }

    public var pid: Int32? {
        lock.lock(); defer { lock.unlock() }
        return process?.processIdentifier
    }

    /// SIGTERM, wait up to `grace`, then SIGKILL.
    public func stop(grace: TimeInterval = 5) {
        lock.lock()
        let p = process
        process = nil
        lock.unlock()
        guard let p, p.isRunning else { return }
        p.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    /// SIGKILL, as a crash would.
    public func kill9() {
        lock.lock()
        let p = process
        process = nil
        lock.unlock()
        guard let p, p.isRunning else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    public func logTail(_ bytes: Int = 2000) -> String {
        guard let data = try? Data(contentsOf: logFile) else { return "" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    /// Polls `check` until it is true, the process died, or `timeout` passed.
    public func waitUntil(timeout: TimeInterval = 15, _ check: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if check() { return }
            if !isRunning { throw TestServerError("\(name) exited during start-up:\n\(logTail())") }
            usleep(20_000)
        }
        throw TestServerError("\(name) did not come up within \(Int(timeout)) s:\n\(logTail())")
    }
}
