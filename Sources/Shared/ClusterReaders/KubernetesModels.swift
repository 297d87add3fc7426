import Autoscaling

/// A `status.conditions[]` entry (Deployments, HPAs, ScaledObjects, VPAs share this shape).
public struct KubernetesCondition: Sendable, Equatable, Decodable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?
    public var isTrue: Bool { status == "True" }
}

/// What a container in a pod template asks for: CPU in millicores, memory in bytes.
public struct ContainerResources: Sendable, Equatable {
    public var name: String
    public var image: String?
    public var requests: VPA.Amounts
    public var limits: VPA.Amounts
}

/// A Deployment or StatefulSet: replica counts, conditions and its pod template's resources.
public struct Workload: Sendable, Equatable {
    public var kind: String
    public var name: String
    public var namespace: String
    /// `spec.replicas` (what was asked for; the HPA/KEDA write this).
    public var desiredReplicas: Int?
    /// `status.replicas` and friends; 0 when the status omits them (as just after creation).
    public var replicas: Int
    public var readyReplicas: Int
    public var updatedReplicas: Int
    public var availableReplicas: Int
    public var conditions: [KubernetesCondition]
    public var containers: [ContainerResources]
}

/// One metric of an autoscaling/v2 HPA: spec target plus the matching `status.currentMetrics` value.
public struct HPAMetricStatus: Sendable, Equatable {
    /// Resource, ContainerResource, Pods, Object or External.
    public var type: String
    /// "cpu", "memory", or the metric name ("s0-nats-jetstream-MEMES").
    public var name: String
    /// The container of a ContainerResource metric; nil for the others.
    public var container: String? = nil
    /// Nil when the target type is not understood.
    public var target: HPA.Target?
    /// In the target's unit: percent, per-pod average (milli) or total (milli). Nil when not reported.
    public var current: Int?

    public var reading: HPA.MetricReading? {
        target.map { HPA.MetricReading(name: name, target: $0, current: current) }
    }
}

public struct HorizontalPodAutoscaler: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var scaleTargetKind: String
    public var scaleTargetName: String
    public var minReplicas: Int
    public var maxReplicas: Int
    public var metrics: [HPAMetricStatus]
    public var behavior: HPA.Behavior?
    public var currentReplicas: Int
    public var desiredReplicas: Int
    public var conditions: [KubernetesCondition]
    /// Name of the KEDA ScaledObject that owns this HPA, if any.
    public var scaledObject: String?
    /// `status.lastScaleTime` (RFC 3339): when it last changed the replica count.
    public var lastScaleTime: String? = nil

    /// What the HPA controller would compute from the reported metrics (no history: no stabilisation).
    public func evaluate(nowSeconds: Double = 0) -> HPA.Decision {
        HPA.decide(metrics: metrics.compactMap(\.reading), currentReplicas: currentReplicas, minReplicas: minReplicas,
                   maxReplicas: maxReplicas, behavior: behavior ?? HPA.Behavior(), nowSeconds: nowSeconds)
    }
}

public struct ScaledObjectTrigger: Sendable, Equatable {
    public var type: String
    public var name: String?
    public var metricType: String?
    public var metadata: [String: String]
}

public struct ScaledObject: Sendable, Equatable {
    public struct Health: Sendable, Equatable {
        public var numberOfFailures: Int
        public var status: String
    }

    public var name: String
    public var namespace: String
    public var scaleTargetName: String
    public var minReplicaCount: Int?
    public var maxReplicaCount: Int?
    public var cooldownPeriod: Int?
    public var pollingInterval: Int?
    public var fallback: KEDA.Fallback?
    public var triggers: [ScaledObjectTrigger]
    public var conditions: [KubernetesCondition]
    /// Per external metric name.
    public var health: [String: Health]
    public var externalMetricNames: [String]
    public var hpaName: String?
    /// `status.lastActiveTime` (RFC 3339), when KEDA reports it; the cooldown counts from here.
    public var lastActiveTime: String?

    public var isReady: Bool { conditions.first { $0.type == "Ready" }?.isTrue ?? false }
    public var isActive: Bool { conditions.first { $0.type == "Active" }?.isTrue ?? false }
    public var isFallbackActive: Bool { conditions.first { $0.type == "Fallback" }?.isTrue ?? false }

    /// KEDA parameters for the first `nats-jetstream` trigger (`KEDA.Defaults` where unset), nil without one.
    public var natsJetStreamParameters: KEDA.Parameters? {
        guard let trigger = triggers.first(where: { $0.type == "nats-jetstream" }) else { return nil }
        let d = KEDA.Defaults.self
        return KEDA.Parameters(
            lagThreshold: trigger.metadata["lagThreshold"].flatMap { Int($0) } ?? d.lagThreshold,
            activationLagThreshold: trigger.metadata["activationLagThreshold"].flatMap { Int($0) } ?? d.activationLagThreshold,
            minReplicaCount: minReplicaCount ?? d.minReplicaCount, maxReplicaCount: maxReplicaCount ?? d.maxReplicaCount,
            cooldownPeriodSeconds: cooldownPeriod ?? d.cooldownPeriodSeconds, pollingIntervalSeconds: pollingInterval ?? d.pollingIntervalSeconds,
            fallback: fallback)
    }
}

public struct VerticalPodAutoscaler: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var targetKind: String?
    public var targetName: String?
    /// `spec.updatePolicy.updateMode`; nil when not set (the VPA default is Auto) or not captured.
    public var updateMode: VPA.UpdateMode?
    public var conditions: [KubernetesCondition]
    public var recommendations: [VPA.ContainerRecommendation]
    /// `spec.resourcePolicy.containerPolicies`, with the CRD's defaults for what an entry leaves out.
    public var containerPolicies: [VPA.ContainerPolicy] = []
}

/// A core/v1 Event.
public struct KubernetesEvent: Sendable, Equatable {
    public var type: String?
    public var reason: String?
    public var message: String?
    public var involvedKind: String?
    public var involvedName: String?
    public var count: Int?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var source: String?
}
