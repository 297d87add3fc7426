import CurlHTTP
import Testing
import TestServers
@testable import ClusterReaders

@Suite struct JetStreamMonitorDecodingTests {
    @Test func clusteredServerWithPendingConsumer() throws {
        let status = try JetStreamMonitorDecoding.decode(try Fixtures.bytes("nats/jsz-streams-consumers-filterparams.n1.opensre.json"))
        #expect(!status.disabled)
        #expect(status.totalStreams == 2 && status.totalConsumers == 3 && status.totalMessages == 625)
        let billing = try #require(status.consumer(stream: "ORDERS", name: "billing", account: "$G"))
        #expect(billing.numPending == 330 && billing.numAckPending == 20 && billing.lag == 350)
        #expect(billing.leader == "n1")
        let worker = try #require(status.consumer(stream: "JOBS", name: "worker"))
        #expect(worker.numAckPending == 1 && worker.numRedelivered == 2)
        #expect(status.streams.first { $0.name == "ORDERS" }?.messages == 600)
        #expect(status.kedaLag(stream: "ORDERS", consumer: "billing", account: "$G") == 350)
        #expect(status.kedaLag(stream: "JOBS", consumer: "gone") == 25)  // KEDA falls back to the stream's last_seq
        #expect(status.kedaLag(stream: "NOPE", consumer: "billing") == nil)
    }

    @Test func beatsCaptureWithPullAndPushConsumers() throws {
        let status = try JetStreamMonitorDecoding.decode(try Fixtures.bytes("nats/jsz-accounts-streams-consumers.beats.json"))
        #expect(status.streams.map(\.name) == ["cve_importer", "StreamWorkStealingPod"])
        #expect(status.streams[1].lastSequence == 11 && status.streams[1].messages == 0)
        #expect(status.consumer(stream: "StreamWorkStealingPod", name: "worker-group")?.lag == 0)
    }

    @Test func oldFieldNamesFrom2021() throws {
        let status = try JetStreamMonitorDecoding.decode(try Fixtures.bytes("nats/jsz-accounts-consumers-2021.demo-jetstream.json"))
        #expect(status.totalStreams == 1 && status.totalConsumers == 1 && status.totalMessages == 20)
        let c = try #require(status.consumer(stream: "USER_TXN", name: "GRP_MAKER", account: "demo"))
        #expect(c.numPending == 1 && c.numWaiting == 1 && c.leader == "bnats-0")
    }

    @Test func disabledAndPlainPages() throws {
        let disabled = try JetStreamMonitorDecoding.decode(try Fixtures.bytes("nats/jsz-jetstream-disabled.solo.opensre.json"))
        #expect(disabled.disabled && disabled.streams.isEmpty)
        let plain = try JetStreamMonitorDecoding.decode(try Fixtures.bytes("nats/jsz.n1.opensre.json"))
        #expect(plain.totalStreams == 2 && plain.streams.isEmpty)
        #expect(throws: ClusterReadError.self) { try JetStreamMonitorDecoding.decode(Array("<html>".utf8)) }
    }
}

@Suite struct JetStreamMonitorLiveTests {
    @Test func emptyServerDecodes() async throws {
        let nats = try NATSServer()
        let client = CurlHTTPClient()
        let status = try await JetStreamMonitor(monitorURL: nats.monitorURL, client: client).status()
        #expect(!status.disabled)
        #expect(status.totalStreams == 0 && status.streams.isEmpty)
        #expect(status.serverID?.isEmpty == false)
        await client.shutdown()
    }

    @Test func serverWithoutJetStream() async throws {
        let nats = try NATSServer(jetStream: false)
        let client = CurlHTTPClient()
        let status = try await JetStreamMonitor(monitorURL: nats.monitorURL, client: client).status()
        #expect(status.disabled)
        await client.shutdown()
    }
}
