import Autoscaling
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// What the VPA stand-in takes from the VerticalPodAutoscaler and the StatefulSet it sizes.
public struct VPAStandInSpec: Sendable, Equatable {
    /// metadata.name of the VPA.
    public var name: String
    public var workload: String
    public var updateMode: VPA.UpdateMode
    public var policy: VPA.ContainerPolicy
    /// The container's requests and limits in the StatefulSet: what the process runs with at first.
    public var requests: VPA.Amounts
    public var limits: VPA.Amounts
    /// Redis's --maxmemory as a fraction of the memory request (400mb of 512Mi in the StatefulSet),
    /// kept when the memory request changes.
    public var maxMemoryFraction: Double
    public var sampleIntervalSeconds: Double
    /// Every 24 h constant of the recommender (half-lives, memory aggregation, confidence) becomes this.
    public var halfLifeSeconds: Double
    /// How often the updater looks for pods to evict.
    public var updateIntervalSeconds: Double

    public init(name: String, workload: String, updateMode: VPA.UpdateMode, policy: VPA.ContainerPolicy, requests: VPA.Amounts,
                limits: VPA.Amounts, maxMemoryFraction: Double, sampleIntervalSeconds: Double = 2, halfLifeSeconds: Double = 300,
                updateIntervalSeconds: Double = 30) {
        self.name = name
        self.workload = workload
        self.updateMode = updateMode
        self.policy = policy
        self.requests = requests
        self.limits = limits
        self.maxMemoryFraction = maxMemoryFraction
        self.sampleIntervalSeconds = sampleIntervalSeconds
        self.halfLifeSeconds = halfLifeSeconds
        self.updateIntervalSeconds = updateIntervalSeconds
    }

    /// `--maxmemory` for a memory request; nil for a workload without one (fraction 0: meme-web).
    public func maxMemory(for requests: VPA.Amounts) -> Int? {
        guard maxMemoryFraction > 0 else { return nil }
        return requests.memoryBytes.map { Int(Double($0) * maxMemoryFraction) }
    }
}

/// What applying new requests did: the "eviction" is a restart of the process with them.
public struct VPARestartReport: Sendable, Equatable {
    /// Keys before the restart and after it came back (the cache is saved and reloaded).
    public var keysBefore: Int?
    public var keysAfter: Int?
    public var downSeconds: Double
    /// For a workload of several processes replaced in turn (meme-web): how many; it never went down.
    public var replaced: Int?

    public init(keysBefore: Int?, keysAfter: Int?, downSeconds: Double, replaced: Int? = nil) {
        self.keysBefore = keysBefore
        self.keysAfter = keysAfter
        self.downSeconds = downSeconds
        self.replaced = replaced
    }
}

/// A stand-in for the VerticalPodAutoscaler on one machine: samples a process's CPU and memory,
/// feeds the recommender's decaying histograms (`VPARecommender`, half-life compressed for a
/// demo), caps the recommendation with the VPA's container policy and, in Recreate/Auto mode,
/// "evicts" when the current request is outside [lowerBound, upperBound]: `restart` runs the
/// process again with the target as its request (for Redis: a new --maxmemory).
public final class VPAStandIn: Service, Sendable {
    public let spec: VPAStandInSpec
    private let logger: Logger
    /// The processes of the workload (one for Redis, every meme-web process for the web VPA).
    private let pids: @Sendable () async -> [Int32]
    private let restart: @Sendable (VPA.Amounts) async throws -> VPARestartReport
    private let book: Mutex<LocalVPAStatus>
    private let evictions: Counter
    /// Set while an act holds the VPA still (keda-only): it samples and recommends, never evicts.
    private let pausedBy = Mutex<String?>(nil)

    public convenience init(spec: VPAStandInSpec, logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                            pid: @escaping @Sendable () -> Int32?, restart: @escaping @Sendable (VPA.Amounts) async throws -> VPARestartReport) {
        self.init(spec: spec, logger: logger, registry: registry, pids: { pid().map { [$0] } ?? [] }, restart: restart)
    }

