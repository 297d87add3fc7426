/// Defaults of the limits added for hostile input and faults (issue 18); their variables are
/// named in `MemeEnv`.
public extension MemeDefaults {
    /// Where Prometheus scrapes meme-web: loopback, so a laptop demo does not offer it to the venue's
    /// network (the manifests set 0.0.0.0:9090, as for the worker).
    static let webMetricsAddress = "127.0.0.1:9092"
    static let webHeaderTimeoutSeconds = 10.0
    static let webIdleTimeoutSeconds = 75.0
    static let webBodyTimeoutSeconds = 10.0
    static let webSubmitTimeoutSeconds = 5.0
    static let webMaxViewers = 1000
    static let webListRatePerSecond = 2.0
    /// Largest request head (request line and headers) meme-web reads; bigger gets 431.
    static let webMaxHeaderBytes = 16 * 1024
    /// Requests the queue holds while no worker drains it: about an hour of ten workers' output.
    static let streamMaxMessages = 20_000
    static let streamMaxBytes = 64 * 1024 * 1024
    /// Copies of the stream (and its consumer) on a JetStream cluster; 1 on a single server.
    static let streamReplicas = 1
}
