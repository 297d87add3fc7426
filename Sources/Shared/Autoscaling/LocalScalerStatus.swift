/// What the local stack (`meme-stack`) serves at `GET /status` and what meme-console reads in local
/// mode: the KEDA stand-in's numbers at the top level (every number of one decision from one lag
/// reading, so the console never explains a decision with a lag read at another time), the HPA and
/// VPA stand-ins' under `hpa` and `vpa` (null when that stand-in does not run), and a VPA stand-in
/// on meme-web (the talk's conflict and harmony acts) under `web_vpa`: optional, absent or null when
/// none runs, the same shape as `vpa` with `workload` "web". JSON keys are
/// snake_case; times are Unix seconds. Absent values are null, never a guessed zero.
public struct LocalScalerStatus: Codable, Sendable, Equatable {
    /// Bumped when a key changes meaning; readers refuse a version they do not know.
    public static let currentVersion = 1

    public var version: Int
    /// Unix time of the lag read the current decision was made on (nil before the first read).
    public var readAt: Double?
    public var workload: String
    /// Worker processes running now, not counting ones draining after a scale-down.
    public var replicas: Int
    public var desiredReplicas: Int
    public var terminating: Int
    /// num_pending + num_ack_pending at `readAt`; nil when that read failed.
    public var lag: Int?
    public var lagThreshold: Int
    public var activationLagThreshold: Int
    public var minReplicas: Int
    public var maxReplicas: Int
    public var pollingIntervalSeconds: Int
    public var cooldownPeriodSeconds: Int
    public var active: Bool
    public var lastActiveAt: Double?
    /// Seconds until cooldownPeriod runs out and KEDA scales to zero; nil when that is not pending
    /// (active, already at zero, or minReplicaCount > 0).
    public var scaleToZeroInSeconds: Double?
    /// The decision in words, with its arithmetic.
    public var reason: String
    /// The most recent replica changes, oldest first, each with the numbers it was decided on.
    public var events: [Event]
    /// The HPA stand-in on meme-web; nil when the stack runs no web tier.
    public var hpa: LocalHPAStatus?
    /// The VPA stand-in on Redis; nil when the stack runs no Redis.
    public var vpa: LocalVPAStatus?
    /// The act the stand-ins play (`DemoAct` raw value); nil from a stack that has no acts.
    public var act: String?
    /// The conflict act's VPA stand-in on meme-web (CPU only); nil in the other acts.
    public var webVPA: LocalVPAStatus?

    public struct Event: Codable, Sendable, Equatable {
        /// Unix time of the decision (the lag read it used).
        public var at: Double
        public var from: Int
        public var to: Int
        public var lag: Int?
        public var reason: String

        public init(at: Double, from: Int, to: Int, lag: Int?, reason: String) {
            self.at = at
            self.from = from
            self.to = to
            self.lag = lag
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey { case at, from, to, lag, reason }

        /// By hand only so a missing lag is written as `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(at, forKey: .at)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(lag, forKey: .lag)
            try c.encode(reason, forKey: .reason)
        }
    }

    public init(version: Int = Self.currentVersion, readAt: Double?, workload: String = "worker", replicas: Int, desiredReplicas: Int,
                terminating: Int, lag: Int?, lagThreshold: Int, activationLagThreshold: Int, minReplicas: Int, maxReplicas: Int,
                pollingIntervalSeconds: Int, cooldownPeriodSeconds: Int, active: Bool, lastActiveAt: Double?,
                scaleToZeroInSeconds: Double?, reason: String, events: [Event], hpa: LocalHPAStatus? = nil, vpa: LocalVPAStatus? = nil,
                webVPA: LocalVPAStatus? = nil) {
        self.version = version
        self.readAt = readAt
        self.workload = workload
        self.replicas = replicas
        self.desiredReplicas = desiredReplicas
        self.terminating = terminating
        self.lag = lag
        self.lagThreshold = lagThreshold
        self.activationLagThreshold = activationLagThreshold
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.pollingIntervalSeconds = pollingIntervalSeconds
        self.cooldownPeriodSeconds = cooldownPeriodSeconds
        self.active = active
        self.lastActiveAt = lastActiveAt
        self.scaleToZeroInSeconds = scaleToZeroInSeconds
        self.reason = reason
        self.events = events
        self.hpa = hpa
        self.vpa = vpa
        self.webVPA = webVPA
    }

    enum CodingKeys: String, CodingKey {
        case version, workload, replicas, terminating, lag, active, reason, events, hpa, vpa, act
        case webVPA = "web_vpa"
        case readAt = "read_at"
        case desiredReplicas = "desired_replicas"
        case lagThreshold = "lag_threshold"
        case activationLagThreshold = "activation_lag_threshold"
        case minReplicas = "min_replicas"
        case maxReplicas = "max_replicas"
        case pollingIntervalSeconds = "polling_interval_seconds"
        case cooldownPeriodSeconds = "cooldown_period_seconds"
        case lastActiveAt = "last_active_at"
        case scaleToZeroInSeconds = "scale_to_zero_in_seconds"
    }

    /// Events kept in the status (the console's event log shows fewer).
    public static let eventLimit = 50

    /// Written by hand only so absent values appear as `null` (the synthesised encoder drops them).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(readAt, forKey: .readAt)
        try c.encode(workload, forKey: .workload)
        try c.encode(replicas, forKey: .replicas)
        try c.encode(desiredReplicas, forKey: .desiredReplicas)
        try c.encode(terminating, forKey: .terminating)
        try c.encode(lag, forKey: .lag)
        try c.encode(lagThreshold, forKey: .lagThreshold)
        try c.encode(activationLagThreshold, forKey: .activationLagThreshold)
        try c.encode(minReplicas, forKey: .minReplicas)
        try c.encode(maxReplicas, forKey: .maxReplicas)
        try c.encode(pollingIntervalSeconds, forKey: .pollingIntervalSeconds)
        try c.encode(cooldownPeriodSeconds, forKey: .cooldownPeriodSeconds)
        try c.encode(active, forKey: .active)
        try c.encode(lastActiveAt, forKey: .lastActiveAt)
        try c.encode(scaleToZeroInSeconds, forKey: .scaleToZeroInSeconds)
        try c.encode(reason, forKey: .reason)
        try c.encode(events, forKey: .events)
        try c.encode(hpa, forKey: .hpa)
        try c.encode(vpa, forKey: .vpa)
        try c.encode(act, forKey: .act)
        try c.encode(webVPA, forKey: .webVPA)
    }
}
