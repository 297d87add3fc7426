// The console's model: one value holding everything the screen shows, already computed.
// Its JSON encoding is the `meme-console --once --json` output, so the coding keys are a contract.
// Units: CPU in millicores, memory in bytes, ages and rates in seconds. A section that could not be
// read is nil (its source's status says why); render shows "—" with the reason.

/// Everything the console shows at one instant.
public struct ConsoleSnapshot: Codable, Sendable, Equatable {
    public var sources: SourceStatuses
    public var mode: ConsoleMode
    /// nil when the replica source (Kubernetes, or the local scaler in local mode) is unavailable.
    public var workloads: [Workload]?
    /// nil when NATS is unavailable.
    public var queue: QueueStats?
    /// Each nats-server of a cluster (`nats_cluster`); nil with one monitor URL, and in recordings made before it existed.
    public var natsCluster: NATSClusterStats?
    /// nil when Kubernetes is unavailable (or in local mode without a scaler).
    public var autoscalers: Autoscalers?
    /// nil when Prometheus is unavailable.
    public var throughput: Throughput?
    /// Answers this console saw on the response subjects over a short window; nil while NATS is down.
    public var answers: AnswerRates?
    public var load: LoadStats
    public var recent: [RecentMeme]
    public var events: [ScalingEvent]
    public var paused: Bool
    public var notice: String?
    /// Autoscalers acting on the same thing of one workload (`AutoscalerConflicts`); empty when none.
    public var warnings: [AutoscalerWarning]
    /// The HPA ⇄ VPA loop over the last minutes, while an HPA and a VPA fight over a resource (local mode).
    public var feedback: FeedbackTrace?

    public init(
        sources: SourceStatuses, mode: ConsoleMode, workloads: [Workload]? = nil, queue: QueueStats? = nil,
        autoscalers: Autoscalers? = nil, throughput: Throughput? = nil, answers: AnswerRates? = nil, load: LoadStats = LoadStats(),
        recent: [RecentMeme] = [], events: [ScalingEvent] = [], paused: Bool = false, notice: String? = nil,
        warnings: [AutoscalerWarning] = [], feedback: FeedbackTrace? = nil, natsCluster: NATSClusterStats? = nil
    ) {
        self.sources = sources
        self.mode = mode
        self.workloads = workloads
        self.queue = queue
        self.autoscalers = autoscalers
        self.throughput = throughput
        self.answers = answers
        self.load = load
        self.recent = recent
        self.events = events
        self.paused = paused
        self.notice = notice
        self.warnings = warnings
        self.feedback = feedback
        self.natsCluster = natsCluster
    }

    /// By hand only so recordings made before `warnings` existed still decode (as no warnings).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sources = try c.decode(SourceStatuses.self, forKey: .sources)
        mode = try c.decode(ConsoleMode.self, forKey: .mode)
        workloads = try c.decodeIfPresent([Workload].self, forKey: .workloads)
        queue = try c.decodeIfPresent(QueueStats.self, forKey: .queue)
        autoscalers = try c.decodeIfPresent(Autoscalers.self, forKey: .autoscalers)
        throughput = try c.decodeIfPresent(Throughput.self, forKey: .throughput)
        answers = try c.decodeIfPresent(AnswerRates.self, forKey: .answers)
        load = try c.decode(LoadStats.self, forKey: .load)
        recent = try c.decode([RecentMeme].self, forKey: .recent)
        events = try c.decode([ScalingEvent].self, forKey: .events)
        paused = try c.decode(Bool.self, forKey: .paused)
        notice = try c.decodeIfPresent(String.self, forKey: .notice)
        warnings = try c.decodeIfPresent([AutoscalerWarning].self, forKey: .warnings) ?? []
        feedback = try c.decodeIfPresent(FeedbackTrace.self, forKey: .feedback)
        natsCluster = try c.decodeIfPresent(NATSClusterStats.self, forKey: .natsCluster)
    }

    enum CodingKeys: String, CodingKey {
        case sources, mode, workloads, queue, autoscalers, throughput, answers, load, recent, events, paused, notice, warnings, feedback
        case natsCluster = "nats_cluster"
    }
}

