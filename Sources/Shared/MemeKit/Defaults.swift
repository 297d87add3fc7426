/// Names and defaults shared by every program, so the worker, the web service, the console,
/// the manifests and the load tools cannot drift apart. Environment variable names are the
/// original Rust worker's.
public enum MemeDefaults {
    public static let natsURL = "nats://127.0.0.1:4222"
    public static let redisURL = "redis://127.0.0.1:6379"
    public static let prometheusURL = "http://127.0.0.1:9090"
    public static let stream = "MEMES"
    public static let consumer = "meme-generator"
    public static let requestSubject = "meme.request"
    public static let responseSubject = "meme.response"
    /// The original publishes errors on `<response subject>.error`.
    public static func errorSubject(for responseSubject: String) -> String { responseSubject + ".error" }
    public static let cacheTTLSeconds = 3600
    /// Results kept by request id for late readers (web service restarts, missed core-NATS responses).
    public static let resultTTLSeconds = 600
    public static let ackWaitSeconds = 60
    public static let maxDeliver = 3
    public static let duplicateWindowSeconds = 120
    public static let maxPromptCharacters = 500
    public static let maxRequestBytes = 16 * 1024
    public static let workerMetricsAddress = "0.0.0.0:9091"
    public static let webPort = 8080
    public static let hfFastModelURL = "https://router.huggingface.co/hf-inference/models/black-forest-labs/FLUX.1-schnell"
    public static let hfDefaultURL = "https://router.huggingface.co/hf-inference/models/black-forest-labs/FLUX.1-schnell"
    /// KEDA trigger values of the worker's ScaledObject (k8s/ is the source of truth for clusters).
    public static let lagThreshold = 5
    public static let activationLagThreshold = 0
}

