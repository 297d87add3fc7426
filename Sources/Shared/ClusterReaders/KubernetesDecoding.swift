import Autoscaling
import Foundation

/// Pure decoding of API list bodies into the models (no I/O), so fixtures can be decoded directly.
public enum KubernetesDecoding {
    public static func workloads(_ body: [UInt8], kind: String) throws(ClusterReadError) -> [Workload] {
        try decodeList(WireWorkload.self, body, what: kind).map { w throws(ClusterReadError) in try workload(w, kind: kind) }
    }

    public static func horizontalPodAutoscalers(_ body: [UInt8]) throws(ClusterReadError) -> [HorizontalPodAutoscaler] {
        try decodeList(WireHPA.self, body, what: "HorizontalPodAutoscaler").map { h throws(ClusterReadError) in try hpa(h) }
    }

    public static func scaledObjects(_ body: [UInt8]) throws(ClusterReadError) -> [ScaledObject] {
        try decodeList(WireScaledObject.self, body, what: "ScaledObject").map(scaledObject)
    }

    public static func verticalPodAutoscalers(_ body: [UInt8]) throws(ClusterReadError) -> [VerticalPodAutoscaler] {
        try decodeList(WireVPA.self, body, what: "VerticalPodAutoscaler").map { v throws(ClusterReadError) in try vpa(v) }
    }

    public static func events(_ body: [UInt8]) throws(ClusterReadError) -> [KubernetesEvent] {
        try decodeList(WireEvent.self, body, what: "Event").map { e in
            KubernetesEvent(type: e.type, reason: e.reason, message: e.message, involvedKind: e.involvedObject?.kind,
                            involvedName: e.involvedObject?.name, count: e.count, firstTimestamp: e.firstTimestamp,
                            lastTimestamp: e.lastTimestamp, source: e.source?.component ?? e.reportingComponent)
        }
    }

