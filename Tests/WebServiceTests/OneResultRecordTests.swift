import Foundation
import Hummingbird
import HummingbirdTesting
import MemeKit
import RedisCache
import TestServers
import Testing
@testable import WebService

/// Issue 16 item 4: each finished image is stored once in Redis, by the worker, however many
/// meme-web replicas see the answer. Real redis-server; the test plays the worker's Redis writes
/// (`ResultKeys`, as MessageHandler.keep does) and its core-NATS answer (`RecordingQueue.emit`).
@Suite(.serialized) struct OneResultRecordTests {
    /// ~1 MiB, the size of a full-size render; a PNG signature so the type is sniffed.
    static let image: [UInt8] = [0x89, 0x50, 0x4E, 0x47] + (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }

    /// What the worker writes after publishing (MessageHandler.keep): the answer JSON by id, its metadata
    /// (from the request it answered) and the id in the recent list.
    static func workerKeeps(_ response: MemeResponse, request: MemeRequest? = nil, in redis: RedisClient) async throws {
        try await redis.set(ResultKeys.result(id: response.requestId), Array(try JSONEncoder().encode(response)), ttlSeconds: 60)
        let meta = ResultMetadata.answered(
            id: response.requestId, request: request ?? MemeRequest(id: response.requestId, prompt: response.prompt), error: nil,
            imageBytes: Data(base64Encoded: response.imageData)?.count, contentType: response.contentType, worker: response.worker,
            at: Double(response.timestamp))
        try await redis.set(ResultKeys.metadata(id: response.requestId), Array(try JSONEncoder().encode(meta)), ttlSeconds: 60)
        try await redis.pushRecent(ResultKeys.recentList, Array(response.requestId.utf8), keep: 200)
    }

