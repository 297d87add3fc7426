import Autoscaling
import ChildProcess
import Foundation
import Logging
import Retry

/// How to start one replica (a worker or a meme-web process) of a workload.
public struct ReplicaLaunch: Sendable {
    /// Absolute path of the binary.
    public var executable: String
    public var arguments: [String]
    /// The children's environment, before `slotEnvironment` adds each child's own variables.
    public var environment: [String: String]
    /// Replica N is named `<namePrefix>-N` (1-based).
    public var namePrefix: String
    /// Each child's own variables (its ports, its name), by slot.
    public var slotEnvironment: @Sendable (Int) -> [String: String]
    /// Each child writes `<dir>/<name>.log`; nil sends children's output to this process's stderr.
    public var logDirectory: String?
    /// SIGTERM → wait this long for the drain → SIGKILL.
    public var stopGraceSeconds: Double
    /// Out of the proxy's rotation → wait this long → SIGTERM, as a pod's preStop sleep gives the
    /// endpoints time to forget it: a connection the proxy had already begun to that process is
    /// accepted and served, not reset by its closing listener.
    public var preStopSeconds: Double

    public init(executable: String, arguments: [String], environment: [String: String], namePrefix: String,
                logDirectory: String? = nil, stopGraceSeconds: Double = 25, preStopSeconds: Double = 0,
                slotEnvironment: @escaping @Sendable (Int) -> [String: String] = { _ in [:] }) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.namePrefix = namePrefix
        self.slotEnvironment = slotEnvironment
        self.logDirectory = logDirectory
        self.stopGraceSeconds = stopGraceSeconds
        self.preStopSeconds = preStopSeconds
    }

    /// `meme-worker serve` replicas: worker N serves its metrics on `metricsBasePort + N - 1` (one
    /// Prometheus target per possible worker) and names itself worker-N.
    public static func worker(executable: String, environment: [String: String], metricsHost: String = "127.0.0.1",
                              metricsBasePort: Int = 9100, logDirectory: String? = nil, stopGraceSeconds: Double = 25) -> ReplicaLaunch {
        ReplicaLaunch(executable: executable, arguments: ["serve"], environment: environment, namePrefix: "worker",
                      logDirectory: logDirectory, stopGraceSeconds: stopGraceSeconds) { slot in
            ["METRICS_ADDR": "\(metricsHost):\(metricsBasePort + slot - 1)", "WORKER_NAME": "worker-\(slot)"]
        }
    }

    func name(slot: Int) -> String { "\(namePrefix)-\(slot)" }
}

/// One running replica, as the stand-ins see it.
public struct ReplicaInfo: Sendable, Equatable {
    public var slot: Int
    public var name: String
    public var pid: Int32
    /// Seconds since it was started, on the pool's clock.
    public var ageSeconds: Double
    /// Told to stop and draining.
    public var terminating: Bool
    /// The requests it was started with (the pod template's when it was created; a VPA changes them).
    public var requests = VPA.Amounts()
}

