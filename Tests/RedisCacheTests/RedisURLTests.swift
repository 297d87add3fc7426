import Testing
@testable import RedisCache

@Suite struct RedisURLTests {
    @Test func parsesTheUsualForms() throws {
        #expect(try RedisURL(parsing: "redis://127.0.0.1:6379") == RedisURL(host: "127.0.0.1", port: 6379))
        #expect(try RedisURL(parsing: "redis://cache") == RedisURL(host: "cache"))
        #expect(try RedisURL(parsing: "redis://:s%40cret@redis.svc:6380/2")
            == RedisURL(host: "redis.svc", port: 6380, password: "s@cret", database: 2))
        #expect(try RedisURL(parsing: "redis://alice:pw@h") == RedisURL(host: "h", username: "alice", password: "pw"))
        #expect(try RedisURL(parsing: "redis://[::1]:7000") == RedisURL(host: "::1", port: 7000))
        #expect(try RedisURL(parsing: " redis://h:1/ ") == RedisURL(host: "h", port: 1))
    }

    @Test(arguments: [
        ("http://127.0.0.1:6379", "must start with redis://"),
        ("rediss://h:6379", "TLS"),
        ("redis://", "missing host"),
        ("redis://:pw@:6379", "missing host"),
        ("redis://h:port", "port 'port'"),
        ("redis://h:70000", "1...65535"),
        ("redis://h:6379/x", "database 'x'"),
        ("redis://:bad%zz@h", "%-escape"),
        ("", "must start with redis://"),
    ])
    func rejectsBadURLsClearly(text: String, expected: String) {
        let error = #expect(throws: RedisError.self) { try RedisURL(parsing: text) }
        #expect(error?.kind == .invalidURL)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test func descriptionHidesThePassword() throws {
        let url = try RedisURL(parsing: "redis://:topsecret@h:1/3")
        #expect(!url.description.contains("topsecret"))
        #expect(url.description == "redis://:***@h:1/3")
    }

    @Test func errorsNeverEchoThePassword() {
        let error = #expect(throws: RedisError.self) { try RedisURL(parsing: "redis://:topsecret@h:notaport") }
        #expect(error?.message.contains("topsecret") == false)
    }
}