/// Two autoscalers acting on the same resource of one workload, e.g. an HPA on cpu utilisation and a
/// VPA setting the cpu request of meme-web: the console's banner and `--once --json`'s `warnings`.
public struct AutoscalerWarning: Codable, Sendable, Equatable {
    /// "hpa-vpa" (an HPA on a resource's utilisation, a VPA setting that resource's request) or
    /// "two-hpas" (two HPAs, KEDA's included, setting one workload's replicas).
    public var kind: String
    /// "Deployment/meme-web" (cluster), "Process/web" (local).
    public var workload: String
    /// The two objects, kind and name: ["HorizontalPodAutoscaler meme-web", "VerticalPodAutoscaler meme-web"].
    public var objects: [String]
    /// "cpu", "memory" or "replicas".
    public var resource: String
    /// One sentence naming both objects, the resource and why they fight.
    public var message: String

    public init(kind: String, workload: String, objects: [String], resource: String, message: String) {
        self.kind = kind
        self.workload = workload
        self.objects = objects
        self.resource = resource
        self.message = message
    }
}

/// The conflict act's loop, per HPA sync: the request the VPA set, the usage and utilisation the HPA
/// measured, the replicas it wanted. Amounts in the resource's unit (millicores for cpu, bytes for memory).
public struct FeedbackTrace: Codable, Sendable, Equatable {
    /// "Process/web".
    public var workload: String
    /// "cpu" or "memory".
    public var resource: String
    public var targetUtilization: Int
    /// Oldest first, one per HPA sync, over the last minutes.
    public var samples: [FeedbackSample]
    /// Each replica now.
    public var pods: [FeedbackPod]

    public init(workload: String, resource: String, targetUtilization: Int, samples: [FeedbackSample], pods: [FeedbackPod]) {
        self.workload = workload
        self.resource = resource
        self.targetUtilization = targetUtilization
        self.samples = samples
        self.pods = pods
    }

    enum CodingKeys: String, CodingKey {
        case workload, resource, samples, pods
        case targetUtilization = "target_utilization"
    }
}

public struct FeedbackSample: Codable, Sendable, Equatable {
    /// Unix time of the HPA sync.
    public var at: Double
    /// Each replica's request then (set by the VPA).
    public var request: Int
    /// Mean usage per counted replica; nil before a full sample.
    public var usage: Int?
    /// Σ usage / Σ requests in percent, as the HPA computed it.
    public var utilization: Int?
    public var replicas: Int
    public var desired: Int

    public init(at: Double, request: Int, usage: Int?, utilization: Int?, replicas: Int, desired: Int) {
        self.at = at
        self.request = request
        self.usage = usage
        self.utilization = utilization
        self.replicas = replicas
        self.desired = desired
    }
}

public struct FeedbackPod: Codable, Sendable, Equatable {
    public var name: String
    public var request: Int
    public var usage: Int?
    /// usage / request in percent.
    public var utilization: Int?

    public init(name: String, request: Int, usage: Int?, utilization: Int?) {
        self.name = name
        self.request = request
        self.usage = usage
        self.utilization = utilization
    }
}

public enum ConsoleMode: String, Codable, Sendable, Equatable {
    case cluster, local
}

// MARK: - Sources

public enum SourceState: String, Codable, Sendable, Equatable {
    case ok, stale, down, disabled
}

/// Health of one data source.
public struct SourceStatus: Codable, Sendable, Equatable {
    public var state: SourceState
    /// Why the source is stale or down ("RBAC: cannot list hpa"); never holds secrets.
    public var error: String?
    /// Seconds since the last successful read; nil if it never succeeded.
    public var ageSeconds: Double?

    public init(state: SourceState, error: String? = nil, ageSeconds: Double? = nil) {
        self.state = state
        self.error = error
        self.ageSeconds = ageSeconds
    }

    public static let ok = SourceStatus(state: .ok, ageSeconds: 0)
    public static let disabled = SourceStatus(state: .disabled)

    enum CodingKeys: String, CodingKey {
        case state, error
        case ageSeconds = "age_s"
    }
}

public struct SourceStatuses: Codable, Sendable, Equatable {
    public var nats: SourceStatus
    public var prometheus: SourceStatus
    public var kubernetes: SourceStatus
    /// `GET <LOCAL_SCALER_URL>/status` of meme-stack (local mode only; nil in cluster mode).
    public var standIn: SourceStatus?

