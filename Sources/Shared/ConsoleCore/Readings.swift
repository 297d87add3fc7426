import ClusterReaders
import ConsoleUI

/// The queue as read from JetStream's consumer info.
public struct QueueReading: Sendable, Equatable {
    public var stream: String
    public var consumer: String
    public var pending: Int
    public var ackPending: Int
    public var redelivered: Int
    /// Messages stored in the stream, and its bound (max_msgs; nil when unbounded or not read).
    public var messages: Int?
    public var maxMessages: Int?
    /// Each server of a NATS cluster (several monitor URLs); nil with one.
    public var cluster: NATSClusterStats? = nil
    /// What KEDA's nats-jetstream scaler reports: pending + ack-pending.
    public var lag: Int { pending + ackPending }

    public init(stream: String, consumer: String, pending: Int, ackPending: Int, redelivered: Int,
                messages: Int? = nil, maxMessages: Int? = nil) {
        self.stream = stream
        self.consumer = consumer
        self.pending = pending
        self.ackPending = ackPending
        self.redelivered = redelivered
        self.messages = messages
        self.maxMessages = maxMessages
    }
}

/// Whether the NATS connection is up right now (from its events), independent of the last queue read.
public struct NATSLink: Sendable, Equatable {
    public var connected: Bool
    /// Why it is not connected ("disconnected: connection reset", "cannot connect to …").
    public var reason: String?

    public init(connected: Bool, reason: String? = nil) {
        self.connected = connected
        self.reason = reason
    }
}

/// One Prometheus round: worker throughput and processing latency over Prometheus's 1-minute window.
public struct MetricsReading: Sendable, Equatable {
    public var completedPerSecond: Double
    public var errorsPerSecond: Double
    public var submittedPerSecond: Double?
    public var p50Seconds: Double?
    public var p95Seconds: Double?

    public init(completedPerSecond: Double = 0, errorsPerSecond: Double = 0, submittedPerSecond: Double? = nil,
                p50Seconds: Double? = nil, p95Seconds: Double? = nil) {
        self.completedPerSecond = completedPerSecond
        self.errorsPerSecond = errorsPerSecond
        self.submittedPerSecond = submittedPerSecond
        self.p50Seconds = p50Seconds
        self.p95Seconds = p95Seconds
    }
}

/// One Kubernetes round. Optional add-ons (KEDA, VPA) that are missing or forbidden leave their
/// list empty and say why in `notes`, without failing the whole source.
public struct ClusterReading: Sendable, Equatable {
    public var workloads: [ClusterReaders.Workload]
    public var hpas: [HorizontalPodAutoscaler]
    public var scaledObjects: [ScaledObject]
    public var vpas: [VerticalPodAutoscaler]
    /// "not found: no KEDA installed" and the like.
    public var notes: [String]

    public init(workloads: [ClusterReaders.Workload] = [], hpas: [HorizontalPodAutoscaler] = [], scaledObjects: [ScaledObject] = [],
                vpas: [VerticalPodAutoscaler] = [], notes: [String] = []) {
        self.workloads = workloads
        self.hpas = hpas
        self.scaledObjects = scaledObjects
        self.vpas = vpas
        self.notes = notes
    }
}

/// A workload the console shows: its label on screen and where to find it.
public struct WatchedWorkload: Sendable, Equatable {
    public var label: String
    /// "Deployment" or "StatefulSet".
    public var kind: String
    public var namespace: String
    public var name: String

    public init(label: String, kind: String, namespace: String, name: String) {
        self.label = label
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// web, worker, redis (and nats) as k8s/base names them.
    public static func defaults(app: String = "meme-generator", cache: String = "cache", messaging: String = "messaging") -> [WatchedWorkload] {
        [
            WatchedWorkload(label: "web", kind: "Deployment", namespace: app, name: "meme-web"),
            WatchedWorkload(label: "worker", kind: "Deployment", namespace: app, name: "meme-worker"),
            WatchedWorkload(label: "redis", kind: "StatefulSet", namespace: cache, name: "redis"),
            WatchedWorkload(label: "nats", kind: "StatefulSet", namespace: messaging, name: "nats"),
        ]
    }
}
