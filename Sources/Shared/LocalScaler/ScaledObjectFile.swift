import Autoscaling
import Foundation
import Yams

/// What the local scaler takes from a KEDA ScaledObject with one `nats-jetstream` trigger:
/// the KEDA parameters, the HPA behaviour KEDA passes on, and which consumer to watch.
public struct ScaledObjectSpec: Sendable, Equatable {
    public var name: String
    public var parameters: KEDA.Parameters
    public var behavior: HPA.Behavior
    public var stream: String
    public var consumer: String
    /// The NATS account (`$G` when none is configured).
    public var account: String

    public init(name: String, parameters: KEDA.Parameters, behavior: HPA.Behavior = HPA.Behavior(),
                stream: String, consumer: String, account: String = "$G") {
        self.name = name
        self.parameters = parameters
        self.behavior = behavior
        self.stream = stream
        self.consumer = consumer
        self.account = account
    }
}

/// Reads a ScaledObject YAML file the way KEDA would interpret it (KEDA's defaults for missing
/// fields). Errors name the file, the field path and the line.
public enum ScaledObjectFile {
    public static func load(path: String) throws(LocalScalerError) -> ScaledObjectSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LocalScalerError("\(path): cannot read the ScaledObject (\((error as NSError).localizedDescription)); pass --scaled-object PATH")
        }
        return try parse(yaml: text, file: path)
    }

    public static func parse(yaml: String, file: String) throws(LocalScalerError) -> ScaledObjectSpec {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw LocalScalerError("\(file): the file is empty") }
            root = node
        } catch let error as LocalScalerError {
            throw error
        } catch {
            throw LocalScalerError("\(file): not valid YAML: \(error)")
        }
        let r = Reader(file: file)
        let kind = try r.string(root, "kind")
        guard kind == "ScaledObject" else { throw r.fail(root["kind"], "kind", "must be ScaledObject, got '\(kind ?? "nothing")'") }
        let name = try r.string(root["metadata"], "metadata.name") ?? "scaledobject"
        guard let spec = root["spec"], spec.mapping != nil else { throw r.fail(root, "spec", "is missing") }

        let triggers: [Node] = spec["triggers"]?.sequence.map { Array($0) } ?? []
        let jetStream = triggers.indices.filter { triggers[$0]["type"]?.string == "nats-jetstream" }
        guard let index = jetStream.first else {
            throw r.fail(spec["triggers"] ?? spec, "spec.triggers", "has no trigger of type nats-jetstream")
        }
        let trigger = triggers[index]
        guard jetStream.count == 1 else {
            throw r.fail(spec["triggers"], "spec.triggers", "has \(jetStream.count) nats-jetstream triggers; the local scaler follows exactly one")
        }
        let meta = trigger["metadata"]
        let path = "spec.triggers[\(index)].metadata"
        let lagThreshold = try r.int(meta?["lagThreshold"], "\(path).lagThreshold", min: 1) ?? KEDA.Defaults.lagThreshold
        guard let stream = try r.string(meta, "\(path).stream", key: "stream"), !stream.isEmpty else {
            throw r.fail(meta ?? trigger, "\(path).stream", "is missing")
        }
        guard let consumer = try r.string(meta, "\(path).consumer", key: "consumer"), !consumer.isEmpty else {
            throw r.fail(meta ?? trigger, "\(path).consumer", "is missing")
        }
        let account = try r.string(meta, "\(path).account", key: "account") ?? "$G"
        let defaults = KEDA.Parameters(lagThreshold: lagThreshold)
        var fallback: KEDA.Fallback?
        if let f = spec["fallback"] {
            guard let threshold = try r.int(f["failureThreshold"], "spec.fallback.failureThreshold", min: 1),
                  let replicas = try r.int(f["replicas"], "spec.fallback.replicas", min: 0) else {
                throw r.fail(f, "spec.fallback", "needs failureThreshold and replicas")
            }
            fallback = KEDA.Fallback(failureThreshold: threshold, replicas: replicas)
        }
        let parameters = KEDA.Parameters(
            lagThreshold: lagThreshold,
            activationLagThreshold: try r.int(meta?["activationLagThreshold"], "\(path).activationLagThreshold", min: 0) ?? defaults.activationLagThreshold,
            minReplicaCount: try r.int(spec["minReplicaCount"], "spec.minReplicaCount", min: 0) ?? defaults.minReplicaCount,
            maxReplicaCount: try r.int(spec["maxReplicaCount"], "spec.maxReplicaCount", min: 1) ?? defaults.maxReplicaCount,
            cooldownPeriodSeconds: try r.int(spec["cooldownPeriod"], "spec.cooldownPeriod", min: 0) ?? defaults.cooldownPeriodSeconds,
            pollingIntervalSeconds: try r.int(spec["pollingInterval"], "spec.pollingInterval", min: 1) ?? defaults.pollingIntervalSeconds,
            fallback: fallback)
        guard parameters.minReplicaCount <= parameters.maxReplicaCount else {
            throw r.fail(spec["minReplicaCount"], "spec.minReplicaCount",
                         "(\(parameters.minReplicaCount)) is above spec.maxReplicaCount (\(parameters.maxReplicaCount))")
        }
        let behaviorNode = spec["advanced"]?["horizontalPodAutoscalerConfig"]?["behavior"]
        let behaviorPath = "spec.advanced.horizontalPodAutoscalerConfig.behavior"
        let behavior = HPA.Behavior(
            scaleUp: try r.rules(behaviorNode?["scaleUp"], "\(behaviorPath).scaleUp", defaults: .defaultScaleUp),
            scaleDown: try r.rules(behaviorNode?["scaleDown"], "\(behaviorPath).scaleDown", defaults: .defaultScaleDown))
        return ScaledObjectSpec(name: name, parameters: parameters, behavior: behavior, stream: stream, consumer: consumer, account: account)
    }

    /// Typed reads with errors that say where.
    struct Reader {
        var file: String

        func fail(_ node: Node?, _ path: String, _ problem: String) -> LocalScalerError {
            let line = node?.mark.map { " (line \($0.line))" } ?? ""
            return LocalScalerError("\(file): \(path) \(problem)\(line)")
        }

        func string(_ parent: Node?, _ path: String, key: String? = nil) throws(LocalScalerError) -> String? {
            let k = key ?? String(path.split(separator: ".").last ?? "")
            guard let node = parent?[k] else { return nil }
            guard case .scalar(let s) = node else { throw fail(node, path, "must be a string") }
            return s.string
        }

        /// KEDA trigger metadata holds numbers as strings ("5"); spec fields hold plain integers. Both are accepted.
        func int(_ node: Node?, _ path: String, min: Int) throws(LocalScalerError) -> Int? {
            guard let node else { return nil }
            guard case .scalar(let s) = node, let value = Int(s.string.trimmingCharacters(in: .whitespaces)) else {
                throw fail(node, path, "must be a whole number, got \(Self.show(node))")
            }
            guard value >= min else { throw fail(node, path, "must be ≥ \(min), got \(value)") }
            return value
        }

        func rules(_ node: Node?, _ path: String, defaults: HPA.ScalingRules) throws(LocalScalerError) -> HPA.ScalingRules {
            guard let node else { return defaults }
            var rules = defaults
            if let w = try int(node["stabilizationWindowSeconds"], "\(path).stabilizationWindowSeconds", min: 0) {
                rules.stabilizationWindowSeconds = w
            }
            if let raw = try string(node, "\(path).selectPolicy", key: "selectPolicy") {
                guard let policy = HPA.SelectPolicy(rawValue: raw) else {
                    throw fail(node["selectPolicy"], "\(path).selectPolicy", "must be Max, Min or Disabled, got '\(raw)'")
                }
                rules.selectPolicy = policy
            }
            if let list = node["policies"] {
                guard let items = list.sequence else { throw fail(list, "\(path).policies", "must be a list") }
                var policies: [HPA.ScalingPolicy] = []
                for (i, item) in items.enumerated() {
                    let p = "\(path).policies[\(i)]"
                    guard let raw = try string(item, "\(p).type", key: "type"), let kind = HPA.ScalingPolicy.Kind(rawValue: raw) else {
                        throw fail(item, "\(p).type", "must be Pods or Percent")
                    }
                    guard let value = try int(item["value"], "\(p).value", min: 1),
                          let period = try int(item["periodSeconds"], "\(p).periodSeconds", min: 1) else {
                        throw fail(item, p, "needs value and periodSeconds")
                    }
                    policies.append(HPA.ScalingPolicy(kind: kind, value: value, periodSeconds: period))
                }
                rules.policies = policies
            }
            return rules
        }

        static func show(_ node: Node) -> String {
            switch node {
            case .scalar(let s): "'\(s.string)'"
            case .mapping: "a mapping"
            case .sequence: "a list"
            case .alias: "an alias"
            }
        }
    }
}
