import Autoscaling
import Foundation
import Yams

/// What the HPA stand-in takes from an `autoscaling/v2` HorizontalPodAutoscaler: bounds, the
/// Resource metrics with Utilization targets, the behaviour (Kubernetes defaults merged in) and the tolerance.
public struct HPAManifest: Sendable, Equatable {
    /// One `spec.metrics[]` entry the stand-in can measure: cpu or memory against a utilisation target.
    public struct ResourceMetric: Sendable, Equatable {
        public var resource: VPA.Resource
        /// `target.averageUtilization`, percent of the request.
        public var averageUtilization: Int
        public init(resource: VPA.Resource, averageUtilization: Int) {
            self.resource = resource
            self.averageUtilization = averageUtilization
        }
    }

    public var name: String
    /// `spec.scaleTargetRef`.
    public var targetKind: String
    public var targetName: String
    public var minReplicas: Int
    public var maxReplicas: Int
    public var metrics: [ResourceMetric]
    public var behavior: HPA.Behavior
    /// `behavior.scaleUp/scaleDown.tolerance` (one value for both directions), else the cluster default 0.1.
    public var tolerance: Double

    /// Average utilisation as the controller computes it: the pods' summed usage × 100 over their summed
    /// requests, truncated (replica_calculator.go GetResourceUtilizationRatio). Nil with no pods or no request.
    public static func utilization(usages: [Int], requestPerPod: Int) -> Int? {
        guard !usages.isEmpty, requestPerPod > 0 else { return nil }
        return usages.reduce(0, +) * 100 / (requestPerPod * usages.count)
    }

    /// The readings for `HPA.decide`: each metric's target and the current average utilisation
    /// (percent of the request, nil when it could not be measured).
    public func readings(utilization: [VPA.Resource: Int?]) -> [HPA.MetricReading] {
        metrics.map { HPA.MetricReading(name: $0.resource.rawValue, target: .utilization(percent: $0.averageUtilization),
                                        current: utilization[$0.resource] ?? nil) }
    }
}

/// What the VPA stand-in takes from a VerticalPodAutoscaler: the update mode, the updater's
/// minReplicas and the policy of the container it resizes.
public struct VPAManifest: Sendable, Equatable {
    public var name: String
    /// `spec.targetRef`.
    public var targetKind: String
    public var targetName: String
    /// `spec.updatePolicy.updateMode`; Recreate when absent (the CRD's default).
    public var updateMode: VPA.UpdateMode
    /// `spec.updatePolicy.minReplicas`; nil means the updater's `--min-replicas` flag (2).
    public var minReplicas: Int?
    /// The entry named after the container, else the `*` entry, else the CRD defaults.
    public var containerPolicy: VPA.ContainerPolicy
    /// `memoryAggregationIntervalSeconds` of that entry (honoured upstream only with the PerVPAConfig feature gate).
    public var memoryAggregationIntervalSeconds: Int?
}

/// One container of a Deployment or StatefulSet: its requests, limits and arguments.
public struct WorkloadContainer: Sendable, Equatable {
    public var workloadKind: String
    public var workloadName: String
    public var containerName: String
    public var requests: VPA.Amounts
    public var limits: VPA.Amounts
    public var args: [String]
    /// Redis's `--maxmemory` argument in bytes (Redis units: 400mb = 400 × 1024², 400m = 400 × 10⁶), nil when absent.
    public var redisMaxmemoryBytes: Int?
}

/// Reads the HPA, VPA and workload manifests under k8s/ the way the controllers interpret them
/// (their defaults for missing fields), refusing what the local stand-ins cannot do.
/// Errors name the file, the field path and the line.
public enum AutoscalerManifests {
    public static func loadHPA(path: String) throws(LocalScalerError) -> HPAManifest {
        try parseHPA(yaml: read(path, what: "HorizontalPodAutoscaler"), file: path)
    }

    public static func loadVPA(path: String, container: String) throws(LocalScalerError) -> VPAManifest {
        try parseVPA(yaml: read(path, what: "VerticalPodAutoscaler"), file: path, container: container)
    }

    public static func loadWorkload(path: String, container: String) throws(LocalScalerError) -> WorkloadContainer {
        try parseWorkload(yaml: read(path, what: "Deployment or StatefulSet"), file: path, container: container)
    }

    // MARK: HorizontalPodAutoscaler