    public init(nats: SourceStatus, prometheus: SourceStatus, kubernetes: SourceStatus, standIn: SourceStatus? = nil) {
        self.nats = nats
        self.prometheus = prometheus
        self.kubernetes = kubernetes
        self.standIn = standIn
    }

    enum CodingKeys: String, CodingKey {
        case nats, prometheus, kubernetes
        case standIn = "stand_in"
    }
}

// MARK: - Workloads and queue

/// Replica counts of one Deployment/StatefulSet (web, worker, redis).
public struct Workload: Codable, Sendable, Equatable {
    public var name: String
    /// "Deployment", "StatefulSet", or "Process" in local mode.
    public var kind: String
    public var replicas: Int
    public var ready: Int
    public var desired: Int
    /// Recent replica counts, oldest first, for the sparkline.
    public var history: [Int]?

    public init(name: String, kind: String, replicas: Int, ready: Int, desired: Int, history: [Int]? = nil) {
        self.name = name
        self.kind = kind
        self.replicas = replicas
        self.ready = ready
        self.desired = desired
        self.history = history
    }
}

/// The JetStream work queue as KEDA sees it.
public struct QueueStats: Codable, Sendable, Equatable {
    public var stream: String
    public var consumer: String
    public var pending: Int
    public var ackPending: Int
    public var redelivered: Int
    /// The lag KEDA's NATS JetStream scaler computes.
    public var lag: Int
    /// KEDA's lagThreshold; nil when the ScaledObject is unknown (or not a nats-jetstream one).
    public var lagThreshold: Int?
    /// Seconds since this console read these numbers from NATS.
    public var ageSeconds: Double?
    /// Messages stored in the stream and its bound (max_msgs, discard new: at it new memes are refused);
    /// nil when not read or unbounded.
    public var messages: Int?
    public var maxMessages: Int?

    public init(
        stream: String, consumer: String, pending: Int, ackPending: Int, redelivered: Int, lag: Int,
        lagThreshold: Int? = nil, ageSeconds: Double? = nil, messages: Int? = nil, maxMessages: Int? = nil
    ) {
        self.messages = messages
        self.maxMessages = maxMessages
        self.stream = stream
        self.consumer = consumer
        self.pending = pending
        self.ackPending = ackPending
        self.redelivered = redelivered
        self.lag = lag
        self.lagThreshold = lagThreshold
        self.ageSeconds = ageSeconds
    }

    enum CodingKeys: String, CodingKey {
        case stream, consumer, pending, redelivered, lag, messages
        case ackPending = "ack_pending"
        case lagThreshold = "lag_threshold"
        case ageSeconds = "age_s"
        case maxMessages = "max_messages"
    }
}

// MARK: - Autoscalers

public struct Autoscalers: Codable, Sendable, Equatable {
    public var hpa: [HPAStatus]
    public var keda: [KEDAStatus]
    public var vpa: [VPAStatus]

    public init(hpa: [HPAStatus] = [], keda: [KEDAStatus] = [], vpa: [VPAStatus] = []) {
        self.hpa = hpa
        self.keda = keda
        self.vpa = vpa
    }
}

/// A HorizontalPodAutoscaler and the reasoning behind its desired count.
public struct HPAStatus: Codable, Sendable, Equatable {
    public var name: String
    /// "Deployment/meme-web".
    public var targetRef: String
    public var min: Int
    public var max: Int
    public var current: Int
    public var desired: Int
    public var metrics: [HPAMetric]
    public var conditions: [HPACondition]
    /// RFC 3339 time of the last scale, as the API reports it.
    public var lastScaleTime: String?
    /// Where the numbers come from when not the Kubernetes API ("local stand-in for the HPA").
    public var source: String?
    /// Seconds since the reading the numbers come from (the stand-in's last sync).
    public var ageSeconds: Double?
    /// How the stand-in measures, e.g. "sync 5 s (15 s in a cluster), memory = RSS".
    public var note: String?
    /// Seconds until the scale-down stabilisation window lets the count fall; nil when nothing is held.
    public var scaleDownInSeconds: Double?
    /// The next thing it will do (a held scale-down), when and why; nil when nothing is pending.
    public var countdown: AutoscalerCountdown?

