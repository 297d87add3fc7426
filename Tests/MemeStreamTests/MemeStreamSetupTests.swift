import JetStream
import Logging
import NATS
import Testing
import TestServers
@testable import MemeStream

@Suite struct MemeStreamSetupTests {
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
}
