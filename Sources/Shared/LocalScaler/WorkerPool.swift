import ChildProcess
import Foundation
import Logging

/// How to start one worker process.
public struct WorkerLaunch: Sendable, Equatable {
    /// Absolute path of the worker binary.
    public var executable: String
    public var arguments: [String]
    /// The children's environment, before METRICS_ADDR and WORKER_NAME are set per child.
    public var environment: [String: String]
    public var metricsHost: String
    /// Child N (1-based) listens on `metricsBasePort + N - 1`.
    public var metricsBasePort: Int
    public var namePrefix: String
    /// Each child writes `<dir>/<name>.log`; nil sends children's output to this process's stderr.
    public var logDirectory: String?
    /// SIGTERM → wait this long for the drain → SIGKILL.
    public var stopGraceSeconds: Double

    public init(executable: String, arguments: [String] = ["serve"], environment: [String: String], metricsHost: String = "127.0.0.1",
                metricsBasePort: Int = 9100, namePrefix: String = "worker", logDirectory: String? = nil, stopGraceSeconds: Double = 25) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.metricsHost = metricsHost
        self.metricsBasePort = metricsBasePort
        self.namePrefix = namePrefix
        self.logDirectory = logDirectory
        self.stopGraceSeconds = stopGraceSeconds
    }

    func name(slot: Int) -> String { "\(namePrefix)-\(slot)" }
    func port(slot: Int) -> Int { metricsBasePort + slot - 1 }
}

/// The worker processes, by slot (worker-1, worker-2, …): started on scale-up, SIGTERMed on scale-down,
/// restarted when they exit without being asked. Never blocks: exits are polled with WNOHANG.
actor WorkerPool {
    struct Child {
        var process: ChildProcess
        var startedAt: ContinuousClock.Instant
        /// Set when told to stop: the SIGKILL deadline.
        var stopDeadline: ContinuousClock.Instant?
        var killed = false
    }

    /// A slot whose child crashed and waits for its restart (kubelet-style backoff on crash loops).
    struct PendingRestart {
        var notBefore: ContinuousClock.Instant
    }

    let launch: WorkerLaunch
    let logger: Logger
    private var children: [Int: Child] = [:]
    private var pending: [Int: PendingRestart] = [:]
    /// Crashes in a row per slot (a child that ran ≥ 10 s resets its count).
    private var crashCounts: [Int: Int] = [:]
    private let clock = ContinuousClock()
    private(set) var restarts = 0

    init(launch: WorkerLaunch, logger: Logger) {
        self.launch = launch
        self.logger = logger
    }

    /// Replicas as the scale target counts them: children not told to stop, including crashed ones awaiting a restart.
    var replicas: Int { children.values.filter { $0.stopDeadline == nil }.count + pending.count }
    var terminating: Int { children.values.filter { $0.stopDeadline != nil }.count }
    var pids: [Int32] { children.values.map(\.process.pid) }

    /// Starts or stops children until `replicas == target`. Scale-down stops the highest slots first.
    func scale(to target: Int) throws(LocalScalerError) {
        while replicas > target {
            if let slot = pending.keys.max() {
                pending[slot] = nil
                crashCounts[slot] = nil
                continue
            }
            guard let slot = children.filter({ $0.value.stopDeadline == nil }).keys.max() else { break }
            stop(slot: slot)
        }
        while replicas < target {
            var slot = 1
            while children[slot] != nil || pending[slot] != nil { slot += 1 }
            try start(slot: slot)
        }
    }

    private func start(slot: Int) throws(LocalScalerError) {
        var env = launch.environment
        env["METRICS_ADDR"] = "\(launch.metricsHost):\(launch.port(slot: slot))"
        env["WORKER_NAME"] = launch.name(slot: slot)
        let output = launch.logDirectory.map { "\($0)/\(launch.name(slot: slot)).log" } ?? "/dev/stderr"
        do {
            let process = try ChildProcess(executable: launch.executable, arguments: launch.arguments, environment: env, output: output)
            children[slot] = Child(process: process, startedAt: clock.now)
            logger.info("started \(launch.name(slot: slot)) (pid \(process.pid), metrics \(launch.metricsHost):\(launch.port(slot: slot)))")
        } catch {
            throw LocalScalerError("cannot start \(launch.name(slot: slot)) (\(launch.executable)): \(error)")
        }
    }

    private func stop(slot: Int) {
        guard var child = children[slot], child.stopDeadline == nil else { return }
        child.stopDeadline = clock.now + .milliseconds(Int64(launch.stopGraceSeconds * 1000))
        children[slot] = child
        child.process.signal(SIGTERM)
        logger.info("stopping \(launch.name(slot: slot)) (pid \(child.process.pid)): SIGTERM, drain grace \(launch.stopGraceSeconds) s")
    }

    /// Notices exits: stopped children are forgotten, crashed ones restarted (and counted),
    /// children past their grace are killed. Returns the number of restarts done now.
    @discardableResult
    func reap() -> Int {
        let now = clock.now
        var restarted = 0
        for (slot, child) in children.sorted(by: { $0.key < $1.key }) {
            let name = launch.name(slot: slot)
            if let status = child.process.terminationStatus {
                children[slot] = nil
                if child.stopDeadline != nil {
                    logger.info("\(name) exited (status \(status)) after SIGTERM")
                    continue
                }
                let ranLong = now - child.startedAt >= .seconds(10)
                let crashes = ranLong ? 1 : (crashCounts[slot] ?? 0) + 1
                crashCounts[slot] = crashes
                // First crash: restart at once; a crash loop backs off 1, 2, 4 … 30 s.
                let delay = crashes <= 1 ? 0 : min(30, 1 << min(crashes - 2, 5))
                logger.warning("\(name) (pid \(child.process.pid)) exited with status \(status) without being asked; restarting\(delay > 0 ? " in \(delay) s" : "")")
                pending[slot] = PendingRestart(notBefore: now + .seconds(delay))
            } else if let deadline = child.stopDeadline, now >= deadline, !child.killed {
                logger.warning("\(name) (pid \(child.process.pid)) still running \(launch.stopGraceSeconds) s after SIGTERM: SIGKILL")
                child.process.signal(SIGKILL)
                children[slot]?.killed = true
            }
        }
        for (slot, p) in pending.sorted(by: { $0.key < $1.key }) where now >= p.notBefore {
            pending[slot] = nil
            do {
                try start(slot: slot)
                restarts += 1
                restarted += 1
            } catch {
                logger.error("\(error)")
                pending[slot] = PendingRestart(notBefore: now + .seconds(5))
            }
        }
        return restarted
    }

    /// SIGTERM to every child, then waits (polling, never blocking a thread) until all have exited.
    func stopAll() async {
        pending.removeAll()
        for slot in children.keys.sorted() { stop(slot: slot) }
        while !children.isEmpty {
            reap()
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
