/// The decision a local stand-in for KEDA makes each polling interval: KEDA activation and
/// cooldown-to-zero around an HPA with an `AverageValue` lag target (tolerance, scale-down
/// stabilisation window, scale-up policy). Pure: the caller owns clocks, history and processes.
public struct LocalScalingInput: Sendable, Equatable {
    /// Consumer lag (`num_pending + num_ack_pending`), nil when reading it failed.
    public var lag: Int?
    public var consecutiveFailures: Int
    public var currentReplicas: Int
    public var parameters: KEDA.Parameters
    public var behavior: HPA.Behavior
    public var nowSeconds: Double
    /// When the scaler was last active (lag > activation), same clock as `nowSeconds`.
    public var lastActiveSeconds: Double?
    /// Earlier raw recommendations (`LocalScalingDecision.recommendation`), for stabilisation.
    public var recentRecommendations: [HPA.Recommendation]
    /// Changes the HPA part made recently (not KEDA's 0 ↔ N), for the scaling policies' periods.
    public var recentScaleEvents: [HPA.ScaleEvent]

    public init(
        lag: Int?, consecutiveFailures: Int = 0, currentReplicas: Int, parameters: KEDA.Parameters,
        behavior: HPA.Behavior = HPA.Behavior(), nowSeconds: Double, lastActiveSeconds: Double?,
        recentRecommendations: [HPA.Recommendation] = [], recentScaleEvents: [HPA.ScaleEvent] = []
    ) {
        self.lag = lag
        self.consecutiveFailures = consecutiveFailures
        self.currentReplicas = currentReplicas
        self.parameters = parameters
        self.behavior = behavior
        self.nowSeconds = nowSeconds
        self.lastActiveSeconds = lastActiveSeconds
        self.recentRecommendations = recentRecommendations
        self.recentScaleEvents = recentScaleEvents
    }
}

public struct LocalScalingDecision: Sendable, Equatable {
    public var desiredReplicas: Int
    public var active: Bool
    /// The new `lastActiveSeconds` to keep for the next round.
    public var lastActiveSeconds: Double?
    /// Record this in the history when non-nil (what the HPA computed this round).
    public var recommendation: HPA.Recommendation?
    /// One readable line for the console's event log.
    public var reason: String

    public static func decide(_ input: LocalScalingInput) -> LocalScalingDecision {
        let p = input.parameters
        let keda = KEDA.decide(lag: input.lag, consecutiveFailures: input.consecutiveFailures, currentReplicas: input.currentReplicas,
                               parameters: p, lastActiveSeconds: input.lastActiveSeconds, nowSeconds: input.nowSeconds)
        let lastActive = keda.active && input.lag != nil ? input.nowSeconds : input.lastActiveSeconds
        guard let lag = input.lag else {
            return LocalScalingDecision(desiredReplicas: keda.desiredReplicas, active: keda.active, lastActiveSeconds: lastActive,
                                        recommendation: nil, reason: keda.explanation)
        }
        // KEDA owns 0 ↔ N: activation from zero and cooldown to zero skip the HPA.
        if keda.desiredReplicas == 0 || input.currentReplicas == 0 {
            let desired = input.currentReplicas == 0 && keda.desiredReplicas > 0 ? max(p.minReplicaCount, 1) : keda.desiredReplicas
            var reason = keda.explanation
            if desired != keda.desiredReplicas { reason += "; activate to \(desired) first" }
            return LocalScalingDecision(desiredReplicas: desired, active: keda.active, lastActiveSeconds: lastActive,
                                        recommendation: nil, reason: reason)
        }
        let floor = max(p.minReplicaCount, 1)
        let hpa = HPA.decide(
            metrics: [HPA.MetricReading(name: "lag", target: .averageValue(milli: p.lagThreshold * 1000),
                                        current: HPA.ceilDiv(lag * 1000, input.currentReplicas))],
            currentReplicas: input.currentReplicas, minReplicas: floor, maxReplicas: max(p.maxReplicaCount, floor),
            behavior: input.behavior, history: input.recentRecommendations, scaleEvents: input.recentScaleEvents,
            nowSeconds: input.nowSeconds)
        let activity = keda.active ? "active" : "inactive (cooldown)"
        return LocalScalingDecision(
            desiredReplicas: hpa.desiredReplicas, active: keda.active, lastActiveSeconds: lastActive,
            recommendation: HPA.Recommendation(replicas: min(max(hpa.metricsReplicas, floor), max(p.maxReplicaCount, floor)), atSeconds: input.nowSeconds),
            reason: "lag \(lag), \(activity): \(hpa.explanation)")
    }
}