    public init(
        name: String, targetRef: String, min: Int, max: Int, current: Int, desired: Int,
        metrics: [HPAMetric] = [], conditions: [HPACondition] = [], lastScaleTime: String? = nil,
        source: String? = nil, ageSeconds: Double? = nil, note: String? = nil, scaleDownInSeconds: Double? = nil,
        countdown: AutoscalerCountdown? = nil
    ) {
        self.name = name
        self.targetRef = targetRef
        self.min = min
        self.max = max
        self.current = current
        self.desired = desired
        self.metrics = metrics
        self.conditions = conditions
        self.lastScaleTime = lastScaleTime
        self.source = source
        self.ageSeconds = ageSeconds
        self.note = note
        self.scaleDownInSeconds = scaleDownInSeconds
        self.countdown = countdown
    }

    enum CodingKeys: String, CodingKey {
        case name, min, max, current, desired, metrics, conditions, source, note, countdown
        case targetRef = "target_ref"
        case lastScaleTime = "last_scale_time"
        case ageSeconds = "age_s"
        case scaleDownInSeconds = "scale_down_in_s"
    }
}

/// One HPA metric: its current value against its target and the replica count that implies.
public struct HPAMetric: Codable, Sendable, Equatable {
    /// "cpu", "memory", or an external metric name.
    public var name: String
    /// nil while the metric is unknown (the API's "<unknown>").
    public var current: Double?
    public var target: Double
    /// "Utilization" (percent of requests), "AverageValue" or "Value".
    public var kind: String
    /// Replicas this metric alone asks for; nil when current is unknown.
    public var replicas: Int?
    /// One-line arithmetic, e.g. "ceil(3 × 85/70) = 4".
    public var explanation: String

    public init(name: String, current: Double?, target: Double, kind: String, replicas: Int?, explanation: String) {
        self.name = name
        self.current = current
        self.target = target
        self.kind = kind
        self.replicas = replicas
        self.explanation = explanation
    }
}

public struct HPACondition: Codable, Sendable, Equatable {
    public var type: String
    public var status: String
    public var reason: String
    public var message: String

    public init(type: String, status: String, reason: String, message: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}

/// A KEDA ScaledObject (or, in local mode, its stand-in). Numbers that only a nats-jetstream trigger
/// gives (lag, thresholds, desired) are nil when unknown, and written as null in JSON.
public struct KEDAStatus: Codable, Sendable, Equatable {
    public var name: String
    public var targetRef: String
    public var active: Bool
    /// The trigger types ("nats-jetstream", "prometheus, cron"); nil when the ScaledObject has none.
    public var trigger: String?
    /// nil while the scaler cannot read the lag, or the trigger is not nats-jetstream.
    public var lag: Int?
    public var lagThreshold: Int?
    public var activationThreshold: Int?
    public var min: Int
    public var max: Int
    /// nil when it cannot be worked out (a trigger other than nats-jetstream).
    public var desired: Int?
    public var fallback: KEDAFallback?
    public var cooldownPeriodSeconds: Int?
    /// Seconds until KEDA scales to zero (cooldownPeriod running out) if the lag stays at or below the
    /// activation threshold; nil when not counting down or unknown (no lastActiveTime).
    public var scaleToZeroInSeconds: Double?
    /// Where the lag and desired count were read: "stand-in" (meme-stack's /status, one
    /// reading) or "nats" (the console's own queue read, with KEDA's formula).
    public var source: String?
    /// Seconds since that reading was taken.
    public var ageSeconds: Double?
    public var explanation: String
    /// The scale to zero pending, when and why; nil when none is (written as null).
    public var countdown: AutoscalerCountdown?

    public init(
        name: String, targetRef: String, active: Bool, trigger: String? = "nats-jetstream", lag: Int?, lagThreshold: Int?,
        activationThreshold: Int?, min: Int, max: Int, desired: Int?, fallback: KEDAFallback? = nil,
        cooldownPeriodSeconds: Int? = nil, scaleToZeroInSeconds: Double? = nil, source: String? = nil, ageSeconds: Double? = nil,
        explanation: String, countdown: AutoscalerCountdown? = nil
    ) {
        self.name = name
        self.targetRef = targetRef
        self.active = active
        self.trigger = trigger
        self.lag = lag
        self.lagThreshold = lagThreshold
        self.activationThreshold = activationThreshold
        self.min = min
        self.max = max
        self.desired = desired
        self.fallback = fallback
        self.cooldownPeriodSeconds = cooldownPeriodSeconds
        self.scaleToZeroInSeconds = scaleToZeroInSeconds
        self.source = source
        self.ageSeconds = ageSeconds
        self.explanation = explanation
        self.countdown = countdown
    }

