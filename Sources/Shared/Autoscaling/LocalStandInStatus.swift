/// The HPA and VPA stand-ins' part of the local stack's `GET /status` (next to the KEDA stand-in's
/// numbers in `LocalScalerStatus`). Every number of one decision comes from one sampling round.
/// JSON keys are snake_case; times are Unix seconds; unknown values are null, never a guessed zero.

/// CPU in millicores and memory in bytes, as a request, a usage or a recommendation.
public struct ResourceAmounts: Codable, Sendable, Equatable {
    public var cpuMillicores: Int?
    public var memoryBytes: Int?

    public init(cpuMillicores: Int?, memoryBytes: Int?) {
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
    }

    public init(_ amounts: VPA.Amounts) {
        self.init(cpuMillicores: amounts.cpuMillis, memoryBytes: amounts.memoryBytes)
    }

    public var amounts: VPA.Amounts { VPA.Amounts(cpuMillis: cpuMillicores, memoryBytes: memoryBytes) }

    enum CodingKeys: String, CodingKey {
        case cpuMillicores = "cpu_millicores"
        case memoryBytes = "memory_bytes"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cpuMillicores, forKey: .cpuMillicores)
        try c.encode(memoryBytes, forKey: .memoryBytes)
    }
}

/// The local stand-in for the HorizontalPodAutoscaler on meme-web.
public struct LocalHPAStatus: Codable, Sendable, Equatable {
    /// "local stand-in for the HPA": where the numbers come from, shown next to them.
    public var source: String
    /// The HorizontalPodAutoscaler object it copies (metadata.name of k8s/base/web/hpa.yaml).
    public var name: String
    public var workload: String
    public var readAt: Double?
    public var syncPeriodSeconds: Double
    public var minReplicas: Int
    public var maxReplicas: Int
    /// Processes serving now (not counting those draining after a scale-down).
    public var replicas: Int
    public var desiredReplicas: Int
    public var terminating: Int
    public var metrics: [Metric]
    public var pods: [Pod]
    /// Which memory figure the utilisation uses ("private": RssAnon + RssShmem from /proc/<pid>/status).
    public var memoryMeasure: String
    /// The decision with its arithmetic, e.g. "cpu 45% / 30% → 2; memory 40% / 50% → 1 ⇒ 2".
    public var reason: String
    /// Seconds until the scale-down stabilisation window lets the count fall to what the metrics
    /// ask for now; nil when no scale-down is being held back.
    public var scaleDownInSeconds: Double?
    public var events: [LocalScalerStatus.Event]

    public struct Metric: Codable, Sendable, Equatable {
        /// "cpu" or "memory".
        public var name: String
        public var targetUtilization: Int
        /// Average over the counted pods of usage / request, in percent; nil before a full sample window.
        public var currentUtilization: Int?
        /// The per-pod request it is measured against (millicores or bytes).
        public var request: Int
        /// Average usage over the counted pods (millicores or bytes).
        public var averageUsage: Int?
        /// Replicas this metric alone asks for.
        public var replicas: Int?
        public var explanation: String

        public init(name: String, targetUtilization: Int, currentUtilization: Int?, request: Int, averageUsage: Int?,
                    replicas: Int?, explanation: String) {
            self.name = name
            self.targetUtilization = targetUtilization
            self.currentUtilization = currentUtilization
            self.request = request
            self.averageUsage = averageUsage
            self.replicas = replicas
            self.explanation = explanation
        }

        enum CodingKeys: String, CodingKey {
            case name, request, replicas, explanation
            case targetUtilization = "target_utilization"
            case currentUtilization = "current_utilization"
            case averageUsage = "average_usage"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(targetUtilization, forKey: .targetUtilization)
            try c.encode(currentUtilization, forKey: .currentUtilization)
            try c.encode(request, forKey: .request)
            try c.encode(averageUsage, forKey: .averageUsage)
            try c.encode(replicas, forKey: .replicas)
            try c.encode(explanation, forKey: .explanation)
        }
    }

    public struct Pod: Codable, Sendable, Equatable {
        public var name: String
        public var pid: Int32
        /// CPU over the last sync period; nil for a process younger than one period.
        public var cpuMillicores: Int?
        public var memoryBytes: Int?
        /// Receives connections from the proxy (answers /readyz).
        public var ready: Bool
        public var terminating: Bool

