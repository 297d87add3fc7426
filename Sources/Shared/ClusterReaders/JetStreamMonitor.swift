import CurlHTTP
import Foundation

/// One consumer as `/jsz?consumers=true` reports it.
public struct JetStreamConsumerStats: Sendable, Equatable {
    public var account: String
    public var stream: String
    public var name: String
    /// Messages not yet delivered.
    public var numPending: Int
    /// Delivered but not acknowledged.
    public var numAckPending: Int
    public var numRedelivered: Int
    /// Pull requests waiting.
    public var numWaiting: Int
    /// The KEDA nats-jetstream lag: num_pending + num_ack_pending.
    public var lag: Int { numPending + numAckPending }
    /// Cluster leader of the consumer, when clustered (KEDA reads the leader's numbers).
    public var leader: String?
    /// The consumer's Raft group as this server sees it; nil on a single server.
    public var cluster: JetStreamClusterInfo? = nil
}

public struct JetStreamStreamStats: Sendable, Equatable {
    public var account: String
    public var name: String
    public var messages: Int
    public var bytes: Int
    public var firstSequence: Int
    public var lastSequence: Int
    public var consumerCount: Int
    public var consumers: [JetStreamConsumerStats]
    /// The stream's bounds (`config.max_msgs` / `max_bytes` with `/jsz?config=true`); nil when unbounded or not reported.
    public var maxMessages: Int? = nil
    public var maxBytes: Int? = nil
    /// The stream's Raft group as this server sees it; nil on a single server.
    public var cluster: JetStreamClusterInfo? = nil
}

/// A decoded `/jsz` page.
public struct JetStreamStatus: Sendable, Equatable {
    public var serverID: String?
    /// True when the server runs without JetStream.
    public var disabled: Bool
    /// Server-wide totals (`streams`/`consumers`/`messages`, or 2021's `total_*` names).
    public var totalStreams: Int
    public var totalConsumers: Int
    public var totalMessages: Int
    public var streams: [JetStreamStreamStats]
    /// The JetStream meta group (`meta_cluster`): its leader, and on the leader's page its peers.
    public var metaCluster: JetStreamClusterInfo? = nil

    /// The lag KEDA's nats-jetstream scaler would report: the consumer's num_pending + num_ack_pending,
    /// or the stream's last sequence when the consumer is missing; nil when the stream is missing.
    public func kedaLag(stream: String, consumer: String, account: String? = nil) -> Int? {
        guard let s = streams.first(where: { $0.name == stream && (account == nil || $0.account == account) }) else { return nil }
        return s.consumers.first { $0.name == consumer }?.lag ?? s.lastSequence
    }

    public func consumer(stream: String, name: String, account: String? = nil) -> JetStreamConsumerStats? {
        streams.lazy.filter { $0.name == stream && (account == nil || $0.account == account) }.flatMap(\.consumers).first { $0.name == name }
    }
}

/// One Raft group (`cluster` of a stream or consumer, `meta_cluster`) as one server reports it.
/// Only the leader's page is authoritative for the replicas: a follower's view of its peers is stale.
public struct JetStreamClusterInfo: Sendable, Equatable {
    /// The NATS cluster's name ("memes").
    public var name: String?
    /// Server name of the group's leader; nil during an election.
    public var leader: String?
    /// The peers other than the reporting server (the leader's page: the followers).
    public var replicas: [JetStreamReplica]

    public init(name: String?, leader: String?, replicas: [JetStreamReplica]) {
        self.name = name
        self.leader = leader
        self.replicas = replicas
    }
}

/// One peer of a Raft group: whether it is caught up, how long since it was heard from, how far behind.
public struct JetStreamReplica: Sendable, Equatable {
    public var name: String
    public var current: Bool
    /// Seconds since the peer was last active (`active` is nanoseconds on the wire); nil when not reported.
    public var activeSeconds: Double?
    /// Operations behind the leader; nil when the server omits it (caught up).
    public var lag: Int?
    /// Raft peer id (stable across restarts).
    public var peer: String?

    public init(name: String, current: Bool, activeSeconds: Double? = nil, lag: Int? = nil, peer: String? = nil) {
        self.name = name
        self.current = current
        self.activeSeconds = activeSeconds
        self.lag = lag
        self.peer = peer
    }
}

public enum JetStreamMonitorDecoding {
    struct Page: Decodable {
        var server_id: String?
        var disabled: Bool?
        var streams: Int?
        var consumers: Int?
        var messages: Int?
        var total_streams: Int?
        var total_consumers: Int?
        var total_messages: Int?
        var account_details: [Account]?
        var meta_cluster: Cluster?
    }
    struct Cluster: Decodable {
        struct Replica: Decodable {
            var name: String?
            var current: Bool?
            var active: Int64?
            var lag: Int?
            var peer: String?
        }
        var name: String?
        var leader: String?
        var replicas: [Replica]?

