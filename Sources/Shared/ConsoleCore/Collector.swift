import Autoscaling
import ClusterReaders
import ConsoleUI
import Foundation

/// Everything the collector needs at one instant: the latest result of every source plus the app's own state.
public struct CollectorInputs: Sendable {
    public var mode: ConsoleMode
    public var nats: SourceReading<QueueReading>
    public var natsLink: NATSLink
    public var metrics: SourceReading<MetricsReading>
    /// nil in local mode (Kubernetes is not used).
    public var kubernetes: SourceReading<ClusterReading>?
    public var watched: [WatchedWorkload]
    public var recent: [RecentMeme]
    public var load: LoadStats
    public var paused: Bool
    public var notice: String?
    /// Used when neither a ScaledObject nor the local stand-in says otherwise.
    public var defaultLagThreshold: Int
    public var staleAfter: Double
    public var downAfter: Double

    public init(mode: ConsoleMode, nats: SourceReading<QueueReading>, natsLink: NATSLink, metrics: SourceReading<MetricsReading>,
                kubernetes: SourceReading<ClusterReading>?, watched: [WatchedWorkload] = WatchedWorkload.defaults(),
                recent: [RecentMeme] = [], load: LoadStats = LoadStats(), paused: Bool = false, notice: String? = nil,
                defaultLagThreshold: Int = 5, staleAfter: Double = 5, downAfter: Double = 60) {
        self.mode = mode
        self.nats = nats
        self.natsLink = natsLink
        self.metrics = metrics
        self.kubernetes = kubernetes
        self.watched = watched
        self.recent = recent
        self.load = load
        self.paused = paused
        self.notice = notice
        self.defaultLagThreshold = defaultLagThreshold
        self.staleAfter = staleAfter
        self.downAfter = downAfter
    }
}

/// What the collector remembers between snapshots: replica history for the sparklines and the
/// event log, built from changes between successive readings.
public struct CollectorState: Sendable {
    public static let historyLength = 120
    public static let eventLimit = 50

    public var history: [String: [Int]] = [:]
    public var events: [ScalingEvent] = []
    var lastReplicas: [String: Int] = [:]
    var lastStates: [String: SourceState] = [:]
    /// Sources that were ok at least once: only those can be "ok again".
    var everOK: Set<String> = []
    var atMax: Set<String> = []
    var replicaSequence = -1

    public init() {}

    mutating func log(_ kind: String, _ message: String, at now: Double) {
        events.append(ScalingEvent(time: rfc3339(now), kind: kind, message: message))
        if events.count > Self.eventLimit { events.removeFirst(events.count - Self.eventLimit) }
    }
}

/// Builds the snapshot from the sources' latest results. Pure apart from `state`, which gains history
/// and events only when a source delivered a new reading or changed state.
public func assemble(_ inputs: CollectorInputs, state: inout CollectorState, now: Double) -> ConsoleSnapshot {
    let statuses = sourceStatuses(inputs, now: now)
    logSourceChanges(statuses, state: &state, now: now)

    let queue = inputs.nats.value.map { q in
        QueueStats(stream: q.stream, consumer: q.consumer, pending: q.pending, ackPending: q.ackPending,
                   redelivered: q.redelivered, lag: q.lag, lagThreshold: lagThreshold(inputs))
    }

    var workloads: [ConsoleUI.Workload]?
    var autoscalers: Autoscalers?
    var replicaSequence = -1
    switch inputs.mode {
    case .cluster:
        if let cluster = inputs.kubernetes?.value {
            autoscalers = clusterAutoscalers(cluster, lag: inputs.nats.value?.lag, now: now)
            workloads = clusterWorkloads(cluster, watched: inputs.watched)
            replicaSequence = inputs.kubernetes?.sequence ?? -1
        }
    case .local:
        if let local = inputs.metrics.value?.localScaler {
            workloads = [ConsoleUI.Workload(name: "worker", kind: "Process", replicas: local.replicas, ready: local.replicas, desired: local.desired)]
            autoscalers = Autoscalers(keda: [localKEDA(local, lag: inputs.nats.value?.lag, defaultThreshold: inputs.defaultLagThreshold)])
            replicaSequence = inputs.metrics.sequence
        }
    }
    if var list = workloads {
        if replicaSequence != state.replicaSequence {
            state.replicaSequence = replicaSequence
            let names = inputs.mode == .cluster ? Dictionary(inputs.watched.map { ($0.label, $0.name) }) { first, _ in first } : [:]
            recordReplicas(list, names: names, autoscalers: autoscalers, lag: inputs.nats.value?.lag, state: &state, now: now)
        }
        for i in list.indices { list[i].history = state.history[list[i].name] }
        workloads = list
    }

    let throughput = inputs.metrics.value.map {
        Throughput(completedPerSecond: $0.completedPerSecond, errorsPerSecond: $0.errorsPerSecond, p50Seconds: $0.p50Seconds,
                   p95Seconds: $0.p95Seconds, submittedPerSecond: $0.submittedPerSecond)
    }
    return ConsoleSnapshot(sources: statuses, mode: inputs.mode, workloads: workloads, queue: queue, autoscalers: autoscalers,
                           throughput: throughput, load: inputs.load, recent: inputs.recent, events: state.events,
                           paused: inputs.paused, notice: inputs.notice)
}

