/// A Resource metric (cpu or memory, `target.type: Utilization`) the way the HPA controller's
/// replica calculator evaluates it (pkg/controller/podautoscaler/replica_calculator.go,
/// GetResourceReplicas): utilisation = Σ usage / Σ requests over the pods that have a sample;
/// pods without one are assumed to use 100 % of their request when the others ask to scale down
/// and 0 % when they ask to scale up, so a missing sample never exaggerates a change; no change
/// inside the tolerance, or when those assumptions reverse the direction.
extension HPA {
    public struct ResourceProposal: Sendable, Equatable {
        public var name: String
        /// Σ usage / Σ requests in percent over the pods with a sample; nil when none has one.
        public var utilization: Int?
        /// Mean usage over the pods with a sample (millicores or bytes).
        public var averageUsage: Int?
        /// Replicas this metric asks for; nil when no pod has a sample.
        public var replicas: Int?
        /// "cpu 45% / 30% → 3 replicas"
        public var explanation: String

        public var proposal: MetricProposal { MetricProposal(name: name, replicas: replicas, explanation: explanation) }
    }

    /// - Parameters:
    ///   - usages: one entry per pod that counts (running, not terminating): its usage, nil while it has no sample yet.
    ///   - request: each pod's request for this resource (millicores or bytes).
    public static func proposeResource(name: String, targetUtilization: Int, request: Int, usages: [Int?],
                                       tolerance: Double = 0.1) -> ResourceProposal {
        let current = usages.count
        let measured = usages.compactMap { $0 }
        guard !measured.isEmpty, request > 0, targetUtilization > 0 else {
            return ResourceProposal(name: name, utilization: nil, averageUsage: nil, replicas: nil,
                                    explanation: "\(name) <unknown> / \(targetUtilization)%: no sample yet")
        }
        let usage = measured.reduce(0, +)
        let utilization = Int((Double(usage) * 100 / Double(request * measured.count)).rounded())
        let average = usage / measured.count
        let ratio = Double(usage) / Double(request * measured.count) / (Double(targetUtilization) / 100)
        let prefix = "\(name) \(utilization)% / \(targetUtilization)%"
        let missing = current - measured.count
        func keep(_ why: String) -> ResourceProposal {
            ResourceProposal(name: name, utilization: utilization, averageUsage: average, replicas: current,
                             explanation: "\(prefix) → \(current) \(replicas(current)) (\(why))")
        }
        if missing == 0 {
            if abs(ratio - 1) <= tolerance { return keep("within \(Int(tolerance * 100))% tolerance") }
            let wanted = Int((ratio * Double(measured.count)).rounded(.up))
            return ResourceProposal(name: name, utilization: utilization, averageUsage: average, replicas: wanted,
                                    explanation: "\(prefix) → \(wanted) \(replicas(wanted))")
        }
        // Pods without a sample: 100 % of the request when scaling down, nothing when scaling up.
        let assumed = ratio < 1 ? request * missing : 0
        let newRatio = Double(usage + assumed) / Double(request * current) / (Double(targetUtilization) / 100)
        if abs(newRatio - 1) <= tolerance || (ratio < 1) != (newRatio < 1) {
            return keep("\(missing) without a sample yet")
        }
        let wanted = Int((newRatio * Double(current)).rounded(.up))
        return ResourceProposal(name: name, utilization: utilization, averageUsage: average, replicas: wanted,
                                explanation: "\(prefix) → \(wanted) \(replicas(wanted)) (\(missing) without a sample counted at "
                                    + (ratio < 1 ? "100%" : "0%") + ")")
    }
}
