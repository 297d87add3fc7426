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
    /// meme-stack's /status; nil in cluster mode.
    public var standIn: SourceReading<LocalScalerStatus>?
    public var watched: [WatchedWorkload]
    public var recent: [RecentMeme]
    /// Answers seen over the short window (`NATSSource.answerRates`).
    public var answers: AnswerRates?
    public var load: LoadStats
    public var paused: Bool
    /// When the last pause ended (`PauseSwitch.resumedAt`).
    public var resumedAt: Double?
    public var notice: String?
    public var staleAfter: Double
    public var downAfter: Double

    public init(mode: ConsoleMode, nats: SourceReading<QueueReading>, natsLink: NATSLink, metrics: SourceReading<MetricsReading>,
                kubernetes: SourceReading<ClusterReading>?, standIn: SourceReading<LocalScalerStatus>? = nil,
                watched: [WatchedWorkload] = WatchedWorkload.defaults(), recent: [RecentMeme] = [], answers: AnswerRates? = nil,
                load: LoadStats = LoadStats(), paused: Bool = false, resumedAt: Double? = nil, notice: String? = nil,
                staleAfter: Double = 5, downAfter: Double = 60) {
        self.mode = mode
        self.nats = nats
        self.natsLink = natsLink
        self.metrics = metrics
        self.kubernetes = kubernetes
        self.standIn = standIn
        self.watched = watched
        self.recent = recent
        self.answers = answers
        self.load = load
        self.paused = paused
        self.resumedAt = resumedAt
        self.notice = notice
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
    /// The newest event already logged per stand-in ("keda", "hpa", "vpa", "web-vpa").
    var lastStandInEvents: [String: LocalScalerStatus.Event] = [:]
    /// The conflicts of the last reading, to log when one starts or ends.
    var warnings: [AutoscalerWarning] = []
    /// The HPA stand-in's syncs per metric ("cpu", "memory") over the last minutes, for the feedback trace.
    var feedback: [String: [FeedbackSample]] = [:]

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
                   redelivered: q.redelivered, lag: q.lag, lagThreshold: lagThreshold(inputs),
                   ageSeconds: inputs.nats.readAt.map { tenths(max(0, now - $0)) }, messages: q.messages, maxMessages: q.maxMessages)
    }

    var workloads: [ConsoleUI.Workload]?
    var autoscalers: Autoscalers?
    var warnings: [AutoscalerWarning] = []
    var feedback: FeedbackTrace?
    var replicaSequence = -1
    switch inputs.mode {
    case .cluster:
        if let cluster = inputs.kubernetes?.value {
            autoscalers = clusterAutoscalers(cluster, lag: inputs.nats.value?.lag, lagAge: queue?.ageSeconds,
                                             clusterAge: inputs.kubernetes?.readAt.map { tenths(max(0, now - $0)) }, now: now)
            workloads = clusterWorkloads(cluster, watched: inputs.watched)
            warnings = clusterWarnings(cluster)
            replicaSequence = inputs.kubernetes?.sequence ?? -1
        }
    case .local:
        if let standIn = inputs.standIn, let status = standIn.value {
            // Replicas, lag and desired all from the one reading the stand-in decided on.
            var list = [ConsoleUI.Workload(name: status.workload, kind: "Process", replicas: status.replicas, ready: status.replicas,
                                           desired: status.desiredReplicas)]
            if let h = status.hpa {
                list.insert(ConsoleUI.Workload(name: h.workload, kind: "Process", replicas: h.replicas,
                                               ready: h.pods.filter { $0.ready && !$0.terminating }.count, desired: h.desiredReplicas), at: 0)
            }
            if let v = status.vpa {
                let up = v.pid == nil ? 0 : 1
                list.append(ConsoleUI.Workload(name: v.workload, kind: "Process", replicas: up, ready: up, desired: 1))
            }
            workloads = list
            autoscalers = Autoscalers(hpa: status.hpa.map { [localHPA($0, now: now)] } ?? [], keda: [localKEDA(status, now: now)],
                                      // The conflict act's web VPA first: it is the one fighting the HPA.
                                      vpa: [status.webVPA, status.vpa].compactMap { $0 }.map { localVPA($0, now: now) })
            warnings = localWarnings(status)
            if let h = status.hpa {
                recordFeedback(h, into: &state.feedback)
                // Shown while the HPA fights a VPA over one of its metrics: that metric's loop.
                if let w = warnings.first(where: { $0.kind == "hpa-vpa" && $0.workload == "Process/\(h.workload)" }) {
                    feedback = feedbackTrace(h, resource: w.resource, samples: state.feedback[w.resource] ?? [])
                }
            }
            replicaSequence = standIn.sequence
            if standIn.sequence != state.replicaSequence {
                logStandInEvents(status.events, source: "keda", kind: "keda", workload: status.workload, state: &state)
                if let h = status.hpa { logStandInEvents(h.events, source: "hpa", kind: "hpa", workload: h.workload, state: &state) }
                if let v = status.vpa { logStandInEvents(v.events, source: "vpa", kind: "vpa", workload: v.workload, state: &state) }
                if let v = status.webVPA { logStandInEvents(v.events, source: "web-vpa", kind: "vpa", workload: v.workload, state: &state) }
            }
        }
    }
    if var list = workloads {
        if replicaSequence != state.replicaSequence {
            state.replicaSequence = replicaSequence
            let names = inputs.mode == .cluster ? Dictionary(inputs.watched.map { ($0.label, $0.name) }) { first, _ in first } : [:]
            // Local mode logs the stand-in's own events (with the lag each was decided on), not replica diffs.
            recordReplicas(list, names: names, autoscalers: autoscalers, lag: inputs.nats.value?.lag, logChanges: inputs.mode == .cluster,
                           state: &state, now: now)
        }
        for i in list.indices { list[i].history = state.history[list[i].name] }
        workloads = list
    }

    let throughput = inputs.metrics.value.map {
        Throughput(completedPerSecond: $0.completedPerSecond, errorsPerSecond: $0.errorsPerSecond, p50Seconds: $0.p50Seconds,
                   p95Seconds: $0.p95Seconds, submittedPerSecond: $0.submittedPerSecond)
    }
    // Without a connection nothing is being observed: unknown, not "0/s".
    let answers = inputs.natsLink.connected ? inputs.answers : nil
    // While the source is unreadable the last warnings are kept (the objects did not go away); logged when they change.
    if workloads != nil { logWarningChanges(warnings, state: &state, now: now) } else { warnings = state.warnings }
    return ConsoleSnapshot(sources: statuses, mode: inputs.mode, workloads: workloads, queue: queue, autoscalers: autoscalers,
                           throughput: throughput, answers: answers, load: inputs.load, recent: inputs.recent, events: state.events,
                           paused: inputs.paused, notice: inputs.notice, warnings: warnings, feedback: feedback,
                           natsCluster: inputs.nats.value?.cluster)
}