    public static func parseHPA(yaml: String, file: String) throws(LocalScalerError) -> HPAManifest {
        let r = ScaledObjectFile.Reader(file: file)
        let root = try compose(yaml, file: file)
        try expect(root, kind: ["HorizontalPodAutoscaler"], r)
        let apiVersion = try r.string(root, "apiVersion") ?? ""
        guard apiVersion == "autoscaling/v2" else {
            throw r.fail(root["apiVersion"] ?? root, "apiVersion", "must be autoscaling/v2, got '\(apiVersion)'")
        }
        let name = try r.string(root["metadata"], "metadata.name") ?? "hpa"
        let spec = try mapping(root, "spec", r)
        let ref = try mapping(spec, "scaleTargetRef", r, path: "spec.scaleTargetRef")
        let targetKind = try required(ref, "kind", "spec.scaleTargetRef.kind", r)
        let targetName = try required(ref, "name", "spec.scaleTargetRef.name", r)
        let minReplicas = try r.int(spec["minReplicas"], "spec.minReplicas", min: 1) ?? 1
        guard let maxReplicas = try r.int(spec["maxReplicas"], "spec.maxReplicas", min: 1) else {
            throw r.fail(spec, "spec.maxReplicas", "is missing (the API requires it)")
        }
        guard minReplicas <= maxReplicas else {
            throw r.fail(spec["minReplicas"], "spec.minReplicas", "(\(minReplicas)) is above spec.maxReplicas (\(maxReplicas))")
        }

        var metrics: [HPAManifest.ResourceMetric] = []
        if let list = spec["metrics"] {
            guard let items = list.sequence else { throw r.fail(list, "spec.metrics", "must be a list") }
            for (i, item) in items.enumerated() {
                metrics.append(try resourceMetric(item, "spec.metrics[\(i)]", r))
            }
        }
        // autoscaling/v2: no metrics means 80 % average CPU utilisation.
        if metrics.isEmpty { metrics = [HPAManifest.ResourceMetric(resource: .cpu, averageUtilization: 80)] }
        if let duplicate = [VPA.Resource.cpu, .memory].first(where: { r in metrics.filter { $0.resource == r }.count > 1 }) {
            throw r.fail(spec["metrics"], "spec.metrics", "lists \(duplicate.rawValue) twice")
        }

        let behaviorNode = spec["behavior"]
        let up = behaviorNode?["scaleUp"], down = behaviorNode?["scaleDown"]
        let behavior = HPA.Behavior(
            scaleUp: try r.rules(up, "spec.behavior.scaleUp", defaults: .defaultScaleUp),
            scaleDown: try r.rules(down, "spec.behavior.scaleDown", defaults: .defaultScaleDown))
        try checkAPILimits(up, "spec.behavior.scaleUp", r)
        try checkAPILimits(down, "spec.behavior.scaleDown", r)
        let upTolerance = try tolerance(up, "spec.behavior.scaleUp.tolerance", r)
        let downTolerance = try tolerance(down, "spec.behavior.scaleDown.tolerance", r)
        guard (upTolerance ?? 0.1) == (downTolerance ?? 0.1) else {
            throw r.fail(behaviorNode, "spec.behavior.scaleUp.tolerance",
                         "(\(upTolerance ?? 0.1)) differs from spec.behavior.scaleDown.tolerance (\(downTolerance ?? 0.1)); the local stand-in applies one tolerance to both directions")
        }
        return HPAManifest(name: name, targetKind: targetKind, targetName: targetName, minReplicas: minReplicas, maxReplicas: maxReplicas,
                           metrics: metrics, behavior: behavior, tolerance: upTolerance ?? downTolerance ?? 0.1)
    }

