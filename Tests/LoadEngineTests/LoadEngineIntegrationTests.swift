import Foundation
import JetStream
import NATS
import Testing
import TestServers
@testable import LoadEngine

/// LoadEngine against a real nats-server and the real `meme-worker` binary.
@Suite(.serialized) struct LoadEngineIntegrationTests {
    @Test func aBurstOf200IsFullyAnsweredAndCountsAddUp() async throws {
        try await LoadHarness.with(concurrency: 4) { h in
            // Four prompts repeated: the burst is about counting, not about rendering variety.
            let engine = try await LoadEngine.start(connection: h.connection, configuration: LoadConfiguration(
                prompts: try PromptList(["one does not simply / scale to zero", "keep calm / add a replica", "tiny", "meme / test"])))
            let clock = ContinuousClock()
            let before = clock.now
            try engine.submit(200)
            // The caller (a UI loop) is never held up by the burst.
            #expect(clock.now - before < .seconds(1))
            let idle = await engine.waitUntilIdle(timeout: .seconds(60))
            let s = engine.snapshot
            await engine.shutdown()
            #expect(idle, "still waiting: \(engine.unansweredIDs()) \(s)\n\(h.worker?.log ?? "")")
            #expect(s.sent == 200)
            #expect(s.stored == 200)
            #expect(s.duplicates == 0)
            #expect(s.answered == 200)
            #expect(s.errors == 0)
            #expect(s.inFlight == 0 && s.queued == 0 && s.publishing == 0)
            #expect(s.latency.count == 200)
            let p50 = try #require(s.latency.p50), p95 = try #require(s.latency.p95), max = try #require(s.latency.max)
            #expect(0 < p50 && p50 <= p95 && p95 <= max)
            #expect(s.recent.count == 20 && s.recent.allSatisfy(\.ok))
            #expect(s.recent.allSatisfy { $0.id.hasPrefix("load-") })
            print("burst 200: p50 \(p50) ms p95 \(p95) ms max \(max) ms, \(s.answersPerSecond ?? 0) answers/s")
            // Nothing left in the queue.
            let info = try await JetStream(h.connection).consumerInfo(stream: "MEMES", consumer: "meme-generator")
            #expect(info.numPending == 0)
        }
    }

    @Test func sustainedLoadFollowsTheRateAndStops() async throws {
        try await LoadHarness.with(concurrency: 4) { h in
            let engine = try await LoadEngine.start(connection: h.connection)
            try engine.startSustained(perSecond: 20)
            #expect(engine.snapshot.sustainedRate == 20)
            try await Task.sleep(for: .seconds(3))
            engine.stopSustained()
            let sent = engine.snapshot.sent + engine.snapshot.queued
            #expect(engine.snapshot.sustainedRate == nil)
            // 20/s for 3 s is ~60; the range only catches a broken ticker, not a slow machine.
            #expect((35...80).contains(sent), "sent \(sent)")
            try await Task.sleep(for: .milliseconds(500))
            let after = engine.snapshot.sent + engine.snapshot.queued
            #expect(after == sent, "sustained load went on after stopSustained")
            #expect(await engine.waitUntilIdle(timeout: .seconds(60)))
            #expect(engine.snapshot.answered == after)

            // With a total it turns itself off.
            try engine.startSustained(perSecond: 50, total: 15)
            #expect(engine.isSustained)
            #expect(await engine.waitUntilIdle(timeout: .seconds(60)))
            #expect(!engine.isSustained)
            #expect(engine.snapshot.sent == after + 15)
            // The console's [ and ] keys change the rate of running load.
            try engine.startSustained(perSecond: 5)
            try engine.startSustained(perSecond: 7)
            #expect(engine.snapshot.sustainedRate == 7)
            engine.stopSustained()
            #expect(engine.snapshot.sustainedRate == nil)
            await engine.shutdown()
            #expect(throws: LoadError("the load engine is shut down")) { try engine.submit(1) }
        }
    }