    /// Inactive, allowed to reach zero and not there yet: KEDA will scale to zero when cooldownPeriod runs out.
    public var scaleToZeroPending: Bool { !active && min == 0 && (desired ?? 1) > 0 }

    enum CodingKeys: String, CodingKey {
        case name, active, trigger, lag, min, max, desired, fallback, source, explanation, countdown
        case targetRef = "target_ref"
        case lagThreshold = "lag_threshold"
        case activationThreshold = "activation_threshold"
        case cooldownPeriodSeconds = "cooldown_period_s"
        case scaleToZeroInSeconds = "scale_to_zero_in_s"
        case ageSeconds = "age_s"
    }

    /// By hand so unknown numbers are written as null, not left out (scripts must not read them as 0).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(targetRef, forKey: .targetRef)
        try c.encode(active, forKey: .active)
        try c.encode(trigger, forKey: .trigger)
        try c.encode(lag, forKey: .lag)
        try c.encode(lagThreshold, forKey: .lagThreshold)
        try c.encode(activationThreshold, forKey: .activationThreshold)
        try c.encode(min, forKey: .min)
        try c.encode(max, forKey: .max)
        try c.encode(desired, forKey: .desired)
        try c.encodeIfPresent(fallback, forKey: .fallback)
        try c.encode(cooldownPeriodSeconds, forKey: .cooldownPeriodSeconds)
        try c.encode(scaleToZeroInSeconds, forKey: .scaleToZeroInSeconds)
        try c.encode(source, forKey: .source)
        try c.encode(ageSeconds, forKey: .ageSeconds)
        try c.encode(explanation, forKey: .explanation)
        try c.encode(countdown, forKey: .countdown)
    }
}

/// What an autoscaler will do next and when: "scale-down allowed in ≥ 4:25", with the rule behind it.
public struct AutoscalerCountdown: Codable, Sendable, Equatable {
    /// "scale-down allowed", "scale to zero", "eviction", "updater check".
    public var action: String
    /// Seconds from the snapshot's time; nil when unknown (the rule says why).
    public var seconds: Double?
    /// "exact", "earliest" (not before) or "latest" (at most): how sure the time is.
    public var bound: String
    public var rule: String

    public init(action: String, seconds: Double?, bound: String, rule: String) {
        self.action = action
        self.seconds = seconds
        self.bound = bound
        self.rule = rule
    }

    enum CodingKeys: String, CodingKey {
        case action, bound, rule
        case seconds = "in_s"
    }

    /// By hand so an unknown time is written as null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(action, forKey: .action)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(bound, forKey: .bound)
        try c.encode(rule, forKey: .rule)
    }

    /// "3:12", "≥ 4:25", "≤ 1:00", "?".
    var shown: String {
        guard let seconds else { return "?" }
        let prefix = bound == "earliest" ? "≥ " : (bound == "latest" ? "≤ " : "")
        return prefix + Format.clock(seconds)
    }
}

/// KEDA's fallback: after `failureThreshold` failed reads it holds `replicas`.
public struct KEDAFallback: Codable, Sendable, Equatable {
    public var failureThreshold: Int
    public var replicas: Int

    public init(failureThreshold: Int, replicas: Int) {
        self.failureThreshold = failureThreshold
        self.replicas = replicas
    }

    enum CodingKeys: String, CodingKey {
        case replicas
        case failureThreshold = "failure_threshold"
    }
}

/// A VerticalPodAutoscaler's recommendation per container.
public struct VPAStatus: Codable, Sendable, Equatable {
    public var name: String
    public var targetRef: String
    /// "Off", "Initial", "Recreate", "InPlaceOrRecreate", "Auto".
    public var updateMode: String
    public var containers: [VPAContainer]
    /// Where the numbers come from when not the Kubernetes API ("local stand-in for the VPA").
    public var source: String?
    public var ageSeconds: Double?
    /// How the stand-in measures, e.g. "half-life 5 min (24 h in a cluster), 120 samples".
    public var note: String?
    /// Seconds until the updater checks the bounds again; nil when it does not evict (Off, Initial).
    public var nextCheckInSeconds: Double?
    /// Restarts the stand-in made to apply a recommendation.
    public var evictions: Int?
    /// The updater's next pass (an eviction or a check), when and why; nil in Off and Initial.
    public var countdown: AutoscalerCountdown?

