import Foundation
import LocalServers
import Retry
import Synchronization

/// What the stack needs of each server it runs (nats-server, redis-server, prometheus, redis-exporter).
public protocol StackServer: AnyObject, Sendable {
    func start(timeout: TimeInterval) throws
    func stop()
    func kill()
    var isRunning: Bool { get }
    var isAnswering: Bool { get }
    var pid: Int32? { get }
    var exitStatus: Int32? { get }
}

extension NATSServer: StackServer {}
/// `DEMO_NATS_CLUSTER=3`: one unit; a member that dies is started again like a StatefulSet's pod.
extension NATSCluster: StackServer {}
extension RedisServer: StackServer {}
extension PrometheusServer: StackServer {}
extension RedisExporter: StackServer {}

/// One server of the stack, kept running like a pod with restartPolicy Always: an exit nobody
/// asked for is restarted (at once, then backing off 1, 2, 4 … 30 s on a crash loop), unless the
/// control API holds it down (a drill's "NATS is gone").
public final class InfraUnit: Sendable {
    public let service: StackService
    public let server: any StackServer
    private let state = Mutex(State())

    struct State {
        var heldDown = false
        var restarts = 0
        var crashes = 0
        var startedAt = Date()
        var retryAt: Date?
        var lastExit: Int32?
    }

    public init(service: StackService, server: any StackServer) {
        self.service = service
        self.server = server
    }

    public var heldDown: Bool { state.withLock { $0.heldDown } }
    public var restarts: Int { state.withLock { $0.restarts } }
    public var lastExit: Int32? { state.withLock { $0.lastExit } }

    /// Starts and waits until it answers.
    public func start(timeout: TimeInterval = 30) throws {
        state.withLock {
            $0.heldDown = false
            $0.startedAt = Date()
            $0.retryAt = nil
        }
        try server.start(timeout: timeout)
    }

    /// Stops (SIGTERM) and keeps it down until `start`.
    public func stop() {
        state.withLock { $0.heldDown = true }
        server.stop()
    }

    /// SIGKILL (a crash) and keeps it down until `start`.
    public func kill() {
        state.withLock { $0.heldDown = true }
        server.kill()
    }

    /// Runs `body` (a restart with other settings) with the watchdog held off.
    public func replace(_ body: () throws -> Void) throws {
        state.withLock { $0.heldDown = true }
        defer {
            state.withLock {
                $0.heldDown = false
                $0.startedAt = Date()
                $0.retryAt = nil
            }
        }
        try body()
    }

    /// Called every second: restarts a server that exited by itself. Returns a line to log, if any.
    public func watch() -> String? {
        let decision: (restart: Bool, message: String?) = state.withLock { s in
            guard !s.heldDown, !server.isRunning else { return (false, nil) }
            let now = Date()
            if let retryAt = s.retryAt {
                return (now >= retryAt, nil)
            }
            s.lastExit = server.exitStatus
            s.crashes = now.timeIntervalSince(s.startedAt) >= 10 ? 1 : s.crashes + 1
            let delay = RetryPolicy.crashLoop.seconds(afterCrash: s.crashes)
            s.retryAt = now.addingTimeInterval(Double(delay))
            let status = s.lastExit.map { "status \($0)" } ?? "an unknown status"
            return (delay == 0, "\(service.rawValue) exited with \(status) without being asked; restarting" + (delay > 0 ? " in \(delay) s" : ""))
        }
        guard decision.restart else { return decision.message }
        state.withLock {
            $0.retryAt = nil
            $0.startedAt = Date()
            $0.restarts += 1
        }
        do {
            try server.start(timeout: 30)
            return decision.message.map { $0 + ": up again" } ?? "\(service.rawValue) restarted"
        } catch {
            state.withLock { $0.retryAt = Date().addingTimeInterval(5) }
            return "\(service.rawValue) could not be restarted: \(error); trying again in 5 s"
        }
    }
}