    private static func resourceMetric(_ item: Node, _ path: String, _ r: ScaledObjectFile.Reader) throws(LocalScalerError) -> HPAManifest.ResourceMetric {
        let type = try required(item, "type", "\(path).type", r)
        guard type == "Resource" else {
            throw r.fail(item["type"], "\(path).type", "is \(type); the local stand-in measures only Resource metrics (cpu, memory) of its own processes")
        }
        let resource = try mapping(item, "resource", r, path: "\(path).resource")
        let name = try required(resource, "name", "\(path).resource.name", r)
        guard let which = VPA.Resource(rawValue: name) else {
            throw r.fail(resource["name"], "\(path).resource.name", "is \(name); the local stand-in measures cpu and memory only")
        }
        let target = try mapping(resource, "target", r, path: "\(path).resource.target")
        let targetType = try required(target, "type", "\(path).resource.target.type", r)
        guard targetType == "Utilization" else {
            throw r.fail(target["type"], "\(path).resource.target.type",
                         "is \(targetType); the local stand-in supports Utilization targets (percent of the request) only")
        }
        guard let percent = try r.int(target["averageUtilization"], "\(path).resource.target.averageUtilization", min: 1) else {
            throw r.fail(target, "\(path).resource.target.averageUtilization", "is missing (a Utilization target needs it)")
        }
        return HPAManifest.ResourceMetric(resource: which, averageUtilization: percent)
    }

    /// The API server's bounds (HPA validation): periodSeconds ≤ 1800, stabilizationWindowSeconds ≤ 3600.
    private static func checkAPILimits(_ rules: Node?, _ path: String, _ r: ScaledObjectFile.Reader) throws(LocalScalerError) {
        guard let rules else { return }
        if let w = rules["stabilizationWindowSeconds"], let v = Int(w.string ?? ""), v > 3600 {
            throw r.fail(w, "\(path).stabilizationWindowSeconds", "must be ≤ 3600, got \(v)")
        }
        for (i, policy) in (list(rules["policies"]) ?? []).enumerated() {
            if let p = policy["periodSeconds"], let v = Int(p.string ?? ""), v > 1800 {
                throw r.fail(p, "\(path).policies[\(i)].periodSeconds", "must be ≤ 1800, got \(v)")
            }
        }
    }

    private static func tolerance(_ rules: Node?, _ path: String, _ r: ScaledObjectFile.Reader) throws(LocalScalerError) -> Double? {
        guard let node = rules?["tolerance"] else { return nil }
        guard let text = node.string, let q = try? Quantity(text), let micro = try? q.scaled(toDecimalPlaces: 6), micro >= 0 else {
            throw r.fail(node, path, "must be a non-negative quantity such as 0.05 or 50m, got \(ScaledObjectFile.Reader.show(node))")
        }
        return Double(micro) / 1_000_000
    }

    // MARK: VerticalPodAutoscaler

    public static func parseVPA(yaml: String, file: String, container: String) throws(LocalScalerError) -> VPAManifest {
        let r = ScaledObjectFile.Reader(file: file)
        let root = try compose(yaml, file: file)
        try expect(root, kind: ["VerticalPodAutoscaler"], r)
        let name = try r.string(root["metadata"], "metadata.name") ?? "vpa"
        let spec = try mapping(root, "spec", r)
        let ref = try mapping(spec, "targetRef", r, path: "spec.targetRef")
        let targetKind = try required(ref, "kind", "spec.targetRef.kind", r)
        let targetName = try required(ref, "name", "spec.targetRef.name", r)

        var updateMode = VPA.UpdateMode.recreate
        var minReplicas: Int?
        if let policy = spec["updatePolicy"] {
            if let raw = try r.string(policy, "spec.updatePolicy.updateMode", key: "updateMode") {
                guard let mode = VPA.UpdateMode(rawValue: raw) else {
                    throw r.fail(policy["updateMode"], "spec.updatePolicy.updateMode",
                                 "is '\(raw)'; the local stand-in knows Off, Initial, Recreate, InPlaceOrRecreate and Auto")
                }
                updateMode = mode
            }
            minReplicas = try r.int(policy["minReplicas"], "spec.updatePolicy.minReplicas", min: 1)
        }

        var chosen: (node: Node, path: String)?
        if let list = spec["resourcePolicy"]?["containerPolicies"] {
            guard let items = Self.list(list) else {
                throw r.fail(list, "spec.resourcePolicy.containerPolicies", "must be a list")
            }
            let named = items.indices.first { items[$0]["containerName"]?.string == container }
            let fallback = items.indices.first { items[$0]["containerName"]?.string == "*" }
            if let i = named ?? fallback { chosen = (items[i], "spec.resourcePolicy.containerPolicies[\(i)]") }
        }
        var policy = VPA.ContainerPolicy(containerName: container)
        var aggregationInterval: Int?
        if let chosen {
            policy = try containerPolicy(chosen.node, chosen.path, container: container, r)
            aggregationInterval = try r.int(chosen.node["memoryAggregationIntervalSeconds"], "\(chosen.path).memoryAggregationIntervalSeconds", min: 1)
        }
        return VPAManifest(name: name, targetKind: targetKind, targetName: targetName, updateMode: updateMode, minReplicas: minReplicas,
                           containerPolicy: policy, memoryAggregationIntervalSeconds: aggregationInterval)
    }

