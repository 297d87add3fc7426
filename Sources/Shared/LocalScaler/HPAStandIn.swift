import Autoscaling
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// Everything the HPA stand-in needs.
public struct HPAStandInSettings: Sendable {
    public var spec: HPAStandInSpec
    public var launch: ReplicaLaunch

    public init(spec: HPAStandInSpec, launch: ReplicaLaunch) {
        self.spec = spec
        self.launch = launch
    }
}

/// A stand-in for the HorizontalPodAutoscaler on one machine: runs a workload's processes
/// (meme-web) and, every sync period, reads each one's CPU and memory from /proc, compares them
/// with the Deployment's requests, decides with the HPA's arithmetic (tolerance, the larger of the
/// metrics, stabilisation windows and policies from the HPA object) and starts or stops processes.
/// A process to be stopped is first handed to `beforeStop` (the proxy takes it out of the
/// rotation), then gets SIGTERM and drains.
public final class HPAStandIn: Service, Sendable {
    public let settings: HPAStandInSettings
    private let logger: Logger
    private let pool: ReplicaPool
    private let beforeStop: @Sendable (String) -> Void
    private let book: Mutex<LocalHPAStatus>
    /// Replicas answering their readiness probe, with the time (this stand-in's clock) since when.
    private let readiness = Mutex<[String: ContinuousClock.Instant]>([:])
    private let gauges: HPAGauges
    /// Set while an act holds the HPA still (keda-only): it measures and reports, never scales.
    private let pausedBy = Mutex<String?>(nil)

    public init(settings: HPAStandInSettings, logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                beforeStop: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.logger = logger
        self.beforeStop = beforeStop
        pool = ReplicaPool(launch: settings.launch, logger: logger)
        gauges = HPAGauges(registry: registry, workload: settings.launch.namePrefix)
        let s = settings.spec
        book = Mutex(LocalHPAStatus(
            name: s.name, workload: settings.launch.namePrefix, readAt: nil, syncPeriodSeconds: s.syncPeriodSeconds,
            minReplicas: s.minReplicas, maxReplicas: s.maxReplicas, replicas: 0, desiredReplicas: s.minReplicas, terminating: 0,
            metrics: [], pods: [], reason: "no sample yet", scaleDownInSeconds: nil, events: []))
    }

    public var status: LocalHPAStatus { book.withLock { $0 } }

    /// The processes running now (for readiness probes and the proxy).
    public func replicas() async -> [ReplicaInfo] { await pool.running }

    /// Replicas that keep exiting right after their start (a broken build, a bad setting).
    public func crashLoops() async -> [(name: String, crashes: Int, status: Int32?)] { await pool.crashLoops }

    /// Which replicas answered their readiness probe last (shown per pod; CPU counts from then on).
    public func setReady(_ names: Set<String>) {
        let now = ContinuousClock.now
        readiness.withLock { ready in
            ready = ready.filter { names.contains($0.key) }
            for name in names where ready[name] == nil { ready[name] = now }
        }
    }

    /// Holds the replica count (`reason` says why, e.g. "act keda-only") or, with nil, lets it scale again.
    public func setPaused(_ reason: String?) {
        pausedBy.withLock { $0 = reason }
        if let reason { logger.info("HPA stand-in paused: \(reason)") }
    }

    public var pausedReason: String? { pausedBy.withLock { $0 } }

    /// The requests new replicas start with (the Deployment's, or a VPA's).
    public func setTemplate(_ requests: VPA.Amounts) async { await pool.setTemplate(requests) }