    public init(name: String, targetRef: String, updateMode: String, containers: [VPAContainer], source: String? = nil,
                ageSeconds: Double? = nil, note: String? = nil, nextCheckInSeconds: Double? = nil, evictions: Int? = nil,
                countdown: AutoscalerCountdown? = nil) {
        self.name = name
        self.targetRef = targetRef
        self.updateMode = updateMode
        self.containers = containers
        self.source = source
        self.ageSeconds = ageSeconds
        self.note = note
        self.nextCheckInSeconds = nextCheckInSeconds
        self.evictions = evictions
        self.countdown = countdown
    }

    enum CodingKeys: String, CodingKey {
        case name, containers, source, note, evictions, countdown
        case targetRef = "target_ref"
        case updateMode = "update_mode"
        case ageSeconds = "age_s"
        case nextCheckInSeconds = "next_check_in_s"
    }
}

public struct VPAContainer: Codable, Sendable, Equatable {
    public var name: String
    public var target: Resources?
    public var lowerBound: Resources?
    public var upperBound: Resources?
    public var uncappedTarget: Resources?
    /// The container's current requests.
    public var requests: Resources?
    /// One line, e.g. "requests below lower bound: would evict".
    public var verdict: String?

    public init(
        name: String, target: Resources? = nil, lowerBound: Resources? = nil, upperBound: Resources? = nil,
        uncappedTarget: Resources? = nil, requests: Resources? = nil, verdict: String? = nil
    ) {
        self.name = name
        self.target = target
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.uncappedTarget = uncappedTarget
        self.requests = requests
        self.verdict = verdict
    }

    enum CodingKeys: String, CodingKey {
        case name, target, requests, verdict
        case lowerBound = "lower_bound"
        case upperBound = "upper_bound"
        case uncappedTarget = "uncapped_target"
    }
}

/// CPU and memory; either may be absent.
public struct Resources: Codable, Sendable, Equatable {
    public var cpuMillicores: Int?
    public var memoryBytes: Int?

    public init(cpuMillicores: Int? = nil, memoryBytes: Int? = nil) {
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
    }

    enum CodingKeys: String, CodingKey {
        case cpuMillicores = "cpu_millicores"
        case memoryBytes = "memory_bytes"
    }
}

// MARK: - Throughput, load, recent, events

/// Rates and latency quantiles from Prometheus, over its 1-minute window (`ConsoleQueries`); the
/// latency is the worker's processing time, not the time a request waited in the queue.
public struct Throughput: Codable, Sendable, Equatable {
    public var completedPerSecond: Double
    public var errorsPerSecond: Double
    /// nil when there is no data in the window (Prometheus answers NaN).
    public var p50Seconds: Double?
    public var p95Seconds: Double?
    public var submittedPerSecond: Double?

    public init(
        completedPerSecond: Double, errorsPerSecond: Double, p50Seconds: Double? = nil, p95Seconds: Double? = nil,
        submittedPerSecond: Double? = nil
    ) {
        self.completedPerSecond = completedPerSecond
        self.errorsPerSecond = errorsPerSecond
        self.p50Seconds = p50Seconds
        self.p95Seconds = p95Seconds
        self.submittedPerSecond = submittedPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case completedPerSecond = "completed_per_s"
        case errorsPerSecond = "errors_per_s"
        case p50Seconds = "p50_s"
        case p95Seconds = "p95_s"
        case submittedPerSecond = "submitted_per_s"
    }
}

/// Answers (meme.response and meme.response.error) this console received over the last
/// `windowSeconds`, whoever asked: a rate that follows short bursts, unlike Prometheus's 1-minute rate.
public struct AnswerRates: Codable, Sendable, Equatable {
    /// The window the rates are over (shorter right after the console started).
    public var windowSeconds: Double
    public var answered: Int
    public var errors: Int
    public var perSecond: Double
    public var errorsPerSecond: Double
    /// End to end: the request's `submitted_at` to the answer reaching the console; nil without samples.
    public var p50Seconds: Double?
    public var p95Seconds: Double?

