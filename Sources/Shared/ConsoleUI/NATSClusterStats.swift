/// The NATS cluster behind the queue, one entry per configured monitor URL (`nats_cluster` in
/// `--once --json`): nil on a single server. Replica states are the leaders' view (a follower's view of
/// its peers is stale), nil when the leader's page was not read.
public struct NATSClusterStats: Codable, Sendable, Equatable {
    /// The NATS cluster's name ("memes"), when a page named it.
    public var name: String?
    /// Server name of the JetStream meta leader.
    public var metaLeader: String?
    public var servers: [NATSServerStats]

    public init(name: String? = nil, metaLeader: String? = nil, servers: [NATSServerStats]) {
        self.name = name
        self.metaLeader = metaLeader
        self.servers = servers
    }

    enum CodingKeys: String, CodingKey {
        case name, servers
        case metaLeader = "meta_leader"
    }
}

public struct NATSServerStats: Codable, Sendable, Equatable {
    /// Server name ("n-1"); the monitor's host:port while it is unknown.
    public var name: String
    /// The monitor URL this entry was read from.
    public var url: String
    /// It answered /jsz this round.
    public var up: Bool
    /// Why not, when down.
    public var error: String?
    public var streamLeader: Bool
    public var consumerLeader: Bool
    /// This server as a follower of the stream / consumer, as the leader sees it; nil for the leader itself or unknown.
    public var stream: NATSReplicaStats?
    public var consumer: NATSReplicaStats?

    public init(name: String, url: String, up: Bool, error: String? = nil, streamLeader: Bool = false, consumerLeader: Bool = false,
                stream: NATSReplicaStats? = nil, consumer: NATSReplicaStats? = nil) {
        self.name = name
        self.url = url
        self.up = up
        self.error = error
        self.streamLeader = streamLeader
        self.consumerLeader = consumerLeader
        self.stream = stream
        self.consumer = consumer
    }

    enum CodingKeys: String, CodingKey {
        case name, url, up, error, stream, consumer
        case streamLeader = "stream_leader"
        case consumerLeader = "consumer_leader"
    }
}

/// A follower as its group's leader reports it.
public struct NATSReplicaStats: Codable, Sendable, Equatable {
    public var current: Bool
    /// Operations behind the leader; nil when caught up.
    public var lag: Int?
    /// Seconds since the leader last heard from it.
    public var activeSeconds: Double?

    public init(current: Bool, lag: Int? = nil, activeSeconds: Double? = nil) {
        self.current = current
        self.lag = lag
        self.activeSeconds = activeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case current, lag
        case activeSeconds = "active_s"
    }
}