    /// A VPA's eviction round on this workload: new replicas start with `requests` (the admission
    /// controller's part), and each running replica with other requests is replaced in turn, the
    /// next only once the previous replacement answers its readiness probe (at most `readyTimeout`
    /// each), so the proxy always has a ready process. Returns how many were replaced.
    public func rollOut(requests: VPA.Amounts, readyTimeout: Duration = .seconds(30)) async throws -> Int {
        await pool.setTemplate(requests)
        var replaced = 0
        let hook = beforeStop, prefix = settings.launch.namePrefix
        for replica in await pool.running where !replica.terminating && replica.requests != requests {
            let before = Set(await pool.running.map(\.name))
            guard try await pool.replace(slot: replica.slot, beforeStop: { hook("\(prefix)-\($0)") }) else { continue }
            replaced += 1
            let fresh = Set(await pool.running.map(\.name)).subtracting(before)
            let deadline = ContinuousClock.now + readyTimeout
            while ContinuousClock.now < deadline, !Task.isCancelled {
                if readiness.withLock({ ready in fresh.allSatisfy { ready[$0] != nil } }) { break }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        return replaced
    }

    public func run() async throws {
        let spec = settings.spec
        await pool.setTemplate(spec.requests)
        logger.info("""
            HPA stand-in for \(spec.name): \(spec.minReplicas)…\(spec.maxReplicas) \(settings.launch.namePrefix) processes, \
            cpu \(spec.cpuTargetUtilization.map { "\($0)%" } ?? "-") of \(spec.requests.cpuMillis.map { "\($0)m" } ?? "-"), \
            memory \(spec.memoryTargetUtilization.map { "\($0)%" } ?? "-") of \(spec.requests.memoryBytes.map(QuantityFormat.bytes) ?? "-"), \
            sync every \(spec.syncPeriodSeconds) s
            """)
        do { try await pool.scale(to: spec.minReplicas) } catch { logger.error("\(error)") }
        let clock = ContinuousClock()
        let start = clock.now
        var state = HPAStandInState()
        var sampler = UsageWindow()
        _ = sampler.sample(await pool.running.map(\.pid), at: 0)
        var nextSync = clock.now + .milliseconds(Int64(spec.syncPeriodSeconds * 1000))
        var lastSample = clock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await pool.reap()
            if clock.now >= nextSync {
                nextSync = max(nextSync + .milliseconds(Int64(spec.syncPeriodSeconds * 1000)), clock.now)
                let now = clock.now
                await sync(state: &state, sampler: &sampler, nowSeconds: (now - start).inSeconds, windowStart: lastSample)
                lastSample = now
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        let running = await pool.replicas + pool.terminating
        logger.info("shutting down: stopping \(running) \(settings.launch.namePrefix) process(es)")
        await Task.detached { [pool, beforeStop] in
            for r in await pool.running { beforeStop(r.name) }
            await pool.stopAll()
        }.value
    }

    /// `windowStart`: when the CPU window of this sync began. Like the controller's CPU
    /// initialisation rules, a process's CPU counts only when it was ready for the whole window and
    /// is older than the initial readiness delay (a start-up's CPU would otherwise scale out an idle
    /// tier); until then the process counts as "no sample" (0 % when the others ask to scale up).
    private func sync(state: inout HPAStandInState, sampler: inout UsageWindow, nowSeconds: Double,
                      windowStart: ContinuousClock.Instant) async {
        let spec = settings.spec
        let readAt = Date().timeIntervalSince1970
        let running = await pool.running
        let counted = running.filter { !$0.terminating }
        let usage = sampler.sample(running.map(\.pid), at: nowSeconds)
        let readySince = readiness.withLock { $0 }
        let cpu = counted.map { r in
            r.ageSeconds >= spec.initialReadinessDelaySeconds ? readySince[r.name].flatMap { $0 <= windowStart ? usage[r.pid]?.cpuMillicores : nil } : nil
        }
        let memory = counted.map { usage[$0.pid]?.memoryBytes }
        let before = await pool.replicas
        // The requests of the pods measured: a VPA may have changed them (utilisation = Σ usage / Σ requests).
        var measured = spec
        measured.requests = HPAStandInState.requestsPerPod(counted.map(\.requests), cpu: cpu, memory: memory, template: spec.requests)
        let paused = pausedReason
        var result: HPAStandInSync
        if let paused {
            // Measured and explained on a copy, not acted on: the count stays, the state remembers nothing.
            var probe = state
            result = probe.sync(cpu: cpu, memory: memory, running: before, spec: measured, nowSeconds: nowSeconds)
            result.decision.desiredReplicas = before
            result.decision.explanation = "paused (\(paused)): would be \(result.decision.explanation)"
            result.scaleDownInSeconds = nil
            state.setReplicas = before
        } else {
            result = state.sync(cpu: cpu, memory: memory, running: before, spec: measured, nowSeconds: nowSeconds)
        }
        let desired = result.decision.desiredReplicas
        if desired != before {
            logger.info("scale \(settings.launch.namePrefix) \(before) → \(desired): \(result.decision.explanation)")
            let hook = beforeStop, prefix = settings.launch.namePrefix
            do { try await pool.scale(to: desired) { hook("\(prefix)-\($0)") } } catch { logger.error("\(error)") }
        }
        let after = await pool.running
        let ready = Set(readySince.keys)
        let metrics = result.proposals.map { p in
            LocalHPAStatus.Metric(
                name: p.name, targetUtilization: p.name == "cpu" ? spec.cpuTargetUtilization ?? 0 : spec.memoryTargetUtilization ?? 0,
                currentUtilization: p.utilization,
                request: p.name == "cpu" ? measured.requests.cpuMillis ?? 0 : measured.requests.memoryBytes ?? 0,
                averageUsage: p.averageUsage, replicas: p.replicas, explanation: p.explanation)
        }
        for m in metrics { gauges.utilization(m.name).set(Double(m.currentUtilization ?? 0)) }
        gauges.replicas.set(Double(after.filter { !$0.terminating }.count))
        gauges.desired.set(Double(desired))
        book.withLock { s in
            s.readAt = readAt
            s.replicas = after.filter { !$0.terminating }.count
            s.terminating = after.filter(\.terminating).count
            s.desiredReplicas = desired
            s.metrics = metrics
            s.pods = after.map { r in
                LocalHPAStatus.Pod(name: r.name, pid: r.pid, cpuMillicores: usage[r.pid]?.cpuMillicores,
                                   memoryBytes: usage[r.pid]?.memoryBytes, ready: ready.contains(r.name), terminating: r.terminating)
            }
            s.reason = result.decision.explanation
            s.scaleDownInSeconds = result.scaleDownInSeconds
            if desired != before {
                s.events.append(.init(at: readAt, from: before, to: desired, lag: nil, reason: result.decision.explanation))
                if s.events.count > LocalScalerStatus.eventLimit { s.events.removeFirst(s.events.count - LocalScalerStatus.eventLimit) }
            }
        }
    }
}

/// The HPA stand-in's gauges on the stack's /metrics.
struct HPAGauges: Sendable {
    let registry: PrometheusCollectorRegistry
    let workload: String
    let replicas: Gauge
    let desired: Gauge

    init(registry: PrometheusCollectorRegistry, workload: String) {
        self.registry = registry
        self.workload = workload
        let w = [("workload", workload)]
        replicas = registry.makeGauge(descriptor: .named("meme_local_hpa_replicas", help: "Processes the HPA stand-in runs now (not counting ones draining)."), labels: w)
        desired = registry.makeGauge(descriptor: .named("meme_local_hpa_desired_replicas", help: "Replicas the HPA stand-in's last sync asked for."), labels: w)
    }

    func utilization(_ resource: String) -> Gauge {
        registry.makeGauge(descriptor: .named("meme_local_hpa_utilization_percent", help: "Average usage / request over the counted processes, in percent, at the last sync."),
                           labels: [("workload", workload), ("resource", resource)])
    }
}
