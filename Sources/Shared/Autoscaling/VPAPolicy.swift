/// A VPA's `resourcePolicy.containerPolicies[]` entry and what the VPA components do with it
/// (kubernetes/autoscaler vertical-pod-autoscaler/pkg/utils/vpa: capping.go, limit_and_request_scaling.go).
extension VPA {
    /// `mode`: whether the VPA acts on the container at all.
    public enum ContainerScalingMode: String, Sendable, Equatable { case auto = "Auto", off = "Off" }

    /// `controlledValues`: RequestsAndLimits (the default) keeps each limit's ratio to its request;
    /// RequestsOnly leaves limits alone and never recommends above them.
    public enum ControlledValues: String, Sendable, Equatable { case requestsAndLimits = "RequestsAndLimits", requestsOnly = "RequestsOnly" }

    public struct ContainerPolicy: Sendable, Equatable {
        public var containerName: String
        public var mode: ContainerScalingMode
        /// Resources the VPA recommends; the others get no recommendation and keep their request.
        public var controlledResources: [Resource]
        public var controlledValues: ControlledValues
        /// Nil fields: no minimum / no maximum.
        public var minAllowed: Amounts
        public var maxAllowed: Amounts

        /// The CRD's defaults: Auto, [cpu, memory], RequestsAndLimits, no bounds.
        public init(containerName: String, mode: ContainerScalingMode = .auto, controlledResources: [Resource] = [.cpu, .memory],
                    controlledValues: ControlledValues = .requestsAndLimits, minAllowed: Amounts = Amounts(), maxAllowed: Amounts = Amounts()) {
            self.containerName = containerName
            self.mode = mode
            self.controlledResources = controlledResources
            self.controlledValues = controlledValues
            self.minAllowed = minAllowed
            self.maxAllowed = maxAllowed
        }

        /// `amounts` with the resources outside controlledResources removed (upstream FilterControlledResources).
        public func controlled(_ amounts: Amounts) -> Amounts {
            Amounts(cpuMillis: controlledResources.contains(.cpu) ? amounts.cpuMillis : nil,
                    memoryBytes: controlledResources.contains(.memory) ? amounts.memoryBytes : nil)
        }
    }

    /// The recommender's capping post-processor (upstream ApplyVPAPolicy): target and both bounds raised
    /// to minAllowed, then lowered to maxAllowed (so maxAllowed wins a conflict); uncappedTarget untouched.
    public static func applyPolicy(_ recommendation: ContainerRecommendation, policy: ContainerPolicy) -> ContainerRecommendation {
        func cap(_ a: Amounts) -> Amounts {
            func one(_ value: Int?, _ low: Int?, _ high: Int?) -> Int? {
                guard var v = value else { return nil }
                if let low, low != 0, v < low { v = low }
                if let high, high != 0, v > high { v = high }
                return v
            }
            return Amounts(cpuMillis: one(a.cpuMillis, policy.minAllowed.cpuMillis, policy.maxAllowed.cpuMillis),
                           memoryBytes: one(a.memoryBytes, policy.minAllowed.memoryBytes, policy.maxAllowed.memoryBytes))
        }
        return recommendation.mappingTargetAndBounds(cap)
    }

    /// What the updater and the admission controller see with RequestsOnly: target and bounds no higher
    /// than the container's limits (upstream capRecommendationToContainerLimit). With RequestsAndLimits, unchanged.
    public static func capToLimits(_ recommendation: ContainerRecommendation, limits: Amounts, controlledValues: ControlledValues) -> ContainerRecommendation {
        guard controlledValues == .requestsOnly else { return recommendation }
        func cap(_ a: Amounts) -> Amounts {
            Amounts(cpuMillis: a.cpuMillis.map { v in limits.cpuMillis.map { min(v, $0) } ?? v },
                    memoryBytes: a.memoryBytes.map { v in limits.memoryBytes.map { min(v, $0) } ?? v })
        }
        return recommendation.mappingTargetAndBounds(cap)
    }

    /// The requests and limits the admission controller gives the re-created container: each recommended
    /// resource's request becomes the target; its limit stays (RequestsOnly) or keeps its ratio to the
    /// request (RequestsAndLimits, upstream GetProportionalLimit: floor(limit × target / request); equal to
    /// the target when the request was unset or equal to the limit; unset stays unset).
    public static func admit(_ recommendation: ContainerRecommendation, requests: Amounts, limits: Amounts,
                             controlledValues: ControlledValues) -> (requests: Amounts, limits: Amounts) {
        var newRequests = requests
        var newLimits = limits
        for resource in [Resource.cpu, .memory] {
            guard let target = recommendation.target[resource] else { continue }
            let limit: Int?
            switch controlledValues {
            case .requestsOnly:
                limit = limits[resource]
            case .requestsAndLimits:
                limit = proportionalLimit(limit: limits[resource], request: requests[resource], recommendedRequest: target)
            }
            if resource == .cpu {
                newRequests.cpuMillis = target
                newLimits.cpuMillis = limit
            } else {
                newRequests.memoryBytes = target
                newLimits.memoryBytes = limit
            }
        }
        return (newRequests, newLimits)
    }

    /// Upstream getProportionalResourceLimit without the LimitRange default: nil when there was no limit
    /// or the recommendation is 0; the target when the request was unset or equal to the limit.
    public static func proportionalLimit(limit: Int?, request: Int?, recommendedRequest: Int) -> Int? {
        guard let limit, limit != 0, recommendedRequest != 0 else { return nil }
        guard let request, request != 0, request != limit else { return recommendedRequest }
        let (product, overflow) = limit.multipliedReportingOverflow(by: recommendedRequest)
        return overflow ? Int.max : product / request
    }
}

extension VPA.ContainerRecommendation {
    /// Target, lower and upper bound passed through `f`; uncappedTarget kept.
    func mappingTargetAndBounds(_ f: (VPA.Amounts) -> VPA.Amounts) -> Self {
        var r = self
        r.target = f(target)
        r.lowerBound = f(lowerBound)
        r.upperBound = f(upperBound)
        return r
    }
}
