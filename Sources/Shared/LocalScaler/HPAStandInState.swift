import Autoscaling

/// What the HPA stand-in takes from the HorizontalPodAutoscaler and the Deployment it scales.
public struct HPAStandInSpec: Sendable, Equatable {
    /// metadata.name of the HPA.
    public var name: String
    public var minReplicas: Int
    public var maxReplicas: Int
    /// averageUtilization of the cpu / memory Resource metrics; nil when the HPA has no such metric.
    public var cpuTargetUtilization: Int?
    public var memoryTargetUtilization: Int?
    public var behavior: HPA.Behavior
    /// Each pod's requests (the Deployment's container resources.requests).
    public var requests: VPA.Amounts
    /// The controller's --horizontal-pod-autoscaler-sync-period (15 s), shorter for a demo.
    public var syncPeriodSeconds: Double
    public var tolerance: Double
    /// A process's CPU counts only once it is this old (the controller's
    /// --horizontal-pod-autoscaler-initial-readiness-delay, 30 s): start-up work is not load.
    public var initialReadinessDelaySeconds: Double

    public init(name: String, minReplicas: Int, maxReplicas: Int, cpuTargetUtilization: Int?, memoryTargetUtilization: Int?,
                behavior: HPA.Behavior, requests: VPA.Amounts, syncPeriodSeconds: Double = 15, tolerance: Double = 0.1,
                initialReadinessDelaySeconds: Double = 30) {
        self.name = name
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.cpuTargetUtilization = cpuTargetUtilization
        self.memoryTargetUtilization = memoryTargetUtilization
        self.behavior = behavior
        self.requests = requests
        self.syncPeriodSeconds = syncPeriodSeconds
        self.tolerance = tolerance
        self.initialReadinessDelaySeconds = initialReadinessDelaySeconds
    }
}

/// One sync of the HPA stand-in: per-metric proposals, the decision, and how long a held-back
/// scale-down still waits.
public struct HPAStandInSync: Sendable, Equatable {
    public var proposals: [HPA.ResourceProposal]
    public var decision: HPA.Decision
    public var scaleDownInSeconds: Double?
}

/// What the HPA stand-in remembers between syncs (recommendations for the stabilisation windows,
/// its own scale events for the policies' periods, the count it set). Pure: the caller brings the
/// clock and the samples.
public struct HPAStandInState: Sendable, Equatable {
    public var history: [HPA.Recommendation] = []
    public var scaleEvents: [HPA.ScaleEvent] = []
    /// The count the last sync set (the Deployment's spec.replicas), which it scales from.
    public var setReplicas: Int?

    public init() {}

    /// - Parameters:
    ///   - cpu / memory: one entry per counted pod (running, not terminating), nil while it has no sample.
    ///   - running: processes serving now.
    public mutating func sync(cpu: [Int?], memory: [Int?], running: Int, spec: HPAStandInSpec, nowSeconds: Double) -> HPAStandInSync {
        let current = max(setReplicas ?? running, 0)
        var proposals: [HPA.ResourceProposal] = []
        // Pods still starting count as "without a sample" up to the count this HPA set.
        func padded(_ values: [Int?]) -> [Int?] { values + Array(repeating: nil, count: max(0, current - values.count)) }
        if let target = spec.cpuTargetUtilization, let request = spec.requests.cpuMillis {
            proposals.append(HPA.proposeResource(name: "cpu", targetUtilization: target, request: request, usages: padded(cpu),
                                                 tolerance: spec.tolerance))
        }
        if let target = spec.memoryTargetUtilization, let request = spec.requests.memoryBytes {
            proposals.append(HPA.proposeResource(name: "memory", targetUtilization: target, request: request, usages: padded(memory),
                                                 tolerance: spec.tolerance))
        }
        let decision = HPA.decide(
            proposals: proposals.map(\.proposal), currentReplicas: max(current, 1), minReplicas: spec.minReplicas,
            maxReplicas: spec.maxReplicas, behavior: spec.behavior, history: history, scaleEvents: scaleEvents, nowSeconds: nowSeconds)
        let raw = min(max(decision.metricsReplicas, spec.minReplicas), spec.maxReplicas)
        let scaleDownIn = Self.heldScaleDown(raw: raw, desired: decision.desiredReplicas, history: history,
                                             window: spec.behavior.scaleDown.stabilizationWindowSeconds, nowSeconds: nowSeconds)
        history.append(HPA.Recommendation(replicas: raw, atSeconds: nowSeconds))
        if current > 0, decision.desiredReplicas != current {
            scaleEvents.append(HPA.ScaleEvent(change: decision.desiredReplicas - current, atSeconds: nowSeconds))
        }
        setReplicas = decision.desiredReplicas
        let keep = Double(max(spec.behavior.scaleUp.stabilizationWindowSeconds, spec.behavior.scaleDown.stabilizationWindowSeconds))
        history.removeAll { nowSeconds - $0.atSeconds > keep }
        let period = Double(HPA.longestPeriodSeconds(spec.behavior))
        scaleEvents.removeAll { nowSeconds - $0.atSeconds >= period }
        return HPAStandInSync(proposals: proposals, decision: decision, scaleDownInSeconds: scaleDownIn)
    }

    /// The request per pod the utilisation divides by when pods run with different requests (a
    /// VPA changed some): the controller sums usage and requests over the pods that have a sample,
    /// so the mean request over those pods gives the same ratio. Pods without a sample of that
    /// resource do not count; with none, all pods; with no pods, the template.
    public static func requestsPerPod(_ requests: [VPA.Amounts], cpu: [Int?], memory: [Int?], template: VPA.Amounts) -> VPA.Amounts {
        func mean(_ values: [Int?], sampled: [Int?]) -> Int? {
            let withSample = zip(values, sampled).filter { $0.1 != nil }.map(\.0)
            let chosen = (withSample.isEmpty ? values : withSample).compactMap { $0 }
            guard !chosen.isEmpty else { return nil }
            return (chosen.reduce(0, +) + chosen.count / 2) / chosen.count
        }
        return VPA.Amounts(cpuMillis: mean(requests.map { $0.cpuMillis ?? template.cpuMillis }, sampled: cpu) ?? template.cpuMillis,
                           memoryBytes: mean(requests.map { $0.memoryBytes ?? template.memoryBytes }, sampled: memory) ?? template.memoryBytes)
    }

    /// When the metrics ask for fewer replicas than the stabilisation window allows: the seconds
    /// until every higher recommendation in the window has aged out (if the metrics stay as they are).
    static func heldScaleDown(raw: Int, desired: Int, history: [HPA.Recommendation], window: Int, nowSeconds: Double) -> Double? {
        Countdowns.hpaScaleDown(raw: raw, desired: desired, history: history, windowSeconds: window, nowSeconds: nowSeconds)?.seconds
    }
}
