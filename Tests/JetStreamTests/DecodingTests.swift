import Foundation
import Testing
@testable import JetStream

@Suite struct DecodingTests {
    @Test func consumerInfoFixture() throws {
        let info = try JetStream.decode(ConsumerInfo.self, from: fixture("js-api-consumer-info.TICKET.nats-node-559.json"))
        #expect(info.stream == "TICKET")
        #expect(info.name == "q-ticket-services-sub-order-cancelled-durable")
        #expect(info.config.ackPolicy == .explicit && info.config.maxDeliver == -1)
        #expect(info.config.ackWait == .nanoseconds(5000))
        #expect(info.config.filterSubject == "TICKET.order.cancelled")
        #expect(info.numPending == 0 && info.numAckPending == 0 && info.numWaiting == 0 && info.numRedelivered == 0)
    }

    @Test func streamInfoFixture() throws {
        let info = try JetStream.decode(StreamInfo.self, from: fixture("js-api-stream-info.TICKET.nats-node-559.json"))
        #expect(info.config.name == "TICKET" && info.config.subjects == ["TICKET.>"])
        #expect(info.config.retention == .limits && info.config.storage == .file)
        #expect(info.config.duplicateWindow == .seconds(120))
        #expect(info.state.consumerCount == 1 && info.state.messages == 0)
    }

    @Test func apiErrorsAreTyped() throws {
        #expect(throws: JetStreamError(code: 404, errorCode: 10014, description: "consumer not found")) {
            try JetStream.decode(ConsumerInfo.self, from: fixture("js-api-consumer-info.error-10014.CONSTRUCTED.json"))
        }
        #expect(throws: JetStreamError(code: 404, errorCode: 10059, description: "stream not found")) {
            try JetStream.decode(StreamInfo.self, from: fixture("js-api-stream-info.error-10059.CONSTRUCTED.json"))
        }
        #expect(throws: JetStreamError.self) { try JetStream.decode(PubAck.self, from: Data("not json".utf8)) }
    }

    @Test func metadataFromAckSubjects() throws {
        let old = try JetStreamMetadata(replySubject: "$JS.ACK.MEMES.gen.2.17.5.1700000000123456789.3")
        #expect(old.stream == "MEMES" && old.consumer == "gen" && old.numDelivered == 2 && old.streamSequence == 17)
        #expect(old.consumerSequence == 5 && old.timestampNanos == 1_700_000_000_123_456_789 && old.numPending == 3)
        #expect(old.domain == nil && old.accountHash == nil)
        let new = try JetStreamMetadata(replySubject: "$JS.ACK.hub.ACCHASH.MEMES.gen.1.2.3.1700000000000000000.0.RND")
        #expect(new.domain == "hub" && new.accountHash == "ACCHASH" && new.stream == "MEMES" && new.numDelivered == 1)
        let noDomain = try JetStreamMetadata(replySubject: "$JS.ACK._.ACC.S.C.1.2.3.4.5")
        #expect(noDomain.domain == nil && noDomain.numPending == 5)
        for bad in ["$JS.ACK.S.C.1.2.3", "_INBOX.x", "$JS.ACK.S.C.x.2.3.4.5", "$JS.ACK.a.b.S.C.1.2.3.4"] {
            #expect(throws: JetStreamError.self) { try JetStreamMetadata(replySubject: bad) }
        }
    }

    @Test func termReasonOnlyForNewServers() {
        #expect(!JetStreamMessage.supportsTermReason("2.9.10"))
        #expect(JetStreamMessage.supportsTermReason("2.10.0"))
        #expect(JetStreamMessage.supportsTermReason("3.0.1"))
        #expect(!JetStreamMessage.supportsTermReason(nil))
    }

    @Test func configsEncodeNanoseconds() throws {
        let data = try JSONEncoder().encode(ConsumerConfig(durable: "d", ackWait: .seconds(60), maxDeliver: 3))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(json["ack_wait"] as? Int == 60_000_000_000)
        #expect(json["durable_name"] as? String == "d" && json["ack_policy"] as? String == "explicit")
        let stream = try JSONEncoder().encode(StreamConfig(name: "S", subjects: ["a"], retention: .workQueue, duplicateWindow: .seconds(120)))
        let s = try JSONSerialization.jsonObject(with: stream) as! [String: Any]
        #expect(s["retention"] as? String == "workqueue" && s["duplicate_window"] as? Int == 120_000_000_000)
    }
}
