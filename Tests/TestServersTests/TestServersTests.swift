import Foundation
import Testing
@testable import TestServers

@Suite struct TestServersTests {
    @Test func natsServerStartsRestartsAndStops() throws {
        let nats = try NATSServer()
        #expect(FreePort.isListening(nats.port))
        #expect(HTTPProbe.get(port: nats.monitorPort, path: "/jsz")?.status == 200)
        nats.kill()
        #expect(!FreePort.isListening(nats.port))
        try nats.restart()
        #expect(FreePort.isListening(nats.port))
        nats.stop()
        #expect(!nats.isRunning)
    }

    @Test func redisServerStarts() throws {
        let redis = try RedisServer()
        #expect(FreePort.isListening(redis.port))
        redis.stop()
        #expect(!FreePort.isListening(redis.port))
    }
}
