import ClusterReaders
import ConsoleUI
import Foundation

/// Every member's `/jsz` as the console's cluster view: which server each page is from and who leads
/// (`JetStreamMembersView`), and each follower as its group's leader reports it. Pure: the pages in, the view out.
public enum NATSClusterMerge {
    public struct Result: Sendable, Equatable {
        /// The page to take the queue's numbers from: the consumer leader's, as KEDA reads them.
        public var queuePage: JetStreamStatus?
        public var cluster: NATSClusterStats
    }

    public static func merge(_ members: [MemberPage], stream: String, consumer: String) -> Result {
        let view = JetStreamMembersView(members, stream: stream, consumer: consumer)
        // Only a leader's view of its followers is current.
        func followers(_ group: KeyPath<MemberGroups, JetStreamClusterInfo?>, leader: String?) -> [String: NATSReplicaStats] {
            guard let info = view.groups(of: leader)?[keyPath: group] else { return [:] }
            return Dictionary(info.replicas.map { ($0.name, NATSReplicaStats(current: $0.current, lag: $0.lag, activeSeconds: $0.activeSeconds.map(tenths))) },
                              uniquingKeysWith: { a, _ in a })
        }
        let streamFollowers = followers(\.stream, leader: view.streamLeader)
        let consumerFollowers = followers(\.consumer, leader: view.consumerLeader)

        let servers = members.enumerated().map { i, member in
            let name = view.names[i]
            return NATSServerStats(
                name: name ?? hostPort(member.url), url: member.url, up: member.page != nil,
                error: member.page == nil ? (member.error ?? "no answer") : nil,
                streamLeader: name != nil && name == view.streamLeader, consumerLeader: name != nil && name == view.consumerLeader,
                stream: name.flatMap { streamFollowers[$0] }, consumer: name.flatMap { consumerFollowers[$0] })
        }
        return Result(queuePage: view.queuePage, cluster: NATSClusterStats(name: view.clusterName, metaLeader: view.metaLeader, servers: servers))
    }

    /// "127.0.0.1:8222" from "http://127.0.0.1:8222/".
    static func hostPort(_ url: String) -> String {
        guard let c = URLComponents(string: url), let host = c.host else { return url }
        return c.port.map { "\(host):\($0)" } ?? host
    }
}
