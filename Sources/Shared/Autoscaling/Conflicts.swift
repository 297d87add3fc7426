/// Two autoscalers acting on the same thing of one workload: the "conflict" act of the talk.
///
/// - An HPA with a cpu or memory metric (Resource, or ContainerResource of one container) and a VPA
///   that sets that resource's request (updateMode Auto, Recreate, InPlaceOrRecreate or Initial; the
///   container's policy not `mode: Off`; the resource in its controlledResources, default cpu and
///   memory): the VPA raises the request, the HPA's utilisation = usage / request falls, it scales
///   in, the load per pod rises, the VPA raises again. The Kubernetes docs warn against exactly this
///   ("Horizontal Pod Autoscaling" → "Support for resource metrics"; VPA README "Known limitations").
/// - Two HPAs setting the replicas of one workload, KEDA's own `keda-hpa-<ScaledObject>` counted
///   as one of them (a ScaledObject and a hand-made HPA on the same Deployment): each overwrites the
///   other's count on every sync.
///
/// Pure: the caller turns whatever it read (Kubernetes objects, or the local stand-ins' /status) into
/// these plain values.
public enum AutoscalerConflicts {
    /// A workload as an autoscaler names it: the target's kind and name, in a namespace ("" locally).
    public struct Target: Sendable, Hashable, CustomStringConvertible {
        public var kind: String
        public var name: String
        public var namespace: String
        public init(kind: String, name: String, namespace: String = "") {
            self.kind = kind
            self.name = name
            self.namespace = namespace
        }
        /// "Deployment/meme-web".
        public var description: String { "\(kind)/\(name)" }
    }

    /// A cpu or memory metric of an HPA; `container` for a ContainerResource metric (nil: the whole pod).
    public struct ResourceMetric: Sendable, Equatable {
        public var resource: VPA.Resource
        public var container: String?
        public init(_ resource: VPA.Resource, container: String? = nil) {
            self.resource = resource
            self.container = container
        }
    }

    public struct HPAObject: Sendable, Equatable {
        public var name: String
        public var target: Target
        /// Its Resource / ContainerResource metrics on cpu or memory (others do not matter here).
        public var resourceMetrics: [ResourceMetric]
        /// The ScaledObject that owns it (ownerReferences or the `scaledobject.keda.sh/name` label), if any.
        public var scaledObject: String?
        public init(name: String, target: Target, resourceMetrics: [ResourceMetric], scaledObject: String? = nil) {
            self.name = name
            self.target = target
            self.resourceMetrics = resourceMetrics
            self.scaledObject = scaledObject
        }
    }

    public struct VPAObject: Sendable, Equatable {
        public var name: String
        public var target: Target
        /// nil: not set, which the VPA treats as Auto.
        public var updateMode: VPA.UpdateMode?
        /// `spec.resourcePolicy.containerPolicies` (a `"*"` entry applies to the containers not named).
        public var containerPolicies: [VPA.ContainerPolicy]
        /// The workload's container names when known (nil: not read; then every named policy and the
        /// default one are assumed to apply to some container).
        public var containers: [String]?
        public init(name: String, target: Target, updateMode: VPA.UpdateMode?, containerPolicies: [VPA.ContainerPolicy] = [],
                    containers: [String]? = nil) {
            self.name = name
            self.target = target
            self.updateMode = updateMode
            self.containerPolicies = containerPolicies
            self.containers = containers
        }

        /// The policy the VPA applies to `container` (upstream GetContainerResourcePolicy: by name, then "*", then the defaults).
        public func policy(for container: String) -> VPA.ContainerPolicy {
            containerPolicies.first { $0.containerName == container }
                ?? containerPolicies.first { $0.containerName == "*" }
                ?? VPA.ContainerPolicy(containerName: container)
        }

        /// The policies of the containers that `metric` measures: its container, or every container of the pod.
        func policies(measuredBy metric: ResourceMetric) -> [VPA.ContainerPolicy] {
            if let container = metric.container { return [policy(for: container)] }
            if let containers { return containers.map(policy(for:)) }
            // Containers unknown: the named policies, and the "*" (or default) one for any other container.
            return containerPolicies.filter { $0.containerName != "*" } + [policy(for: "*")]
        }
    }