/// Environment variable names, one place: every program reads its settings by these names, the
/// flags are derived from them (`MemeEnv.flagName`), and `MemeEnv.all` documents each one.
public enum MemeEnv {
    // The queue (worker, web, console, load tool)
    public static let natsURL = "NATS_URL"
    public static let natsStream = "NATS_STREAM"
    public static let natsConsumer = "NATS_CONSUMER"
    public static let requestSubject = "NATS_REQUEST_SUBJECT"
    public static let responseSubject = "NATS_RESPONSE_SUBJECT"
    public static let ackWait = "NATS_ACK_WAIT"
    public static let maxDeliver = "NATS_MAX_DELIVER"
    public static let natsMonitorURL = "NATS_MONITOR_URL"
    public static let redisURL = "REDIS_URL"
    public static let cacheTTL = "CACHE_TTL"
    public static let resultTTL = "RESULT_TTL"
    public static let maxPromptChars = "MAX_PROMPT_CHARS"
    public static let logLevel = "LOG_LEVEL"
    // meme-worker
    public static let hfToken = "HF_API_TOKEN"
    public static let hfTokenFile = "HF_API_TOKEN_FILE"
    public static let hfURL = "HF_API_URL"
    public static let hfFastURL = "HF_FAST_API_URL"
    public static let hfTimeout = "HF_TIMEOUT"
    public static let metricsAddress = "METRICS_ADDR"
    public static let workerConcurrency = "WORKER_CONCURRENCY"
    public static let workerDrainGrace = "WORKER_DRAIN_GRACE"
    public static let workerName = "WORKER_NAME"
    // meme-web
    public static let host = "HOST"
    public static let port = "PORT"
    public static let publicURL = "PUBLIC_URL"
    public static let webPublicAddress = "WEB_PUBLIC_ADDRESS"
    public static let webProxyProtocol = "WEB_PROXY_PROTOCOL"
    public static let webPublicDir = "WEB_PUBLIC_DIR"
    public static let webRateLimit = "WEB_RATE_LIMIT"
    public static let webRateBurst = "WEB_RATE_BURST"
    public static let webAddressRateLimit = "WEB_ADDRESS_RATE_LIMIT"
    public static let webAddressRateBurst = "WEB_ADDRESS_RATE_BURST"
    public static let webGlobalRateLimit = "WEB_GLOBAL_RATE_LIMIT"
    public static let webGlobalRateBurst = "WEB_GLOBAL_RATE_BURST"
    public static let webTrustedProxy = "WEB_TRUSTED_PROXY"
    public static let webTrustedProxies = "WEB_TRUSTED_PROXIES"
    public static let webRecentCapacity = "WEB_RECENT_CAPACITY"
    public static let webStatsInterval = "WEB_STATS_INTERVAL"
    // meme-console
    public static let consoleMode = "MEME_CONSOLE_MODE"
    public static let consoleInterval = "MEME_CONSOLE_INTERVAL"
    public static let prometheusURL = "PROMETHEUS_URL"
    public static let localScalerURL = "LOCAL_SCALER_URL"
    public static let consoleWebURL = "MEME_CONSOLE_WEB_URL"
    // meme-stack (the local stack): its state folder, listen address and ports.
    public static let demoDir = "DEMO_DIR"
    public static let demoWebHost = "DEMO_WEB_HOST"
    public static let demoNATSPort = "DEMO_NATS_PORT"
    public static let demoNATSCluster = "DEMO_NATS_CLUSTER"
    public static let demoNATSMonitorPort = "DEMO_NATS_MONITOR_PORT"
    public static let demoRedisPort = "DEMO_REDIS_PORT"
    public static let demoRedisExporterPort = "DEMO_REDIS_EXPORTER_PORT"
    public static let demoPrometheusPort = "DEMO_PROMETHEUS_PORT"
    public static let demoWebPort = "DEMO_WEB_PORT"
    public static let demoWebProcessBasePort = "DEMO_WEB_PROCESS_BASE_PORT"
    public static let demoWebMetricsBasePort = "DEMO_WEB_METRICS_BASE_PORT"
    public static let demoControlPort = "DEMO_CONTROL_PORT"
    public static let demoWorkerMetricsBasePort = "DEMO_WORKER_METRICS_BASE_PORT"
    public static let kubeconfig = "KUBECONFIG"
    public static let kubeContext = "KUBE_CONTEXT"
    public static let kubeAPIURL = "KUBE_API_URL"
    public static let kubernetesServiceHost = "KUBERNETES_SERVICE_HOST"
    public static let kubernetesServicePort = "KUBERNETES_SERVICE_PORT"
    public static let namespace = "MEME_NAMESPACE"
    public static let cacheNamespace = "MEME_CACHE_NAMESPACE"
    public static let messagingNamespace = "MEME_MESSAGING_NAMESPACE"
    // Limits against hostile input and faults (issue 18); defaults in Limits.swift.
    /// meme-web's ops listener (/metrics, /healthz, /readyz), apart from the audience's port.
    public static let webMetricsAddress = "WEB_METRICS_ADDR"
    /// Seconds a new connection has to send its first request's headers.
    public static let webHeaderTimeout = "WEB_HEADER_TIMEOUT"
    /// Seconds a keep-alive connection may sit idle between requests.
    public static let webIdleTimeout = "WEB_IDLE_TIMEOUT"
    /// Seconds a request body has to arrive in full.
    public static let webBodyTimeout = "WEB_BODY_TIMEOUT"
    /// Seconds a submit may wait for JetStream's acknowledgement before the answer is 503.
    public static let webSubmitTimeout = "WEB_SUBMIT_TIMEOUT"
    /// Open /api/live WebSockets per meme-web process.
    public static let webMaxViewers = "WEB_MAX_VIEWERS"
    /// GET /api/memes (the recent list) per second per client address.
    public static let webListRateLimit = "WEB_LIST_RATE_LIMIT"
    /// MEMES stream bounds (discard new): read by meme-web and meme-worker, which both declare the stream.
    public static let streamMaxMessages = "NATS_STREAM_MAX_MSGS"
    public static let streamMaxBytes = "NATS_STREAM_MAX_BYTES"
    public static let streamReplicas = "NATS_STREAM_REPLICAS"
}
