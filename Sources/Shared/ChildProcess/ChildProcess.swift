import CSpawn
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, with a clean signal mask, default signal
/// dispositions and no descriptors but 0, 1 and 2.
///
/// Why not Foundation's `Process`: on Linux it spawns from an internal thread whose signals are
/// blocked, and the child inherits that mask, so servers and workers never see SIGTERM and cannot
/// shut down gracefully. Supervisors and test harnesses need SIGTERM to mean "drain and exit".
public final class ChildProcess: @unchecked Sendable {
    public let executable: String
    public let arguments: [String]
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// - Parameters:
    ///   - environment: the child's full environment (defaults to this process's).
    ///   - output: a file that receives stdout and stderr (appended), or nil for /dev/null.
    public init(
        executable: String, arguments: [String], environment: [String: String]? = nil, output: String? = nil
    ) throws {
        self.executable = executable
        self.arguments = arguments

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        // Own process group, so a terminal's Ctrl-C reaches only the supervisor, which then drains children.
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let out = output ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Only stdin/stdout/stderr cross over: descriptors opened without CLOEXEC (NIO's listening
        // sockets among them) would otherwise keep a supervisor's port bound by its orphaned children.
        guard cspawn_file_actions_addclosefrom(&actions, 3) == 0 else { throw ChildProcessError("cannot start \(executable): posix_spawn closefrom unsupported") }

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = [executable] + arguments
        var child: pid_t = 0
        let rc = withCStrings(argv) { cargv in
            withCStrings(env) { cenv in
                posix_spawn(&child, executable, &actions, &attr, cargv, cenv)
            }
        }
        guard rc == 0 else {
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
    }

    deinit {
        if isRunning { _ = kill(pid, SIGKILL); _ = wait(timeout: 5) }
    }

    /// True until the child has exited (and been reaped).
    public var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return reapLocked() == nil
    }

    /// The exit code (or 128 + signal) once exited.
    public var terminationStatus: Int32? {
        lock.lock(); defer { lock.unlock() }
        return reapLocked()
    }

    public func signal(_ sig: Int32) {
        if isRunning { _ = kill(pid, sig) }
    }

    /// Waits for the exit; returns the status, or nil if still running after `timeout` seconds.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let s = terminationStatus { return s }
            usleep(5_000)
        } while Date() < deadline
        return terminationStatus
    }

    /// SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status.
    @discardableResult
    public func terminate(grace: TimeInterval = 5) -> Int32? {
        signal(SIGTERM)
        if let s = wait(timeout: grace) { return s }
        signal(SIGKILL)
        return wait(timeout: 5)
    }

    private func reapLocked() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return r < 0 ? (exitStatus ?? -1) : nil }
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        let signalled = status & 0x7f
        exitStatus = signalled == 0 ? (status >> 8) & 0xff : 128 + signalled
        return exitStatus
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
