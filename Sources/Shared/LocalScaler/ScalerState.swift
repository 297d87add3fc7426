import Autoscaling

/// What the scaler remembers between polls (KEDA's last-active time and failure count, the HPA's
/// recommendation history), advanced one poll at a time. Pure: the caller brings the clock and the lag.
public struct ScalerState: Sendable, Equatable {
    public var lastActiveSeconds: Double?
    public var consecutiveFailures = 0
    public var history: [HPA.Recommendation] = []

    public init() {}

    /// One poll: `lag` nil when reading it failed. Returns the decision and keeps what the next poll needs.
    public mutating func poll(lag: Int?, currentReplicas: Int, spec: ScaledObjectSpec, nowSeconds: Double) -> LocalScalingDecision {
        consecutiveFailures = lag == nil ? consecutiveFailures + 1 : 0
        let decision = LocalScalingDecision.decide(LocalScalingInput(
            lag: lag, consecutiveFailures: consecutiveFailures, currentReplicas: currentReplicas, parameters: spec.parameters,
            behavior: spec.behavior, nowSeconds: nowSeconds, lastActiveSeconds: lastActiveSeconds, recentRecommendations: history))
        lastActiveSeconds = decision.lastActiveSeconds
        if let r = decision.recommendation { history.append(r) }
        // Only the stabilisation windows look back.
        let keep = Double(max(spec.behavior.scaleUp.stabilizationWindowSeconds, spec.behavior.scaleDown.stabilizationWindowSeconds))
        history.removeAll { nowSeconds - $0.atSeconds > keep }
        return decision
    }
}
