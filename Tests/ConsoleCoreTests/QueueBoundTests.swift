import ClusterReaders
import CurlHTTP
import JetStream
import NATS
import Testing
import TestServers
@testable import ConsoleCore
@testable import ConsoleUI

/// Issue 18 item 8: the console shows the MEMES bound (max_msgs, discard new) next to what is stored.
@Suite struct QueueBoundTests {
    @Test func jszWithConfigGivesTheBoundOfARealStream() async throws {
        let nats = try NATSServer()
        let nc = try await NATSConnection.connect(NATSOptions(servers: [nats.url]))
        let js = JetStream(nc)
        try await js.createOrUpdateStream(StreamConfig(name: "MEMES", subjects: ["meme.request"], retention: .workQueue,
                                                       maxMessages: 3, maxBytes: 1 << 20, discard: .new))
        try await js.createOrUpdateConsumer(stream: "MEMES", ConsumerConfig(durable: "meme-generator", ackPolicy: .explicit))
        for i in 0..<3 { try await js.publish("meme.request", payload: Array("\(i)".utf8)) }
        let client = CurlHTTPClient()
        let status = try await JetStreamMonitor(monitorURL: nats.monitorURL, client: client).status()
        let stream = try #require(status.streams.first { $0.name == "MEMES" })
        #expect(stream.messages == 3 && stream.maxMessages == 3 && stream.maxBytes == 1 << 20)
        await client.shutdown()
        await nc.close()
    }

    @Test func anUnboundedStreamHasNoBound() throws {
        // A real capture (elastic/beats): max_msgs -1.
        let status = try JetStreamMonitorDecoding.decode(try SharedFixtures.bytes("nats/jsz-accounts-streams-consumers.beats.json"))
        #expect(status.streams.allSatisfy { $0.maxMessages == nil && $0.maxBytes == nil })
    }

    @Test func theCollectorPassesTheBoundOn() {
        var state = CollectorState()
        var nats = SourceReading<QueueReading>()
        nats.succeeded(QueueReading(stream: "MEMES", consumer: "meme-generator", pending: 5, ackPending: 0, redelivered: 0,
                                    messages: 5, maxMessages: 5), at: 100)
        let inputs = CollectorInputs(mode: .cluster, nats: nats, natsLink: NATSLink(connected: true),
                                     metrics: SourceReading<MetricsReading>(), kubernetes: nil)
        let queue = assemble(inputs, state: &state, now: 100).queue
        #expect(queue?.messages == 5 && queue?.maxMessages == 5)
    }
}