/// Seconds to one decimal, as the labels show them.
func tenths(_ x: Double) -> Double { (x * 10).rounded() / 10 }

/// A stand-in's events not logged yet, each with the numbers and reason it was decided on and the
/// time of that decision. KEDA's carry the lag; the VPA's are restarts ("evictions"), not replica changes.
private func logStandInEvents(_ events: [LocalScalerStatus.Event], source: String, kind: String, workload: String,
                              state: inout CollectorState) {
    var fresh = events
    if let last = state.lastStandInEvents[source] {
        if let i = fresh.lastIndex(of: last) {
            fresh = Array(fresh[(i + 1)...])
        } else {
            fresh = fresh.filter { $0.at > last.at }
        }
    }
    for e in fresh {
        let what: String
        switch kind {
        case "keda": what = "\(workload) \(e.from) → \(e.to) (lag \(e.lag.map(String.init) ?? "unknown"))"
        case "vpa": what = "\(workload)"
        default: what = "\(workload) \(e.from) → \(e.to)"
        }
        state.events.append(ScalingEvent(time: rfc3339(e.at), kind: kind, message: what + (e.reason.isEmpty ? "" : ": " + e.reason)))
    }
    if state.events.count > CollectorState.eventLimit { state.events.removeFirst(state.events.count - CollectorState.eventLimit) }
    if let newest = events.last { state.lastStandInEvents[source] = newest }
}