    private static func containerPolicy(_ node: Node, _ path: String, container: String,
                                        _ r: ScaledObjectFile.Reader) throws(LocalScalerError) -> VPA.ContainerPolicy {
        var policy = VPA.ContainerPolicy(containerName: container)
        if let raw = try r.string(node, "\(path).mode", key: "mode") {
            guard let mode = VPA.ContainerScalingMode(rawValue: raw) else {
                throw r.fail(node["mode"], "\(path).mode", "must be Auto or Off, got '\(raw)'")
            }
            policy.mode = mode
        }
        if let list = node["controlledResources"] {
            guard let items = Self.list(list) else { throw r.fail(list, "\(path).controlledResources", "must be a list") }
            policy.controlledResources = []
            for (i, item) in items.enumerated() {
                guard let resource = item.string.flatMap(VPA.Resource.init(rawValue:)) else {
                    throw r.fail(item, "\(path).controlledResources[\(i)]",
                                 "is \(ScaledObjectFile.Reader.show(item)); the local stand-in recommends cpu and memory only")
                }
                policy.controlledResources.append(resource)
            }
        }
        if let raw = try r.string(node, "\(path).controlledValues", key: "controlledValues") {
            guard let values = VPA.ControlledValues(rawValue: raw) else {
                throw r.fail(node["controlledValues"], "\(path).controlledValues", "must be RequestsAndLimits or RequestsOnly, got '\(raw)'")
            }
            policy.controlledValues = values
        }
        policy.minAllowed = try amounts(node["minAllowed"], "\(path).minAllowed", r)
        policy.maxAllowed = try amounts(node["maxAllowed"], "\(path).maxAllowed", r)
        for resource in [VPA.Resource.cpu, .memory] {
            if let low = policy.minAllowed[resource], let high = policy.maxAllowed[resource], low > high {
                throw r.fail(node["minAllowed"]?[resource.rawValue], "\(path).minAllowed.\(resource.rawValue)",
                             "(\(node["minAllowed"]?[resource.rawValue]?.string ?? "")) is above \(path).maxAllowed.\(resource.rawValue) (\(node["maxAllowed"]?[resource.rawValue]?.string ?? ""))")
            }
        }
        return policy
    }

    // MARK: Deployment / StatefulSet

    public static func parseWorkload(yaml: String, file: String, container: String) throws(LocalScalerError) -> WorkloadContainer {
        let r = ScaledObjectFile.Reader(file: file)
        let root = try compose(yaml, file: file)
        let kind = try expect(root, kind: ["Deployment", "StatefulSet"], r)
        let name = try r.string(root["metadata"], "metadata.name") ?? kind.lowercased()
        let podSpec = try mapping(try mapping(try mapping(root, "spec", r), "template", r, path: "spec.template"), "spec", r, path: "spec.template.spec")
        guard let list = podSpec["containers"], let items = Self.list(list) else {
            throw r.fail(podSpec["containers"] ?? podSpec, "spec.template.spec.containers", "must be a list of containers")
        }
        guard let index = items.firstIndex(where: { $0["name"]?.string == container }) else {
            let names = items.compactMap { $0["name"]?.string }.joined(separator: ", ")
            throw r.fail(list, "spec.template.spec.containers", "has no container named \(container) (found: \(names))")
        }
        let item = items[index]
        let path = "spec.template.spec.containers[\(index)]"
        let resources = item["resources"]
        var args: [String] = []
        var argNodes: [Node] = []
        if let list = item["args"] {
            guard let values = Self.list(list) else { throw r.fail(list, "\(path).args", "must be a list") }
            for (i, value) in values.enumerated() {
                guard case .scalar(let s) = value else { throw r.fail(value, "\(path).args[\(i)]", "must be a string") }
                args.append(s.string)
            }
            argNodes = values
        }
        var maxmemory: Int?
        if let i = args.firstIndex(of: "--maxmemory") {
            guard i + 1 < args.count, let bytes = redisBytes(args[i + 1]) else {
                let given = i + 1 < args.count ? "'\(args[i + 1])'" : "nothing"
                throw r.fail(argNodes[min(i + 1, argNodes.count - 1)], "\(path).args[\(i + 1)]",
                             "must give --maxmemory a size such as 400mb, 1gb or 419430400, got \(given)")
            }
            maxmemory = bytes
        }
        return WorkloadContainer(
            workloadKind: kind, workloadName: name, containerName: container,
            requests: try amounts(resources?["requests"], "\(path).resources.requests", r),
            limits: try amounts(resources?["limits"], "\(path).resources.limits", r),
            args: args, redisMaxmemoryBytes: maxmemory)
    }

