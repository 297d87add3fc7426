import CurlHTTP

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

/// Every member of a JetStream cluster read at once, one monitor URL each. The queue's numbers are
/// the consumer leader's, as KEDA's scaler reads them in clustered mode: a follower's counts trail, and
/// while one member is down the others still answer.
public struct JetStreamMembers: Sendable {
    public let monitors: [JetStreamMonitor]

    public init(monitorURLs: [String], client: CurlHTTPClient) {
        monitors = monitorURLs.map { JetStreamMonitor(monitorURL: $0, client: client) }
    }

    /// Every member's page or error, in the order of the URLs.
    public func pages() async -> [MemberPage] {
        await withTaskGroup(of: (Int, MemberPage).self) { group in
            for (i, monitor) in monitors.enumerated() {
                group.addTask {
                    do throws(ClusterReadError) { return (i, MemberPage(url: monitor.monitorURL, page: try await monitor.status())) } catch {
                        return (i, MemberPage(url: monitor.monitorURL, error: error.message))
                    }
                }
            }
            var pages = [MemberPage?](repeating: nil, count: monitors.count)
            for await (i, page) in group { pages[i] = page }
            return pages.compactMap { $0 }
        }
    }

    /// The page to read the queue from and what every member said. One URL: its page, or its error as
    /// thrown. Several: the consumer leader's page; an error only when no member answered.
    public func queuePage(stream: String, consumer: String) async throws(ClusterReadError) -> (page: JetStreamStatus, members: [MemberPage]?) {
        if monitors.count == 1 { return (try await monitors[0].status(), nil) }
        let members = await pages()
        guard let page = JetStreamMembersView(members, stream: stream, consumer: consumer).queuePage else {
            throw ClusterReadError(.transport(.couldNotConnect), "no NATS monitor answered: " + (members.first?.error ?? "no monitor URL"))
        }
        return (page, members)
    }
}

/// What the members' pages say together: which server each page is from, who leads the stream, the
/// consumer and the meta group, and the page whose numbers count. Pure: the pages in, the view out.
///
/// /jsz (nats-server 2.9 to 2.14) does not name the server it comes from, so a page's server is the one
/// name of the cluster missing from its own peer list; a member that does not answer is down, and takes
/// a name no answering page claimed.
public struct JetStreamMembersView: Sendable, Equatable {
    /// Each member's server name, in the members' order; nil while unknown.
    public var names: [String?]
    /// Each member's groups, nil for one that did not answer.
    public var groups: [MemberGroups?]
    public var streamLeader: String?
    public var consumerLeader: String?
    public var metaLeader: String?
    /// The cluster's name ("memes"), when a page named it.
    public var clusterName: String?
    /// The consumer leader's page (else any page with the consumer, else any page): KEDA's reading.
    public var queuePage: JetStreamStatus?

    public init(_ members: [MemberPage], stream: String, consumer: String) {
        groups = members.map { member in member.page.map { MemberGroups($0, stream: stream, consumer: consumer) } }
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
        self.names = names

        let answered = groups.enumerated().compactMap { i, g in g.map { (name: names[i], groups: $0) } }
        func leader(_ group: KeyPath<MemberGroups, JetStreamClusterInfo?>) -> String? {
            // The leader's own word first; otherwise what most followers say.
            answered.first { $0.name != nil && $0.groups[keyPath: group]?.leader == $0.name }?.name
                ?? answered.compactMap { $0.groups[keyPath: group]?.leader }.first
        }
        streamLeader = leader(\.stream)
        consumerLeader = leader(\.consumer)
        metaLeader = leader(\.meta)
        clusterName = answered.lazy.compactMap { $0.groups.meta?.name ?? $0.groups.stream?.name }.first
        let consumerLeader = self.consumerLeader
        queuePage = answered.first { $0.name != nil && $0.name == consumerLeader }?.groups.page
            ?? answered.first { $0.groups.hasConsumer }?.groups.page ?? answered.first?.groups.page
    }

    /// The page of the named server, when it answered.
    public func groups(of name: String?) -> MemberGroups? {
        guard let name, let i = names.firstIndex(of: name) else { return nil }
        return groups[i]
    }
}

/// The Raft groups one page shows: the stream's, the consumer's and the meta group.
public struct MemberGroups: Sendable, Equatable {
    public var page: JetStreamStatus
    public var stream: JetStreamClusterInfo?
    public var consumer: JetStreamClusterInfo?
    public var meta: JetStreamClusterInfo?
    public var hasConsumer: Bool

    public init(_ page: JetStreamStatus, stream: String, consumer: String) {
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
