import ClusterReaders
import ConsoleUI
import CurlHTTP
import MemeKit

/// The queue as KEDA's scaler reads it, from nats-server's `/jsz`. With one monitor URL, that page;
/// with several (one per cluster member, `NATS_MONITOR_URL` comma-separated) every member is read at
/// once, the numbers come from the consumer leader's page and the reading carries the cluster's view.
public struct MonitorQueueReader: Sendable {
    public let monitors: [JetStreamMonitor]
    public let stream: String
    public let consumer: String

    public init(monitorURLs: String, stream: String, consumer: String, client: CurlHTTPClient) {
        monitors = ServerList.split(monitorURLs).map { JetStreamMonitor(monitorURL: $0, client: client) }
        self.stream = stream
        self.consumer = consumer
    }

    public func read() async throws -> QueueReading {
        guard monitors.count > 1 else {
            guard let monitor = monitors.first else { throw ConsoleError("no NATS monitor URL") }
            return try reading(from: try await monitor.status(), cluster: nil)
        }
        let members = await withTaskGroup(of: (Int, MemberPage).self) { group in
            for (i, monitor) in monitors.enumerated() {
                group.addTask {
                    do throws(ClusterReadError) { return (i, MemberPage(url: SettingsReader.redacted(monitor.monitorURL), page: try await monitor.status())) } catch {
                        return (i, MemberPage(url: SettingsReader.redacted(monitor.monitorURL), error: error.message))
                    }
                }
            }
            var pages = [MemberPage?](repeating: nil, count: monitors.count)
            for await (i, page) in group { pages[i] = page }
            return pages.compactMap { $0 }
        }
        let merged = NATSClusterMerge.merge(members, stream: stream, consumer: consumer)
        guard let page = merged.queuePage else {
            // No member answered: the source is down, with the first member's reason.
            throw ConsoleError("no NATS monitor answered: " + (members.first?.error ?? "no answer"))
        }
        return try reading(from: page, cluster: merged.cluster)
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
