import JetStream
import Logging
import NATS
import Testing
import TestServers
@testable import MemeStream

@Suite struct MemeStreamSetupTests {
    /// NATS_STREAM_REPLICAS on a real 3-node cluster: R3 stream and consumer; a program asking for
    /// another count leaves them as they are (and says so, `replicaMismatch`).
    @Test func replicasOnAClusterAndAMismatchIsLeftAlone() async throws {
        let cluster = try NATSCluster()
        try cluster.start()
        defer { cluster.stop() }
        let nc = try await NATSConnection.connect(NATSOptions(servers: cluster.urls))
        let js = JetStream(nc)
        let logger = Logger(label: "test")
        var setup = MemeStreamSetup()
        setup.replicas = 3
        try await setup.ensure(js, updateConsumer: true, logger: logger)
        #expect(try await js.streamInfo("MEMES").config.replicas == 3)
        let consumer = try await js.consumerInfo(stream: "MEMES", consumer: "meme-generator")
        #expect(consumer.config.replicas == 3 && consumer.cluster?.leader != nil)
        var single = MemeStreamSetup()
        single.replicas = 1
        #expect(try await single.ensureStream(js, logger: logger) == 3)
        try await single.ensure(js, updateConsumer: true, logger: logger)
        #expect(try await js.streamInfo("MEMES").config.replicas == 3)
        #expect(try await js.consumerInfo(stream: "MEMES", consumer: "meme-generator").config.replicas == 3)
        await nc.close()
    }

    @Test func aReplicaMismatchIsReportedWithBothCountsAndTheFix() {
        #expect(MemeStreamSetup.replicaMismatch(stream: "MEMES", existing: 3, wanted: 3) == nil)
        #expect(MemeStreamSetup.replicaMismatch(stream: "MEMES", existing: 1, wanted: 3)
            == "stream MEMES exists with 1 replica but NATS_STREAM_REPLICAS is 3: left unchanged "
            + "(change it with `nats stream edit MEMES --replicas 3`, or set NATS_STREAM_REPLICAS=1)")
    }

    @Test func createsWhatIsMissingAndLeavesExistingObjectsAlone() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSOptions(servers: [server.url]))
        let js = JetStream(nc)
        let logger = Logger(label: "test")
        let setup = MemeStreamSetup(ackWaitSeconds: 5, maxDeliver: 4)
        #expect(try await setup.ensure(js, logger: logger) == 4)
        let stream = try await js.streamInfo("MEMES")
        #expect(stream.config.retention == .workQueue)
        #expect(stream.config.storage == .file)
        #expect(stream.config.subjects == ["meme.request"])
        // A second program with other settings does not rewrite the consumer.
        let other = MemeStreamSetup(ackWaitSeconds: 60, maxDeliver: 9)
        #expect(try await other.ensure(js, logger: logger) == 4)
        let consumer = try await js.consumerInfo(stream: "MEMES", consumer: "meme-generator")
        #expect(consumer.config.ackWait == .seconds(5))
        #expect(consumer.config.maxDeliver == 4)
        // The worker owns those settings and applies its own.
        #expect(try await other.ensure(js, updateConsumer: true, logger: logger) == 9)
        #expect(try await js.consumerInfo(stream: "MEMES", consumer: "meme-generator").config.ackWait == .seconds(60))
        await nc.close()
    }

    /// MEMES is bounded, discarding new requests at the bound, so the publisher hears "full" (issue 18 item 8);
    /// a stream made before the bound existed gets it.
    @Test func theStreamIsBoundedAndAnUnboundedOneGetsTheBound() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSOptions(servers: [server.url]))
        let js = JetStream(nc)
        let logger = Logger(label: "test")
        // As an older meme-web or worker made it.
        try await js.createOrUpdateStream(StreamConfig(name: "MEMES", subjects: ["meme.request"], retention: .workQueue))
        var setup = MemeStreamSetup()
        setup.maxMessages = 3
        setup.maxBytes = 1 << 20
        try await setup.ensure(js, logger: logger)
        let config = try await js.streamInfo("MEMES").config
        #expect(config.maxMessages == 3 && config.maxBytes == 1 << 20 && config.discard == .new)
        for i in 0..<3 { try await js.publish("meme.request", payload: Array("\(i)".utf8), messageID: "m\(i)") }
        do {
            try await js.publish("meme.request", payload: Array("4".utf8), messageID: "m4")
            Issue.record("a fourth request was stored in a stream bounded at three")
        } catch let error as JetStreamError {
            #expect(error.isStreamFull, "\(error)")
        }
        #expect(try await js.streamInfo("MEMES").state.messages == 3)
        // An operator's own bound is left alone.
        var other = MemeStreamSetup()
        other.maxMessages = 99
        try await other.ensure(js, logger: logger)
        #expect(try await js.streamInfo("MEMES").config.maxMessages == 3)
        await nc.close()
    }
}