    public init(windowSeconds: Double, answered: Int, errors: Int, perSecond: Double, errorsPerSecond: Double,
                p50Seconds: Double? = nil, p95Seconds: Double? = nil) {
        self.windowSeconds = windowSeconds
        self.answered = answered
        self.errors = errors
        self.perSecond = perSecond
        self.errorsPerSecond = errorsPerSecond
        self.p50Seconds = p50Seconds
        self.p95Seconds = p95Seconds
    }

    enum CodingKeys: String, CodingKey {
        case answered, errors
        case windowSeconds = "window_s"
        case perSecond = "per_s"
        case errorsPerSecond = "errors_per_s"
        case p50Seconds = "p50_s"
        case p95Seconds = "p95_s"
    }
}

/// Counters of the load the console itself generated.
public struct LoadStats: Codable, Sendable, Equatable {
    public var sent: Int
    public var acked: Int
    public var answered: Int
    public var errors: Int
    public var inFlight: Int
    public var p50Milliseconds: Double?
    public var p95Milliseconds: Double?
    /// Requests per second while sustained load runs; nil when it is off.
    public var sustainedRate: Double?
    public var burstSize: Int
    /// Page loads through meme-web (the `w` key): nil when never started.
    public var web: WebTrafficStats?

    public init(
        sent: Int = 0, acked: Int = 0, answered: Int = 0, errors: Int = 0, inFlight: Int = 0,
        p50Milliseconds: Double? = nil, p95Milliseconds: Double? = nil, sustainedRate: Double? = nil,
        burstSize: Int = UIState.defaultBurstSize, web: WebTrafficStats? = nil
    ) {
        self.sent = sent
        self.acked = acked
        self.answered = answered
        self.errors = errors
        self.inFlight = inFlight
        self.p50Milliseconds = p50Milliseconds
        self.p95Milliseconds = p95Milliseconds
        self.sustainedRate = sustainedRate
        self.burstSize = burstSize
        self.web = web
    }

    enum CodingKeys: String, CodingKey {
        case sent, acked, answered, errors, web
        case inFlight = "in_flight"
        case p50Milliseconds = "p50_ms"
        case p95Milliseconds = "p95_ms"
        case sustainedRate = "sustained_rate"
        case burstSize = "burst_size"
    }
}

/// Web traffic the console made (GETs of the page, its scripts and the recent list through meme-web).
public struct WebTrafficStats: Codable, Sendable, Equatable {
    public var sent: Int
    public var ok: Int
    public var failed: Int
    /// Requests per second while it runs; nil when off.
    public var rate: Double?
    public var lastError: String?

    public init(sent: Int, ok: Int, failed: Int, rate: Double?, lastError: String? = nil) {
        self.sent = sent
        self.ok = ok
        self.failed = failed
        self.rate = rate
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case sent, ok, failed, rate
        case lastError = "last_error"
    }
}

/// One answered (or failed) request: a line of the console's recent list, and of LoadEngine's
/// `LoadSnapshot.recent` (one type for both, here because ConsoleUI depends on nothing).
public struct RecentMeme: Codable, Sendable, Equatable {
    public var id: String
    /// Audience text: may hold anything (wide characters, control characters); render sanitises it.
    public var prompt: String
    /// Submit → answer; nil when unknown (no `submitted_at`) or the publish failed.
    public var latencyMilliseconds: Double?
    public var ok: Bool
    public var error: String?

    public init(id: String, prompt: String, latencyMilliseconds: Double? = nil, ok: Bool, error: String? = nil) {
        self.id = id
        self.prompt = prompt
        self.latencyMilliseconds = latencyMilliseconds
        self.ok = ok
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case id, prompt, ok, error
        case latencyMilliseconds = "latency_ms"
    }
}

/// One line of the scaling event log.
public struct ScalingEvent: Codable, Sendable, Equatable {
    /// RFC 3339 timestamp (only the time of day is shown).
    public var time: String
    /// "hpa", "keda", "vpa", "scale", "load", "warning"…
    public var kind: String
    public var message: String

    public init(time: String, kind: String, message: String) {
        self.time = time
        self.kind = kind
        self.message = message
    }
}