/// "conflict: …" when a pair of autoscalers starts fighting, "conflict over: …" when it stops.
private func logWarningChanges(_ warnings: [AutoscalerWarning], state: inout CollectorState, now: Double) {
    for w in warnings where !state.warnings.contains(w) {
        state.log("warning", "conflict: \(w.objects.joined(separator: " and ")) on \(w.resource) of \(w.workload)", at: now)
    }
    for w in state.warnings where !warnings.contains(w) {
        state.log("source", "conflict over: \(w.objects.joined(separator: " and ")) on \(w.resource) of \(w.workload)", at: now)
    }
    state.warnings = warnings
}

// MARK: - Sources

func sourceStatuses(_ inputs: CollectorInputs, now: Double) -> SourceStatuses {
    func status<V>(_ r: SourceReading<V>) -> SourceStatus {
        r.status(now: now, staleAfter: inputs.staleAfter, downAfter: inputs.downAfter, paused: inputs.paused, resumedAt: inputs.resumedAt)
    }
    var nats = status(inputs.nats)
    if !inputs.natsLink.connected {
        // The connection itself is gone: say so at once, whatever the last queue read was.
        nats = SourceStatus(state: .down, error: inputs.natsLink.reason ?? "not connected", ageSeconds: nats.ageSeconds)
    }
    let prometheus = status(inputs.metrics)
    let kubernetes = inputs.kubernetes.map {
        var s = status($0)
        if s.state == .ok, let notes = $0.value?.notes, !notes.isEmpty { s.error = notes.joined(separator: "; ") }
        return s
    } ?? SourceStatus(state: .disabled, error: "local mode: the stand-ins' /status replaces the Kubernetes API")
    let standIn = inputs.mode == .local ? (inputs.standIn.map(status) ?? SourceStatus(state: .down, error: "not configured")) : nil
    return SourceStatuses(nats: nats, prometheus: prometheus, kubernetes: kubernetes, standIn: standIn)
}

