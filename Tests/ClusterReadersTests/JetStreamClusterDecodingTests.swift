import Testing
import TestServers
@testable import ClusterReaders

/// The Raft groups of a real 3-node cluster (nats-server 2.9.10, captured by
/// Tests/Fixtures/nats/capture_cluster_jsz.py): healthy, and with member n-1 SIGKILLed.
@Suite struct JetStreamClusterDecodingTests {
    static func page(_ name: String) throws -> JetStreamStatus {
        try JetStreamMonitorDecoding.decode(try Fixtures.bytes("nats/\(name)"))
    }

    @Test func healthyLeaderSeesBothFollowersCurrent() throws {
        let n3 = try Self.page("jsz-cluster-healthy.n-3.json")
        let stream = try #require(n3.streams.first { $0.name == "MEMES" })
        let cluster = try #require(stream.cluster)
        #expect(cluster.name == "memes" && cluster.leader == "n-3")
        #expect(cluster.replicas.map(\.name) == ["n-1", "n-2"])
        #expect(cluster.replicas.allSatisfy { $0.current })
        let consumer = try #require(n3.consumer(stream: "MEMES", name: "meme-generator"))
        #expect(consumer.leader == "n-3" && consumer.cluster?.leader == "n-3")
        #expect(consumer.cluster?.replicas.map(\.name) == ["n-1", "n-2"])
        #expect(consumer.numPending == 15 && consumer.numAckPending == 2)
        #expect(n3.metaCluster?.leader == "n-2" && n3.metaCluster?.name == "memes")
    }

    @Test func followerPageListsTheLeaderAmongItsPeers() throws {
        let n1 = try Self.page("jsz-cluster-healthy.n-1.json")
        let cluster = try #require(n1.streams.first?.cluster)
        #expect(cluster.leader == "n-3" && cluster.replicas.map(\.name) == ["n-2", "n-3"])
        // A follower's view of its peers is stale: it thinks n-2 is behind.
        let n2 = try #require(cluster.replicas.first { $0.name == "n-2" })
        #expect(!n2.current && n2.lag == 21 && n2.activeSeconds == 0 && n2.peer == "L2hpLS7X")
    }

    @Test func leaderReportsTheKilledMemberLagging() throws {
        let n3 = try Self.page("jsz-cluster-killed-n-1.n-3.json")
        let cluster = try #require(n3.streams.first?.cluster)
        #expect(cluster.leader == "n-3")
        let dead = try #require(cluster.replicas.first { $0.name == "n-1" })
        #expect(!dead.current && dead.lag == 10)
        #expect((dead.activeSeconds ?? 0) > 9)
        let alive = try #require(cluster.replicas.first { $0.name == "n-2" })
        #expect(alive.current && alive.lag == nil)
        #expect(n3.consumer(stream: "MEMES", name: "meme-generator")?.numPending == 25)
    }

    @Test func metaLeaderPageListsItsPeers() throws {
        let n2 = try Self.page("jsz-cluster-killed-n-1.n-2.json")
        let meta = try #require(n2.metaCluster)
        #expect(meta.leader == "n-2" && meta.replicas.map(\.name) == ["n-1", "n-3"])
    }

    @Test func singleServerPagesHaveNoReplicas() throws {
        let plain = try JetStreamMonitorDecoding.decode(try Fixtures.bytes("nats/jsz-accounts-streams-consumers.beats.json"))
        #expect(plain.streams.allSatisfy { ($0.cluster?.replicas ?? []).isEmpty })
    }
}

/// Which page the lag is read from, as KEDA's scaler does on a cluster: the consumer leader's.
@Suite struct JetStreamMembersViewTests {
    static let urls = ["http://127.0.0.1:34001", "http://127.0.0.1:34002", "http://127.0.0.1:34003"]

    @Test func healthyClusterTakesTheConsumerLeadersNumbers() throws {
        let members = try (1...3).map { MemberPage(url: Self.urls[$0 - 1], page: try JetStreamClusterDecodingTests.page("jsz-cluster-healthy.n-\($0).json")) }
        let view = JetStreamMembersView(members, stream: "MEMES", consumer: "meme-generator")
        #expect(view.names == ["n-1", "n-2", "n-3"])
        #expect(view.streamLeader == "n-3" && view.consumerLeader == "n-3" && view.metaLeader == "n-2" && view.clusterName == "memes")
        // n-1 (the first URL, once the only one read) still says 20 pending; the leader says 15.
        #expect(members[0].page?.consumer(stream: "MEMES", name: "meme-generator")?.numPending == 20)
        #expect(view.queuePage?.consumer(stream: "MEMES", name: "meme-generator")?.numPending == 15)
    }

    @Test func withTheFirstMemberDownTheOthersStillGiveTheLag() throws {
        let members = [MemberPage(url: Self.urls[0], error: "connection refused"),
                       MemberPage(url: Self.urls[1], page: try JetStreamClusterDecodingTests.page("jsz-cluster-killed-n-1.n-2.json")),
                       MemberPage(url: Self.urls[2], page: try JetStreamClusterDecodingTests.page("jsz-cluster-killed-n-1.n-3.json"))]
        let view = JetStreamMembersView(members, stream: "MEMES", consumer: "meme-generator")
        #expect(view.names == ["n-1", "n-2", "n-3"] && view.groups[0] == nil)
        #expect(view.consumerLeader == "n-3")
        #expect(view.queuePage?.consumer(stream: "MEMES", name: "meme-generator")?.numPending == 25)
    }

    @Test func noPageNoQueue() {
        let view = JetStreamMembersView([MemberPage(url: Self.urls[0], error: "refused")], stream: "MEMES", consumer: "meme-generator")
        #expect(view.queuePage == nil && view.names == [nil] && view.consumerLeader == nil)
    }
}
