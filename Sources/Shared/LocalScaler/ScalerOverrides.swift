import Autoscaling

/// Command-line overrides of the ScaledObject's numbers (nil = keep the file's value).
public struct ScalerOverrides: Sendable, Equatable {
    public var minReplicaCount: Int?
    public var maxReplicaCount: Int?
    public var lagThreshold: Int?
    public var activationLagThreshold: Int?
    public var pollingIntervalSeconds: Int?
    public var cooldownPeriodSeconds: Int?
    public var scaleDownStabilizationSeconds: Int?

    public init(minReplicaCount: Int? = nil, maxReplicaCount: Int? = nil, lagThreshold: Int? = nil, activationLagThreshold: Int? = nil,
                pollingIntervalSeconds: Int? = nil, cooldownPeriodSeconds: Int? = nil, scaleDownStabilizationSeconds: Int? = nil) {
        self.minReplicaCount = minReplicaCount
        self.maxReplicaCount = maxReplicaCount
        self.lagThreshold = lagThreshold
        self.activationLagThreshold = activationLagThreshold
        self.pollingIntervalSeconds = pollingIntervalSeconds
        self.cooldownPeriodSeconds = cooldownPeriodSeconds
        self.scaleDownStabilizationSeconds = scaleDownStabilizationSeconds
    }

    /// The spec with every given value replaced; errors name the flag.
    public func apply(to spec: ScaledObjectSpec) throws(LocalScalerError) -> ScaledObjectSpec {
        func check(_ value: Int?, _ flag: String, min: Int) throws(LocalScalerError) {
            if let value, value < min { throw LocalScalerError("--\(flag) must be ≥ \(min), got \(value)") }
        }
        try check(minReplicaCount, "min-replica-count", min: 0)
        try check(maxReplicaCount, "max-replica-count", min: 1)
        try check(lagThreshold, "lag-threshold", min: 1)
        try check(activationLagThreshold, "activation-lag-threshold", min: 0)
        try check(pollingIntervalSeconds, "polling-interval", min: 1)
        try check(cooldownPeriodSeconds, "cooldown-period", min: 0)
        try check(scaleDownStabilizationSeconds, "scale-down-stabilization", min: 0)
        var s = spec
        var p = s.parameters
        if let v = minReplicaCount { p.minReplicaCount = v }
        if let v = maxReplicaCount { p.maxReplicaCount = v }
        if let v = lagThreshold { p.lagThreshold = v }
        if let v = activationLagThreshold { p.activationLagThreshold = v }
        if let v = pollingIntervalSeconds { p.pollingIntervalSeconds = v }
        if let v = cooldownPeriodSeconds { p.cooldownPeriodSeconds = v }
        if let v = scaleDownStabilizationSeconds { s.behavior.scaleDown.stabilizationWindowSeconds = v }
        guard p.minReplicaCount <= p.maxReplicaCount else {
            throw LocalScalerError("minReplicaCount \(p.minReplicaCount) is above maxReplicaCount \(p.maxReplicaCount) (check --min-replica-count / --max-replica-count)")
        }
        s.parameters = p
        return s
    }
}
