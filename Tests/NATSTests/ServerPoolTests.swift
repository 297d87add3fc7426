import Testing
@testable import NATS

/// The server list as a value: configured servers, members learned from INFO connect_urls, reconnect order.
@Suite struct ServerPoolTests {
    func pool(_ urls: String...) throws -> ServerPool {
        ServerPool(configured: try urls.map { try NATSServerAddress(parsing: $0) })
    }

    @Test func learnsNewMembersOnceWithTheCurrentCredentials() throws {
        var p = try pool("nats://u:secret@127.0.0.1:4001")
        let added = p.learn(connectURLs: ["127.0.0.1:4001", "127.0.0.1:4002", "127.0.0.1:4003", "127.0.0.1:4002"])
        #expect(added.map(\.description) == ["nats://127.0.0.1:4002", "nats://127.0.0.1:4003"])
        #expect(p.servers.count == 3 && p.discovered.count == 2)
        #expect(p.servers[1].user == "u" && p.servers[1].password == "secret")
        // a second INFO with the same members adds nothing
        #expect(p.learn(connectURLs: ["127.0.0.1:4003", "127.0.0.1:4002"]).isEmpty)
    }

    @Test func badEntriesInConnectURLsAreSkipped() throws {
        var p = try pool("127.0.0.1:4001")
        #expect(p.learn(connectURLs: ["", "127.0.0.1:notaport", "ws://127.0.0.1:9", "127.0.0.1:4002"]).map(\.port) == [4002])
    }

    @Test func reconnectTriesTheOthersFirstAndTheLostServerLast() throws {
        var p = try pool("127.0.0.1:4001", "127.0.0.1:4002", "127.0.0.1:4003")
        #expect(p.reconnectRound() == [1, 2, 0])
        p.use(1)
        #expect(p.reconnectRound() == [2, 0, 1])
        p.learn(connectURLs: ["127.0.0.1:4004"])
        #expect(p.reconnectRound() == [2, 3, 0, 1])
        #expect(try pool("127.0.0.1:4001").reconnectRound() == [0])
    }
}
