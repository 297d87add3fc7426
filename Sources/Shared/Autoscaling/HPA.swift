/// The HorizontalPodAutoscaler replica arithmetic, as documented in "Horizontal Pod Autoscaling →
/// Algorithm details" (kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/):
/// `desiredReplicas = ceil(currentReplicas × currentMetricValue / desiredMetricValue)`, no change
/// while the ratio is within the tolerance (default 0.1) of 1.0, the largest proposal over all
/// metrics wins, then stabilisation, scaling policies and min/max bounds apply.
public enum HPA {
    /// What a metric is compared with.
    public enum Target: Sendable, Equatable {
        /// Average utilisation in percent of the pods' requests (Resource / ContainerResource metrics).
        case utilization(percent: Int)
        /// Target per pod, in milli-units (Pods metrics, or Object/External with `AverageValue`).
        case averageValue(milli: Int)
        /// Target for the whole metric, in milli-units (Object/External with `Value`).
        case value(milli: Int)
    }

    /// One metric's target and current reading. Current values are as the HPA status shows them:
    /// utilisation percent, per-pod average (milli), or total value (milli).
    public struct MetricReading: Sendable, Equatable {
        /// Short name for explanations ("cpu", "memory", "s0-nats-jetstream-MEMES").
        public var name: String
        public var target: Target
        /// Nil when the metric could not be read (then it proposes nothing).
        public var current: Int?

        public init(name: String, target: Target, current: Int?) {
            self.name = name
            self.target = target
            self.current = current
        }
    }

    public struct MetricProposal: Sendable, Equatable {
        public var name: String
        /// Replicas this metric asks for (before min/max), nil when the metric is missing.
        public var replicas: Int?
        /// "cpu 93% / 30% → 4 replicas"
        public var explanation: String

        public init(name: String, replicas: Int?, explanation: String) {
            self.name = name
            self.replicas = replicas
            self.explanation = explanation
        }
    }

    /// Proposal of one metric for `currentReplicas` pods.
    public static func propose(_ metric: MetricReading, currentReplicas: Int, tolerance: Double = 0.1) -> MetricProposal {
        guard let current = metric.current else {
            return MetricProposal(name: metric.name, replicas: nil, explanation: "\(metric.name) <unknown> / \(format(metric.target)): no data")
        }
        let ratio: Double
        let shown: String
        switch metric.target {
        case .utilization(let percent):
            ratio = percent > 0 ? Double(current) / Double(percent) : .infinity
            shown = "\(current)%"
        case .averageValue(let milli):
            ratio = milli > 0 ? Double(current) / Double(milli) : .infinity
            shown = QuantityFormat.decimal(current, places: 3)
        case .value(let milli):
            ratio = milli > 0 ? Double(current) / Double(milli) : .infinity
            shown = QuantityFormat.decimal(current, places: 3)
        }
        let prefix = "\(metric.name) \(shown) / \(format(metric.target))"
        if currentReplicas == 0 {
            return MetricProposal(name: metric.name, replicas: 0, explanation: "\(prefix): scaled to zero, HPA inactive")
        }
        // The controller's test (replica_calculator.go Tolerances.isWithin), both ends included: 55 % of a 50 % target is within.
        if ratio >= 1 - tolerance && ratio <= 1 + tolerance {
            return MetricProposal(
                name: metric.name, replicas: currentReplicas,
                explanation: "\(prefix) → \(currentReplicas) \(replicas(currentReplicas)) (within \(Int(tolerance * 100))% tolerance)")
        }
        let wanted: Int
        if ratio.isInfinite {
            wanted = Int.max
        } else {
            // Integer maths where possible so 3 × 100 / 30 is exactly 10, not 10.000000000000002.
            switch metric.target {
            case .utilization(let t): wanted = ceilDiv(currentReplicas * current, t)
            case .averageValue(let t), .value(let t): wanted = ceilDiv(currentReplicas * current, t)
            }
        }
        return MetricProposal(name: metric.name, replicas: wanted, explanation: "\(prefix) → \(wanted) \(replicas(wanted))")
    }

    static func format(_ target: Target) -> String {
        switch target {
        case .utilization(let p): "\(p)%"
        case .averageValue(let m): "\(QuantityFormat.decimal(m, places: 3)) (avg)"
        case .value(let m): QuantityFormat.decimal(m, places: 3)
        }
    }

    static func replicas(_ n: Int) -> String { n == 1 ? "replica" : "replicas" }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r > 0 ? q + 1 : q
    }
}

extension HPA {
    public enum SelectPolicy: String, Sendable, Equatable { case max = "Max", min = "Min", disabled = "Disabled" }