    /// A Redis memory size (redis.conf rules, case-insensitive): b, k = 1000, kb = 1024, m, mb, g, gb; a bare number is bytes.
    public static func redisBytes(_ text: String) -> Int? {
        let lower = text.lowercased()
        let digits = lower.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        let units: [String: Int] = ["": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1_000_000, "mb": 1 << 20, "g": 1_000_000_000, "gb": 1 << 30]
        guard let unit = units[String(lower.dropFirst(digits.count))] else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }

    // MARK: Shared reads

    /// The items of a YAML sequence, nil when the node is not one.
    private static func list(_ node: Node?) -> [Node]? {
        node?.sequence.map { Array($0) }
    }

    private static func read(_ path: String, what: String) throws(LocalScalerError) -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LocalScalerError("\(path): cannot read the \(what) (\((error as NSError).localizedDescription))")
        }
    }

    private static func compose(_ yaml: String, file: String) throws(LocalScalerError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw LocalScalerError("\(file): the file is empty") }
            return node
        } catch let error as LocalScalerError {
            throw error
        } catch {
            throw LocalScalerError("\(file): not valid YAML: \(error)")
        }
    }

    @discardableResult
    private static func expect(_ root: Node, kind allowed: [String], _ r: ScaledObjectFile.Reader) throws(LocalScalerError) -> String {
        let kind = try r.string(root, "kind")
        guard let kind, allowed.contains(kind) else {
            throw r.fail(root["kind"] ?? root, "kind", "must be \(allowed.joined(separator: " or ")), got '\(kind ?? "nothing")'")
        }
        return kind
    }

    private static func mapping(_ parent: Node, _ key: String, _ r: ScaledObjectFile.Reader, path: String? = nil) throws(LocalScalerError) -> Node {
        guard let node = parent[key] else { throw r.fail(parent, path ?? key, "is missing") }
        guard node.mapping != nil else { throw r.fail(node, path ?? key, "must be a mapping, got \(ScaledObjectFile.Reader.show(node))") }
        return node
    }

    private static func required(_ parent: Node, _ key: String, _ path: String, _ r: ScaledObjectFile.Reader) throws(LocalScalerError) -> String {
        guard let value = try r.string(parent, path, key: key), !value.isEmpty else { throw r.fail(parent, path, "is missing") }
        return value
    }

    /// `{cpu: 100m, memory: 512Mi}` as millicores and bytes; other resource names are refused.
    private static func amounts(_ node: Node?, _ path: String, _ r: ScaledObjectFile.Reader) throws(LocalScalerError) -> VPA.Amounts {
        guard let node else { return VPA.Amounts() }
        guard let pairs = node.mapping else { throw r.fail(node, path, "must be a mapping such as {cpu: 100m, memory: 512Mi}") }
        var result = VPA.Amounts()
        for (keyNode, valueNode) in pairs {
            let key = keyNode.string ?? ""
            guard let resource = VPA.Resource(rawValue: key) else {
                throw r.fail(keyNode, "\(path).\(key)", "is not supported by the local stand-ins (cpu and memory only)")
            }
            let value: Int
            do {
                let quantity = try Quantity(valueNode.string ?? "")
                value = resource == .cpu ? try quantity.millis : try quantity.units
            } catch {
                throw r.fail(valueNode, "\(path).\(key)", "is not a quantity: \(error)")
            }
            guard value >= 0 else { throw r.fail(valueNode, "\(path).\(key)", "must not be negative, got \(valueNode.string ?? "")") }
            if resource == .cpu { result.cpuMillis = value } else { result.memoryBytes = value }
        }
        return result
    }
}
