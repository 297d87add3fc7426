import Autoscaling

/// Builds the supervisor's `GET /status` from one poll at a time: the lag read, the decision made
/// on it and the replica change it caused all land together, so an event always carries the lag it
/// was decided on (not a later read, after the queue drained). Pure: the caller brings the clocks.
public struct StatusBook: Sendable, Equatable {
    public private(set) var status: LocalScalerStatus

    public init(spec: ScaledObjectSpec, workload: String = "worker") {
        let p = spec.parameters
        status = LocalScalerStatus(
            readAt: nil, workload: workload, replicas: 0, desiredReplicas: 0, terminating: 0, lag: nil,
            lagThreshold: p.lagThreshold, activationLagThreshold: p.activationLagThreshold, minReplicas: p.minReplicaCount,
            maxReplicas: p.maxReplicaCount, pollingIntervalSeconds: p.pollingIntervalSeconds,
            cooldownPeriodSeconds: p.cooldownPeriodSeconds, active: false, lastActiveAt: nil, scaleToZeroInSeconds: nil,
            reason: "no lag read yet", events: [])
    }

    /// One poll. `readAt` is the Unix time of the lag read, `nowSeconds` the scaler's own clock at
    /// that read (the one `decision` used); `from` the replicas before acting, `replicas` and
    /// `terminating` after.
    public mutating func record(
        decision: LocalScalingDecision, lag: Int?, readAt: Double, nowSeconds: Double,
        from: Int, replicas: Int, terminating: Int
    ) {
        status.readAt = readAt
        status.lag = lag
        status.replicas = replicas
        status.desiredReplicas = decision.desiredReplicas
        status.terminating = terminating
        status.active = decision.active
        status.lastActiveAt = decision.lastActiveSeconds.map { readAt - (nowSeconds - $0) }
        status.scaleToZeroInSeconds = Self.scaleToZeroIn(decision: decision, lag: lag, nowSeconds: nowSeconds,
                                                         minReplicas: status.minReplicas,
                                                         cooldown: status.cooldownPeriodSeconds,
                                                         polling: status.pollingIntervalSeconds)
        status.reason = decision.reason
        if decision.desiredReplicas != from {
            status.events.append(.init(at: readAt, from: from, to: decision.desiredReplicas, lag: lag, reason: decision.reason))
            if status.events.count > LocalScalerStatus.eventLimit {
                status.events.removeFirst(status.events.count - LocalScalerStatus.eventLimit)
            }
        }
    }

    /// Seconds after this read until the poll that scales to zero, if the lag stays at or below the
    /// activation threshold. KEDA checks the cooldown only when it polls, so that is the first poll
    /// at least cooldownPeriod after the last active one. nil when nothing is counting down:
    /// active, at zero (or going there now), minReplicaCount > 0, or the lag unreadable (KEDA then
    /// keeps the replicas).
    static func scaleToZeroIn(decision: LocalScalingDecision, lag: Int?, nowSeconds: Double, minReplicas: Int,
                              cooldown: Int, polling: Int) -> Double? {
        guard lag != nil, !decision.active, minReplicas == 0, decision.desiredReplicas > 0 else { return nil }
        guard let last = decision.lastActiveSeconds else { return Double(max(polling, 1)) }
        let remaining = Double(cooldown) - (nowSeconds - last)
        let interval = Double(max(polling, 1))
        // The poll after this one that first sees idle ≥ cooldown (this one did not, or we would be at zero).
        return max(1, (remaining / interval).rounded(.up)) * interval
    }
}