    /// `pids`: every process of the workload; each one's usage is a sample for the one histogram
    /// (the recommender aggregates all containers of a VPA's pods), `restart` applies new requests.
    public init(spec: VPAStandInSpec, logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                pids: @escaping @Sendable () async -> [Int32], restart: @escaping @Sendable (VPA.Amounts) async throws -> VPARestartReport) {
        self.spec = spec
        self.logger = logger
        self.pids = pids
        self.restart = restart
        evictions = registry.makeCounter(descriptor: .named("meme_local_vpa_evictions_total", help: "Restarts the VPA stand-in made to apply a recommendation."),
                                         labels: [("workload", spec.workload)])
        var initial = LocalVPAStatus(
            name: spec.name, workload: spec.workload, container: spec.policy.containerName, updateMode: spec.updateMode.rawValue,
            controlledResources: spec.policy.controlledResources.map(\.rawValue), controlledValues: spec.policy.controlledValues.rawValue,
            minAllowed: ResourceAmounts(spec.policy.minAllowed), maxAllowed: ResourceAmounts(spec.policy.maxAllowed), readAt: nil,
            sampleIntervalSeconds: spec.sampleIntervalSeconds, halfLifeSeconds: spec.halfLifeSeconds, samples: 0, pid: nil,
            requests: ResourceAmounts(spec.requests), usage: nil, target: nil, lowerBound: nil, upperBound: nil, uncappedTarget: nil,
            maxMemoryBytes: spec.maxMemory(for: spec.requests), verdict: "no sample yet", wouldEvict: false, evictions: 0,
            nextCheckInSeconds: nil, events: [])
        initial.updateIntervalSeconds = spec.updateIntervalSeconds
        book = Mutex(initial)
    }

    public var status: LocalVPAStatus { book.withLock { $0 } }

    /// Stops evictions (`reason` says why, e.g. "act keda-only") or, with nil, allows them again.
    public func setPaused(_ reason: String?) {
        pausedBy.withLock { $0 = reason }
        if let reason { logger.info("VPA stand-in \(spec.name) paused: \(reason)") }
    }

    public var pausedReason: String? { pausedBy.withLock { $0 } }

