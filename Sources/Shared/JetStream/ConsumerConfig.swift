public enum AckPolicy: String, Codable, Sendable { case none, all, explicit }
public enum DeliverPolicy: String, Codable, Sendable {
    case all, last, new, byStartSequence = "by_start_sequence", byStartTime = "by_start_time", lastPerSubject = "last_per_subject"
}
public enum ReplayPolicy: String, Codable, Sendable { case instant, original }

/// A pull consumer's configuration. `durable` names a consumer that outlives its clients.
public struct ConsumerConfig: Codable, Sendable, Equatable {
    public var durable: String?
    public var name: String?
    public var description: String?
    public var deliverPolicy: DeliverPolicy
    public var ackPolicy: AckPolicy
    /// How long the server waits for an ack before redelivering.
    public var ackWait: Duration?
    /// Deliveries per message at most (-1 / nil: unlimited).
    public var maxDeliver: Int?
    public var filterSubject: String?
    public var replayPolicy: ReplayPolicy
    public var maxAckPending: Int?
    /// Pull requests the server keeps waiting at most.
    public var maxWaiting: Int?
    public var inactiveThreshold: Duration?
    /// Only in replies (push consumers); pull consumers leave it nil.
    public var deliverSubject: String?
    /// Copies of the consumer's state in a cluster (nil or 0: as many as the stream has).
    public var replicas: Int?

    public init(durable: String? = nil, name: String? = nil, description: String? = nil, deliverPolicy: DeliverPolicy = .all,
                ackPolicy: AckPolicy = .explicit, ackWait: Duration? = nil, maxDeliver: Int? = nil, filterSubject: String? = nil,
                replayPolicy: ReplayPolicy = .instant, maxAckPending: Int? = nil, maxWaiting: Int? = nil,
                inactiveThreshold: Duration? = nil, replicas: Int? = nil) {
        self.durable = durable
        self.name = name
        self.description = description
        self.deliverPolicy = deliverPolicy
        self.ackPolicy = ackPolicy
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.filterSubject = filterSubject
        self.replayPolicy = replayPolicy
        self.maxAckPending = maxAckPending
        self.maxWaiting = maxWaiting
        self.inactiveThreshold = inactiveThreshold
        self.replicas = replicas
    }

    enum CodingKeys: String, CodingKey {
        case durable = "durable_name", name, description, deliverPolicy = "deliver_policy", ackPolicy = "ack_policy"
        case ackWait = "ack_wait", maxDeliver = "max_deliver", filterSubject = "filter_subject", replayPolicy = "replay_policy"
        case maxAckPending = "max_ack_pending", maxWaiting = "max_waiting", inactiveThreshold = "inactive_threshold"
        case deliverSubject = "deliver_subject", replicas = "num_replicas"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        durable = try c.decodeIfPresent(String.self, forKey: .durable)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        deliverPolicy = try c.decodeIfPresent(DeliverPolicy.self, forKey: .deliverPolicy) ?? .all
        ackPolicy = try c.decodeIfPresent(AckPolicy.self, forKey: .ackPolicy) ?? .explicit
        ackWait = try c.decodeDuration(.ackWait)
        maxDeliver = try c.decodeIfPresent(Int.self, forKey: .maxDeliver)
        filterSubject = try c.decodeIfPresent(String.self, forKey: .filterSubject)
        replayPolicy = try c.decodeIfPresent(ReplayPolicy.self, forKey: .replayPolicy) ?? .instant
        maxAckPending = try c.decodeIfPresent(Int.self, forKey: .maxAckPending)
        maxWaiting = try c.decodeIfPresent(Int.self, forKey: .maxWaiting)
        inactiveThreshold = try c.decodeDuration(.inactiveThreshold)
        deliverSubject = try c.decodeIfPresent(String.self, forKey: .deliverSubject)
        replicas = try c.decodeIfPresent(Int.self, forKey: .replicas)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(durable, forKey: .durable)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(deliverPolicy, forKey: .deliverPolicy)
        try c.encode(ackPolicy, forKey: .ackPolicy)
        try c.encodeDuration(ackWait, .ackWait)
        try c.encodeIfPresent(maxDeliver, forKey: .maxDeliver)
        try c.encodeIfPresent(filterSubject, forKey: .filterSubject)
        try c.encode(replayPolicy, forKey: .replayPolicy)
        try c.encodeIfPresent(maxAckPending, forKey: .maxAckPending)
        try c.encodeIfPresent(maxWaiting, forKey: .maxWaiting)
        try c.encodeDuration(inactiveThreshold, .inactiveThreshold)
        try c.encodeIfPresent(deliverSubject, forKey: .deliverSubject)
        try c.encodeIfPresent(replicas, forKey: .replicas)
    }
}

/// `$JS.API.CONSUMER.INFO` reply: what KEDA and the console read.
public struct ConsumerInfo: Decodable, Sendable {
    public struct SequenceInfo: Decodable, Sendable {
        public var consumerSequence: UInt64
        public var streamSequence: UInt64
        enum CodingKeys: String, CodingKey { case consumerSequence = "consumer_seq", streamSequence = "stream_seq" }
    }

    public var stream: String
    public var name: String
    public var config: ConsumerConfig
    public var created: String?
    public var delivered: SequenceInfo
    public var ackFloor: SequenceInfo
    /// Messages in the stream not yet delivered to this consumer.
    public var numPending: UInt64
    /// Delivered but not yet acknowledged.
    public var numAckPending: Int
    public var numRedelivered: Int
    /// Pull requests waiting on the server.
    public var numWaiting: Int
    /// Present on a cluster: which server leads the consumer, how its replicas keep up.
    public var cluster: ClusterInfo?

    enum CodingKeys: String, CodingKey {
        case stream = "stream_name", name, config, created, delivered, ackFloor = "ack_floor", numPending = "num_pending"
        case numAckPending = "num_ack_pending", numRedelivered = "num_redelivered", numWaiting = "num_waiting", cluster
    }
}