    static func decodeList<T: Decodable>(_ type: T.Type, _ body: [UInt8], what: String) throws(ClusterReadError) -> [T] {
        do {
            let list = try JSONDecoder().decode(WireList<T>.self, from: Data(body))
            if let kind = list.kind, !kind.hasSuffix("List") {
                throw ClusterReadError(.decoding, "expected a \(what)List, got kind \(kind)")
            }
            return list.items ?? []
        } catch let error as ClusterReadError {
            throw error
        } catch {
            throw ClusterReadError(.decoding, "cannot decode \(what) list: \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "\(c.debugDescription) at \(path.isEmpty ? "top level" : path)"
        case nil:
            return "\(error)"
        @unknown default:
            return "\(error)"
        }
    }

    static func amounts(_ map: [String: String]?, owner: String) throws(ClusterReadError) -> VPA.Amounts {
        var result = VPA.Amounts()
        do {
            if let cpu = map?["cpu"] { result.cpuMillis = try Quantity(cpu).millis }
            if let memory = map?["memory"] { result.memoryBytes = try Quantity(memory).units }
        } catch {
            throw ClusterReadError(.decoding, "\(owner): \(error)")
        }
        return result
    }

    static func workload(_ w: WireWorkload, kind: String) throws(ClusterReadError) -> Workload {
        let name = w.metadata?.name ?? "?"
        var containers = [ContainerResources]()
        for c in w.spec?.template?.spec?.containers ?? [] {
            let owner = "\(kind) \(name) container \(c.name ?? "?")"
            containers.append(ContainerResources(
                name: c.name ?? "?", image: c.image,
                requests: try amounts(c.resources?.requests, owner: owner), limits: try amounts(c.resources?.limits, owner: owner)))
        }
        return Workload(
            kind: w.kind ?? kind, name: name, namespace: w.metadata?.namespace ?? "", desiredReplicas: w.spec?.replicas,
            replicas: w.status?.replicas ?? 0, readyReplicas: w.status?.readyReplicas ?? 0,
            updatedReplicas: w.status?.updatedReplicas ?? 0, availableReplicas: w.status?.availableReplicas ?? 0,
            conditions: w.status?.conditions ?? [], containers: containers)
    }

    static func target(_ t: WireMetricTarget?, owner: String) throws(ClusterReadError) -> HPA.Target? {
        guard let t else { return nil }
        do {
            switch t.type {
            case "Utilization": return t.averageUtilization.map { .utilization(percent: $0) }
            case "AverageValue": return try t.averageValue.map { .averageValue(milli: try Quantity($0).millis) }
            case "Value": return try t.value.map { .value(milli: try Quantity($0).millis) }
            default: return nil
            }
        } catch {
            throw ClusterReadError(.decoding, "\(owner): \(error)")
        }
    }

    static func current(_ v: WireMetricValue?, for target: HPA.Target?, owner: String) throws(ClusterReadError) -> Int? {
        guard let v, let target else { return nil }
        do {
            switch target {
            case .utilization: return v.averageUtilization
            case .averageValue: return try v.averageValue.map { try Quantity($0).millis }
            case .value: return try v.value.map { try Quantity($0).millis }
            }
        } catch {
            throw ClusterReadError(.decoding, "\(owner): \(error)")
        }
    }

    static func rules(_ r: WireScalingRules?, default fallback: HPA.ScalingRules) -> HPA.ScalingRules {
        guard let r else { return fallback }
        let policies = r.policies?.compactMap { p -> HPA.ScalingPolicy? in
            guard let kind = p.type.flatMap(HPA.ScalingPolicy.Kind.init(rawValue:)), let value = p.value else { return nil }
            return HPA.ScalingPolicy(kind: kind, value: value, periodSeconds: p.periodSeconds ?? 15)
        }
        return HPA.ScalingRules(
            stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? fallback.stabilizationWindowSeconds,
            selectPolicy: r.selectPolicy.flatMap(HPA.SelectPolicy.init(rawValue:)) ?? .max,
            policies: policies ?? fallback.policies)
    }

    static func hpa(_ h: WireHPA) throws(ClusterReadError) -> HorizontalPodAutoscaler {
        let name = h.metadata?.name ?? "?"
        var metrics = [HPAMetricStatus]()
        for m in h.spec?.metrics ?? [] {
            let owner = "HPA \(name) metric \(m.name)"
            let t = try target(m.source?.target, owner: owner)
            let reported = h.status?.currentMetrics?.first { $0.type == m.type && $0.name == m.name }
            metrics.append(HPAMetricStatus(type: m.type ?? "?", name: m.name, container: m.source?.container, target: t,
                                           current: try current(reported?.source?.current, for: t, owner: owner)))
        }
        let behavior = h.spec?.behavior.map {
            HPA.Behavior(scaleUp: rules($0.scaleUp, default: .defaultScaleUp), scaleDown: rules($0.scaleDown, default: .defaultScaleDown))
        }
        return HorizontalPodAutoscaler(
            name: name, namespace: h.metadata?.namespace ?? "", scaleTargetKind: h.spec?.scaleTargetRef?.kind ?? "?",
            scaleTargetName: h.spec?.scaleTargetRef?.name ?? "?", minReplicas: h.spec?.minReplicas ?? 1,
            maxReplicas: h.spec?.maxReplicas ?? 1, metrics: metrics, behavior: behavior,
            currentReplicas: h.status?.currentReplicas ?? 0, desiredReplicas: h.status?.desiredReplicas ?? 0,
            conditions: h.status?.conditions ?? [],
            scaledObject: h.metadata?.ownerReferences?.first { $0.kind == "ScaledObject" }?.name
                ?? h.metadata?.labels?["scaledobject.keda.sh/name"],
            lastScaleTime: h.status?.lastScaleTime)
    }

    static func scaledObject(_ s: WireScaledObject) -> ScaledObject {
        let fallback = s.spec?.fallback.flatMap { f -> KEDA.Fallback? in
            guard let threshold = f.failureThreshold, let replicas = f.replicas else { return nil }
            return KEDA.Fallback(failureThreshold: threshold, replicas: replicas)
        }
        return ScaledObject(
            name: s.metadata?.name ?? "?", namespace: s.metadata?.namespace ?? "", scaleTargetName: s.spec?.scaleTargetRef?.name ?? "?",
            minReplicaCount: s.spec?.minReplicaCount, maxReplicaCount: s.spec?.maxReplicaCount, cooldownPeriod: s.spec?.cooldownPeriod,
            pollingInterval: s.spec?.pollingInterval, fallback: fallback,
            triggers: (s.spec?.triggers ?? []).map {
                ScaledObjectTrigger(type: $0.type ?? "?", name: $0.name, metricType: $0.metricType, metadata: $0.metadata ?? [:])
            },
            conditions: s.status?.conditions ?? [],
            health: (s.status?.health ?? [:]).mapValues { ScaledObject.Health(numberOfFailures: $0.numberOfFailures ?? 0, status: $0.status ?? "?") },
            externalMetricNames: s.status?.externalMetricNames ?? [], hpaName: s.status?.hpaName,
            lastActiveTime: s.status?.lastActiveTime)
    }

    static func vpa(_ v: WireVPA) throws(ClusterReadError) -> VerticalPodAutoscaler {
        let name = v.metadata?.name ?? "?"
        var recommendations = [VPA.ContainerRecommendation]()
        for r in v.status?.recommendation?.containerRecommendations ?? [] {
            let owner = "VPA \(name) container \(r.containerName ?? "?")"
            recommendations.append(VPA.ContainerRecommendation(
                containerName: r.containerName ?? "?", target: try amounts(r.target, owner: owner),
                lowerBound: try amounts(r.lowerBound, owner: owner), upperBound: try amounts(r.upperBound, owner: owner),
                uncappedTarget: try amounts(r.uncappedTarget, owner: owner)))
        }
        var policies = [VPA.ContainerPolicy]()
        for p in v.spec?.resourcePolicy?.containerPolicies ?? [] { policies.append(try containerPolicy(p, vpa: name)) }
        return VerticalPodAutoscaler(
            name: name, namespace: v.metadata?.namespace ?? "", targetKind: v.spec?.targetRef?.kind, targetName: v.spec?.targetRef?.name,
            updateMode: v.spec?.updatePolicy?.updateMode.flatMap(VPA.UpdateMode.init(rawValue:)),
            conditions: v.status?.conditions ?? [], recommendations: recommendations, containerPolicies: policies)
    }

    /// One `containerPolicies[]` entry; a value the CRD does not allow is an error naming the VPA and the field.
    static func containerPolicy(_ p: WireVPA.Spec.ContainerPolicy, vpa: String) throws(ClusterReadError) -> VPA.ContainerPolicy {
        let owner = "VPA \(vpa) containerPolicy \(p.containerName ?? "?")"
        var policy = VPA.ContainerPolicy(containerName: p.containerName ?? "*")
        if let raw = p.mode {
            guard let mode = VPA.ContainerScalingMode(rawValue: raw) else { throw ClusterReadError(.decoding, "\(owner): mode '\(raw)' is not Auto or Off") }
            policy.mode = mode
        }
        if let list = p.controlledResources {
            // Resources other than cpu and memory (the CRD allows only those two) are ignored, not fatal.
            policy.controlledResources = list.compactMap(VPA.Resource.init(rawValue:))
        }
        if let raw = p.controlledValues {
            guard let values = VPA.ControlledValues(rawValue: raw) else {
                throw ClusterReadError(.decoding, "\(owner): controlledValues '\(raw)' is not RequestsAndLimits or RequestsOnly")
            }
            policy.controlledValues = values
        }
        policy.minAllowed = try amounts(p.minAllowed, owner: owner + " minAllowed")
        policy.maxAllowed = try amounts(p.maxAllowed, owner: owner + " maxAllowed")
        return policy
    }
}