        public init(name: String, pid: Int32, cpuMillicores: Int?, memoryBytes: Int?, ready: Bool, terminating: Bool) {
            self.name = name
            self.pid = pid
            self.cpuMillicores = cpuMillicores
            self.memoryBytes = memoryBytes
            self.ready = ready
            self.terminating = terminating
        }

        enum CodingKeys: String, CodingKey {
            case name, pid, ready, terminating
            case cpuMillicores = "cpu_millicores"
            case memoryBytes = "memory_bytes"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(pid, forKey: .pid)
            try c.encode(cpuMillicores, forKey: .cpuMillicores)
            try c.encode(memoryBytes, forKey: .memoryBytes)
            try c.encode(ready, forKey: .ready)
            try c.encode(terminating, forKey: .terminating)
        }
    }

    public init(source: String = "local stand-in for the HPA", name: String, workload: String, readAt: Double?,
                syncPeriodSeconds: Double, minReplicas: Int, maxReplicas: Int, replicas: Int, desiredReplicas: Int, terminating: Int,
                metrics: [Metric], pods: [Pod], memoryMeasure: String = "private", reason: String, scaleDownInSeconds: Double?,
                events: [LocalScalerStatus.Event]) {
        self.source = source
        self.name = name
        self.workload = workload
        self.readAt = readAt
        self.syncPeriodSeconds = syncPeriodSeconds
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.replicas = replicas
        self.desiredReplicas = desiredReplicas
        self.terminating = terminating
        self.metrics = metrics
        self.pods = pods
        self.memoryMeasure = memoryMeasure
        self.reason = reason
        self.scaleDownInSeconds = scaleDownInSeconds
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case source, name, workload, replicas, terminating, metrics, pods, reason, events
        case readAt = "read_at"
        case syncPeriodSeconds = "sync_period_seconds"
        case minReplicas = "min_replicas"
        case maxReplicas = "max_replicas"
        case desiredReplicas = "desired_replicas"
        case memoryMeasure = "memory_measure"
        case scaleDownInSeconds = "scale_down_in_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(name, forKey: .name)
        try c.encode(workload, forKey: .workload)
        try c.encode(readAt, forKey: .readAt)
        try c.encode(syncPeriodSeconds, forKey: .syncPeriodSeconds)
        try c.encode(minReplicas, forKey: .minReplicas)
        try c.encode(maxReplicas, forKey: .maxReplicas)
        try c.encode(replicas, forKey: .replicas)
        try c.encode(desiredReplicas, forKey: .desiredReplicas)
        try c.encode(terminating, forKey: .terminating)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(pods, forKey: .pods)
        try c.encode(memoryMeasure, forKey: .memoryMeasure)
        try c.encode(reason, forKey: .reason)
        try c.encode(scaleDownInSeconds, forKey: .scaleDownInSeconds)
        try c.encode(events, forKey: .events)
    }
}

/// The local stand-in for the VerticalPodAutoscaler on Redis.
public struct LocalVPAStatus: Codable, Sendable, Equatable {
    public var source: String
    /// The VerticalPodAutoscaler object it copies (metadata.name of k8s/base/redis/vpa.yaml).
    public var name: String
    public var workload: String
    public var container: String
    public var updateMode: String
    public var controlledResources: [String]
    public var controlledValues: String
    public var minAllowed: ResourceAmounts
    public var maxAllowed: ResourceAmounts
    public var readAt: Double?
    public var sampleIntervalSeconds: Double
    /// The recommender's histogram half-life, compressed for a demo (24 h in a cluster).
    public var halfLifeSeconds: Double
    public var samples: Int
    /// The process being measured; nil while it is down.
    public var pid: Int32?
    /// What the process runs with now (from the StatefulSet, then from each "eviction").
    public var requests: ResourceAmounts
    /// The latest sample.
    public var usage: ResourceAmounts?
    public var target: ResourceAmounts?
    public var lowerBound: ResourceAmounts?
    public var upperBound: ResourceAmounts?
    public var uncappedTarget: ResourceAmounts?
    /// Redis's --maxmemory now, derived from the memory request.
    public var maxMemoryBytes: Int?
    /// The verdict with its numbers, e.g. "memory request 512Mi within [262Mi, 1Gi]".
    public var verdict: String
    public var wouldEvict: Bool
    /// Restarts made to apply a recommendation ("evictions").
    public var evictions: Int
    /// Seconds until the updater checks again; nil when it does not act (mode Off / Initial).
    public var nextCheckInSeconds: Double?
    /// How often the updater checks (60 s in a cluster, shorter for a demo); nil from a stack that does not say.
    public var updateIntervalSeconds: Double? = nil
    public var events: [LocalScalerStatus.Event]