// MARK: - Sources

func sourceStatuses(_ inputs: CollectorInputs, now: Double) -> SourceStatuses {
    var nats = inputs.nats.status(now: now, staleAfter: inputs.staleAfter, downAfter: inputs.downAfter, paused: inputs.paused)
    if !inputs.natsLink.connected {
        // The connection itself is gone: say so at once, whatever the last queue read was.
        nats = SourceStatus(state: .down, error: inputs.natsLink.reason ?? "not connected", ageSeconds: nats.ageSeconds)
    }
    let prometheus = inputs.metrics.status(now: now, staleAfter: inputs.staleAfter, downAfter: inputs.downAfter, paused: inputs.paused)
    let kubernetes = inputs.kubernetes.map {
        var status = $0.status(now: now, staleAfter: inputs.staleAfter, downAfter: inputs.downAfter, paused: inputs.paused)
        if status.state == .ok, let notes = $0.value?.notes, !notes.isEmpty { status.error = notes.joined(separator: "; ") }
        return status
    } ?? SourceStatus(state: .disabled, error: "local mode: HPA, VPA and the cluster's KEDA need a cluster")
    return SourceStatuses(nats: nats, prometheus: prometheus, kubernetes: kubernetes)
}

private func logSourceChanges(_ s: SourceStatuses, state: inout CollectorState, now: Double) {
    for (name, status) in [("nats", s.nats), ("prometheus", s.prometheus), ("kubernetes", s.kubernetes)] {
        let before = state.lastStates[name]
        state.lastStates[name] = status.state
        let wasOK = state.everOK.contains(name)
        if status.state == .ok { state.everOK.insert(name) }
        guard let before, before != status.state else { continue }
        switch status.state {
        case .ok: if wasOK { state.log("source", "\(name) ok again", at: now) }
        case .stale: state.log("warning", "\(name) stale: \(status.error ?? "no update")", at: now)
        case .down: state.log("warning", "\(name) down: \(status.error ?? "unknown")", at: now)
        case .disabled: break
        }
    }
}

/// lagThreshold from the worker's ScaledObject (cluster), the stand-in's gauge (local), else the default.
func lagThreshold(_ inputs: CollectorInputs) -> Int {
    switch inputs.mode {
    case .cluster:
        let params = inputs.kubernetes?.value?.scaledObjects.compactMap(\.natsJetStreamParameters).first
        return params?.lagThreshold ?? inputs.defaultLagThreshold
    case .local:
        return inputs.metrics.value?.localScaler?.lagThreshold ?? inputs.defaultLagThreshold
    }
}

// MARK: - Workloads and events

func clusterWorkloads(_ cluster: ClusterReading, watched: [WatchedWorkload]) -> [ConsoleUI.Workload] {
    watched.compactMap { w in
        guard let found = cluster.workloads.first(where: { $0.kind == w.kind && $0.namespace == w.namespace && $0.name == w.name }) else {
            return nil
        }
        return ConsoleUI.Workload(name: w.label, kind: w.kind, replicas: found.replicas, ready: found.readyReplicas,
                        desired: found.desiredReplicas ?? found.replicas)
    }
}

