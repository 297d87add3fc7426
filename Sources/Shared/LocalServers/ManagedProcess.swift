import ChildProcess
import Foundation

/// A child server process (or one of our own binaries) with its output appended to a log file
/// (by default `<directory>/<name>.log`). Stopped (SIGTERM, then SIGKILL) when `stop()` is called
/// or the object is released; SIGKILLed if this program exits with it still running.
public final class ManagedProcess: @unchecked Sendable {
    public let name: String
    public let executable: String
    public let arguments: [String]
    public let directory: URL
    public let environment: [String: String]?
    public let logFile: URL
    private let lock = NSLock()
    private var process: ChildProcess?
    /// The status of the last run that ended (stopped, killed or crashed).
    private var lastExit: Int32?

    public init(name: String, executable: String, arguments: [String], directory: URL, environment: [String: String]? = nil,
                logFile: URL? = nil) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
        self.logFile = logFile ?? directory.appendingPathComponent("\(name).log")
    }

    deinit { stop() }

    /// Finds a program on PATH (and in the usual sbin folders, where Debian puts some servers).
    public static func locate(_ program: String) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/local/sbin:/sbin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ServerProcessError("\(program) is not installed (run ./demo.sh, which installs it when run as root)")
    }

    public static func makeTempDirectory(prefix: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    public func start() throws {
        lock.lock(); defer { lock.unlock() }
        if let process, process.isRunning { return }
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, output: logFile.path)
        process = child
        LiveChildren.register(child.pid)
    }

    public var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return process?.isRunning ?? false
    }

    public var pid: Int32? {
        lock.lock(); defer { lock.unlock() }
        return process?.pid
    }

    /// The exit status of the current run if it has ended by itself, else of the last run that was stopped; nil while running.
    public var exitStatus: Int32? {
        lock.lock(); defer { lock.unlock() }
        if let process { return process.terminationStatus }
        return lastExit
    }

    /// SIGTERM, wait up to `grace`, then SIGKILL.
    public func stop(grace: TimeInterval = 5) {
        lock.lock()
        let p = process
        process = nil
        lock.unlock()
        let status = p?.terminate(grace: grace)
        if let p {
            LiveChildren.unregister(p.pid)
            lock.lock(); lastExit = status; lock.unlock()
        }
    }

    /// SIGKILL, as a crash would.
    public func kill9() {
        lock.lock()
        let p = process
        process = nil
        lock.unlock()
        p?.signal(SIGKILL)
        let status = p?.wait(timeout: 5)
        if let p {
            LiveChildren.unregister(p.pid)
            lock.lock(); lastExit = status; lock.unlock()
        }
    }

    /// Sends a signal without forgetting the process (e.g. SIGTERM to watch a drain).
    public func signal(_ sig: Int32) {
        lock.lock(); defer { lock.unlock() }
        process?.signal(sig)
    }

    /// Waits for the process to exit by itself; returns its status or nil on timeout.
    public func waitForExit(timeout: TimeInterval) -> Int32? {
        lock.lock()
        let p = process
        lock.unlock()
        return p?.wait(timeout: timeout)
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
            if !isRunning { throw ServerProcessError("\(name) exited during start-up:\n\(logTail())") }
            usleep(20_000)
        }
        throw ServerProcessError("\(name) did not come up within \(Int(timeout)) s:\n\(logTail())")
    }
}

/// Every server a test started and has not stopped, SIGKILLed when the test process exits, so an
/// early return or a crashed assertion never leaves nats-server or redis-server running.
enum LiveChildren {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pids = Set<pid_t>()
    nonisolated(unsafe) private static var hooked = false

    static func register(_ pid: pid_t) {
        lock.lock(); defer { lock.unlock() }
        pids.insert(pid)
        if !hooked {
            hooked = true
            atexit { LiveChildren.killAll() }
        }
    }

    static func unregister(_ pid: pid_t) {
        lock.lock(); defer { lock.unlock() }
        pids.remove(pid)
    }

    static func killAll() {
        lock.lock(); defer { lock.unlock() }
        for pid in pids { kill(pid, SIGKILL) }
        pids.removeAll()
    }
}
