import Foundation
import NATS
import Retry
import Synchronization
import Testing
import TestServers
@testable import JetStream

/// The client on a real three-node JetStream cluster (free loopback ports, R3 stream): servers from the
/// list and from connect_urls, reconnecting while pulling, publishes whose ack is lost, API calls
/// across a leader election.
final class AckCounter: Sendable { let n = Atomic<Int>(0) }

@Suite(.serialized) struct ClusterTests {
    /// A started cluster, a connection (to `connectTo` only, unless `allURLs`), an R3 stream and consumer.
    struct ClusterFixture: Sendable {
        let cluster: NATSCluster
        let nc: NATSConnection
        let js: JetStream

        init(connectTo index: Int = 0, allURLs: Bool = false) async throws {
            cluster = try NATSCluster()
            try cluster.start()
            var options = NATSOptions(servers: allURLs ? cluster.urls : [cluster.urls[index]], name: "js-cluster-tests")
            options.reconnect = RetryPolicy(initial: .milliseconds(50), maximum: .milliseconds(200))
            options.maxReconnectAttempts = -1
            nc = try await NATSConnection.connect(options)
            js = JetStream(nc)
            try await js.createOrUpdateStream(StreamConfig(
                name: "MEMES", subjects: ["meme.request"], retention: .workQueue, storage: .file, replicas: 3,
                duplicateWindow: .seconds(120)))
            try await js.createOrUpdateConsumer(stream: "MEMES", ConsumerConfig(
                durable: "gen", ackPolicy: .explicit, ackWait: .seconds(5), filterSubject: "meme.request", replicas: 3))
        }

        func streamLeader() async throws -> NATSServer {
            let name = try #require(try await js.streamInfo("MEMES").cluster?.leader)
            return try #require(cluster.server(named: name))
        }

        /// The JetStream meta leader, from a member's /jsz.
        func metaLeader() throws -> NATSServer {
            for server in cluster.servers where server.isRunning {
                guard let body = HTTPProbe.get(port: server.monitorPort, path: "/jsz")?.body,
                      let start = body.range(of: "\r\n\r\n")?.upperBound ?? body.range(of: "{")?.lowerBound,
                      let json = try? JSONSerialization.jsonObject(with: Data(body[start...].utf8)) as? [String: Any],
                      let meta = json["meta_cluster"] as? [String: Any], let leader = meta["leader"] as? String,
                      let found = cluster.server(named: leader) else { continue }
                return found
            }
            throw JetStreamError.client("no meta leader in any /jsz")
        }
    }

