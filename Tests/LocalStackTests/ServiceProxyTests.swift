import Foundation
import Logging
import Testing
import TestServers
@testable import LocalStack

/// The web port's proxy against real HTTP servers (python3 -m http.server), on loopback.
@Suite(.serialized) struct ServiceProxyTests {
    final class Backend: @unchecked Sendable {
        let port: Int
        let process: ManagedProcess
        init(body: String) throws {
            port = try FreePort.next()
            let dir = try ManagedProcess.makeTempDirectory(prefix: "backend")
            try body.write(to: dir.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            process = ManagedProcess(name: "http", executable: try ManagedProcess.locate("python3"),
                                     arguments: ["-m", "http.server", "--bind", "127.0.0.1", "\(port)", "--directory", dir.path],
                                     directory: dir)
            try process.start()
            let port = self.port
            try process.waitUntil { FreePort.isListening(port) }
        }
        deinit { process.stop() }
    }

    func get(_ port: Int) -> String? {
        guard let r = HTTPProbe.get(port: port, path: "/", timeoutSeconds: 5), r.status == 200 else { return nil }
        return r.body
    }

    @Test func spreadsConnectionsSkipsADeadEndpointAndStopsSendingToARemovedOne() async throws {
        let a = try Backend(body: "A"), b = try Backend(body: "B")
        let dead = try FreePort.next()
        let proxy = ServiceProxy(host: "127.0.0.1", port: try FreePort.next(), logger: Logger(label: "proxy-test"),
                                 waitForEndpoint: .seconds(2))
        try await proxy.start()
        proxy.update(endpoints: [ProxyEndpoint(name: "dead", port: dead, ready: true), ProxyEndpoint(name: "a", port: a.port, ready: true),
                                 ProxyEndpoint(name: "b", port: b.port, ready: true)])
        // A connect refused by the dead endpoint is tried elsewhere: no request fails.
        let answers = (0..<30).map { _ in get(proxy.port) }
        #expect(answers.allSatisfy { $0 == "A" || $0 == "B" }, "\(answers)")
        #expect(Set(answers.compactMap { $0 }) == ["A", "B"], "connections were not spread")

        // Taken out of the rotation (as before SIGTERM): new connections all go to the other.
        proxy.remove(name: "a")
        #expect((0..<10).map { _ in get(proxy.port) }.allSatisfy { $0 == "B" })
        // A readiness round that listed "a" before it was told to stop does not bring it back …
        proxy.update(endpoints: [ProxyEndpoint(name: "a", port: a.port, ready: true), ProxyEndpoint(name: "b", port: b.port, ready: true)])
        #expect((0..<10).map { _ in get(proxy.port) }.allSatisfy { $0 == "B" })
        // … a round without it (it has stopped) forgets the removal: a new process may reuse the name.
        proxy.update(endpoints: [ProxyEndpoint(name: "b", port: b.port, ready: true)])

        // A not-ready endpoint gets connections only when no endpoint is ready.
        proxy.update(endpoints: [ProxyEndpoint(name: "a", port: a.port, ready: false), ProxyEndpoint(name: "b", port: b.port, ready: true)])
        #expect((0..<10).map { _ in get(proxy.port) }.allSatisfy { $0 == "B" })
        proxy.update(endpoints: [ProxyEndpoint(name: "a", port: a.port, ready: false)])
        #expect(get(proxy.port) == "A")

        // No endpoint at all: the connection waits (2 s here), then is closed and counted.
        proxy.update(endpoints: [])
        #expect(get(proxy.port) == nil)
        #expect(proxy.counts.refused == 1)
        await proxy.stop()
        #expect(!FreePort.isListening(proxy.port))
    }

    @Test func aTakenPortIsNamed() async throws {
        let a = try Backend(body: "A")
        let proxy = ServiceProxy(host: "127.0.0.1", port: a.port, logger: Logger(label: "proxy-test"))
        do {
            try await proxy.start()
            Issue.record("bound a taken port")
        } catch {
            #expect("\(error)".contains("cannot listen on 127.0.0.1:\(a.port) for meme-web"))
        }
    }
}