    public func run() async throws {
        logger.info("""
            VPA stand-in for \(spec.name): \(spec.workload)/\(spec.policy.containerName), mode \(spec.updateMode.rawValue), \
            sampling every \(spec.sampleIntervalSeconds) s, half-life \(Int(spec.halfLifeSeconds)) s (24 h in a cluster), \
            updater every \(Int(spec.updateIntervalSeconds)) s
            """)
        let clock = ContinuousClock()
        let start = clock.now
        var state = VPAStandInState(spec: spec)
        var sampler = UsageWindow()
        var nextSample = clock.now
        var nextUpdate = clock.now + .milliseconds(Int64(spec.updateIntervalSeconds * 1000))
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now
            if now >= nextSample {
                nextSample = max(nextSample + .milliseconds(Int64(spec.sampleIntervalSeconds * 1000)), now)
                let seconds = (now - start).inSeconds
                let current = await pids()
                let usages = sampler.sample(current, at: seconds)
                for p in current {
                    state.add(cpuMillicores: usages[p]?.cpuMillicores, memoryBytes: usages[p]?.memoryBytes, atSeconds: seconds)
                }
                let untilUpdate = max(0, (nextUpdate - now).inSeconds)
                let paused = pausedReason
                book.withLock { s in
                    state.fill(&s, pid: current.first, usage: Self.mean(current.compactMap { usages[$0] }),
                               readAt: Date().timeIntervalSince1970,
                               nextCheckIn: spec.updateMode.updatesRunningPods && paused == nil ? untilUpdate : nil)
                    if let paused { s.verdict = "paused (\(paused)): \(s.verdict)"; s.wouldEvict = false }
                }
            }
            if now >= nextUpdate {
                nextUpdate = max(nextUpdate + .milliseconds(Int64(spec.updateIntervalSeconds * 1000)), now)
                if pausedReason == nil { await update(&state) }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The updater's round: evict (restart with the target) when a controlled request is outside the bounds.
    private func update(_ state: inout VPAStandInState) async {
        guard let verdict = state.verdict(), verdict.evict, let newRequests = verdict.newRequests else { return }
        let from = state.requests
        logger.info("VPA \(spec.name): \(verdict.text): restarting \(spec.workload) with \(describe(newRequests))")
        let at = Date().timeIntervalSince1970
        do {
            let report = try await restart(newRequests)
            state.requests = newRequests
            evictions.increment()
            var text = "\(verdict.text): restarted with \(describe(newRequests))"
            if let before = report.keysBefore {
                let after = report.keysAfter.map(String.init) ?? "unknown"
                let lost = report.keysAfter.map { max(0, before - $0) }
                text += "; keys \(before) → \(after)" + (lost.map { $0 > 0 ? " (\($0) lost)" : " (none lost)" } ?? "")
            }
            if let replaced = report.replaced {
                text += "; \(replaced) process\(replaced == 1 ? "" : "es") replaced in turn, served throughout"
            } else {
                text += String(format: "; down %.1f s", report.downSeconds)
            }
            book.withLock { s in
                s.requests = ResourceAmounts(newRequests)
                s.maxMemoryBytes = spec.maxMemory(for: newRequests)
                s.evictions += 1
                s.events.append(.init(at: at, from: 1, to: 1, lag: nil, reason: "evicted: \(text) (was \(describe(from)))"))
                if s.events.count > LocalScalerStatus.eventLimit { s.events.removeFirst(s.events.count - LocalScalerStatus.eventLimit) }
            }
        } catch {
            logger.error("VPA \(spec.name): restart with \(describe(newRequests)) failed: \(error)")
            book.withLock { s in
                s.events.append(.init(at: at, from: 1, to: 1, lag: nil, reason: "eviction failed: \(error)"))
            }
        }
    }

    /// The mean usage of the processes sampled (per container, as the VPA shows it); nil with none.
    static func mean(_ usages: [ResourceAmounts]) -> ResourceAmounts? {
        guard !usages.isEmpty else { return nil }
        func avg(_ values: [Int]) -> Int? { values.isEmpty ? nil : values.reduce(0, +) / values.count }
        return ResourceAmounts(cpuMillicores: avg(usages.compactMap(\.cpuMillicores)), memoryBytes: avg(usages.compactMap(\.memoryBytes)))
    }

    private func describe(_ a: VPA.Amounts) -> String {
        [a.cpuMillis.map { "cpu \(QuantityFormat.millicores($0))" }, a.memoryBytes.map { "memory \(QuantityFormat.bytes($0))" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}

/// The VPA stand-in's memory between rounds: the recommender's histograms and the requests the
/// process runs with. Pure: the caller brings samples and times.
public struct VPAStandInState: Sendable, Equatable {
    public let spec: VPAStandInSpec
    public var recommender: VPARecommender
    public var requests: VPA.Amounts
    public var samples = 0

    public init(spec: VPAStandInSpec) {
        self.spec = spec
        recommender = VPARecommender(parameters: .compressed(daySeconds: spec.halfLifeSeconds))
        requests = spec.requests
    }

    public mutating func add(cpuMillicores: Int?, memoryBytes: Int?, atSeconds: Double) {
        var added = false
        if let cpuMillicores { added = recommender.addCPUSample(millicores: cpuMillicores, atSeconds: atSeconds, requestMillicores: requests.cpuMillis) || added }
        if let memoryBytes { added = recommender.addMemorySample(bytes: memoryBytes, atSeconds: atSeconds) || added }
        if added { samples += 1 }
    }

    /// The recommendation as the updater sees it (capped by the policy, and by the limits with RequestsOnly).
    public var recommendation: VPA.ContainerRecommendation? {
        guard samples > 0, let r = recommender.recommendation(policy: spec.policy) else { return nil }
        return VPA.capToLimits(r, limits: spec.limits, controlledValues: spec.policy.controlledValues)
    }

    public struct Verdict: Sendable, Equatable {
        public var text: String
        public var evict: Bool
        /// The requests after an eviction: the target for each controlled resource, the rest unchanged.
        public var newRequests: VPA.Amounts?
    }

    /// Compares the requests with the recommendation (`VPA.assess`); eviction only in an updating mode.
    public func verdict() -> Verdict? {
        guard let r = recommendation else { return nil }
        let assessed = VPA.assess(r, requests: requests, mode: spec.updateMode)
            .filter { spec.policy.controlledResources.contains($0.resource) }
        let outside = assessed.filter { $0.position == .belowLowerBound || $0.position == .aboveUpperBound }
        let text = outside.isEmpty ? assessed.map(\.explanation).joined(separator: "; ") : outside.map(\.explanation).joined(separator: "; ")
        let evict = assessed.contains(where: \.wouldEvict)
        var next = requests
        if evict {
            if spec.policy.controlledResources.contains(.cpu), let t = r.target.cpuMillis { next.cpuMillis = t }
            if spec.policy.controlledResources.contains(.memory), let t = r.target.memoryBytes { next.memoryBytes = t }
        }
        return Verdict(text: text, evict: evict, newRequests: evict ? next : nil)
    }

    /// Writes this round's numbers into the status.
    public func fill(_ s: inout LocalVPAStatus, pid: Int32?, usage: ResourceAmounts?, readAt: Double, nextCheckIn: Double?) {
        s.readAt = readAt
        s.pid = pid
        s.samples = samples
        s.requests = ResourceAmounts(requests)
        s.maxMemoryBytes = spec.maxMemory(for: requests)
        if let usage { s.usage = usage }
        let r = recommendation
        s.target = r.map { ResourceAmounts($0.target) }
        s.lowerBound = r.map { ResourceAmounts($0.lowerBound) }
        s.upperBound = r.map { ResourceAmounts($0.upperBound) }
        s.uncappedTarget = r.map { ResourceAmounts($0.uncappedTarget) }
        if let v = verdict() {
            s.verdict = v.text
            s.wouldEvict = v.evict
        } else {
            s.verdict = pid == nil ? "\(spec.workload) is not running" : "no sample yet"
            s.wouldEvict = false
        }
        s.nextCheckInSeconds = nextCheckIn
    }
}