    public init(source: String = "local stand-in for the VPA", name: String, workload: String, container: String, updateMode: String,
                controlledResources: [String], controlledValues: String, minAllowed: ResourceAmounts, maxAllowed: ResourceAmounts,
                readAt: Double?, sampleIntervalSeconds: Double, halfLifeSeconds: Double, samples: Int, pid: Int32?,
                requests: ResourceAmounts, usage: ResourceAmounts?, target: ResourceAmounts?, lowerBound: ResourceAmounts?,
                upperBound: ResourceAmounts?, uncappedTarget: ResourceAmounts?, maxMemoryBytes: Int?, verdict: String,
                wouldEvict: Bool, evictions: Int, nextCheckInSeconds: Double?, events: [LocalScalerStatus.Event]) {
        self.source = source
        self.name = name
        self.workload = workload
        self.container = container
        self.updateMode = updateMode
        self.controlledResources = controlledResources
        self.controlledValues = controlledValues
        self.minAllowed = minAllowed
        self.maxAllowed = maxAllowed
        self.readAt = readAt
        self.sampleIntervalSeconds = sampleIntervalSeconds
        self.halfLifeSeconds = halfLifeSeconds
        self.samples = samples
        self.pid = pid
        self.requests = requests
        self.usage = usage
        self.target = target
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.uncappedTarget = uncappedTarget
        self.maxMemoryBytes = maxMemoryBytes
        self.verdict = verdict
        self.wouldEvict = wouldEvict
        self.evictions = evictions
        self.nextCheckInSeconds = nextCheckInSeconds
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case source, name, workload, container, samples, pid, requests, usage, target, verdict, evictions, events
        case updateMode = "update_mode"
        case controlledResources = "controlled_resources"
        case controlledValues = "controlled_values"
        case minAllowed = "min_allowed"
        case maxAllowed = "max_allowed"
        case readAt = "read_at"
        case sampleIntervalSeconds = "sample_interval_seconds"
        case halfLifeSeconds = "half_life_seconds"
        case lowerBound = "lower_bound"
        case upperBound = "upper_bound"
        case uncappedTarget = "uncapped_target"
        case maxMemoryBytes = "max_memory_bytes"
        case wouldEvict = "would_evict"
        case nextCheckInSeconds = "next_check_in_seconds"
        case updateIntervalSeconds = "update_interval_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(name, forKey: .name)
        try c.encode(workload, forKey: .workload)
        try c.encode(container, forKey: .container)
        try c.encode(updateMode, forKey: .updateMode)
        try c.encode(controlledResources, forKey: .controlledResources)
        try c.encode(controlledValues, forKey: .controlledValues)
        try c.encode(minAllowed, forKey: .minAllowed)
        try c.encode(maxAllowed, forKey: .maxAllowed)
        try c.encode(readAt, forKey: .readAt)
        try c.encode(sampleIntervalSeconds, forKey: .sampleIntervalSeconds)
        try c.encode(halfLifeSeconds, forKey: .halfLifeSeconds)
        try c.encode(samples, forKey: .samples)
        try c.encode(pid, forKey: .pid)
        try c.encode(requests, forKey: .requests)
        try c.encode(usage, forKey: .usage)
        try c.encode(target, forKey: .target)
        try c.encode(lowerBound, forKey: .lowerBound)
        try c.encode(upperBound, forKey: .upperBound)
        try c.encode(uncappedTarget, forKey: .uncappedTarget)
        try c.encode(maxMemoryBytes, forKey: .maxMemoryBytes)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(wouldEvict, forKey: .wouldEvict)
        try c.encode(evictions, forKey: .evictions)
        try c.encode(nextCheckInSeconds, forKey: .nextCheckInSeconds)
        try c.encode(updateIntervalSeconds, forKey: .updateIntervalSeconds)
        try c.encode(events, forKey: .events)
    }
}