    @Test func aBurstWhileNATSIsDownReportsPublishErrors() async throws {
        try await LoadHarness.with(worker: false) { h in
            let engine = try await LoadEngine.start(connection: h.connection, configuration: LoadConfiguration(publishTimeout: .seconds(1)))
            h.nats.stop()
            try engine.submit(20)
            let idle = await engine.waitUntilIdle(timeout: .seconds(30))
            let s = engine.snapshot
            await engine.shutdown()
            #expect(idle, "publishes still hanging: \(s)")
            #expect(s.sent == 20)
            #expect(s.publishErrors == 20)
            #expect(s.stored == 0 && s.answered == 0 && s.inFlight == 0)
            #expect(s.lastError?.contains("publish load-") == true, "\(s.lastError ?? "")")
            #expect(engine.unansweredIDs(limit: 10).count == 10)
        }
    }

    @Test func withoutAWorkerTheStreamIsCreatedAndRequestsWait() async throws {
        try await LoadHarness.with(worker: false) { h in
            let engine = try await LoadEngine.start(connection: h.connection)
            try engine.submit(5)
            let idle = await engine.waitUntilIdle(timeout: .seconds(2))
            let s = engine.snapshot
            #expect(!idle)
            #expect(s.stored == 5 && s.inFlight == 5 && s.answered == 0)
            #expect(engine.unansweredIDs().count == 5)
            let info = try await JetStream(h.connection).streamInfo("MEMES")
            #expect(info.state.messages == 5)
            #expect(info.config.retention == .workQueue)
            // The consumer is there too, so KEDA can read the lag before any worker starts.
            let consumer = try await JetStream(h.connection).consumerInfo(stream: "MEMES", consumer: "meme-generator")
            #expect(consumer.numPending == 5)
            // The progress stream hands out the same counts.
            var seen: [LoadSnapshot] = []
            for await snapshot in engine.progress(every: .milliseconds(20)) {
                seen.append(snapshot)
                if seen.count == 2 { break }
            }
            #expect(seen.map(\.stored) == [5, 5])
            // Dropping what is queued does not forget what was sent.
            try engine.startSustained(perSecond: 1000)
            let dropped = engine.stop()
            #expect(dropped >= 0)
            await engine.shutdown()
        }
    }