    public struct ScalingPolicy: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable { case pods = "Pods", percent = "Percent" }
        public var kind: Kind
        public var value: Int
        public var periodSeconds: Int
        public init(kind: Kind, value: Int, periodSeconds: Int) {
            self.kind = kind
            self.value = value
            self.periodSeconds = periodSeconds
        }
    }

    /// `spec.behavior.scaleUp` / `scaleDown`.
    public struct ScalingRules: Sendable, Equatable {
        public var stabilizationWindowSeconds: Int
        public var selectPolicy: SelectPolicy
        public var policies: [ScalingPolicy]

        public init(stabilizationWindowSeconds: Int, selectPolicy: SelectPolicy = .max, policies: [ScalingPolicy]) {
            self.stabilizationWindowSeconds = stabilizationWindowSeconds
            self.selectPolicy = selectPolicy
            self.policies = policies
        }

        /// Kubernetes defaults: up at most +100% or +4 pods per 15 s, no window.
        public static let defaultScaleUp = ScalingRules(
            stabilizationWindowSeconds: 0,
            policies: [ScalingPolicy(kind: .percent, value: 100, periodSeconds: 15), ScalingPolicy(kind: .pods, value: 4, periodSeconds: 15)])
        /// Kubernetes defaults: down to any count, but only to the highest recommendation of the last 300 s.
        public static let defaultScaleDown = ScalingRules(
            stabilizationWindowSeconds: 300, policies: [ScalingPolicy(kind: .percent, value: 100, periodSeconds: 15)])
    }

    public struct Behavior: Sendable, Equatable {
        public var scaleUp: ScalingRules
        public var scaleDown: ScalingRules
        public init(scaleUp: ScalingRules = .defaultScaleUp, scaleDown: ScalingRules = .defaultScaleDown) {
            self.scaleUp = scaleUp
            self.scaleDown = scaleDown
        }
    }

    /// A past recommendation (raw, before stabilisation), for the stabilisation windows.
    public struct Recommendation: Sendable, Equatable {
        public var replicas: Int
        /// Seconds on the caller's clock (the same clock as `nowSeconds`).
        public var atSeconds: Double
        public init(replicas: Int, atSeconds: Double) {
            self.replicas = replicas
            self.atSeconds = atSeconds
        }
    }

    /// A replica change this HPA made (positive: up), kept for its policies' periods. The
    /// controller limits a scale-up to what the policy allows from the replicas at the *start* of
    /// the period (`periodSeconds`), so a burst climbs a staircase instead of one step per sync.
    public struct ScaleEvent: Sendable, Equatable {
        public var change: Int
        public var atSeconds: Double
        public init(change: Int, atSeconds: Double) {
            self.change = change
            self.atSeconds = atSeconds
        }
    }

    public struct Decision: Sendable, Equatable {
        /// Replicas the controller would set now.
        public var desiredReplicas: Int
        /// Largest proposal over all metrics, before stabilisation, policies and bounds.
        public var metricsReplicas: Int
        public var proposals: [MetricProposal]
        /// Why the final number differs from the metrics' proposal, if it does.
        public var limitedBy: String?
        /// One line: "cpu 93% / 30% → 4 replicas; memory 7% / 80% → 1 replica ⇒ 4".
        public var explanation: String
    }

    /// The whole HPA step: proposals, max, stabilisation windows over `history` (raw recommendations,
    /// any order, times in seconds on the same clock as `now`), scaling policies, min/max.
    /// Add `Recommendation(replicas: decision.metricsReplicas, atSeconds: now)` to the history afterwards.
    /// `scaleEvents`: the changes this HPA made recently (same clock); the policies count them per period.
    public static func decide(
        metrics: [MetricReading], currentReplicas: Int, minReplicas: Int, maxReplicas: Int,
        behavior: Behavior = Behavior(), history: [Recommendation] = [], scaleEvents: [ScaleEvent] = [], nowSeconds: Double,
        tolerance: Double = 0.1
    ) -> Decision {
        decide(proposals: metrics.map { propose($0, currentReplicas: currentReplicas, tolerance: tolerance) },
               currentReplicas: currentReplicas, minReplicas: minReplicas, maxReplicas: maxReplicas, behavior: behavior,
               history: history, scaleEvents: scaleEvents, nowSeconds: nowSeconds)
    }

    /// The same step from proposals already made per metric (e.g. `proposeResource` for cpu and memory).
    public static func decide(
        proposals: [MetricProposal], currentReplicas: Int, minReplicas: Int, maxReplicas: Int,
        behavior: Behavior = Behavior(), history: [Recommendation] = [], scaleEvents: [ScaleEvent] = [], nowSeconds: Double
    ) -> Decision {
        let known = proposals.compactMap(\.replicas)
        guard currentReplicas > 0 else {
            return Decision(desiredReplicas: 0, metricsReplicas: 0, proposals: proposals, limitedBy: "scaled to zero: HPA does not act",
                            explanation: "0 replicas: HPA inactive")
        }
        guard !known.isEmpty else {
            return Decision(desiredReplicas: currentReplicas, metricsReplicas: currentReplicas, proposals: proposals,
                            limitedBy: "no metric available", explanation: "no metrics: keeps \(currentReplicas)")
        }
        let raw = known.max()!
        // The controller skips scaling when a metric is missing and the others would scale down (horizontal.go computeReplicasForMetrics).
        if known.count < proposals.count && raw < currentReplicas {
            return Decision(desiredReplicas: currentReplicas, metricsReplicas: currentReplicas, proposals: proposals,
                            limitedBy: "a metric is missing and the others suggest scaling down: scaling skipped",
                            explanation: proposals.map(\.explanation).joined(separator: "; ") + " ⇒ \(currentReplicas) (a metric is missing: no scale-down)")
        }
        var limitedBy: String?

        // Stabilisation: scale up to at most the lowest, down to at most the highest, recent recommendation
        // (recent: younger than the window, as the controller's `timestamp.After(now - window)`).
        func within(_ window: Int) -> [Int] {
            history.filter { nowSeconds - $0.atSeconds < Double(window) }.map(\.replicas) + [raw]
        }
        let upRecommendation = within(behavior.scaleUp.stabilizationWindowSeconds).min()!
        let downRecommendation = within(behavior.scaleDown.stabilizationWindowSeconds).max()!
        var stabilized = currentReplicas
        if stabilized < upRecommendation { stabilized = upRecommendation }
        if stabilized > downRecommendation { stabilized = downRecommendation }
        if stabilized != raw {
            limitedBy = stabilized > raw
                ? "scale-down stabilisation (\(behavior.scaleDown.stabilizationWindowSeconds) s window holds \(stabilized))"
                : "scale-up stabilisation (\(behavior.scaleUp.stabilizationWindowSeconds) s window holds \(stabilized))"
        }

        // Policies, from the replicas at the start of each policy's period (the controller's rule).
        var desired = stabilized
        if desired > currentReplicas {
            let limit = scaleUpLimit(behavior.scaleUp, current: currentReplicas, events: scaleEvents, nowSeconds: nowSeconds)
            if desired > limit {
                desired = limit
                limitedBy = behavior.scaleUp.selectPolicy == .disabled ? "scale-up disabled" : "scale-up policy allows \(limit)"
            }
        } else if desired < currentReplicas {
            let limit = scaleDownLimit(behavior.scaleDown, current: currentReplicas, events: scaleEvents, nowSeconds: nowSeconds)
            if desired < limit {
                desired = limit
                limitedBy = behavior.scaleDown.selectPolicy == .disabled ? "scale-down disabled" : "scale-down policy allows \(limit)"
            }
        }
        if desired > maxReplicas {
            desired = maxReplicas
            limitedBy = "maxReplicas \(maxReplicas)"
        }
        if desired < minReplicas {
            desired = minReplicas
            limitedBy = "minReplicas \(minReplicas)"
        }
        var explanation = proposals.map(\.explanation).joined(separator: "; ") + " ⇒ \(desired)"
        if let limitedBy { explanation += " (\(limitedBy))" }
        return Decision(desiredReplicas: desired, metricsReplicas: raw, proposals: proposals, limitedBy: limitedBy, explanation: explanation)
    }

    /// Replicas at the start of a `periodSeconds` window: now, less what was added, plus what was removed in it.
    static func periodStart(current: Int, periodSeconds: Int, events: [ScaleEvent], nowSeconds: Double) -> Int {
        current - events.filter { nowSeconds - $0.atSeconds < Double(periodSeconds) }.reduce(0) { $0 + $1.change }
    }

    static func scaleUpLimit(_ rules: ScalingRules, current: Int, events: [ScaleEvent] = [], nowSeconds: Double = 0) -> Int {
        if rules.selectPolicy == .disabled { return current }
        let limits = rules.policies.map { policy in
            let start = periodStart(current: current, periodSeconds: policy.periodSeconds, events: events, nowSeconds: nowSeconds)
            return policy.kind == .pods ? start + policy.value : ceilDiv(start * (100 + policy.value), 100)
        }
        guard !limits.isEmpty else { return Int.max }
        // A limit below the current count never scales down while scaling up.
        return max(current, rules.selectPolicy == .max ? limits.max()! : limits.min()!)
    }

    static func scaleDownLimit(_ rules: ScalingRules, current: Int, events: [ScaleEvent] = [], nowSeconds: Double = 0) -> Int {
        if rules.selectPolicy == .disabled { return current }
        let limits = rules.policies.map { policy in
            let start = periodStart(current: current, periodSeconds: policy.periodSeconds, events: events, nowSeconds: nowSeconds)
            return policy.kind == .pods ? start - policy.value : start * (100 - min(100, policy.value)) / 100
        }
        guard !limits.isEmpty else { return 0 }
        // "Max" selects the policy allowing the biggest change, i.e. the fewest replicas; never above current.
        return min(current, max(0, rules.selectPolicy == .max ? limits.min()! : limits.max()!))
    }

    /// The longest policy period: how long scale events matter.
    public static func longestPeriodSeconds(_ behavior: Behavior) -> Int {
        (behavior.scaleUp.policies + behavior.scaleDown.policies).map(\.periodSeconds).max() ?? 0
    }
}
