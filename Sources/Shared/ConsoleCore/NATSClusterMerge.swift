import ClusterReaders
import ConsoleUI
import Foundation

/// One cluster member's `/jsz` this round: its page, or why it did not answer.
public struct MemberPage: Sendable {
    public var url: String
    public var page: JetStreamStatus?
    public var error: String?

    public init(url: String, page: JetStreamStatus? = nil, error: String? = nil) {
        self.url = url
        self.page = page
        self.error = error
    }
}

/// Merges every member's `/jsz` into one view of the cluster. Pure: the pages in, the view out.
/// /jsz (nats-server 2.9 to 2.14) does not name the server it comes from, so a page's server is the one
/// name of the cluster missing from its own peer list; a member that does not answer is down, and takes
/// a name no answering page claimed.
public enum NATSClusterMerge {
    public struct Result: Sendable, Equatable {
        /// The page to take the queue's numbers from: the consumer leader's, as KEDA reads them.
        public var queuePage: JetStreamStatus?
        public var cluster: NATSClusterStats
    }

    public static func merge(_ members: [MemberPage], stream: String, consumer: String) -> Result {
        let groups = members.map { member in member.page.map { Groups($0, stream: stream, consumer: consumer) } }
        var allNames: [String] = []
        func note(_ name: String?) { if let name, !allNames.contains(name) { allNames.append(name) } }
        for g in groups.compactMap({ $0 }) {
            for group in [g.stream, g.consumer, g.meta].compactMap({ $0 }) {
                note(group.leader)
                group.replicas.forEach { note($0.name) }
            }
        }
        var names = groups.map { $0?.selfName(among: allNames) }
        // Members that did not answer take, in order, the names no answering page claimed.
        var unclaimed = allNames.filter { !names.contains($0) }.sorted()
        for i in names.indices where groups[i] == nil && !unclaimed.isEmpty { names[i] = unclaimed.removeFirst() }

        let answered = groups.enumerated().compactMap { i, g in g.map { (name: names[i], groups: $0) } }
        func leader(_ group: KeyPath<Groups, JetStreamClusterInfo?>) -> String? {
            // The leader's own word first; otherwise what most followers say.
            answered.first { $0.name != nil && $0.groups[keyPath: group]?.leader == $0.name }?.name
                ?? answered.compactMap { $0.groups[keyPath: group]?.leader }.first
        }
        let streamLeader = leader(\.stream)
        let consumerLeader = leader(\.consumer)
        let metaLeader = leader(\.meta)
        // Only a leader's view of its followers is current.
        func followers(_ group: KeyPath<Groups, JetStreamClusterInfo?>, leader: String?) -> [String: NATSReplicaStats] {
            guard let leader, let page = answered.first(where: { $0.name == leader }), let info = page.groups[keyPath: group] else { return [:] }
            return Dictionary(info.replicas.map { ($0.name, NATSReplicaStats(current: $0.current, lag: $0.lag, activeSeconds: $0.activeSeconds.map(tenths))) },
                              uniquingKeysWith: { a, _ in a })
        }
        let streamFollowers = followers(\.stream, leader: streamLeader)
        let consumerFollowers = followers(\.consumer, leader: consumerLeader)

        let servers = members.enumerated().map { i, member in
            let name = names[i]
            return NATSServerStats(
                name: name ?? hostPort(member.url), url: member.url, up: member.page != nil,
                error: member.page == nil ? (member.error ?? "no answer") : nil,
                streamLeader: name != nil && name == streamLeader, consumerLeader: name != nil && name == consumerLeader,
                stream: name.flatMap { streamFollowers[$0] }, consumer: name.flatMap { consumerFollowers[$0] })
        }
        let clusterName = answered.lazy.compactMap { $0.groups.meta?.name ?? $0.groups.stream?.name }.first
        let queuePage = answered.first { $0.name != nil && $0.name == consumerLeader }?.groups.page
            ?? answered.first { $0.groups.hasConsumer }?.groups.page ?? answered.first?.groups.page
        return Result(queuePage: queuePage, cluster: NATSClusterStats(name: clusterName, metaLeader: metaLeader, servers: servers))
    }

    /// "127.0.0.1:8222" from "http://127.0.0.1:8222/".
    static func hostPort(_ url: String) -> String {
        guard let c = URLComponents(string: url), let host = c.host else { return url }
        return c.port.map { "\(host):\($0)" } ?? host
    }

    /// The Raft groups one page shows: the stream's, the consumer's and the meta group.
    struct Groups: Sendable, Equatable {
        var page: JetStreamStatus
        var stream: JetStreamClusterInfo?
        var consumer: JetStreamClusterInfo?
        var meta: JetStreamClusterInfo?
        var hasConsumer: Bool

        init(_ page: JetStreamStatus, stream: String, consumer: String) {
            self.page = page
            let s = page.streams.first { $0.name == stream }
            let c = page.consumer(stream: stream, name: consumer)
            self.stream = s?.cluster
            self.consumer = c?.cluster
            meta = page.metaCluster
            hasConsumer = c != nil
        }

        /// A group lists every peer but the reporting server, so the server is the one name missing.
        func selfName(among all: [String]) -> String? {
            for group in [stream, consumer, meta].compactMap({ $0 }) where !group.replicas.isEmpty {
                let peers = Set(group.replicas.map(\.name))
                let missing = all.filter { !peers.contains($0) }
                if missing.count == 1 { return missing[0] }
            }
            return nil
        }
    }
}