/// `names`: screen label → object name (the autoscalers' targetRefs use object names).
private func recordReplicas(_ list: [ConsoleUI.Workload], names: [String: String], autoscalers: Autoscalers?, lag: Int?,
                            state: inout CollectorState, now: Double) {
    for w in list {
        let name = names[w.name] ?? w.name
        var h = state.history[w.name] ?? []
        h.append(w.replicas)
        if h.count > CollectorState.historyLength { h.removeFirst(h.count - CollectorState.historyLength) }
        state.history[w.name] = h
        let before = state.lastReplicas[w.name]
        state.lastReplicas[w.name] = w.replicas
        if let before, before != w.replicas {
            state.log(scalerKind(name, autoscalers), "\(w.name) \(before) → \(w.replicas)" + reason(name, autoscalers, lag: lag), at: now)
        }
        if let hpa = autoscalers?.hpa.first(where: { matches($0.targetRef, name) }) {
            let atMax = hpa.current >= hpa.max
            if atMax && !state.atMax.contains(w.name) { state.log("warning", "\(w.name) HPA at max \(hpa.max)", at: now) }
            if atMax { state.atMax.insert(w.name) } else { state.atMax.remove(w.name) }
        }
    }
}

private func matches(_ targetRef: String, _ name: String) -> Bool {
    (targetRef.split(separator: "/").last.map(String.init) ?? targetRef) == name
}

private func scalerKind(_ name: String, _ a: Autoscalers?) -> String {
    if a?.keda.contains(where: { matches($0.targetRef, name) }) == true { return "keda" }
    if a?.hpa.contains(where: { matches($0.targetRef, name) }) == true { return "hpa" }
    return "scale"
}

private func reason(_ name: String, _ a: Autoscalers?, lag: Int?) -> String {
    if a?.keda.contains(where: { matches($0.targetRef, name) }) == true, let lag { return " (lag \(lag))" }
    if let hpa = a?.hpa.first(where: { matches($0.targetRef, name) }), let m = hpa.metrics.first(where: { $0.current != nil }) {
        return " (\(m.explanation))"
    }
    return ""
}

// MARK: - Autoscalers

func clusterAutoscalers(_ cluster: ClusterReading, lag: Int?, now: Double) -> Autoscalers {
    // KEDA's own HPA is explained by its ScaledObject's lines; shown as an HPA only when that ScaledObject was not read.
    let scaledObjectNames = Set(cluster.scaledObjects.map(\.name))
    let hpas = cluster.hpas.filter { $0.scaledObject.map { !scaledObjectNames.contains($0) } ?? true }.map(hpaStatus)
    let keda = cluster.scaledObjects.map { so in
        let target = cluster.workloads.first { $0.name == so.scaleTargetName && $0.namespace == so.namespace }
        return kedaStatus(so, lag: lag, currentReplicas: target?.replicas, now: now)
    }
    let vpas = cluster.vpas.map { vpa in
        let target = cluster.workloads.first { $0.name == vpa.targetName && $0.namespace == vpa.namespace }
        return vpaStatus(vpa, containers: target?.containers ?? [])
    }
    return Autoscalers(hpa: hpas, keda: keda, vpa: vpas)
}

func hpaStatus(_ h: HorizontalPodAutoscaler) -> HPAStatus {
    let metrics = h.metrics.map { m -> HPAMetric in
        guard let reading = m.reading else {
            return HPAMetric(name: m.name, current: nil, target: 0, kind: m.type, replicas: nil, explanation: "\(m.name): target not understood")
        }
        let proposal = HPA.propose(reading, currentReplicas: h.currentReplicas)
        let (kind, target, scale): (String, Double, Double) = switch reading.target {
        case .utilization(let p): ("Utilization", Double(p), 1)
        case .averageValue(let m): ("AverageValue", Double(m) / 1000, 1000)
        case .value(let m): ("Value", Double(m) / 1000, 1000)
        }
        return HPAMetric(name: m.name, current: m.current.map { Double($0) / scale }, target: target, kind: kind,
                         replicas: proposal.replicas, explanation: proposal.explanation)
    }
    let conditions = h.conditions.map {
        HPACondition(type: $0.type, status: $0.status, reason: $0.reason ?? "", message: $0.message ?? "")
    }
    return HPAStatus(name: h.name, targetRef: "\(h.scaleTargetKind)/\(h.scaleTargetName)", min: h.minReplicas, max: h.maxReplicas,
                     current: h.currentReplicas, desired: h.desiredReplicas, metrics: metrics, conditions: conditions,
                     lastScaleTime: nil)
}