    @Test func serverListAndConnectURLDiscovery() async throws {
        let f = try await ClusterFixture(connectTo: 1)
        // one URL given, the other two learned from INFO connect_urls
        try await withTimeout(10) {
            while Set(f.nc.knownServers) != Set(f.cluster.urls) { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(f.nc.knownServers.first == f.cluster.urls[1])
        // a dead address first in the list is skipped
        let dead = "nats://127.0.0.1:\(try FreePort.next())"
        let other = try await NATSConnection.connect(NATSOptions(servers: [dead] + f.cluster.urls))
        #expect(other.connectedServer == f.cluster.urls[0])
        // the server we are on dies: the connection moves to a member it only learned about
        f.cluster.servers[1].kill()
        try await withTimeout(10) {
            while f.nc.status != .connected || f.nc.connectedServer == f.cluster.urls[1] { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(try await f.js.streamInfo("MEMES").config.replicas == 3)
        await other.close()
        await f.nc.close()
    }

    @Test func pullFlowResumesAfterItsServerDies() async throws {
        let f = try await ClusterFixture(connectTo: 0)
        let publisher = try await NATSConnection.connect(NATSOptions(servers: Array(f.cluster.urls[1...])))
        let pjs = JetStream(publisher)
        let consumer = try await f.js.consumer(stream: "MEMES", name: "gen")
        let messages = consumer.messages(batch: 8, expires: .seconds(5), idleHeartbeat: .milliseconds(500))
        let received = Mutex<Set<String>>([])
        let reader = Task {
            for try await message in messages {
                received.withLock { _ = $0.insert(String(decoding: message.bytes, as: UTF8.self)) }
                try await message.ack()
            }
        }
        for i in 0..<20 { try await pjs.publish("meme.request", payload: Array("m\(i)".utf8), messageID: "p-\(i)") }
        try await withTimeout(15) { while received.withLock({ $0.count }) < 20 { try await Task.sleep(for: .milliseconds(20)) } }
        f.cluster.servers[0].kill()  // the consumer's connection goes; the flow must pull again elsewhere
        for i in 20..<40 { try await pjs.publish("meme.request", payload: Array("m\(i)".utf8), messageID: "p-\(i)") }
        try await withTimeout(30) { while received.withLock({ $0.count }) < 40 { try await Task.sleep(for: .milliseconds(50)) } }
        #expect(received.withLock { $0 } == Set((0..<40).map { "m\($0)" }))
        // and a one-shot fetch on the moved connection works too
        messages.stop()
        reader.cancel()
        _ = await reader.result
        try await pjs.publish("meme.request", payload: Array("last".utf8), messageID: "p-last")
        let fetched = try await withTimeout(20) {
            var got: [JetStreamMessage] = []
            while got.isEmpty { got = try await consumer.fetch(batch: 1, expires: .seconds(2)) }
            return got
        }
        #expect(fetched.map { String(decoding: $0.bytes, as: UTF8.self) } == ["last"])
        await publisher.close()
        await f.nc.close()
    }

    @Test func publishesWhoseAckIsLostAreRetriedAndStoredOnce() async throws {
        let f = try await ClusterFixture(connectTo: 0, allURLs: true)
        let leader = try await f.streamLeader()
        // A client on a follower: its publishes reach the leader over a route, their acks come back the same way.
        let follower = try #require(f.cluster.servers.first { $0 !== leader })
        var options = NATSOptions(servers: [follower.url] + f.cluster.urls.filter { $0 != follower.url }, name: "on-a-follower")
        options.reconnect = RetryPolicy(initial: .milliseconds(50), maximum: .milliseconds(200))
        options.maxReconnectAttempts = -1
        let nc = try await NATSConnection.connect(options)
        let js = JetStream(nc)
        let count = 300
        // Publishes in flight while the server this client is on is killed: the stream (leader and the third
        // member, a quorum) stored them, their acks are lost with the server; each is retried with its
        // Nats-Msg-Id on another member and acked as a duplicate, not stored twice.
        let acked = AckCounter()
        let acks = try await withThrowingTaskGroup(of: PubAck?.self) { group in
            for i in 0..<count {
                group.addTask {
                    let ack = try await js.publish("meme.request", payload: Array("d\(i)".utf8), messageID: "dedup-\(i)")
                    acked.n.add(1, ordering: .relaxed)
                    return ack
                }
            }
            // The kill lands while most publishes are in flight: written, maybe stored, ack not back yet.
            group.addTask {
                while acked.n.load(ordering: .relaxed) < count / 4 { try await Task.sleep(for: .milliseconds(1)) }
                follower.kill()
                return nil
            }
            var acks: [PubAck] = []
            for try await ack in group { if let ack { acks.append(ack) } }
            return acks
        }
        let info = try await f.js.streamInfo("MEMES")
        #expect(acks.count == count)
        #expect(info.state.messages == UInt64(count), "every publish stored exactly once")
        let duplicates = acks.filter(\.duplicate).count
        print("[cluster] \(count) publishes across a kill of the client's server: \(duplicates) acks were for a retried publish already stored")
        await nc.close()
        await f.nc.close()
    }

    @Test func apiCallsRetryAcrossAMetaLeaderElection() async throws {
        let f = try await ClusterFixture(connectTo: 0, allURLs: true)
        let meta = try f.metaLeader()
        meta.kill()
        // Right after the kill there is no meta leader (503) and maybe no connection: the calls wait it out.
        let started = ContinuousClock.now
        let created = try await withTimeout(45) {
            try await f.js.createOrUpdateStream(StreamConfig(name: "AFTER", subjects: ["after.>"], storage: .file, replicas: 2))
        }
        #expect(created.config.replicas == 2)
        #expect(try await f.js.consumerInfo(stream: "MEMES", consumer: "gen").config.replicas == 3)
        print("[cluster] API call across a meta-leader election answered after \(ContinuousClock.now - started)")
        await f.nc.close()
    }
}