    @Test func badSettingsAreClearErrors() async throws {
        try await LoadHarness.with(worker: false) { h in
            await #expect(throws: LoadError("concurrent publishes must be 1…10000, not 0")) {
                _ = try await LoadEngine.start(connection: h.connection, configuration: LoadConfiguration(maxConcurrentPublishes: 0))
            }
            await #expect(throws: LoadError("web URL 'ftp://x' must start with http:// or https://")) {
                _ = try await LoadEngine.start(connection: h.connection, configuration: LoadConfiguration(transport: .web(baseURL: "ftp://x")))
            }
            let engine = try await LoadEngine.start(connection: h.connection)
            #expect(throws: LoadError("burst size must be 1…1000000, not 0")) { try engine.submit(0) }
            #expect(throws: LoadError("sustained rate must be above 0 and at most 10000 per second, not -1.0")) {
                try engine.startSustained(perSecond: -1)
            }
            #expect(throws: LoadError("sustained rate must be above 0 and at most 10000 per second, not nan")) {
                try engine.startSustained(perSecond: .nan)
            }
            await engine.shutdown()
        }
    }

    @Test func withoutItsOwnSubscriptionTheCallerFeedsAnswers() async throws {
        try await LoadHarness.with(worker: false) { h in
            let engine = try await LoadEngine.start(connection: h.connection, configuration: LoadConfiguration(listensForAnswers: false))
            try engine.submit(1)
            let deadline = ContinuousClock.now + .seconds(10)
            while engine.snapshot.stored < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let id = try #require(engine.unansweredIDs().first)
            // An answer on the subject is not seen: nothing subscribed.
            try await h.connection.publish("meme.response", payload: #"{"request_id":"\#(id)"}"#)
            try await h.connection.flush()
            try await Task.sleep(for: .milliseconds(100))
            #expect(engine.snapshot.answered == 0)
            engine.answered(id: id, ok: true, error: nil)
            let s = engine.snapshot
            #expect(s.answered == 1 && s.inFlight == 0 && s.latency.count == 1)
            let connz = try #require(HTTPProbe.get(port: h.nats.monitorPort, path: "/connz?subs=1"))
            #expect(!connz.body.contains("\"meme.response"), "\(connz.body)")
            await engine.shutdown()
        }
    }

    @Test func viaWebEveryAcceptedRequestIsAnswered() async throws {
        try await LoadHarness.with(concurrency: 4) { h in
            let url = try await h.startWeb()
            let engine = try await LoadEngine.start(connection: h.connection, configuration: LoadConfiguration(
                transport: .web(baseURL: url), maxConcurrentPublishes: 8))
            try engine.submit(20)
            let idle = await engine.waitUntilIdle(timeout: .seconds(60))
            let s = engine.snapshot
            await engine.shutdown()
            #expect(idle, "\(s)\n\(h.web?.log ?? "")")
            #expect(s.sent == 20 && s.stored == 20 && s.answered == 20 && s.errors == 0, "\(s)")
            // The web service picked the ids (UUIDs), not the engine.
            #expect(s.recent.allSatisfy { UUID(uuidString: $0.id) != nil }, "\(s.recent.map(\.id))")
        }
    }

    @Test func viaWebWaitsOutEvery429AndNeverCountsItAsAnAnswer() async throws {
        try await LoadHarness.with(concurrency: 4) { h in
            // A tight limit (burst 5, then 4 per second) that a burst of 25 must run into.
            let url = try await h.startWeb(limits: ["WEB_RATE_LIMIT": "4", "WEB_RATE_BURST": "5"])
            let engine = try await LoadEngine.start(connection: h.connection, configuration: LoadConfiguration(
                transport: .web(baseURL: url), maxConcurrentPublishes: 8))
            try engine.submit(25)
            let idle = await engine.waitUntilIdle(timeout: .seconds(120))
            let s = engine.snapshot
            await engine.shutdown()
            #expect(idle, "\(s)\n\(h.web?.log ?? "")")
            #expect(s.rateLimited > 0, "the limit was never hit: \(s)")
            #expect(s.sent == 25 && s.stored == 25 && s.answered == 25 && s.errors == 0, "\(s)")
            // 20 requests beyond the burst at 4 per second: the run paced itself over ≥ 5 s (a lower bound, never an upper one).
            #expect(s.publishingSeconds >= 4, "\(s.publishingSeconds) s")
        }
    }

    @Test func viaWebCountsRefusedPostsAsPublishErrors() async throws {
        try await LoadHarness.with(worker: false) { h in
            let closedPort = try FreePort.next()
            let engine = try await LoadEngine.start(connection: h.connection, configuration: LoadConfiguration(
                transport: .web(baseURL: "http://127.0.0.1:\(closedPort)/"), publishTimeout: .seconds(2)))
            try engine.submit(3)
            #expect(await engine.waitUntilIdle(timeout: .seconds(20)))
            let s = engine.snapshot
            await engine.shutdown()
            #expect(s.sent == 3 && s.publishErrors == 3 && s.stored == 0)
            #expect(s.lastError?.hasPrefix("POST /api/memes:") == true, "\(s.lastError ?? "")")
        }
    }
}

