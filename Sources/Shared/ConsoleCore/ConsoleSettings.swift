import MemeKit

/// Where the console reads from and how often; `resolve(_:)` fills it from flags, environment and defaults.
public struct ConsoleSettings: Sendable {
    /// `--mode`: cluster, local, or auto (cluster when a Kubernetes API answers).
    public enum ModeRequest: String, Sendable, CaseIterable {
        case auto, cluster, local
    }

    /// How to reach the Kubernetes API (cluster mode).
    public struct Kubernetes: Sendable, Equatable {
        /// A plain API URL (a `kubectl proxy`); wins over the rest.
        public var apiURL: String?
        /// The kubeconfig file; nil: `~/.kube/config`.
        public var kubeconfig: String?
        public var context: String?
        /// Use the pod's service account.
        public var inCluster = false
        public init() {}
    }

    public var mode = ModeRequest.auto
    public var kubernetes = Kubernetes()
    public var natsURL: String
    /// `/jsz` base URL of nats-server's monitor port; when set the queue is read there, exactly as KEDA reads it.
    /// Several, comma-separated, for a cluster: each member is read and the queue panel shows every server.
    public var natsMonitorURL: String?
    public var prometheusURL: String
    public var stream: String
    public var consumer: String
    public var requestSubject: String
    public var responseSubject: String
    /// The stream's bounds and copies, should the console's load be the first to declare it.
    public var streamBounds = StreamBounds()
    /// Seconds between reads of each source while it is healthy.
    public var interval: Double
    public var appNamespace: String
    public var cacheNamespace: String
    public var messagingNamespace: String
    /// meme-stack's control URL (local mode reads `/status` there).
    public var localScalerURL: String
    /// `--allow-changes`: in cluster mode the acts may write VPAs (the Role meme-console-acts grants it).
    public var allowChanges = false
    /// meme-web (or the stack's web port): where the `w` key's page loads go.
    public var webURL = "http://127.0.0.1:\(MemeDefaults.webPort)"

    public init(natsURL: String = MemeDefaults.natsURL, natsMonitorURL: String? = nil, prometheusURL: String = MemeDefaults.prometheusURL,
                stream: String = MemeDefaults.stream, consumer: String = MemeDefaults.consumer,
                requestSubject: String = MemeDefaults.requestSubject, responseSubject: String = MemeDefaults.responseSubject,
                interval: Double = 1, appNamespace: String = "meme-generator", cacheNamespace: String = "cache",
                messagingNamespace: String = "messaging", localScalerURL: String = Self.defaultLocalScalerURL) {
        self.natsURL = natsURL
        self.natsMonitorURL = natsMonitorURL
        self.prometheusURL = prometheusURL
        self.stream = stream
        self.consumer = consumer
        self.requestSubject = requestSubject
        self.responseSubject = responseSubject
        self.interval = interval
        self.appNamespace = appNamespace
        self.cacheNamespace = cacheNamespace
        self.messagingNamespace = messagingNamespace
        self.localScalerURL = localScalerURL
    }

    /// Where meme-stack's control port listens by default (DEMO_CONTROL_PORT).
    public static let defaultLocalScalerURL = "http://127.0.0.1:9190"

    /// The queue part, as the other programs hold it.
    public var queue: QueueSettings {
        var q = QueueSettings()
        (q.natsURL, q.stream, q.consumer, q.requestSubject, q.responseSubject) = (natsURL, stream, consumer, requestSubject, responseSubject)
        return q
    }

    public var backoff: Backoff { Backoff(interval: interval, maximum: max(30, interval)) }
    /// A source counts as stale after missing about three reads.
    public var staleAfter: Double { max(3, interval * 3 + 1) }
    public var downAfter: Double { max(60, interval * 30) }

    public var watched: [WatchedWorkload] {
        WatchedWorkload.defaults(app: appNamespace, cache: cacheNamespace, messaging: messagingNamespace)
    }
}
