import Foundation
import Hummingbird
import HummingbirdTesting
import JetStream
import Logging
import MemeKit
import NATS
import RedisCache
import TestServers
import Testing
@testable import WebService

/// The live path against real servers: nats-server (JetStream) and redis-server on free loopback
/// ports. The test plays the worker's part on the wire (creates the stream like the worker
/// does, answers on `meme.response`), so these run without a meme-worker binary.
@Suite(.serialized) struct NATSLiveTests {
    static func logger() -> Logger {
        var logger = Logger(label: "nats-live-test")
        logger.logLevel = .critical
        return logger
    }

    static func makeApp(nats: NATSServer, redis: RedisServer) async throws -> (MemeWebApp, NATSMemeQueue) {
        var queueSettings = QueueSettings()
        queueSettings.natsURL = nats.url
        let queue = try await NATSMemeQueue.connect(queueSettings, logger: logger())
        var settings = Fixtures.settings()
        settings.submitTimeoutSeconds = 5
        let app = try MemeWebApp(settings: settings, queue: queue, store: try RedisResultStore(url: redis.url), logger: logger())
        return (app, queue)
    }

    @Test func submitIsStoredThenDoneAndSurvivesARestart() async throws {
        let nats = try NATSServer()
        let redis = try RedisServer()
        let worker = try await NATSConnection.connect(NATSOptions(servers: [nats.url], name: "test-worker"))
        let results = try RedisClient(url: redis.url)
        let js = JetStream(worker)
        try await js.createOrUpdateStream(StreamConfig(
            name: MemeDefaults.stream, subjects: [MemeDefaults.requestSubject], retention: .workQueue,
            duplicateWindow: .seconds(120)))

        let (first, firstQueue) = try await Self.makeApp(nats: nats, redis: redis)
        let id = try await first.buildApplication().test(.router) { client in
            let id = try await client.execute(
                uri: "/api/memes", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"prompt":"live cat","top_text":"TOP"}"#)
            ) { response in
                #expect(response.status == .accepted)
                return RouterTests.json(response)["id"] as? String ?? ""
            }
            // A 202 means JetStream stored it.
            #expect(try await js.streamInfo(MemeDefaults.stream).state.messages == 1)
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }

            // The worker's answer on core NATS, then kept by id (as MessageHandler does): the one
            // stored copy of the image, which meme-web does not write again.
            let response = MemeResponse(
                requestId: id, imageData: Data(Fixtures.png).base64EncodedString(), prompt: "live cat",
                timestamp: UInt64(Date().timeIntervalSince1970))
            let body = Array(try JSONEncoder().encode(response))
            try await worker.publish(MemeDefaults.responseSubject, payload: body)
            try await results.set(ResultKeys.result(id: id), body, ttlSeconds: 60)
            try await results.pushRecent(ResultKeys.recentList, Array(id.utf8), keep: 200)
            #expect(try await eventually {
                try await client.execute(uri: "/api/memes/\(id)", method: .get) { RouterTests.json($0)["status"] as? String == "done" }
            })
            return id
        }
        await firstQueue.close()

        // A new meme-web process: empty cache, same Redis.
        let (second, secondQueue) = try await Self.makeApp(nats: nats, redis: redis)
        try await second.buildApplication().test(.router) { client in
            try await client.execute(uri: "/api/memes/\(id)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(RouterTests.json(response)["status"] as? String == "done")
                #expect(RouterTests.json(response)["top_text"] as? String == "TOP")
            }
            try await client.execute(uri: "/api/memes/\(id)/image", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == Fixtures.png)
                #expect(response.headers[.contentType] == "image/png")
            }
        }
        await secondQueue.close()
        await worker.close()
    }

    @Test func resultStoredOnlyByTheWorkerIsFound() async throws {
        let nats = try NATSServer()
        let redis = try RedisServer()
        // What the worker writes when this replica never saw the response.
        let client = try RedisClient(url: redis.url)
        let response = MemeResponse(requestId: "w1", imageData: Data(Fixtures.png).base64EncodedString(), prompt: "from worker", timestamp: 1)
        try await client.set(ResultKeys.result(id: "w1"), Array(try JSONEncoder().encode(response)), ttlSeconds: 60)
        try await client.pushRecent(ResultKeys.recentList, Array("w1".utf8), keep: 10)
        let (app, queue) = try await Self.makeApp(nats: nats, redis: redis)
        try await app.buildApplication().test(.router) { client in
            try await client.execute(uri: "/api/memes/w1", method: .get) { response in
                #expect(RouterTests.json(response)["status"] as? String == "done")
                #expect(RouterTests.json(response)["prompt"] as? String == "from worker")
            }
            try await client.execute(uri: "/api/memes?limit=5", method: .get) { response in
                let memes = RouterTests.json(response)["memes"] as? [[String: Any]] ?? []
                #expect(memes.first?["id"] as? String == "w1")
            }
        }
        await queue.close()
    }

    @Test func jetStreamUnavailableIs503() async throws {
        let nats = try NATSServer()
        let redis = try RedisServer()
        let (app, queue) = try await Self.makeApp(nats: nats, redis: redis)
        // meme-web creates the stream itself (the worker may be scaled to zero) …
        let nc = try await NATSConnection.connect(NATSOptions(servers: [nats.url]))
        let js = JetStream(nc)
        #expect(try await js.streamInfo("MEMES").config.subjects == ["meme.request"])
        // … so take it away: now no stream listens on meme.request and JetStream cannot store the request.
        try await js.deleteStream("MEMES")
        await nc.close()
        try await app.buildApplication().test(.router) { client in
            try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"prompt":"x"}"#)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(RouterTests.error(response) == MemeQueueError.unavailable("").message, "\(RouterTests.error(response))")
            }
            nats.stop()
            #expect(try await eventually { try await client.execute(uri: "/readyz", method: .get) { $0.status == .serviceUnavailable } })
        }
        await queue.close()
    }

    /// meme-web creates the stream and the consumer it is told to (NATS_CONSUMER), not the default one.
    @Test func theConfiguredStreamAndConsumerAreCreated() async throws {
        let nats = try NATSServer()
        var settings = QueueSettings()
        (settings.natsURL, settings.stream, settings.consumer) = ("\(nats.url),nats://127.0.0.1:1", "OTHER", "other-workers")
        let queue = try await NATSMemeQueue.connect(settings, logger: Self.logger())
        let js = JetStream(try #require(queue.connection))
        #expect(try await js.consumerInfo(stream: "OTHER", consumer: "other-workers").config.durable == "other-workers")
        await #expect(throws: JetStreamError.self) { try await js.consumerInfo(stream: "OTHER", consumer: MemeDefaults.consumer) }
        await queue.close()
    }
}
