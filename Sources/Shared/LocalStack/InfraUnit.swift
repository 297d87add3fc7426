import Foundation
import LocalServers
import Retry
import Synchronization

/// One server of the stack, kept running like a pod with restartPolicy Always: an exit nobody
/// asked for is restarted (at once, then backing off 1, 2, 4 … 30 s on a crash loop), unless the
/// control API holds it down (a drill's "NATS is gone"). A unit may be several processes (the
/// members of `DEMO_NATS_CLUSTER=3`): they start together, stop together, and a member that
/// exits is started again like a StatefulSet's pod.
public final class InfraUnit: Sendable {
    public let service: StackService
    public let servers: [any ServerProcess]
    /// The first (or only) process.
    public var server: any ServerProcess { servers[0] }
    private let state = Mutex(State())

    struct State {
        var heldDown = false
        var restarts = 0
        var crashes = 0
        var startedAt = Date()
        var retryAt: Date?
        var lastExit: Int32?
    }

    public convenience init(service: StackService, server: any ServerProcess) {
        self.init(service: service, servers: [server])
    }

    public init(service: StackService, servers: [any ServerProcess]) {
        precondition(!servers.isEmpty, "a unit runs at least one process")
        self.service = service
        self.servers = servers
    }

    private var allRunning: Bool { servers.allSatisfy(\.isRunning) }

    private func startAll(timeout: TimeInterval) throws {
        if servers.count == 1 { try server.start(timeout: timeout) } else { try servers.startTogether(timeout: timeout) }
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
        try startAll(timeout: timeout)
    }

    /// Stops (SIGTERM) and keeps it down until `start`.
    public func stop() {
        state.withLock { $0.heldDown = true }
        for server in servers.reversed() { server.stop() }
    }

    /// SIGKILL (a crash) and keeps it down until `start`.
    public func kill() {
        state.withLock { $0.heldDown = true }
        for server in servers { server.kill() }
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
            guard !s.heldDown, !allRunning else { return (false, nil) }
            let now = Date()
            if let retryAt = s.retryAt {
                return (now >= retryAt, nil)
            }
            s.lastExit = servers.first { !$0.isRunning }?.exitStatus
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
            try startAll(timeout: 30)
            return decision.message.map { $0 + ": up again" } ?? "\(service.rawValue) restarted"
        } catch {
            state.withLock { $0.retryAt = Date().addingTimeInterval(5) }
            return "\(service.rawValue) could not be restarted: \(error); trying again in 5 s"
        }
    }
}
