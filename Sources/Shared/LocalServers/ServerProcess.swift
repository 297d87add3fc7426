import Foundation

/// A server run as a child process (nats-server, redis-server, prometheus, redis-exporter): started
/// and waited for until it answers its readiness probe, stopped, killed as a crash would, restarted
/// on the same ports. What the demo stack keeps alive and the tests start.
public protocol ServerProcess: AnyObject, Sendable {
    var process: ManagedProcess { get }
    /// Answers its readiness probe (a client port open and a health endpoint answering).
    var isAnswering: Bool { get }
    /// How long `start()` waits for `isAnswering`.
    var startTimeout: TimeInterval { get }
    /// SIGTERM → this long → SIGKILL.
    var stopGrace: TimeInterval { get }
}

extension ServerProcess {
    public var startTimeout: TimeInterval { 15 }
    public var stopGrace: TimeInterval { 5 }

    /// Starts the process and waits until it answers.
    public func start(timeout: TimeInterval? = nil) throws {
        try process.start()
        try process.waitUntil(timeout: timeout ?? startTimeout) { self.isAnswering }
    }

    public func stop() { process.stop(grace: stopGrace) }
    /// SIGKILL, as a crash would.
    public func kill() { process.kill9() }
    public func restart() throws {
        stop()
        try start()
    }

    public var isRunning: Bool { process.isRunning }
    public var pid: Int32? { process.pid }
    public var exitStatus: Int32? { process.exitStatus }
    public func logTail() -> String { process.logTail() }
}
