/// Vertical Pod Autoscaler recommendations against what a container requests now.
///
/// The VPA updater evicts a pod (in `Auto`/`Recreate` mode) when a container's request lies
/// outside [lowerBound, upperBound]; the admission controller then sets requests to `target`.
/// `uncappedTarget` is the target before the VPA's min/maxAllowed policy was applied.
public enum VPA {
    public enum UpdateMode: String, Sendable, Equatable {
        case off = "Off", initial = "Initial", recreate = "Recreate", auto = "Auto", inPlaceOrRecreate = "InPlaceOrRecreate"
        /// Modes in which the updater acts on running pods.
        public var updatesRunningPods: Bool { self == .auto || self == .recreate || self == .inPlaceOrRecreate }
    }

    public enum Resource: String, Sendable, Equatable { case cpu, memory }

    /// CPU in millicores, memory in bytes; nil when absent.
    public struct Amounts: Sendable, Equatable {
        public var cpuMillis: Int?
        public var memoryBytes: Int?
        public init(cpuMillis: Int? = nil, memoryBytes: Int? = nil) {
            self.cpuMillis = cpuMillis
            self.memoryBytes = memoryBytes
        }
        public subscript(resource: Resource) -> Int? { resource == .cpu ? cpuMillis : memoryBytes }
    }

    /// One `status.recommendation.containerRecommendations[]` entry.
    public struct ContainerRecommendation: Sendable, Equatable {
        public var containerName: String
        public var target: Amounts
        public var lowerBound: Amounts
        public var upperBound: Amounts
        public var uncappedTarget: Amounts
        public init(containerName: String, target: Amounts, lowerBound: Amounts, upperBound: Amounts, uncappedTarget: Amounts) {
            self.containerName = containerName
            self.target = target
            self.lowerBound = lowerBound
            self.upperBound = upperBound
            self.uncappedTarget = uncappedTarget
        }
    }

    public struct ResourceAssessment: Sendable, Equatable {
        public enum Position: String, Sendable, Equatable { case belowLowerBound, withinBounds, aboveUpperBound, noRequest, noRecommendation }
        public var resource: Resource
        public var request: Int?
        public var target: Int?
        public var lowerBound: Int?
        public var upperBound: Int?
        public var uncappedTarget: Int?
        public var position: Position
        /// True when the updater would evict for this resource (outside the bounds, in an updating mode).
        public var wouldEvict: Bool
        /// "cpu request 100m below lower bound 150m: evict, set to 587m (uncapped 587m)"
        public var explanation: String
    }

    /// Compares each resource's current request with the recommendation.
    public static func assess(_ recommendation: ContainerRecommendation, requests: Amounts, mode: UpdateMode = .auto) -> [ResourceAssessment] {
        [assess(.cpu, recommendation, requests: requests, mode: mode), assess(.memory, recommendation, requests: requests, mode: mode)]
    }

    private static func assess(_ resource: Resource, _ recommendation: ContainerRecommendation, requests: Amounts, mode: UpdateMode) -> ResourceAssessment {
            func format(_ value: Int) -> String {
                resource == .cpu ? QuantityFormat.millicores(value) : QuantityFormat.bytes(value)
            }
            let request = requests[resource]
            let target = recommendation.target[resource]
            let lower = recommendation.lowerBound[resource]
            let upper = recommendation.upperBound[resource]
            let uncapped = recommendation.uncappedTarget[resource]
            var position: ResourceAssessment.Position
            var text: String
            let name = resource.rawValue
            if target == nil && lower == nil && upper == nil {
                position = .noRecommendation
                text = "\(name): no recommendation yet"
            } else if let request {
                if let lower, request < lower {
                    position = .belowLowerBound
                    text = "\(name) request \(format(request)) below lower bound \(format(lower))"
                } else if let upper, request > upper {
                    position = .aboveUpperBound
                    text = "\(name) request \(format(request)) above upper bound \(format(upper))"
                } else {
                    position = .withinBounds
                    text = "\(name) request \(format(request)) within [\(lower.map { format($0) } ?? "?"), \(upper.map { format($0) } ?? "?")]"
                }
            } else {
                position = .noRequest
                text = "\(name): no request set"
            }
            let outside = position == .belowLowerBound || position == .aboveUpperBound || (position == .noRequest && target != nil)
            let evict = outside && mode.updatesRunningPods
            if let target, position != .noRecommendation {
                if outside {
                    text += evict ? ": evict, set to \(format(target))" : ": would set to \(format(target)) (mode \(mode.rawValue), no eviction)"
                } else {
                    text += ", target \(format(target))"
                }
                if let uncapped, uncapped != target { text += " (uncapped \(format(uncapped)))" }
            }
            return ResourceAssessment(resource: resource, request: request, target: target, lowerBound: lower, upperBound: upper,
                                      uncappedTarget: uncapped, position: position, wouldEvict: evict, explanation: text)
    }
}
