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
        var consumer_detail: [Consumer]?
    }
    struct Consumer: Decodable {
        struct Cluster: Decodable { var leader: String? }
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
                        leader: c.cluster?.leader)
                }
                streams.append(JetStreamStreamStats(
                    account: accountName, name: name, messages: s.state?.messages ?? 0, bytes: s.state?.bytes ?? 0,
                    firstSequence: s.state?.first_seq ?? 0, lastSequence: s.state?.last_seq ?? 0,
                    consumerCount: s.state?.consumer_count ?? consumers.count, consumers: consumers,
                    maxMessages: s.config?.max_msgs.flatMap { $0 > 0 ? $0 : nil },
                    maxBytes: s.config?.max_bytes.flatMap { $0 > 0 ? $0 : nil }))
            }
        }
        return JetStreamStatus(
            serverID: page.server_id, disabled: page.disabled ?? false,
            totalStreams: page.streams ?? page.total_streams ?? 0, totalConsumers: page.consumers ?? page.total_consumers ?? 0,
            totalMessages: page.messages ?? page.total_messages ?? 0, streams: streams)
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