    /// A KEDA ScaledObject: it scales its target through the HPA it creates.
    public struct ScaledObjectRef: Sendable, Equatable {
        public var name: String
        public var target: Target
        /// `status.hpaName`, when KEDA reports it; otherwise KEDA's default name `keda-hpa-<name>`.
        public var hpaName: String?
        public init(name: String, target: Target, hpaName: String? = nil) {
            self.name = name
            self.target = target
            self.hpaName = hpaName
        }
        public var hpa: String { hpaName ?? "keda-hpa-\(name)" }

        func owns(_ h: HPAObject) -> Bool { h.scaledObject == name || h.name == hpa }
    }

    public struct Conflict: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            /// An HPA on a resource's utilisation and a VPA setting that resource's request.
            case hpaAndVPA = "hpa-vpa"
            /// Two HPAs (KEDA's included) setting the replicas of one workload.
            case twoHPAs = "two-hpas"
        }
        public var kind: Kind
        public var target: Target
        /// "HorizontalPodAutoscaler meme-web", "ScaledObject meme-worker".
        public var first: String
        public var second: String
        /// "cpu", "memory" or "replicas".
        public var resource: String
        /// One sentence for the banner and the JSON, naming both objects, the resource and the loop.
        public var message: String
    }

    /// Every conflict among the objects, in the order: HPA/VPA pairs (per HPA, then VPA, then resource), then two-HPA pairs.
    public static func detect(hpas: [HPAObject], vpas: [VPAObject], scaledObjects: [ScaledObjectRef] = []) -> [Conflict] {
        var found = [Conflict]()
        for h in hpas {
            for v in vpas where v.target == h.target && v.updateMode != .off {
                let mode = (v.updateMode ?? .auto).rawValue
                var seen = Set<String>()
                for metric in h.resourceMetrics where !seen.contains(metric.resource.rawValue) {
                    let acting = v.policies(measuredBy: metric).filter { $0.mode == .auto && $0.controlledResources.contains(metric.resource) }
                    guard let policy = acting.first else { continue }
                    seen.insert(metric.resource.rawValue)
                    let r = metric.resource.rawValue
                    let sets = policy.controlledValues == .requestsOnly ? "requests" : "requests and limits"
                    let scope = metric.container.map { " of container \($0)" } ?? ""
                    found.append(Conflict(
                        kind: .hpaAndVPA, target: h.target, first: "HorizontalPodAutoscaler \(h.name)", second: "VerticalPodAutoscaler \(v.name)",
                        resource: r,
                        message: "HPA \(h.name) scales \(h.target) on \(r) utilisation\(scope) while VPA \(v.name) (\(mode)) sets its \(r) \(sets): "
                            + "a higher request lowers the utilisation the HPA sees, so it scales in and the load per pod rises"))
                }
            }
        }
        // Replica setters per workload: ScaledObjects (through their own HPA) and the HPAs no ScaledObject on that workload owns.
        var targets = [Target]()
        var setters = [Target: [(object: String, short: String)]]()
        func add(_ target: Target, _ object: String, _ short: String) {
            if setters[target] == nil { targets.append(target) }
            setters[target, default: []].append((object, short))
        }
        for so in scaledObjects { add(so.target, "ScaledObject \(so.name)", "ScaledObject \(so.name) (through HPA \(so.hpa))") }
        for h in hpas where !scaledObjects.contains(where: { $0.target == h.target && $0.owns(h) }) {
            add(h.target, "HorizontalPodAutoscaler \(h.name)", "HPA \(h.name)")
        }
        for target in targets {
            guard let list = setters[target], list.count >= 2, let first = list.first else { continue }
            for other in list.dropFirst() {
                found.append(Conflict(
                    kind: .twoHPAs, target: target, first: first.object, second: other.object, resource: "replicas",
                    message: "\(first.short) and \(other.short) both set the replicas of \(target): each overwrites the other's count at every sync"))
            }
        }
        return found
    }
}