/// A workload's processes, by slot (worker-1, worker-2, …): started on scale-up, SIGTERMed on
/// scale-down (highest slot first, as a ReplicaSet picks the newest), restarted when they exit
/// without being asked. Never blocks: exits are polled with WNOHANG.
public actor ReplicaPool {
    struct Child {
        var process: ChildProcess
        var startedAt: ContinuousClock.Instant
        /// Set when told to stop: the SIGKILL deadline.
        var stopDeadline: ContinuousClock.Instant?
        /// Told to stop, SIGTERM not sent yet: when it is due (the preStop pause).
        var termAt: ContinuousClock.Instant?
        var killed = false
        var requests: VPA.Amounts
    }

    /// A slot whose child crashed and waits for its restart (kubelet-style backoff on crash loops).
    struct PendingRestart {
        var notBefore: ContinuousClock.Instant
    }

    public let launch: ReplicaLaunch
    let logger: Logger
    private var children: [Int: Child] = [:]
    private var pending: [Int: PendingRestart] = [:]
    /// Crashes in a row per slot (a child that ran ≥ 10 s resets its count).
    private var crashCounts: [Int: Int] = [:]
    /// The last exit nobody asked for, per slot.
    private var lastCrash: [Int: Int32] = [:]
    private let clock = ContinuousClock()
    private(set) var restarts = 0
    /// The requests a new replica starts with, as the pod template's (and a VPA admission controller's) are.
    public private(set) var template = VPA.Amounts()

    public func setTemplate(_ requests: VPA.Amounts) { template = requests }

    public init(launch: ReplicaLaunch, logger: Logger) {
        self.launch = launch
        self.logger = logger
    }

    /// Replicas as the scale target counts them: children not told to stop, including crashed ones awaiting a restart.
    public var replicas: Int { children.values.filter { $0.stopDeadline == nil }.count + pending.count }
    public var terminating: Int { children.values.filter { $0.stopDeadline != nil }.count }
    public var pids: [Int32] { children.values.map(\.process.pid) }

    /// Replicas in a crash loop: crashes in a row (each within 10 s of its start) and the last exit status.
    public var crashLoops: [(name: String, crashes: Int, status: Int32?)] {
        crashCounts.sorted { $0.key < $1.key }.map { (launch.name(slot: $0.key), $0.value, lastCrash[$0.key]) }
    }

    /// Every live child, by slot.
    public var running: [ReplicaInfo] {
        let now = clock.now
        return children.sorted { $0.key < $1.key }.map { slot, child in
            ReplicaInfo(slot: slot, name: launch.name(slot: slot), pid: child.process.pid,
                        ageSeconds: (now - child.startedAt).inSeconds, terminating: child.stopDeadline != nil, requests: child.requests)
        }
    }

    /// Starts or stops children until `replicas == target`. Scale-down stops the highest slots first.
    /// Starts or stops children until `replicas == target`. `beforeStop` runs for each slot about to
    /// get SIGTERM (the web stand-in takes it out of its proxy's rotation first, as Kubernetes
    /// removes a terminating pod from the Service's endpoints).
    public func scale(to target: Int, beforeStop: (Int) -> Void = { _ in }) throws(LocalScalerError) {
        while replicas > target {
            if let slot = pending.keys.max() {
                pending[slot] = nil
                crashCounts[slot] = nil
                continue
            }
            guard let slot = children.filter({ $0.value.stopDeadline == nil }).keys.max() else { break }
            beforeStop(slot)
            stop(slot: slot)
        }
        while replicas < target {
            var slot = 1
            while children[slot] != nil || pending[slot] != nil { slot += 1 }
            try start(slot: slot)
        }
    }

    /// A VPA eviction: the replica in `slot` drains (after `beforeStop`) and a new one starts with
    /// the template's requests at once, as the ReplicaSet replaces an evicted pod. False when that
    /// slot runs nothing (or is already stopping).
    @discardableResult
    public func replace(slot: Int, beforeStop: (Int) -> Void = { _ in }) throws(LocalScalerError) -> Bool {
        guard let child = children[slot], child.stopDeadline == nil else { return false }
        let target = replicas
        beforeStop(slot)
        stop(slot: slot)
        try scale(to: target)
        return true
    }

    private func start(slot: Int) throws(LocalScalerError) {
        var env = launch.environment
        env.merge(launch.slotEnvironment(slot)) { $1 }
        let output = launch.logDirectory.map { "\($0)/\(launch.name(slot: slot)).log" } ?? "/dev/stderr"
        do {
            let process = try ChildProcess(executable: launch.executable, arguments: launch.arguments, environment: env, output: output)
            children[slot] = Child(process: process, startedAt: clock.now, requests: template)
            logger.info("started \(launch.name(slot: slot)) (pid \(process.pid))")
        } catch {
            throw LocalScalerError("cannot start \(launch.name(slot: slot)) (\(launch.executable)): \(error)")
        }
    }

    /// Marks the child stopping; SIGTERM goes now, or after the preStop pause unless `now`.
    private func stop(slot: Int, now: Bool = false) {
        guard var child = children[slot] else { return }
        if child.stopDeadline == nil {
            let pause = now ? 0 : launch.preStopSeconds
            child.termAt = clock.now + .milliseconds(Int64(pause * 1000))
            child.stopDeadline = child.termAt! + .milliseconds(Int64(launch.stopGraceSeconds * 1000))
            if pause > 0 {
                logger.info("stopping \(launch.name(slot: slot)) (pid \(child.process.pid)): SIGTERM in \(pause) s, drain grace \(launch.stopGraceSeconds) s")
            }
        } else if now, child.termAt != nil {
            child.termAt = clock.now
        }
        children[slot] = child
        sendDueSIGTERM(slot: slot)
    }

    private func sendDueSIGTERM(slot: Int) {
        guard var child = children[slot], let due = child.termAt, clock.now >= due else { return }
        child.termAt = nil
        children[slot] = child
        child.process.signal(SIGTERM)
        logger.info("stopping \(launch.name(slot: slot)) (pid \(child.process.pid)): SIGTERM, drain grace \(launch.stopGraceSeconds) s")
    }

    /// Notices exits: stopped children are forgotten, crashed ones restarted (and counted),
    /// children past their grace are killed. Returns the number of restarts done now.
    @discardableResult
    public func reap() -> Int {
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
                lastCrash[slot] = status
                let delay = RetryPolicy.crashLoop.seconds(afterCrash: crashes)
                logger.warning("\(name) (pid \(child.process.pid)) exited with status \(status) without being asked; restarting\(delay > 0 ? " in \(delay) s" : "")")
                pending[slot] = PendingRestart(notBefore: now + .seconds(delay))
            } else if child.termAt != nil {
                sendDueSIGTERM(slot: slot)
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
    public func stopAll() async {
        pending.removeAll()
        for slot in children.keys.sorted() { stop(slot: slot, now: true) }
        while !children.isEmpty {
            reap()
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
