import TestServers
import Testing
@testable import RedisCache

/// Each test starts its own redis-server on a free port, so they run in parallel.
@Suite struct RedisClientTests {
    @Test func setGetTTLAndExpiry() async throws {
        let server = try RedisServer()
        defer { server.kill() }  // these tests need no graceful stop
        let client = try RedisClient(url: server.url)
        try await client.ping()
        try await client.set("meme:ttl", Array("x".utf8), ttlSeconds: 300)
        #expect((290...300).contains(try await client.ttl("meme:ttl")))
        try await client.set("meme:1", Array("hello".utf8), ttlSeconds: 1)
        let value = try await client.get("meme:1")
        // nil only if this machine took over a second between the two calls.
        #expect(value == Array("hello".utf8) || value == nil)
        // Expiry: poll (Redis expires lazily on access, to the millisecond).
        let deadline = ContinuousClock.now + .seconds(5)
        while try await client.get("meme:1") != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await client.get("meme:1") == nil)
        #expect(try await client.ttl("meme:1") == -2)
    }

    @Test func binaryValuesMissingKeysDeleteExpire() async throws {
        let server = try RedisServer()
        defer { server.kill() }  // these tests need no graceful stop
        let client = try RedisClient(url: server.url)
        let binary: [UInt8] = [0, 255, 13, 10, 0, 1, 2] + Array(repeating: 0x89, count: 300_000)
        try await client.set("bin", binary, ttlSeconds: 60)
        #expect(try await client.get("bin") == binary)
        #expect(try await client.get("no-such-key") == nil)
        #expect(try await client.expire("bin", seconds: 100))
        #expect((99...100).contains(try await client.ttl("bin")))
        #expect(try await !client.expire("no-such-key", seconds: 5))
        #expect(try await client.delete("bin"))
        #expect(try await !client.delete("bin"))
        // Keys are binary-safe too.
        try await client.set("key with spaces\r\n\u{0}é", [1], ttlSeconds: 5)
        #expect(try await client.get("key with spaces\r\n\u{0}é") == [1])
    }

    @Test func recentList() async throws {
        let server = try RedisServer()
        defer { server.kill() }  // these tests need no graceful stop
        let client = try RedisClient(url: server.url)
        for i in 1...7 { try await client.pushRecent("recent", Array("m\(i)".utf8), keep: 5) }
        let items = try await client.range("recent").map { String(decoding: $0, as: UTF8.self) }
        #expect(items == ["m7", "m6", "m5", "m4", "m3"])
        #expect(try await client.range("recent", start: 0, stop: 1).count == 2)
        #expect(try await client.range("empty") == [])
    }

    @Test func serverErrorsAreClear() async throws {
        let server = try RedisServer()
        defer { server.kill() }  // these tests need no graceful stop
        let client = try RedisClient(url: server.url)
        try await client.pushRecent("alist", [1], keep: 3)
        let error = await #expect(throws: RedisError.self) { try await client.get("alist") }
        #expect(error?.kind == .server)
        #expect(error?.message.contains("WRONGTYPE") == true)
        // The connection is still fine afterwards.
        try await client.ping()
    }

    @Test func stoppedServerFailsFastThenRecoversWithoutNewClient() async throws {
        let server = try RedisServer()
        defer { server.kill() }  // these tests need no graceful stop
        let client = try RedisClient(url: server.url, timeout: .seconds(1))
        try await client.set("k", [1, 2, 3], ttlSeconds: 60)

        server.kill()
        let start = ContinuousClock.now
        let first = await #expect(throws: RedisError.self) { try await client.get("k") }
        #expect(first?.kind == .connection)
        #expect(first?.message.contains("127.0.0.1:\(server.port)") == true, "\(first?.message ?? "")")
        // Within the backoff window: fails without touching the network.
        let second = await #expect(throws: RedisError.self) { try await client.get("k") }
        // Usually "not retrying" (inside the backoff window); on a busy machine the window may have passed.
        #expect(second?.kind == .connection, "\(second?.message ?? "")")
        #expect(ContinuousClock.now - start < .seconds(30), "hung instead of failing")  // catches a hang, not a speed: the shared thread pool is busy in full runs

        try server.start()
        let deadline = ContinuousClock.now + .seconds(10)
        var recovered = false
        while ContinuousClock.now < deadline {
            if (try? await client.ping()) != nil { recovered = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(recovered)
        // Persistence is off, so the restarted server is empty.
        #expect(try await client.get("k") == nil)
        try await client.set("k", [4], ttlSeconds: 60)
        #expect(try await client.get("k") == [4])
    }

    @Test func refusedPortFailsQuicklyWithClearError() async throws {
        let port = try FreePort.next()
        let client = try RedisClient(url: "redis://127.0.0.1:\(port)")
        let start = ContinuousClock.now
        let error = await #expect(throws: RedisError.self) { try await client.ping() }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("cannot connect to 127.0.0.1:\(port)") == true, "\(error?.message ?? "")")
        #expect(ContinuousClock.now - start < .seconds(30), "hung instead of failing")  // catches a hang, not a speed: the shared thread pool is busy in full runs
    }

    @Test func wrongURLIsRejectedAtCreation() {
        #expect(throws: RedisError.self) { try RedisClient(url: "localhost:6379") }
    }

    @Test func manyConcurrentCallers() async throws {
        let server = try RedisServer()
        defer { server.kill() }  // these tests need no graceful stop
        let client = try RedisClient(url: server.url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask {
                    try await client.set("c\(i)", Array("v\(i)".utf8), ttlSeconds: 30)
                    let value = try await client.get("c\(i)")
                    #expect(value == Array("v\(i)".utf8))
                }
            }
            try await group.waitForAll()
        }
    }
}

@Suite struct RedisTimeoutTests {
    @Test func frozenServerTimesOut() async throws {
        let listener = try SilentListener()
        let client = try RedisClient(url: "redis://127.0.0.1:\(listener.port)", timeout: .milliseconds(300))
        let start = ContinuousClock.now
        let error = await #expect(throws: RedisError.self) { try await client.ping() }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("timed out") == true, "\(error?.message ?? "")")
        #expect(ContinuousClock.now - start < .seconds(30), "hung instead of timing out")  // catches a hang, not a speed
    }
}
