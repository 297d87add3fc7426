import Foundation
import JetStream
import MemeKit
import RedisCache
import Testing
import TestServers

/// The real `meme-worker` binary against real nats-server and redis-server.
@Suite(.serialized) struct WorkerIntegrationTests {
    @Test func answersTheSeedFormatWithAndWithoutIDAndCachesRepeats() async throws {
        let h = try await WorkerHarness()
        defer { h.stopProcesses() }
        try await h.submit(json: #"{"id":"seed-1","prompt":"one does not simply / scale to zero","fast_mode":false,"small_image":true}"#, messageID: "seed-1")
        // The original's load scripts send no id and no header.
        try await h.submit(json: #"{"prompt":"no id at all","small_image":true}"#)
        #expect(try await h.waitForAnswers(["seed-1"], timeout: 30).isEmpty)
        let first = try #require(h.answers(for: "seed-1").first)
        #expect(first.ok)
        guard case .string(let b64)? = first.json["image_data"], let png = Data(base64Encoded: b64) else {
            Issue.record("no image_data"); return
        }
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(first.json["prompt"] == .string("one does not simply / scale to zero"))
        if case .number(let ts)? = first.json["timestamp"] { #expect(abs(ts - Date().timeIntervalSince1970) < 120) } else { Issue.record("no timestamp") }

        // The request without id is answered under a generated UUID.
        let deadline = Date().addingTimeInterval(30)
        var generated: [String] = []
        while Date() < deadline {
            generated = h.answers.withLock { $0.keys.filter { $0 != "seed-1" } }
            if !generated.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(generated.count == 1)
        #expect(UUID(uuidString: generated.first ?? "") != nil)

        // Same picture again → served from Redis.
        try await h.submit(json: #"{"id":"seed-2","prompt":"one does not simply / scale to zero","small_image":true}"#, messageID: "seed-2")
        #expect(try await h.waitForAnswers(["seed-2"], timeout: 30).isEmpty)
        #expect(h.answers(for: "seed-2").first?.json["cached"] == .bool(true))
        #expect(h.answers(for: "seed-2").first?.json["image_data"] == first.json["image_data"])

        // Kept by id for late readers. The answer is published before the result is stored (a live
        // reader comes first), so the store is waited for, not assumed.
        let redis = try RedisClient(url: h.redis.url)
        let kept = try await redis.get(ResultKeys.result(id: "seed-1"))
        #expect(kept != nil)
        var listed = false
        for _ in 0..<100 where !listed {
            listed = try await redis.range(ResultKeys.recentList).contains(Array("seed-2".utf8))
            if !listed { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(listed, "seed-2 never appeared in \(ResultKeys.recentList)")
        #expect(h.metric("meme_generator_cache_hits_total") == 1)
    }

    @Test func badInputIsAnsweredWithAClearErrorAndNeverRedelivered() async throws {
        let h = try await WorkerHarness()
        defer { h.stopProcesses() }
        let cases: [(payload: [UInt8], header: String?, id: String, error: String)] = [
            (Array("not json".utf8), "hdr-1", "hdr-1", "request is not valid JSON"),
            ([0x7B, 0xFF, 0xFE, 0x7D], "hdr-2", "hdr-2", "request is not valid UTF-8"),
            (Array(#"{"id":"b-3","prompt":42}"#.utf8), nil, "b-3", "field 'prompt' must be a string"),
            (Array(#"{"id":"b-4","prompt":"   "}"#.utf8), nil, "b-4", "field 'prompt' is empty"),
            (Array(#"{"id":"b-5","prompt":"x","small_image":"yes"}"#.utf8), nil, "b-5", "field 'small_image' must be true or false"),
            (Array(#"{"id":"b-6","prompt":"\#(String(repeating: "a", count: 501))"}"#.utf8), nil, "b-6", "field 'prompt' has 501 characters; the limit is 500"),
            (Array(#"[1,2,3]"#.utf8), nil, "unknown", "request must be a JSON object"),
            ([UInt8](repeating: 0x20, count: 20_000), "hdr-8", "hdr-8", "request is 20000 bytes; the limit is 16384"),
            ([], "hdr-9", "hdr-9", "request is not valid JSON"),
        ]
        for c in cases { try await h.submit(c.payload, messageID: c.header) }
        try await h.submit(json: #"{"id":"good-after","prompt":"still serving","small_image":true}"#)
        let ids = Set(cases.map(\.id) + ["good-after"])
        #expect(try await h.waitForAnswers(ids, timeout: 30).isEmpty)
        for c in cases {
            let answer = h.answers(for: c.id).first
            #expect(answer?.ok == false, "\(c.id)")
            #expect(answer?.string == c.error, "\(c.id)")
        }
        #expect(h.answers(for: "good-after").first?.ok == true)
        // Nothing left pending or waiting for an ack: bad input does not poison the queue.
        try await Task.sleep(for: .milliseconds(300))
        let info = try await h.js.consumerInfo(stream: "MEMES", consumer: "meme-generator")
        #expect(info.numPending == 0)
        #expect(info.numAckPending == 0)
        #expect(info.numRedelivered == 0)
        #expect(h.worker?.process.isRunning == true)
    }

    @Test func redisDownMemesStillComeAndCachingResumes() async throws {
        let h = try await WorkerHarness()
        defer { h.stopProcesses() }
        h.redis.stop()
        try await h.submit(json: #"{"id":"r-1","prompt":"no cache today","small_image":true}"#)
        #expect(try await h.waitForAnswers(["r-1"], timeout: 30).isEmpty)
        #expect(h.answers(for: "r-1").first?.ok == true)
        #expect((h.metric("meme_generator_cache_errors_total") ?? 0) >= 1)
        try h.redis.start()
        // The client reconnects lazily with backoff (≤ 5 s); keep asking until a repeat is a hit.
        var hit = false
        for i in 0..<20 where !hit {
            let id = "r-again-\(i)"
            try await h.submit(json: #"{"id":"\#(id)","prompt":"cache is back","small_image":true}"#)
            #expect(try await h.waitForAnswers([id], timeout: 30).isEmpty)
            hit = h.answers(for: id).first?.json["cached"] == .bool(true)
            if !hit { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(hit, "caching never resumed after Redis came back")
    }

    @Test func sigkillWithAQueueLosesNothing() async throws {
        let h = try await WorkerHarness(ackWait: 2)
        defer { h.stopProcesses() }
        let ids = (0..<120).map { "k-\($0)" }
        for (i, id) in ids.enumerated() {
            // Few distinct prompts: most answers are cache hits, so the test is about delivery, not rendering.
            try await h.submit(json: #"{"id":"\#(id)","prompt":"burst \#(i % 4)","small_image":true}"#, messageID: id)
        }
        let deadline = Date().addingTimeInterval(60)
        while h.answers.withLock({ $0.count }) < 5 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        h.worker?.process.kill9()
        let answeredBeforeKill = h.answers.withLock { $0.count }
        #expect(answeredBeforeKill < ids.count, "the worker finished before it could be killed")
        try h.startWorker()
        let missing = try await h.waitForAnswers(ids, timeout: 120)
        #expect(missing.isEmpty, "never answered: \(missing.prefix(10))")
        #expect(ids.allSatisfy { h.answers(for: $0).allSatisfy(\.ok) })
    }

    @Test func sigtermDrainsInFlightWorkAndExitsZero() async throws {
        let h = try await WorkerHarness(concurrency: 2)
        defer { h.stopProcesses() }
        let ids = (0..<6).map { "t-\($0)" }
        for id in ids { try await h.submit(json: #"{"id":"\#(id)","prompt":"drain \#(id)"}"#, messageID: id) }
        let deadline = Date().addingTimeInterval(60)
        while h.answers.withLock({ $0.count }) < 1 && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let worker = try #require(h.worker)
        worker.process.signal(SIGTERM)
        let status = worker.process.waitForExit(timeout: 30)
        #expect(status == 0, "exit status \(String(describing: status))\n\(worker.log)")
        #expect(worker.log.contains("drained"))
        // Whatever was not finished was handed back, not lost: a new worker answers the rest.
        try h.startWorker()
        #expect(try await h.waitForAnswers(ids, timeout: 60).isEmpty)
    }
}
