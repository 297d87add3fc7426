import Autoscaling

/// What the scaler remembers between polls (KEDA's last-active time and failure count, the HPA's
/// recommendation history), advanced one poll at a time. Pure: the caller brings the clock and the lag.
public struct ScalerState: Sendable, Equatable {
    public var lastActiveSeconds: Double?
    public var consecutiveFailures = 0
    public var history: [HPA.Recommendation] = []
    /// The HPA part's own replica changes (KEDA's 0 ↔ N steps are not the HPA's), for its policy periods.
    public var scaleEvents: [HPA.ScaleEvent] = []
    /// The count the last decision set (a Deployment's spec.replicas): what the HPA scales from.
    /// Workers still starting are not yet in the pool's count, and counting from that would let
    /// every poll of a slow start record another "scale event" and pin the policy's limit.
    public var setReplicas = 0

    public init() {}

    /// One poll: `lag` nil when reading it failed. Returns the decision and keeps what the next poll needs.
    public mutating func poll(lag: Int?, currentReplicas running: Int, spec: ScaledObjectSpec, nowSeconds: Double) -> LocalScalingDecision {
        let currentReplicas = max(running, setReplicas)
        consecutiveFailures = lag == nil ? consecutiveFailures + 1 : 0
        let decision = LocalScalingDecision.decide(LocalScalingInput(
            lag: lag, consecutiveFailures: consecutiveFailures, currentReplicas: currentReplicas, parameters: spec.parameters,
            behavior: spec.behavior, nowSeconds: nowSeconds, lastActiveSeconds: lastActiveSeconds, recentRecommendations: history,
            recentScaleEvents: scaleEvents))
        lastActiveSeconds = decision.lastActiveSeconds
        if let r = decision.recommendation { history.append(r) }
        if currentReplicas > 0, decision.desiredReplicas > 0, decision.desiredReplicas != currentReplicas {
            scaleEvents.append(HPA.ScaleEvent(change: decision.desiredReplicas - currentReplicas, atSeconds: nowSeconds))
        }
        setReplicas = decision.desiredReplicas
        // Only the stabilisation windows and the policy periods look back.
        let keep = Double(max(spec.behavior.scaleUp.stabilizationWindowSeconds, spec.behavior.scaleDown.stabilizationWindowSeconds))
        history.removeAll { nowSeconds - $0.atSeconds > keep }
        let period = Double(HPA.longestPeriodSeconds(spec.behavior))
        scaleEvents.removeAll { nowSeconds - $0.atSeconds >= period }
        return decision
    }
}