func kedaStatus(_ so: ScaledObject, lag: Int?, currentReplicas: Int?, now: Double) -> KEDAStatus {
    let targetRef = "Deployment/\(so.scaleTargetName)"
    let fallback = so.fallback.map { KEDAFallback(failureThreshold: $0.failureThreshold, replicas: $0.replicas) }
    guard let p = so.natsJetStreamParameters else {
        let types = so.triggers.map(\.type).joined(separator: ", ")
        let current = currentReplicas ?? 0
        return KEDAStatus(name: so.name, targetRef: targetRef, active: so.isActive, lag: nil, lagThreshold: 0, activationThreshold: 0,
                          min: so.minReplicaCount ?? 0, max: so.maxReplicaCount ?? 100, desired: current, fallback: fallback,
                          explanation: "trigger \(types.isEmpty ? "none" : types): not a nats-jetstream scaler; KEDA reports "
                            + (so.isActive ? "Active" : "not active") + (so.isFallbackActive ? ", fallback in use" : ""))
    }
    let failures = so.health.values.map(\.numberOfFailures).max() ?? 0
    let lastActive = so.lastActiveTime.flatMap(parseRFC3339)
    let decision = KEDA.decide(lag: lag, consecutiveFailures: failures, currentReplicas: currentReplicas ?? 0, parameters: p,
                               lastActiveSeconds: lastActive, nowSeconds: now)
    return KEDAStatus(name: so.name, targetRef: targetRef, active: lag == nil ? so.isActive : decision.active, lag: lag,
                      lagThreshold: p.lagThreshold, activationThreshold: p.activationLagThreshold, min: p.minReplicaCount,
                      max: p.maxReplicaCount, desired: decision.desiredReplicas, fallback: fallback, explanation: decision.explanation)
}

func localKEDA(_ l: LocalScalerReading, lag natsLag: Int?, defaultThreshold: Int) -> KEDAStatus {
    let threshold = l.lagThreshold ?? defaultThreshold
    let lag = l.lag ?? natsLag
    var explanation = l.reason ?? ""
    if explanation.isEmpty, let lag, threshold > 0 {
        explanation = "ceil(\(lag) / \(threshold)) = \((lag + threshold - 1) / threshold)"
    }
    return KEDAStatus(name: "local stand-in for KEDA", targetRef: "Process/worker", active: l.active, lag: lag, lagThreshold: threshold,
                      activationThreshold: l.activationThreshold ?? 0, min: l.minReplicas ?? 0, max: l.maxReplicas ?? max(l.desired, 1),
                      desired: l.desired, explanation: explanation)
}

func vpaStatus(_ v: VerticalPodAutoscaler, containers: [ContainerResources]) -> VPAStatus {
    let mode = v.updateMode ?? .auto
    let list = v.recommendations.map { r -> VPAContainer in
        let requests = containers.first { $0.name == r.containerName }?.requests
        var verdict: String?
        if let requests {
            let assessed = VPA.assess(r, requests: requests, mode: mode)
            let outside = assessed.filter { $0.position == .belowLowerBound || $0.position == .aboveUpperBound }
            verdict = outside.isEmpty ? "requests within bounds" : outside.map(\.explanation).joined(separator: "; ")
        }
        return VPAContainer(name: r.containerName, target: resources(r.target), lowerBound: resources(r.lowerBound),
                            upperBound: resources(r.upperBound), uncappedTarget: resources(r.uncappedTarget),
                            requests: requests.flatMap(resources), verdict: verdict)
    }
    return VPAStatus(name: v.name, targetRef: "\(v.targetKind ?? "?")/\(v.targetName ?? "?")", updateMode: mode.rawValue, containers: list)
}

private func resources(_ a: VPA.Amounts) -> Resources? {
    a.cpuMillis == nil && a.memoryBytes == nil ? nil : Resources(cpuMillicores: a.cpuMillis, memoryBytes: a.memoryBytes)
}

// MARK: - Time

func rfc3339(_ seconds: Double) -> String {
    var t = time_t(seconds.rounded(.down))
    var parts = tm()
    gmtime_r(&t, &parts)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                  Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
}

func parseRFC3339(_ text: String) -> Double? {
    let formatter = ISO8601DateFormatter()
    return formatter.date(from: text)?.timeIntervalSince1970
}
