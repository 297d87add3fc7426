import ClusterReaders
import ConsoleUI
import CurlHTTP
import MemeKit

/// The queue as KEDA's scaler reads it, from nats-server's `/jsz`. With one monitor URL, that page;
/// with several (one per cluster member, `NATS_MONITOR_URL` comma-separated) every member is read at
/// once, the numbers come from the consumer leader's page and the reading carries the cluster's view.
public struct MonitorQueueReader: Sendable {
    public let members: JetStreamMembers
    public let stream: String
    public let consumer: String

    public init(monitorURLs: String, stream: String, consumer: String, client: CurlHTTPClient) {
        members = JetStreamMembers(monitorURLs: ServerList.split(monitorURLs), client: client)
        self.stream = stream
        self.consumer = consumer
    }

    public func read() async throws -> QueueReading {
        guard !members.monitors.isEmpty else { throw ConsoleError("no NATS monitor URL") }
        let (page, pages) = try await members.queuePage(stream: stream, consumer: consumer)
        // The cluster view names each member by its URL, shown on screen and recorded: credentials redacted.
        let cluster = pages.map { pages in
            NATSClusterMerge.merge(pages.map { var p = $0; p.url = SettingsReader.redacted(p.url); return p },
                                   stream: stream, consumer: consumer).cluster
        }
        return try reading(from: page, cluster: cluster)
    }

    private func reading(from status: JetStreamStatus, cluster: NATSClusterStats?) throws -> QueueReading {
        guard let c = status.consumer(stream: stream, name: consumer) else {
            throw ConsoleError("no consumer \(stream)/\(consumer) in /jsz")
        }
        let s = status.streams.first { $0.name == stream }
        var reading = QueueReading(stream: stream, consumer: consumer, pending: c.numPending, ackPending: c.numAckPending,
                                   redelivered: c.numRedelivered, messages: s?.messages, maxMessages: s?.maxMessages)
        reading.cluster = cluster
        return reading
    }
}
