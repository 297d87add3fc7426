import ClusterReaders
import ConsoleUI
import CurlHTTP
import Foundation
import JetStream
import NATS
import TestServers
import Testing
@testable import ConsoleCore

/// Every member's /jsz merged into one view: the real captures of a 3-node cluster (healthy, n-1 killed),
/// then live against a real cluster on free loopback ports.
@Suite(.serialized) struct NATSClusterMergeTests {
    static func page(_ name: String) throws -> JetStreamStatus {
        try JetStreamMonitorDecoding.decode(try SharedFixtures.bytes("nats/\(name)"))
    }

    static let urls = ["http://127.0.0.1:34001", "http://127.0.0.1:34002", "http://127.0.0.1:34003"]

    @Test func healthyClusterNamesEveryServerFromItsPeers() throws {
        let members = try (1...3).map { MemberPage(url: Self.urls[$0 - 1], page: try Self.page("jsz-cluster-healthy.n-\($0).json")) }
        let merged = NATSClusterMerge.merge(members, stream: "MEMES", consumer: "meme-generator")
        let c = merged.cluster
        #expect(c.name == "memes" && c.metaLeader == "n-2")
        #expect(c.servers.map(\.name) == ["n-1", "n-2", "n-3"] && c.servers.allSatisfy { $0.up })
        #expect(c.servers.map(\.streamLeader) == [false, false, true] && c.servers.map(\.consumerLeader) == [false, false, true])
        // The leader's view, not the followers' stale one (n-1's page says n-2 is not current).
        #expect(c.servers[0].stream?.current == true && c.servers[1].stream?.current == true && c.servers[2].stream == nil)
        // The queue's numbers are the consumer leader's, as KEDA reads them (n-1 still says 20 pending).
        #expect(merged.queuePage?.consumer(stream: "MEMES", name: "meme-generator")?.numPending == 15)
    }

    @Test func killedMemberIsDownAndLaggingInTheLeadersView() throws {
        let error = "NATS monitor: connection refused to 127.0.0.1:34001"
        let members = [MemberPage(url: Self.urls[0], error: error),
                       MemberPage(url: Self.urls[1], page: try Self.page("jsz-cluster-killed-n-1.n-2.json")),
                       MemberPage(url: Self.urls[2], page: try Self.page("jsz-cluster-killed-n-1.n-3.json"))]
        let merged = NATSClusterMerge.merge(members, stream: "MEMES", consumer: "meme-generator")
        // The value ConsoleUITests' golden frames render (Samples.natsClusterMemberDown).
        let expected = NATSClusterStats(name: "memes", metaLeader: "n-2", servers: [
            NATSServerStats(name: "n-1", url: Self.urls[0], up: false, error: error,
                            stream: NATSReplicaStats(current: false, lag: 10, activeSeconds: 9.9),
                            consumer: NATSReplicaStats(current: true, activeSeconds: 9.2)),
            NATSServerStats(name: "n-2", url: Self.urls[1], up: true,
                            stream: NATSReplicaStats(current: true, activeSeconds: 1), consumer: NATSReplicaStats(current: true, activeSeconds: 0.2)),
            NATSServerStats(name: "n-3", url: Self.urls[2], up: true, streamLeader: true, consumerLeader: true),
        ])
        #expect(merged.cluster == expected)
        #expect(merged.queuePage?.consumer(stream: "MEMES", name: "meme-generator")?.numPending == 25)
    }

    @Test func withoutAnyPageNothingIsNamedAndThereIsNoQueue() {
        let merged = NATSClusterMerge.merge([MemberPage(url: "http://127.0.0.1:1/", error: "refused")], stream: "MEMES", consumer: "c")
        #expect(merged.queuePage == nil)
        #expect(merged.cluster.servers == [NATSServerStats(name: "127.0.0.1:1", url: "http://127.0.0.1:1/", up: false, error: "refused")])
    }

    @Test func liveClusterOneMemberKilled() async throws {
        let cluster = try NATSCluster()
        try cluster.start()
        defer { cluster.stop() }
        let nc = try await NATSConnection.connect(NATSOptions(servers: cluster.urls, name: "console-cluster-tests"))
        let js = JetStream(nc)
        try await js.createOrUpdateStream(StreamConfig(name: "MEMES", subjects: ["meme.request"], storage: .file, replicas: 3))
        try await js.createOrUpdateConsumer(stream: "MEMES", ConsumerConfig(durable: "meme-generator", ackPolicy: .explicit,
                                                                             filterSubject: "meme.request", replicas: 3))
        for i in 0..<5 { _ = try await js.publish("meme.request", payload: Array("m\(i)".utf8)) }
        let client = CurlHTTPClient()
        let reader = MonitorQueueReader(monitorURLs: cluster.servers.map(\.monitorURL).joined(separator: ","), stream: "MEMES",
                                        consumer: "meme-generator", client: client)
        let healthy = try await reader.read()
        #expect(healthy.pending == 5)
        let c = try #require(healthy.cluster)
        #expect(c.servers.map(\.name) == ["n-1", "n-2", "n-3"] && c.servers.allSatisfy { $0.up })
        #expect(c.servers.filter(\.streamLeader).count == 1 && c.servers.filter(\.consumerLeader).count == 1)
        // Kill a member leading neither group: the others keep serving, it shows down.
        let victim = try #require(c.servers.firstIndex { !$0.streamLeader && !$0.consumerLeader })
        cluster.servers[victim].kill()
        let after = try await reader.read()
        let down = try #require(after.cluster?.servers[victim])
        #expect(!down.up && down.name == "n-\(victim + 1)" && down.error?.contains("NATS monitor") == true)
        #expect(after.cluster?.servers.filter(\.up).count == 2 && after.pending == 5)
        await nc.close()
        await client.shutdown()
    }
}
