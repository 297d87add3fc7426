import Autoscaling

// Decodable mirrors of the API objects, only the fields the models need. Every field is optional
// so that partial objects (e.g. `"status":{}` right after creation) decode.

struct WireList<Item: Decodable>: Decodable {
    var kind: String?
    var items: [Item]?
}

struct WireMeta: Decodable {
    var name: String?
    var namespace: String?
    var labels: [String: String]?
    var ownerReferences: [WireOwner]?
}

struct WireOwner: Decodable {
    var kind: String?
    var name: String?
}

struct WireResources: Decodable {
    var requests: [String: String]?
    var limits: [String: String]?
}

struct WireContainer: Decodable {
    var name: String?
    var image: String?
    var resources: WireResources?
}

struct WirePodSpec: Decodable { var containers: [WireContainer]? }
struct WireTemplate: Decodable { var spec: WirePodSpec? }

struct WireWorkload: Decodable {
    struct Spec: Decodable {
        var replicas: Int?
        var template: WireTemplate?
    }
    struct Status: Decodable {
        var replicas: Int?
        var readyReplicas: Int?
        var updatedReplicas: Int?
        var availableReplicas: Int?
        var conditions: [KubernetesCondition]?
    }
    var kind: String?
    var metadata: WireMeta?
    var spec: Spec?
    var status: Status?
}

struct WireMetricTarget: Decodable {
    var type: String?
    var averageUtilization: Int?
    var averageValue: String?
    var value: String?
}

struct WireMetricValue: Decodable {
    var averageUtilization: Int?
    var averageValue: String?
    var value: String?
}

struct WireMetricIdentifier: Decodable { var name: String? }

struct WireMetricSource: Decodable {
    var name: String?            // Resource / ContainerResource
    var container: String?
    var metric: WireMetricIdentifier?
    var target: WireMetricTarget?
    var current: WireMetricValue?
}

struct WireMetric: Decodable {
    var type: String?
    var resource: WireMetricSource?
    var containerResource: WireMetricSource?
    var pods: WireMetricSource?
    var object: WireMetricSource?
    var external: WireMetricSource?

    var source: WireMetricSource? {
        switch type {
        case "Resource": resource
        case "ContainerResource": containerResource
        case "Pods": pods
        case "Object": object
        case "External": external
        default: nil
        }
    }
    var name: String { source?.name ?? source?.metric?.name ?? "?" }
}

struct WireScalingRules: Decodable {
    struct Policy: Decodable {
        var type: String?
        var value: Int?
        var periodSeconds: Int?
    }
    var stabilizationWindowSeconds: Int?
    var selectPolicy: String?
    var policies: [Policy]?
}

struct WireHPA: Decodable {
    struct Spec: Decodable {
        struct Target: Decodable {
            var kind: String?
            var name: String?
        }
        var scaleTargetRef: Target?
        var minReplicas: Int?
        var maxReplicas: Int?
        var metrics: [WireMetric]?
        var behavior: Behavior?
    }
    struct Behavior: Decodable {
        var scaleUp: WireScalingRules?
        var scaleDown: WireScalingRules?
    }
    struct Status: Decodable {
        var currentReplicas: Int?
        var desiredReplicas: Int?
        var lastScaleTime: String?
        var currentMetrics: [WireMetric]?
        var conditions: [KubernetesCondition]?
    }
    var metadata: WireMeta?
    var spec: Spec?
    var status: Status?
}

struct WireScaledObject: Decodable {
    struct Spec: Decodable {
        struct Target: Decodable { var name: String? }
        struct Fallback: Decodable {
            var failureThreshold: Int?
            var replicas: Int?
        }
        struct Trigger: Decodable {
            var type: String?
            var name: String?
            var metricType: String?
            var metadata: [String: String]?
        }
        var scaleTargetRef: Target?
        var minReplicaCount: Int?
        var maxReplicaCount: Int?
        var cooldownPeriod: Int?
        var pollingInterval: Int?
        var fallback: Fallback?
        var triggers: [Trigger]?
    }
    struct Status: Decodable {
        struct Health: Decodable {
            var numberOfFailures: Int?
            var status: String?
        }
        var conditions: [KubernetesCondition]?
        var health: [String: Health]?
        var externalMetricNames: [String]?
        var hpaName: String?
        var lastActiveTime: String?
    }
    var metadata: WireMeta?
    var spec: Spec?
    var status: Status?
}

struct WireVPA: Decodable {
    struct Spec: Decodable {
        struct Target: Decodable {
            var kind: String?
            var name: String?
        }
        struct UpdatePolicy: Decodable { var updateMode: String? }
        struct ContainerPolicy: Decodable {
            var containerName: String?
            var mode: String?
            var controlledResources: [String]?
            var controlledValues: String?
            var minAllowed: [String: String]?
            var maxAllowed: [String: String]?
        }
        struct ResourcePolicy: Decodable { var containerPolicies: [ContainerPolicy]? }
        var targetRef: Target?
        var updatePolicy: UpdatePolicy?
        var resourcePolicy: ResourcePolicy?
    }
    struct Recommendation: Decodable {
        var containerName: String?
        var target: [String: String]?
        var lowerBound: [String: String]?
        var upperBound: [String: String]?
        var uncappedTarget: [String: String]?
    }
    struct Status: Decodable {
        struct Recommendations: Decodable { var containerRecommendations: [Recommendation]? }
        var conditions: [KubernetesCondition]?
        var recommendation: Recommendations?
    }
    var metadata: WireMeta?
    var spec: Spec?
    var status: Status?
}

struct WireEvent: Decodable {
    struct Involved: Decodable {
        var kind: String?
        var name: String?
    }
    struct Source: Decodable { var component: String? }
    var type: String?
    var reason: String?
    var message: String?
    var involvedObject: Involved?
    var count: Int?
    var firstTimestamp: String?
    var lastTimestamp: String?
    var source: Source?
    var reportingComponent: String?
}

/// `kind: Status` bodies the API server sends with errors.
struct WireStatus: Decodable {
    struct Details: Decodable {
        var group: String?
        var kind: String?
        var name: String?
    }
    var kind: String?
    var status: String?
    var message: String?
    var reason: String?
    var details: Details?
    var code: Int?
}
