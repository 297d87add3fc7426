import Foundation
import NATS
import Synchronization
import Testing
import TestServers
@testable import JetStream

@Suite(.serialized) struct JetStreamServerTests {
    @Test func streamAndConsumerManagement() async throws {
        let f = try await Fixture()
        // creating again with the same config is fine, a changed config updates
        try await f.js.createOrUpdateStream(StreamConfig(
            name: "MEMES", subjects: ["meme.request"], retention: .workQueue, storage: .file, duplicateWindow: .seconds(120)))
        let updated = try await f.js.createOrUpdateStream(StreamConfig(
            name: "MEMES", subjects: ["meme.request"], retention: .workQueue, storage: .file,
            description: "memes", duplicateWindow: .seconds(120)))
        #expect(updated.config.description == "memes")
        try await f.publish(3)
        var info = try await f.js.streamInfo("MEMES")
        #expect(info.state.messages == 3 && info.state.consumerCount == 1)
        let consumerInfo = try await f.js.consumerInfo(stream: "MEMES", consumer: "gen")
        #expect(consumerInfo.numPending == 3 && consumerInfo.config.ackWait == .seconds(1))
        #expect(try await f.js.purgeStream("MEMES") == 3)
        info = try await f.js.streamInfo("MEMES")
        #expect(info.state.messages == 0)
        try await f.js.deleteConsumer(stream: "MEMES", consumer: "gen")
        await #expect(throws: JetStreamError(code: 404, errorCode: JetStreamError.consumerNotFound, description: "")) {
            _ = try await f.js.consumerInfo(stream: "MEMES", consumer: "gen")
        }
        try await f.js.deleteStream("MEMES")
        await #expect(throws: JetStreamError(code: 404, errorCode: JetStreamError.streamNotFound, description: "")) {
            _ = try await f.js.streamInfo("MEMES")
        }
        await #expect(throws: JetStreamError.self) { _ = try await f.js.streamInfo("bad.name") }
        await f.nc.close()
    }

    @Test func duplicateMessageIDIsStoredOnce() async throws {
        let f = try await Fixture()
        let first = try await f.js.publish("meme.request", payload: Array("a".utf8), messageID: "same")
        let second = try await f.js.publish("meme.request", payload: Array("a".utf8), messageID: "same")
        #expect(!first.duplicate && second.duplicate && second.sequence == first.sequence && first.stream == "MEMES")
        let info = try await f.js.streamInfo("MEMES")
        #expect(info.state.messages == 1)
        // publishing where no stream listens is a clear error, after the retries
        let impatient = JetStream(f.nc, retryWindow: .seconds(1))
        await #expect(throws: JetStreamError.self) { _ = try await impatient.publish("nobody.stores.this", payload: [1]) }
        await f.nc.close()
    }

    @Test func fetchAckAndConsumerCounters() async throws {
        let f = try await Fixture()
        try await f.publish(5)
        let consumer = try await f.js.consumer(stream: "MEMES", name: "gen")
        let batch = try await consumer.fetch(batch: 3, expires: .seconds(2))
        #expect(batch.map { String(decoding: $0.bytes, as: UTF8.self) } == ["m0", "m1", "m2"])
        #expect(batch[0].metadata.numDelivered == 1 && batch[0].metadata.stream == "MEMES" && batch[0].metadata.consumer == "gen")
        #expect(batch[0].headers?[NATSHeaderName.messageID] == "id-0")
        var info = try await consumer.info()
        #expect(info.numAckPending == 3 && info.numPending == 2)
        for m in batch { try await m.ack() }
        try await batch[0].doubleAck()  // a second ack is confirmed too
        let rest = try await consumer.fetch(batch: 10, expires: .milliseconds(500))
        #expect(rest.count == 2)
        for m in rest { try await m.doubleAck() }
        info = try await consumer.info()
        #expect(info.numAckPending == 0 && info.numPending == 0)
        // nothing left: fetch returns empty at expiry
        let empty = try await consumer.fetch(batch: 5, expires: .milliseconds(300))
        #expect(empty.isEmpty)
        await f.nc.close()
    }

    @Test func twoClientsShareOneDurableWithoutDuplicates() async throws {
        let f = try await Fixture(ackWait: .seconds(5))
        let n = 200
        try await f.publish(n)
        let other = try await NATSConnection.connect(NATSOptions(servers: [f.server.url]))
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, js) in [f.js, JetStream(other)].enumerated() {
                group.addTask { [tally] in
                    let consumer = try await js.consumer(stream: "MEMES", name: "gen")
                    let messages = consumer.messages(batch: 16, expires: .seconds(2), idleHeartbeat: .milliseconds(500))
                    try await withTimeout(20) {
                        for try await m in messages {
                            let body = String(decoding: m.bytes, as: UTF8.self)
                            let total: Int = tally.seen.withLock { s in
                                s[body, default: 0] += 1
                                return s.count
                            }
                            tally.counts.withLock { $0[index] += 1 }
                            try await m.ack()
                            // give the other client a chance to get work too
                            try await Task.sleep(for: .milliseconds(1))
                            if total == n { break }
                        }
                        messages.stop()
                    }
                }
            }
            // each loop ends when all n were seen; the slower one may still be waiting: stop it after
            try await withTimeout(25) {
                while tally.seen.withLock({ $0.count }) < n { try await Task.sleep(for: .milliseconds(50)) }
            }
            group.cancelAll()
            while let _ = try? await group.next() {}
        }
        let s = tally.seen.withLock { $0 }
        #expect(s.count == n)
        #expect(s.values.allSatisfy { $0 == 1 })
        let c = tally.counts.withLock { $0 }
        #expect(c[0] > 0 && c[1] > 0)
        await other.close()
        await f.nc.close()
    }

    @Test func nakWithDelayRedeliversAfterTheDelay() async throws {
        let f = try await Fixture(ackWait: .seconds(10))
        try await f.publish(1)
        let consumer = try await f.js.consumer(stream: "MEMES", name: "gen")
        let first = try await consumer.fetch(batch: 1, expires: .seconds(2))
        #expect(first.count == 1)
        let start = ContinuousClock.now
        try await first[0].nak(delay: .milliseconds(1500))
        // not before the delay…
        let early = try await consumer.fetch(batch: 1, expires: .milliseconds(300))
        #expect(early.isEmpty)
        // …but after it
        let again = try await consumer.fetch(batch: 1, expires: .seconds(3))
        #expect(again.count == 1)
        #expect(again.first?.metadata.numDelivered == 2)
        #expect(ContinuousClock.now - start >= .milliseconds(1400))
        try await again.first?.ack()
        // plain NAK redelivers at once
        try await f.publish(1, from: 1)
        let m = try await consumer.fetch(batch: 1, expires: .seconds(2))
        try await m[0].nak()
        let m2 = try await consumer.fetch(batch: 1, expires: .seconds(2))
        #expect(m2.first?.metadata.numDelivered == 2)
        await f.nc.close()
    }

    @Test func unackedIsRedeliveredAfterAckWaitAndInProgressExtends() async throws {
        let f = try await Fixture(ackWait: .seconds(2))
        try await f.publish(1)
        let consumer = try await f.js.consumer(stream: "MEMES", name: "gen")
        let first = try await consumer.fetch(batch: 1, expires: .seconds(2))
        #expect(first.first?.metadata.numDelivered == 1)
        // +WPI twice keeps it ours past one ack_wait (2 s)
        try await Task.sleep(for: .milliseconds(800))
        try await first[0].inProgress()
        try await Task.sleep(for: .milliseconds(800))
        try await first[0].inProgress()
        let none = try await consumer.fetch(batch: 1, expires: .milliseconds(800))
        #expect(none.isEmpty)
        // then we go silent: redelivered after ack_wait
        let again = try await consumer.fetch(batch: 1, expires: .seconds(4))
        #expect(again.first?.metadata.numDelivered == 2)
        let info = try await consumer.info()
        #expect(info.numRedelivered == 1)
        await f.nc.close()
    }

    @Test func termStopsRedelivery() async throws {
        let f = try await Fixture(ackWait: .seconds(1))
        try await f.publish(1)
        let consumer = try await f.js.consumer(stream: "MEMES", name: "gen")
        let m = try await consumer.fetch(batch: 1, expires: .seconds(2))
        try await m[0].term(reason: "bad prompt")
        let later = try await consumer.fetch(batch: 1, expires: .milliseconds(1800))
        #expect(later.isEmpty)
        let info = try await consumer.info()
        #expect(info.numAckPending == 0)
        await f.nc.close()
    }

    @Test func maxDeliverStopsRedelivery() async throws {
        let f = try await Fixture(ackWait: .seconds(1), maxDeliver: 2)
        try await f.publish(1)
        let consumer = try await f.js.consumer(stream: "MEMES", name: "gen")
        let d1 = try await consumer.fetch(batch: 1, expires: .seconds(2))
        #expect(d1.first?.metadata.numDelivered == 1)
        let d2 = try await consumer.fetch(batch: 1, expires: .seconds(3))
        #expect(d2.first?.metadata.numDelivered == 2)
        let d3 = try await consumer.fetch(batch: 1, expires: .milliseconds(1800))
        #expect(d3.isEmpty)
        await f.nc.close()
    }

    @Test func messagesSurviveAServerRestart() async throws {
        let f = try await Fixture(ackWait: .seconds(5))
        try await f.publish(5)
        let consumer = try await f.js.consumer(stream: "MEMES", name: "gen")
        let messages = consumer.messages(batch: 4, expires: .seconds(3), idleHeartbeat: .milliseconds(500))
        let box = Tally()
        let reader = Task {
            for try await m in messages {
                box.received.withLock { $0.append(String(decoding: m.bytes, as: UTF8.self)) }
                try await m.ack()
            }
        }
        try await withTimeout(10) { while box.received.withLock({ $0.count }) < 5 { try await Task.sleep(for: .milliseconds(20)) } }
        f.server.kill()
        try await Task.sleep(for: .milliseconds(300))
        try f.server.restart()
        try await withTimeout(15) { while f.nc.status != .connected { try await Task.sleep(for: .milliseconds(20)) } }
        try await f.publish(5, from: 5)
        try await withTimeout(20) { while box.received.withLock({ $0.count }) < 10 { try await Task.sleep(for: .milliseconds(20)) } }
        messages.stop()
        _ = await reader.result
        let got = box.received.withLock { $0 }
        #expect(Set(got) == Set((0..<10).map { "m\($0)" }))
        await f.nc.close()
    }
}

final class Tally: Sendable {
    let seen = Mutex<[String: Int]>([:])
    let counts = Mutex<[Int]>([0, 0])
    let received = Mutex<[String]>([])
}
