/// KEDA's `nats-jetstream` scaler and the HPA it drives.
///
/// From the KEDA source (pkg/scalers/nats_jetstream_scaler.go): the lag is the consumer's
/// `num_pending + num_ack_pending` from `/jsz?acc=<account>&consumers=true&config=true`
/// (the stream's `last_seq` when the consumer is missing); the scaler is active when
/// lag > `activationLagThreshold` (default 0). The metric goes to an HPA as an External
/// `AverageValue` target of `lagThreshold`, so `desired = ceil(lag / lagThreshold)` within
/// [max(minReplicaCount, 1), maxReplicaCount]. With `minReplicaCount: 0` KEDA scales to zero once
/// the scaler has been inactive for `cooldownPeriod` (default 300 s), and from zero to
/// max(minReplicaCount, 1) when it turns active (KEDA docs, "Scaling Deployments"). After
/// `fallback.failureThreshold` consecutive scaler failures the target gets `fallback.replicas`.
public enum KEDA {
    /// What KEDA assumes for the fields a ScaledObject leaves out: the one place the stand-in's file
    /// reader, the cluster readers and the console take them from. From the KEDA docs ("Scaling
    /// Deployments": pollingInterval 30, cooldownPeriod 300, minReplicaCount 0, maxReplicaCount 100;
    /// the nats-jetstream scaler: activationLagThreshold 0) and pkg/scalers/nats_jetstream_scaler.go
    /// (`defaultJetStreamLagThreshold = 10`).
    public enum Defaults {
        public static let pollingIntervalSeconds = 30
        public static let cooldownPeriodSeconds = 300
        public static let minReplicaCount = 0
        public static let maxReplicaCount = 100
        public static let lagThreshold = 10
        public static let activationLagThreshold = 0
    }

    public struct Fallback: Sendable, Equatable {
        public var failureThreshold: Int
        public var replicas: Int
        public init(failureThreshold: Int, replicas: Int) {
            self.failureThreshold = failureThreshold
            self.replicas = replicas
        }
    }

    /// The ScaledObject fields that matter for one nats-jetstream trigger.
    public struct Parameters: Sendable, Equatable {
        public var lagThreshold: Int
        public var activationLagThreshold: Int
        public var minReplicaCount: Int
        public var maxReplicaCount: Int
        public var cooldownPeriodSeconds: Int
        public var pollingIntervalSeconds: Int
        public var fallback: Fallback?

        /// KEDA's defaults (`Defaults`) for whatever is not given.
        public init(
            lagThreshold: Int = Defaults.lagThreshold, activationLagThreshold: Int = Defaults.activationLagThreshold,
            minReplicaCount: Int = Defaults.minReplicaCount, maxReplicaCount: Int = Defaults.maxReplicaCount,
            cooldownPeriodSeconds: Int = Defaults.cooldownPeriodSeconds, pollingIntervalSeconds: Int = Defaults.pollingIntervalSeconds,
            fallback: Fallback? = nil
        ) {
            self.lagThreshold = max(1, lagThreshold)
            self.activationLagThreshold = activationLagThreshold
            self.minReplicaCount = minReplicaCount
            self.maxReplicaCount = maxReplicaCount
            self.cooldownPeriodSeconds = cooldownPeriodSeconds
            self.pollingIntervalSeconds = pollingIntervalSeconds
            self.fallback = fallback
        }

        /// This demo's worker (k8s/base/worker/scaledobject.yaml): lagThreshold 5, activation 0, scale to
        /// zero after 60 s without a meme at any of the 1 s polls, at most 10 replicas.
        public static let memeWorker = Parameters(lagThreshold: 5, activationLagThreshold: 0, minReplicaCount: 0, maxReplicaCount: 10,
                                                  cooldownPeriodSeconds: 60, pollingIntervalSeconds: 1)
    }

    /// The lag the scaler reports for a consumer.
    public static func lag(numPending: Int, numAckPending: Int) -> Int { numPending + numAckPending }

    public static func isActive(lag: Int, _ parameters: Parameters) -> Bool { lag > parameters.activationLagThreshold }

    /// What the HPA behind KEDA would ask for, before its own tolerance and stabilisation.
    public static func hpaReplicas(lag: Int, _ parameters: Parameters) -> Int {
        let floor = max(parameters.minReplicaCount, 1)
        let wanted = HPA.ceilDiv(max(0, lag), parameters.lagThreshold)
        return min(max(wanted, floor), max(parameters.maxReplicaCount, floor))
    }

    public struct Decision: Sendable, Equatable {
        public var desiredReplicas: Int
        public var active: Bool
        /// "lag 23 > activation 1: active; ceil(23 / 5) = 5 replicas"
        public var explanation: String
    }

    /// One evaluation. `lag` nil means the scaler failed (`consecutiveFailures` times in a row now).
    /// `lastActiveSeconds` is when the scaler was last active, on the same clock as `nowSeconds`.
    public static func decide(
        lag: Int?, consecutiveFailures: Int = 0, currentReplicas: Int, parameters p: Parameters,
        lastActiveSeconds: Double?, nowSeconds: Double
    ) -> Decision {
        guard let lag else {
            if let fallback = p.fallback, consecutiveFailures >= fallback.failureThreshold {
                return Decision(desiredReplicas: fallback.replicas, active: currentReplicas > 0,
                                explanation: "scaler failed \(consecutiveFailures)× (≥ \(fallback.failureThreshold)): fallback \(fallback.replicas) replicas")
            }
            return Decision(desiredReplicas: currentReplicas, active: currentReplicas > 0,
                            explanation: "scaler failed \(consecutiveFailures)×: keeps \(currentReplicas) replicas")
        }
        let active = isActive(lag: lag, p)
        let comparison = "lag \(lag) \(active ? ">" : "≤") activation \(p.activationLagThreshold)"
        if active {
            let replicas = hpaReplicas(lag: lag, p)
            return Decision(desiredReplicas: replicas, active: true,
                            explanation: "\(comparison): active; ceil(\(lag) / \(p.lagThreshold)) → \(replicas) \(HPA.replicas(replicas))\(bounds(lag, replicas, p))")
        }
        if p.minReplicaCount > 0 {
            let replicas = hpaReplicas(lag: lag, p)
            return Decision(desiredReplicas: replicas, active: false,
                            explanation: "\(comparison): inactive; minReplicaCount \(p.minReplicaCount) → \(replicas)")
        }
        if currentReplicas == 0 {
            return Decision(desiredReplicas: 0, active: false, explanation: "\(comparison): inactive; stays at 0")
        }
        let idleFor = lastActiveSeconds.map { nowSeconds - $0 } ?? .infinity
        if idleFor >= Double(p.cooldownPeriodSeconds) {
            return Decision(desiredReplicas: 0, active: false,
                            explanation: "\(comparison): inactive for ≥ cooldown \(p.cooldownPeriodSeconds) s → 0 replicas")
        }
        let replicas = hpaReplicas(lag: lag, p)
        let remaining = Int((Double(p.cooldownPeriodSeconds) - idleFor).rounded(.up))
        return Decision(desiredReplicas: replicas, active: false,
                        explanation: "\(comparison): inactive, cooldown \(remaining) s left → \(replicas) \(HPA.replicas(replicas))")
    }

    private static func bounds(_ lag: Int, _ replicas: Int, _ p: Parameters) -> String {
        let raw = HPA.ceilDiv(max(0, lag), p.lagThreshold)
        if raw > replicas { return " (maxReplicaCount \(p.maxReplicaCount))" }
        if raw < replicas { return " (at least \(replicas))" }
        return ""
    }
}