/// `meme-console load` run as a process.
@Suite(.serialized) struct LoadCommandTests {
    @Test func exitsZeroWhenEverythingIsAnswered() async throws {
        try await LoadHarness.with(concurrency: 4) { h in
            let run = try ConsoleRun(["load", "--count", "30", "--concurrency", "8", "--nats-url", h.nats.url, "--timeout", "60"])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("sent        30"), "\(run.output)")
            #expect(run.output.contains("answered    30   errors 0"), "\(run.output)")
            #expect(run.output.contains("sent 30/30 stored 30"), "\(run.output)")
            #expect(run.output.contains("latency     p50 "), "\(run.output)")
        }
    }

    @Test func theHelpExampleViaWebGetsEveryAnswerFromADefaultMemeWeb() async throws {
        try await LoadHarness.with(concurrency: 4) { h in
            // meme-web with its own default limits, as ./demo.sh runs it.
            let url = try await h.startWeb(limits: [:])
            let run = try ConsoleRun(["load", "--count", "60", "--via", "web", "--web-url", url, "--nats-url", h.nats.url, "--timeout", "90"],
                                     timeout: 180)
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("answered    60   errors 0"), "\(run.output)")
            // One client without X-Meme-Client: 20 at once, then 5 per second — the summary says so.
            #expect(run.output.contains("rate limit  meme-web answered 429 "), "\(run.output)")
            #expect(run.output.contains("(429s are not answers)"), "\(run.output)")
        }
        let help = try ConsoleRun(["load", "--help"])
        #expect(help.output.contains("meme-console load --count 60 --via web --web-url http://127.0.0.1:8080"), "\(help.output)")
        let words = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("A 429 is neither an answer nor an error"), "\(help.output)")
    }

    @Test func exitsNonZeroWithTheMissingIDsWhenNoWorkerRuns() async throws {
        try await LoadHarness.with(worker: false) { h in
            let run = try ConsoleRun(["load", "--count", "12", "--rate", "50", "--nats-url", h.nats.url, "--timeout", "1", "--id-prefix", "nobody-"])
            #expect(run.status == 1, "\(run.output)")
            #expect(run.output.contains("12 of 12 requests were not answered within 1 s: nobody-"), "\(run.output)")
            let listed = run.output.components(separatedBy: "nobody-").count - 1
            #expect(listed == 10, "\(run.output)")
        }
    }

    @Test func readsPromptsFromAFileAndAnswersJSON() async throws {
        try await LoadHarness.with(concurrency: 2) { h in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString.prefix(8)).txt")
            try "# stage-safe\nfrom a file / works\n\nsecond / prompt\n".write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let run = try ConsoleRun(["load", "--count", "4", "--prompts", file.path, "--nats-url", h.nats.url, "--json", "--timeout", "60"])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("prompts: \(file.path)"), "\(run.output)")
            #expect(run.output.contains("\"answered\":4"), "\(run.output)")
            #expect(run.output.contains("from a file / works"), "\(run.output)")
        }
    }

    @Test func badFlagsAreClearErrors() throws {
        let cases: [([String], String)] = [
            (["--count", "0"], "--count must be 1…1000000, not 0"),
            (["--rate=-3"], "--rate must be above 0"),
            (["--concurrency", "0"], "--concurrency must be 1…10000, not 0"),
            (["--timeout", "0"], "--timeout must be above 0"),
            (["--via", "carrier-pigeon"], "carrier-pigeon"),
            (["--nats-url", "http://x"], "--nats-url (NATS_URL) must be a URL like nats://host:port, got 'http://x'"),
            (["--stream", "A", "--nats-stream", "B"], "--stream and --nats-stream disagree ('A' vs 'B'); give only --nats-stream"),
            (["--via", "web", "--web-url", "localhost:8080"], "web URL 'localhost:8080' must start with http:// or https://"),
            (["--prompts", "/nonexistent/prompts.txt"], "--prompts: prompt file /nonexistent/prompts.txt does not exist"),
            (["--small", "--large"], "--small"),
        ]
        for (flags, message) in cases {
            let run = try ConsoleRun(["load"] + flags, timeout: 30)
            #expect(run.status != 0 && run.status != nil, "\(flags): \(run.output)")
            #expect(run.output.contains(message), "\(flags): \(run.output)")
        }
        let noNATS = try ConsoleRun(["load", "--count", "1", "--nats-url", "nats://127.0.0.1:\(try FreePort.next())"], timeout: 30)
        #expect(noNATS.status == 1, "\(noNATS.output)")
        #expect(noNATS.output.contains("cannot connect to NATS at nats://127.0.0.1:"), "\(noNATS.output)")
    }
}