        var info: JetStreamClusterInfo {
            JetStreamClusterInfo(name: name, leader: leader, replicas: (replicas ?? []).map { r in
                JetStreamReplica(name: r.name ?? r.peer ?? "?", current: r.current ?? false,
                                 activeSeconds: r.active.map { Double($0) / 1e9 }, lag: r.lag, peer: r.peer)
            })
        }
    }
    struct Account: Decodable {
        var name: String?
        var id: String?
        var stream_detail: [Stream]?
    }
    struct Stream: Decodable {
        struct State: Decodable {
            var messages: Int?
            var bytes: Int?
            var first_seq: Int?
            var last_seq: Int?
            var consumer_count: Int?
        }
        struct Config: Decodable {
            var max_msgs: Int?
            var max_bytes: Int?
        }
        var name: String?
        var state: State?
        var config: Config?
        var cluster: Cluster?
        var consumer_detail: [Consumer]?
    }
    struct Consumer: Decodable {
        var stream_name: String?
        var name: String?
        var num_pending: Int?
        var num_ack_pending: Int?
        var num_redelivered: Int?
        var num_waiting: Int?
        var cluster: Cluster?
    }

    public static func decode(_ body: [UInt8]) throws(ClusterReadError) -> JetStreamStatus {
        let page: Page
        do { page = try JSONDecoder().decode(Page.self, from: Data(body)) } catch {
            throw ClusterReadError(.decoding, "cannot decode /jsz: \(KubernetesDecoding.describe(error))")
        }
        var streams = [JetStreamStreamStats]()
        for account in page.account_details ?? [] {
            let accountName = account.name ?? account.id ?? "?"
            for s in account.stream_detail ?? [] {
                let name = s.name ?? "?"
                let consumers = (s.consumer_detail ?? []).map { c in
                    JetStreamConsumerStats(
                        account: accountName, stream: c.stream_name ?? name, name: c.name ?? "?", numPending: c.num_pending ?? 0,
                        numAckPending: c.num_ack_pending ?? 0, numRedelivered: c.num_redelivered ?? 0, numWaiting: c.num_waiting ?? 0,
                        leader: c.cluster?.leader, cluster: c.cluster?.info)
                }
                streams.append(JetStreamStreamStats(
                    account: accountName, name: name, messages: s.state?.messages ?? 0, bytes: s.state?.bytes ?? 0,
                    firstSequence: s.state?.first_seq ?? 0, lastSequence: s.state?.last_seq ?? 0,
                    consumerCount: s.state?.consumer_count ?? consumers.count, consumers: consumers,
                    maxMessages: s.config?.max_msgs.flatMap { $0 > 0 ? $0 : nil },
                    maxBytes: s.config?.max_bytes.flatMap { $0 > 0 ? $0 : nil }, cluster: s.cluster?.info))
            }
        }
        return JetStreamStatus(
            serverID: page.server_id, disabled: page.disabled ?? false,
            totalStreams: page.streams ?? page.total_streams ?? 0, totalConsumers: page.consumers ?? page.total_consumers ?? 0,
            totalMessages: page.messages ?? page.total_messages ?? 0, streams: streams, metaCluster: page.meta_cluster?.info)
    }
}

/// Reads a nats-server monitoring port's `/jsz` with account, stream and consumer detail.
public struct JetStreamMonitor: Sendable {
    /// `http://127.0.0.1:8222`
    public let monitorURL: String
    private let client: CurlHTTPClient
    private let timeouts: HTTPTimeouts

    public init(monitorURL: String, client: CurlHTTPClient, timeouts: HTTPTimeouts = HTTPTimeouts(connect: .seconds(2), total: .seconds(5))) {
        self.monitorURL = monitorURL.hasSuffix("/") ? String(monitorURL.dropLast()) : monitorURL
        self.client = client
        self.timeouts = timeouts
    }

    public func status() async throws(ClusterReadError) -> JetStreamStatus {
        let url = "\(monitorURL)/jsz?accounts=true&streams=true&consumers=true&config=true"
        let response: HTTPResponse
        do { response = try await client.send(HTTPRequest(url: url, timeouts: timeouts)) } catch {
            throw ClusterReadError(.transport(error.kind), "NATS monitor: \(error.message)")
        }
        guard response.isSuccess else {
            throw ClusterReadError(.status(code: response.status), "NATS monitor answered HTTP \(response.status) for /jsz")
        }
        return try JetStreamMonitorDecoding.decode(response.body)
    }
}
