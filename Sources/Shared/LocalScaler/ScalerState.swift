import Autoscaling

/// What the scaler remembers between polls (KEDA's last-active time and failure count, the HPA's
/// recommendation history), advanced one poll at a time. Pure: the caller brings the clock and the lag.
public struct ScalerState: Sendable, Equatable {
    public var lastActiveSeconds: Double?
    public var consecutiveFailures = 0
    public var history: [HPA.Recommendation] = []
    /// The HPA part's own replica changes (KEDA's 0 ↔ N steps are not the HPA's), for its policy periods.
    public var scaleEvents: [HPA.ScaleEvent] = []

    public init() {}

    /// One poll: `lag` nil when reading it failed. Returns the decision and keeps what the next poll needs.
    public mutating func poll(lag: Int?, currentReplicas: Int, spec: ScaledObjectSpec, nowSeconds: Double) -> LocalScalingDecision {
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
        // Only the stabilisation windows and the policy periods look back.
        let keep = Double(max(spec.behavior.scaleUp.stabilizationWindowSeconds, spec.behavior.scaleDown.stabilizationWindowSeconds))
        history.removeAll { nowSeconds - $0.atSeconds > keep }
        let period = Double(HPA.longestPeriodSeconds(spec.behavior))
        scaleEvents.removeAll { nowSeconds - $0.atSeconds >= period }
        return decision
    }
}