    @Test func twoReplicasStoreTheImageOnceAndALateReplicaServesIt() async throws {
        let redis = try RedisServer()
        let client = try RedisClient(url: redis.url)
        let (queueA, queueB) = (RecordingQueue(), RecordingQueue())
        let appA = try Fixtures.app(queue: queueA, store: try RedisResultStore(url: redis.url))
        let appB = try Fixtures.app(queue: queueB, store: try RedisResultStore(url: redis.url))
        let before = try RedisCLI(port: redis.port).stats()

        let id = try await appA.buildApplication().test(.router) { a in
            try await appB.buildApplication().test(.router) { b in
                let id = try await a.execute(
                    uri: "/api/memes", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"prompt":"once","top_text":"ONE","bottom_text":"RECORD"}"#)
                ) { RouterTests.json($0)["id"] as? String ?? "" }
                let response = MemeResponse(
                    requestId: id, imageData: Data(Self.image).base64EncodedString(), prompt: "once",
                    timestamp: UInt64(Date().timeIntervalSince1970), contentType: "image/png", worker: "w-1")
                // Every replica sees every answer (core NATS, no queue group); the worker keeps it.
                try await Self.workerKeeps(
                    response, request: MemeRequest(id: id, prompt: "once", topText: "ONE", bottomText: "RECORD"), in: client)
                queueA.emit(.done(response))
                queueB.emit(.done(response))
                for app in [a, b] {
                    #expect(try await eventually {
                        try await app.execute(uri: "/api/memes/\(id)", method: .get) { RouterTests.json($0)["status"] as? String == "done" }
                    })
                }
                // Let any write still in flight land before counting.
                try await Task.sleep(for: .milliseconds(300))
                return id
            }
        }

        let cli = RedisCLI(port: redis.port)
        let after = try cli.stats()
        let sizes = try cli.keySizes()
        let big = sizes.filter { $0.value >= Self.image.count }
        let written = after.input - before.input
        print("one-result-record: bytes sent to Redis for one \(Self.image.count)-byte meme through 2 replicas: \(written); keys: \(sizes)")
        #expect(Array(big.keys) == [ResultKeys.result(id: id)], "the image is stored under more than the worker's key: \(sizes)")
        // The worker's ~1.4 MB answer plus small metadata; a second image copy would double it.
        #expect(written < Self.image.count * 3 / 2 + 64 * 1024)

        // A third replica that never saw the answer (a restart, a new pod) serves it by id.
        let late = try Fixtures.app(queue: RecordingQueue(), store: try RedisResultStore(url: redis.url))
        try await late.buildApplication().test(.router) { c in
            // The list reads metadata, not images.
            let sentBefore = try cli.stats().output
            try await c.execute(uri: "/api/memes?limit=5", method: .get) { response in
                let memes = RouterTests.json(response)["memes"] as? [[String: Any]] ?? []
                #expect(memes.first?["id"] as? String == id)
                #expect(memes.first?["status"] as? String == "done")
                #expect(memes.first?["top_text"] as? String == "ONE")
                #expect(memes.first?["image_url"] as? String == "/api/memes/\(id)/image")
            }
            let listed = try cli.stats().output - sentBefore
            print("one-result-record: bytes read from Redis for GET /api/memes?limit=5: \(listed)")
            #expect(listed < 64 * 1024, "the list read \(listed) bytes from Redis")

            try await c.execute(uri: "/api/memes/\(id)", method: .get) { response in
                #expect(response.status == .ok)
                let json = RouterTests.json(response)
                #expect(json["status"] as? String == "done")
                #expect(json["top_text"] as? String == "ONE")
                #expect(json["bottom_text"] as? String == "RECORD")
            }
            try await c.execute(uri: "/api/memes/\(id)/image", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                #expect(Array(buffer: response.body) == Self.image)
            }
        }
        #expect(try cli.keySizes().filter { $0.value >= Self.image.count }.count == 1)
    }

    @Test func answerMissedByEveryReplicaIsFoundFromTheWorkersRecord() async throws {
        let redis = try RedisServer()
        let client = try RedisClient(url: redis.url)
        let queue = RecordingQueue()
        let app = try Fixtures.app(queue: queue, store: try RedisResultStore(url: redis.url))
        try await app.buildApplication().test(.router) { web in
            let id = try await web.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"prompt":"missed","top_text":"T"}"#)) {
                RouterTests.json($0)["id"] as? String ?? ""
            }
            // The worker answered while no replica was listening: only its record exists.
            try await Self.workerKeeps(
                MemeResponse(requestId: id, imageData: Data(Fixtures.png).base64EncodedString(), prompt: "missed", timestamp: 7),
                request: MemeRequest(id: id, prompt: "missed", topText: "T"), in: client)
            let fresh = try Fixtures.app(queue: RecordingQueue(), store: try RedisResultStore(url: redis.url))
            try await fresh.buildApplication().test(.router) { other in
                try await other.execute(uri: "/api/memes?limit=5", method: .get) { response in
                    let memes = RouterTests.json(response)["memes"] as? [[String: Any]] ?? []
                    #expect(memes.first?["status"] as? String == "done")
                    #expect(memes.first?["top_text"] as? String == "T")
                }
                try await other.execute(uri: "/api/memes/\(id)/image", method: .get) { response in
                    #expect(Array(buffer: response.body) == Fixtures.png)
                }
            }
            // The accepting replica missed the answer too: its next poll finds it and records it.
            try await web.execute(uri: "/api/memes/\(id)", method: .get) { response in
                #expect(RouterTests.json(response)["status"] as? String == "done")
                #expect(RouterTests.json(response)["image_url"] as? String == "/api/memes/\(id)/image")
            }
            let meta = try #require(try await client.get(ResultKeys.metadata(id: id)))
            let recorded = try JSONDecoder().decode(MemeRecord.self, from: Data(meta))
            #expect(recorded.status == .done && recorded.image == nil && recorded.imageBytes == Fixtures.png.count)
            #expect(recorded.topText == "T")
            // A failure the worker kept (never submitted here) reads back as an error.
            try await client.set(ResultKeys.result(id: "failed-1"),
                                 Array(try JSONEncoder().encode(MemeErrorResponse(requestId: "failed-1", error: "boom", timestamp: 9))),
                                 ttlSeconds: 60)
            try await client.pushRecent(ResultKeys.recentList, Array("failed-1".utf8), keep: 200)
            try await web.execute(uri: "/api/memes/failed-1", method: .get) { response in
                #expect(RouterTests.json(response)["status"] as? String == "error")
                #expect(RouterTests.json(response)["error"] as? String == "boom")
            }
        }
    }
}

/// `redis-cli` against the test server, for what RedisClient deliberately does not offer
/// (INFO, SCAN): counting bytes and keys from outside the code under test.
struct RedisCLI {
    let port: Int

    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ManagedProcess.locate("redis-cli"))
        process.arguments = ["-p", "\(port)"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Bytes clients sent to / received from the server so far.
    func stats() throws -> (input: Int, output: Int) {
        var values: [String: Int] = [:]
        for line in try run(["INFO", "stats"]).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[1].trimmingCharacters(in: .whitespaces)) { values[String(parts[0])] = value }
        }
        return (values["total_net_input_bytes"] ?? 0, values["total_net_output_bytes"] ?? 0)
    }

    /// Every key with the size of its value (STRLEN for strings, LLEN for lists).
    func keySizes() throws -> [String: Int] {
        var sizes: [String: Int] = [:]
        for key in try run(["--scan"]).split(whereSeparator: \.isNewline).map(String.init) {
            let type = try run(["TYPE", key]).trimmingCharacters(in: .whitespacesAndNewlines)
            let size = try run([type == "list" ? "LLEN" : "STRLEN", key]).trimmingCharacters(in: .whitespacesAndNewlines)
            sizes[key] = Int(size) ?? -1
        }
        return sizes
    }
}
