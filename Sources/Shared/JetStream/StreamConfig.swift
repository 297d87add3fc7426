import Foundation

public enum RetentionPolicy: String, Codable, Sendable { case limits, interest, workQueue = "workqueue" }
public enum StorageType: String, Codable, Sendable { case file, memory }
public enum DiscardPolicy: String, Codable, Sendable { case old, new }

/// A stream's configuration (the fields this project uses; nil fields take the server's default).
public struct StreamConfig: Codable, Sendable, Equatable {
    public var name: String
    public var subjects: [String]
    public var retention: RetentionPolicy
    public var storage: StorageType
    public var description: String?
    public var maxMessages: Int64?
    public var maxBytes: Int64?
    public var maxAge: Duration?
    public var maxMessageSize: Int32?
    public var discard: DiscardPolicy?
    public var replicas: Int?
    /// Window in which a repeated `Nats-Msg-Id` is recognised as a duplicate.
    public var duplicateWindow: Duration?

    public init(name: String, subjects: [String], retention: RetentionPolicy = .limits, storage: StorageType = .file,
                description: String? = nil, maxMessages: Int64? = nil, maxBytes: Int64? = nil, maxAge: Duration? = nil,
                maxMessageSize: Int32? = nil, discard: DiscardPolicy? = nil, replicas: Int? = nil, duplicateWindow: Duration? = nil) {
        self.name = name
        self.subjects = subjects
        self.retention = retention
        self.storage = storage
        self.description = description
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
        self.maxAge = maxAge
        self.maxMessageSize = maxMessageSize
        self.discard = discard
        self.replicas = replicas
        self.duplicateWindow = duplicateWindow
    }

    enum CodingKeys: String, CodingKey {
        case name, subjects, retention, storage, description, maxMessages = "max_msgs", maxBytes = "max_bytes"
        case maxAge = "max_age", maxMessageSize = "max_msg_size", discard, replicas = "num_replicas"
        case duplicateWindow = "duplicate_window"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        subjects = try c.decodeIfPresent([String].self, forKey: .subjects) ?? []
        retention = try c.decodeIfPresent(RetentionPolicy.self, forKey: .retention) ?? .limits
        storage = try c.decodeIfPresent(StorageType.self, forKey: .storage) ?? .file
        description = try c.decodeIfPresent(String.self, forKey: .description)
        maxMessages = try c.decodeIfPresent(Int64.self, forKey: .maxMessages)
        maxBytes = try c.decodeIfPresent(Int64.self, forKey: .maxBytes)
        maxAge = try c.decodeDuration(.maxAge)
        maxMessageSize = try c.decodeIfPresent(Int32.self, forKey: .maxMessageSize)
        discard = try c.decodeIfPresent(DiscardPolicy.self, forKey: .discard)
        replicas = try c.decodeIfPresent(Int.self, forKey: .replicas)
        duplicateWindow = try c.decodeDuration(.duplicateWindow)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(subjects, forKey: .subjects)
        try c.encode(retention, forKey: .retention)
        try c.encode(storage, forKey: .storage)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(maxMessages, forKey: .maxMessages)
        try c.encodeIfPresent(maxBytes, forKey: .maxBytes)
        try c.encodeDuration(maxAge, .maxAge)
        try c.encodeIfPresent(maxMessageSize, forKey: .maxMessageSize)
        try c.encodeIfPresent(discard, forKey: .discard)
        try c.encode(replicas ?? 1, forKey: .replicas)
        try c.encodeDuration(duplicateWindow, .duplicateWindow)
    }
}

/// `$JS.API.STREAM.INFO` reply.
public struct StreamInfo: Decodable, Sendable {
    public struct State: Decodable, Sendable {
        public var messages: UInt64
        public var bytes: UInt64
        public var firstSequence: UInt64
        public var lastSequence: UInt64
        public var consumerCount: Int

        enum CodingKeys: String, CodingKey {
            case messages, bytes, firstSequence = "first_seq", lastSequence = "last_seq", consumerCount = "consumer_count"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            messages = try c.decodeIfPresent(UInt64.self, forKey: .messages) ?? 0
            bytes = try c.decodeIfPresent(UInt64.self, forKey: .bytes) ?? 0
            firstSequence = try c.decodeIfPresent(UInt64.self, forKey: .firstSequence) ?? 0
            lastSequence = try c.decodeIfPresent(UInt64.self, forKey: .lastSequence) ?? 0
            consumerCount = try c.decodeIfPresent(Int.self, forKey: .consumerCount) ?? 0
        }
    }

    public var config: StreamConfig
    public var state: State
    /// RFC 3339 creation time as the server sent it.
    public var created: String?
    /// Present on a cluster: which server leads the stream, how its replicas keep up.
    public var cluster: ClusterInfo?
}

/// The `cluster` object of a stream's or consumer's info: the Raft group's leader and its followers.
public struct ClusterInfo: Decodable, Sendable, Equatable {
    public struct Replica: Decodable, Sendable, Equatable {
        public var name: String
        /// Caught up with the leader.
        public var current: Bool
        public var offline: Bool
        /// Operations behind the leader.
        public var lag: UInt64

        enum CodingKeys: String, CodingKey { case name, current, offline, lag }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            current = try c.decodeIfPresent(Bool.self, forKey: .current) ?? false
            offline = try c.decodeIfPresent(Bool.self, forKey: .offline) ?? false
            lag = try c.decodeIfPresent(UInt64.self, forKey: .lag) ?? 0
        }
    }

    public var name: String?
    /// The leader's server name; nil while an election runs.
    public var leader: String?
    /// The other members (not the leader).
    public var replicas: [Replica]

    enum CodingKeys: String, CodingKey { case name, leader, replicas }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        leader = try c.decodeIfPresent(String.self, forKey: .leader)
        replicas = try c.decodeIfPresent([Replica].self, forKey: .replicas) ?? []
    }
}

/// `$JS.API.STREAM.PURGE` reply.
struct PurgeResponse: Decodable {
    var success: Bool
    var purged: UInt64?
}

struct SuccessResponse: Decodable {
    var success: Bool
}