private func logSourceChanges(_ s: SourceStatuses, state: inout CollectorState, now: Double) {
    var all = [("nats", s.nats), ("prometheus", s.prometheus), ("kubernetes", s.kubernetes)]
    if let standIn = s.standIn { all.insert(("stand-in", standIn), at: 1) }
    for (name, status) in all {
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

/// lagThreshold from the worker's nats-jetstream ScaledObject (cluster) or the stand-in's /status
/// (local); nil when neither is known (never a guessed default).
func lagThreshold(_ inputs: CollectorInputs) -> Int? {
    switch inputs.mode {
    case .cluster: inputs.kubernetes?.value?.scaledObjects.compactMap(\.natsJetStreamParameters).first?.lagThreshold
    case .local: inputs.standIn?.value?.lagThreshold
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
                            logChanges: Bool, state: inout CollectorState, now: Double) {
    for w in list {
        let name = names[w.name] ?? w.name
        var h = state.history[w.name] ?? []
        h.append(w.replicas)
        if h.count > CollectorState.historyLength { h.removeFirst(h.count - CollectorState.historyLength) }
        state.history[w.name] = h
        let before = state.lastReplicas[w.name]
        state.lastReplicas[w.name] = w.replicas
        if logChanges, let before, before != w.replicas {
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
    // Cluster mode sees the change after the fact: the lag is the one read now, not the one KEDA decided on.
    if a?.keda.contains(where: { matches($0.targetRef, name) }) == true, let lag { return " (lag \(lag) when seen)" }
    if let hpa = a?.hpa.first(where: { matches($0.targetRef, name) }), let m = hpa.metrics.first(where: { $0.current != nil }) {
        return " (\(m.explanation))"
    }
    return ""
}

// MARK: - Autoscalers

func clusterAutoscalers(_ cluster: ClusterReading, lag: Int?, lagAge: Double? = nil, clusterAge: Double? = nil, now: Double) -> Autoscalers {
    // KEDA's own HPA is explained by its ScaledObject's lines; shown as an HPA only when that ScaledObject was not read.
    let scaledObjectNames = Set(cluster.scaledObjects.map(\.name))
    let hpas = cluster.hpas.filter { $0.scaledObject.map { !scaledObjectNames.contains($0) } ?? true }.map { hpaStatus($0, now: now) }
    let keda = cluster.scaledObjects.map { so in
        let target = cluster.workloads.first { $0.name == so.scaleTargetName && $0.namespace == so.namespace }
        var status = kedaStatus(so, lag: lag, lagAge: lagAge, clusterAge: clusterAge, currentReplicas: target?.replicas, now: now)
        // Short of zero, KEDA's own HPA scales down, held by its stabilisation window like any HPA.
        if status.countdown == nil, let own = cluster.hpas.first(where: { $0.scaledObject == so.name && $0.namespace == so.namespace }) {
            status.countdown = hpaStatus(own, now: now).countdown
        }
        return status
    }
    let vpas = cluster.vpas.map { vpa in
        let target = cluster.workloads.first { $0.name == vpa.targetName && $0.namespace == vpa.namespace }
        return vpaStatus(vpa, containers: target?.containers ?? [], now: now)
    }
    return Autoscalers(hpa: hpas, keda: keda, vpa: vpas)
}

func hpaStatus(_ h: HorizontalPodAutoscaler, now: Double) -> HPAStatus {
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
    let held = Countdowns.hpaScaleDown(
        ableToScaleReason: h.conditions.first { $0.type == "AbleToScale" && $0.isTrue }?.reason,
        lastScaleSeconds: h.lastScaleTime.flatMap(parseRFC3339),
        windowSeconds: (h.behavior ?? HPA.Behavior()).scaleDown.stabilizationWindowSeconds, nowSeconds: now)
    return HPAStatus(name: h.name, targetRef: "\(h.scaleTargetKind)/\(h.scaleTargetName)", min: h.minReplicas, max: h.maxReplicas,
                     current: h.currentReplicas, desired: h.desiredReplicas, metrics: metrics, conditions: conditions,
                     lastScaleTime: h.lastScaleTime, countdown: countdown(held))
}

/// The pure countdown as the snapshot carries it (seconds to a tenth).
func countdown(_ c: Countdown?) -> AutoscalerCountdown? {
    c.map { AutoscalerCountdown(action: $0.action, seconds: $0.seconds.map(tenths), bound: $0.bound.rawValue, rule: $0.rule) }
}

/// A ScaledObject with the console's own NATS lag through KEDA's formula. A trigger other than
/// nats-jetstream gives no lag, threshold or desired count here: those stay nil (unknown), only what the
/// object says (trigger, min/max, Active, lastActiveTime + cooldownPeriod) is shown.
func kedaStatus(_ so: ScaledObject, lag: Int?, lagAge: Double? = nil, clusterAge: Double? = nil, currentReplicas: Int?,
                now: Double) -> KEDAStatus {
    let targetRef = "Deployment/\(so.scaleTargetName)"
    let fallback = so.fallback.map { KEDAFallback(failureThreshold: $0.failureThreshold, replicas: $0.replicas) }
    let lastActive = so.lastActiveTime.flatMap(parseRFC3339)
    let cooldown = so.cooldownPeriod ?? KEDA.Defaults.cooldownPeriodSeconds
    let minimum = so.minReplicaCount ?? KEDA.Defaults.minReplicaCount
    // Counting down only while inactive with scale-to-zero allowed; unknown without lastActiveTime.
    func scaleToZero(active: Bool) -> Double? {
        guard !active, minimum == 0, let lastActive else { return nil }
        return max(0, lastActive + Double(cooldown) - now)
    }
    guard let p = so.natsJetStreamParameters else {
        let types = so.triggers.map(\.type).joined(separator: ", ")
        return KEDAStatus(name: so.name, targetRef: targetRef, active: so.isActive, trigger: types.isEmpty ? nil : types, lag: nil,
                          lagThreshold: nil, activationThreshold: nil, min: minimum, max: so.maxReplicaCount ?? KEDA.Defaults.maxReplicaCount, desired: nil,
                          fallback: fallback, cooldownPeriodSeconds: cooldown, scaleToZeroInSeconds: scaleToZero(active: so.isActive),
                          source: "kubernetes", ageSeconds: clusterAge,
                          explanation: "trigger \(types.isEmpty ? "none" : types): not a nats-jetstream scaler; KEDA reports "
                            + (so.isActive ? "Active" : "not active") + (so.isFallbackActive ? ", fallback in use" : ""),
                          countdown: countdown(Countdowns.kedaScaleToZero(
                            active: so.isActive, minReplicaCount: minimum, currentReplicas: currentReplicas, cooldownPeriodSeconds: cooldown,
                            lastActiveSeconds: lastActive, nowSeconds: now)))
    }
    let failures = so.health.values.map(\.numberOfFailures).max() ?? 0
    let decision = KEDA.decide(lag: lag, consecutiveFailures: failures, currentReplicas: currentReplicas ?? 0, parameters: p,
                               lastActiveSeconds: lastActive, nowSeconds: now)
    let active = lag == nil ? so.isActive : decision.active
    return KEDAStatus(name: so.name, targetRef: targetRef, active: active, trigger: "nats-jetstream", lag: lag,
                      lagThreshold: p.lagThreshold, activationThreshold: p.activationLagThreshold, min: p.minReplicaCount,
                      max: p.maxReplicaCount, desired: currentReplicas == nil && lag == nil ? nil : decision.desiredReplicas,
                      fallback: fallback, cooldownPeriodSeconds: p.cooldownPeriodSeconds,
                      scaleToZeroInSeconds: p.minReplicaCount == 0 && !active ? lastActive.map { max(0, $0 + Double(p.cooldownPeriodSeconds) - now) } : nil,
                      source: lag == nil ? nil : "nats", ageSeconds: lag == nil ? nil : lagAge, explanation: decision.explanation,
                      countdown: countdown(Countdowns.kedaScaleToZero(
                        active: active, minReplicaCount: p.minReplicaCount, currentReplicas: currentReplicas,
                        cooldownPeriodSeconds: p.cooldownPeriodSeconds, lastActiveSeconds: lastActive, nowSeconds: now)))
}

/// The stand-in's KEDA line: every number from its one /status reading, aged from the lag read it
/// decided on; the scale-to-zero countdown keeps running between readings.
func localKEDA(_ st: LocalScalerStatus, now: Double) -> KEDAStatus {
    let left = st.scaleToZeroInSeconds.map { s in st.readAt.map { max(0, $0 + s - now) } ?? s }
    return KEDAStatus(name: st.workload, targetRef: "Process/\(st.workload)", active: st.active, trigger: "nats-jetstream", lag: st.lag,
                      lagThreshold: st.lagThreshold, activationThreshold: st.activationLagThreshold, min: st.minReplicas,
                      max: st.maxReplicas, desired: st.desiredReplicas, cooldownPeriodSeconds: st.cooldownPeriodSeconds,
                      scaleToZeroInSeconds: left, source: "stand-in", ageSeconds: st.readAt.map { tenths(max(0, now - $0)) },
                      explanation: st.reason,
                      countdown: countdown(left.map { Countdowns.kedaScaleToZero(inSeconds: $0, cooldownPeriodSeconds: st.cooldownPeriodSeconds) }))
}

/// The HPA stand-in's line: the same HPA row as in a cluster, saying it is a stand-in and how old its sync is.
func localHPA(_ h: LocalHPAStatus, now: Double) -> HPAStatus {
    let metrics = h.metrics.map { m in
        // The line already shows "cpu 45% / 30% → 2": only the proposal's qualifier is added ("(within 10% tolerance)").
        HPAMetric(name: m.name, current: m.currentUtilization.map(Double.init), target: Double(m.targetUtilization), kind: "Utilization",
                  replicas: m.replicas, explanation: m.explanation.firstIndex(of: "(").map { String(m.explanation[$0...]) } ?? "")
    }
    let held = h.scaleDownInSeconds.map { s in h.readAt.map { max(0, $0 + s - now) } ?? s }
    let sync = h.syncPeriodSeconds == h.syncPeriodSeconds.rounded() ? "\(Int(h.syncPeriodSeconds))" : "\(h.syncPeriodSeconds)"
    return HPAStatus(name: h.name, targetRef: "Process/\(h.workload)", min: h.minReplicas, max: h.maxReplicas, current: h.replicas,
                     desired: h.desiredReplicas, metrics: metrics,
                     source: h.source, ageSeconds: h.readAt.map { tenths(max(0, now - $0)) },
                     note: "sync \(sync) s (15 s in a cluster), memory = \(h.memoryMeasure == "private" ? "private RSS" : h.memoryMeasure)", scaleDownInSeconds: held,
                     countdown: countdown(held.map { Countdowns.hpaScaleDown(heldSeconds: $0, desired: h.desiredReplicas) }))
}

/// The VPA stand-in's line: target and bounds from its recommender, the request the process runs with.
func localVPA(_ v: LocalVPAStatus, now: Double) -> VPAStatus {
    func r(_ a: ResourceAmounts?) -> Resources? {
        a.flatMap { $0.cpuMillicores == nil && $0.memoryBytes == nil ? nil : Resources(cpuMillicores: $0.cpuMillicores, memoryBytes: $0.memoryBytes) }
    }
    let container = VPAContainer(name: v.container, target: r(v.target), lowerBound: r(v.lowerBound), upperBound: r(v.upperBound),
                                 uncappedTarget: r(v.uncappedTarget), requests: r(v.requests), verdict: v.verdict)
    let halfLife = v.halfLifeSeconds >= 60 ? "\(Int(v.halfLifeSeconds / 60)) min" : "\(Int(v.halfLifeSeconds)) s"
    var note = "half-life \(halfLife) (24 h in a cluster), \(v.samples) sample\(v.samples == 1 ? "" : "s")"
    if let maxMemory = v.maxMemoryBytes { note += ", maxmemory \(QuantityFormat.bytes(maxMemory))" }
    let next = v.nextCheckInSeconds.map { s in v.readAt.map { max(0, $0 + s - now) } ?? s }
    return VPAStatus(name: v.name, targetRef: "Process/\(v.workload)", updateMode: v.updateMode, containers: [container], source: v.source,
                     ageSeconds: v.readAt.map { tenths(max(0, now - $0)) }, note: note, nextCheckInSeconds: next, evictions: v.evictions,
                     countdown: countdown(VPA.UpdateMode(rawValue: v.updateMode).flatMap {
                         Countdowns.vpaUpdater(mode: $0, wouldEvict: v.wouldEvict, nextCheckSeconds: next, updaterIntervalSeconds: v.updateIntervalSeconds ?? 60)
                     }))
}

func vpaStatus(_ v: VerticalPodAutoscaler, containers: [ContainerResources], now: Double) -> VPAStatus {
    let mode = v.updateMode ?? .auto
    var wouldEvict = false
    let list = v.recommendations.map { r -> VPAContainer in
        let requests = containers.first { $0.name == r.containerName }?.requests
        var verdict: String?
        if let requests {
            let assessed = VPA.assess(r, requests: requests, mode: mode)
            if assessed.contains(where: \.wouldEvict) { wouldEvict = true }
            let outside = assessed.filter { $0.position == .belowLowerBound || $0.position == .aboveUpperBound }
            verdict = outside.isEmpty ? "requests within bounds" : outside.map(\.explanation).joined(separator: "; ")
        }
        return VPAContainer(name: r.containerName, target: resources(r.target), lowerBound: resources(r.lowerBound),
                            upperBound: resources(r.upperBound), uncappedTarget: resources(r.uncappedTarget),
                            requests: requests.flatMap(resources), verdict: verdict)
    }
    return VPAStatus(name: v.name, targetRef: "\(v.targetKind ?? "?")/\(v.targetName ?? "?")", updateMode: mode.rawValue, containers: list,
                     countdown: countdown(Countdowns.vpaUpdater(mode: mode, wouldEvict: wouldEvict, nextCheckSeconds: nil)))
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
