import Foundation
import NIOCore
import Synchronization
import Testing
import TestServers
@testable import NATS
import Retry

@Suite(.serialized) struct ConnectionTests {
    @Test func publishSubscribeWithHeadersAndReply() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server)
        #expect(nc.serverInfo?.maxPayload == 8 * 1024 * 1024)
        let sub = try await nc.subscribe("t.>")
        try await nc.flush()
        var headers = NATSHeaders()
        headers.append("X-Id", "42")
        headers.append("X-Id", "43")
        try await nc.publish("t.a", payload: "one")
        try await nc.publish("t.b", payload: [0, 1, 2, 255], replyTo: "r.x", headers: headers)
        try await nc.publish("t.c", payload: ByteBuffer())
        let got = try await collect(sub, 3)
        #expect(got[0].subject == "t.a" && got[0].string == "one" && got[0].headers == nil)
        #expect(got[1].bytes == [0, 1, 2, 255] && got[1].replyTo == "r.x" && got[1].headers?.values(for: "x-id") == ["42", "43"])
        #expect(got[2].payload.readableBytes == 0)
        await nc.close()
        #expect(nc.status == .closed)
        await #expect(throws: NATSError.self) { try await nc.publish("t.a", payload: "late") }
    }

    @Test func queueGroupSharesMessages() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server)
        let a = try await nc.subscribe("work", queue: "g")
        let b = try await nc.subscribe("work", queue: "g")
        try await nc.flush()
        for i in 0..<200 { try await nc.publish("work", payload: "\(i)") }
        try await nc.flush()
        try await a.unsubscribe()
        try await b.unsubscribe()
        var countA = 0, countB = 0
        for try await _ in a { countA += 1 }
        for try await _ in b { countB += 1 }
        #expect(countA + countB == 200)
        #expect(countA > 0 && countB > 0)
        await nc.close()
    }

    @Test func requestReplyTimeoutAndNoResponders() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server)
        let service = try await nc.subscribe("svc.echo")
        let responder = Task {
            for try await msg in service {
                if let reply = msg.replyTo { try await nc.publish(reply, payload: "echo:" + msg.string, headers: msg.headers) }
            }
        }
        try await nc.flush()
        var headers = NATSHeaders()
        headers["K"] = "v"
        let reply = try await nc.request("svc.echo", payload: "hi", headers: headers, timeout: .seconds(2))
        #expect(reply.string == "echo:hi" && reply.headers?["k"] == "v")
        // many concurrent requests over the one inbox
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask {
                    let r = try await nc.request("svc.echo", payload: "\(i)")
                    #expect(r.string == "echo:\(i)")
                }
            }
            try await group.waitForAll()
        }
        await #expect(throws: NATSError(.noResponders, "")) { _ = try await nc.request("nobody.home", payload: "x") }
        // a subscriber that never answers → timeout
        let silent = try await nc.subscribe("svc.silent")
        try await nc.flush()
        let start = ContinuousClock.now
        await #expect(throws: NATSError(.timeout, "")) { _ = try await nc.request("svc.silent", payload: "x", timeout: .milliseconds(300)) }
        #expect(ContinuousClock.now - start < .seconds(10), "the timeout did not fire")
        try await silent.unsubscribe()
        responder.cancel()
        await nc.close()
    }

    @Test func maxPayloadIsEnforced() async throws {
        let server = try NATSServer(jetStream: false, maxPayload: 1024)
        let nc = try await connect(server)
        #expect(nc.serverInfo?.maxPayload == 1024)
        try await nc.publish("big", payload: [UInt8](repeating: 1, count: 1024))
        do {
            try await nc.publish("big", payload: [UInt8](repeating: 1, count: 1025))
            Issue.record("no error")
        } catch let error as NATSError {
            #expect(error.kind == .maxPayloadExceeded)
            #expect(error.message.contains("1024"))
        }
        await #expect(throws: NATSError(.invalidSubject, "")) { try await nc.publish("has space", payload: "x") }
        try await nc.flush()  // the connection still works
        await nc.close()
    }

    @Test func tokenAuth() async throws {
        let server = try NATSServer(jetStream: false, extraConfig: #"authorization { token: "s3cret-token" }"#)
        let ok = try await connect(server) { $0.token = "s3cret-token" }
        try await ok.flush()
        await ok.close()
        let viaURL = try await NATSConnection.connect(NATSOptions(servers: ["nats://s3cret-token@127.0.0.1:\(server.port)"]))
        try await viaURL.flush()
        await viaURL.close()
        do {
            _ = try await connect(server) { $0.token = "wrong-token" }
            Issue.record("connected with a wrong token")
        } catch let error as NATSError {
            #expect(error.kind == .authorizationFailed)
            #expect(!error.description.contains("wrong-token"))
        }
    }

    @Test func userPasswordAuth() async throws {
        let server = try NATSServer(jetStream: false, extraConfig: #"authorization { user: "meme", password: "pa55word" }"#)
        let ok = try await connect(server) { $0.user = "meme"; $0.password = "pa55word" }
        try await ok.flush()
        await ok.close()
        let viaURL = try await NATSConnection.connect(NATSOptions(servers: ["nats://meme:pa55word@127.0.0.1:\(server.port)"]))
        try await viaURL.flush()
        await viaURL.close()
        do {
            _ = try await NATSConnection.connect(NATSOptions(servers: ["nats://meme:bad-pass@127.0.0.1:\(server.port)"]))
            Issue.record("connected with a wrong password")
        } catch let error as NATSError {
            #expect(error.kind == .authorizationFailed)
            #expect(!error.description.contains("bad-pass"))
        }
    }

    @Test func echoOff() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server) { $0.echo = false }
        let other = try await connect(server)
        let sub = try await nc.subscribe("e")
        try await nc.flush()
        try await nc.publish("e", payload: "self")
        try await other.publish("e", payload: "other")
        try await other.flush()
        let got = try await collect(sub, 1)
        #expect(got[0].string == "other")
        await nc.close()
        await other.close()
    }

    @Test func slowConsumerIsCountedAndReported() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server)
        let events = nc.events
        let sub = try await nc.subscribe("flood", capacity: 10)
        try await nc.flush()
        for i in 0..<100 { try await nc.publish("flood", payload: "\(i)") }
        try await nc.flush()
        #expect(sub.droppedMessages == 90)
        let event = try await withTimeout(5) {
            for await event in events { if case .slowConsumer = event { return event } }
            return NATSEvent.closed
        }
        #expect(event == .slowConsumer(sid: sub.sid, dropped: 1))
        // the oldest ten are kept, in order
        let kept = try await collect(sub, 10)
        #expect(kept.map(\.string) == (0..<10).map { "\($0)" })
        await nc.close()
    }

    @Test func autoUnsubscribeAndDrain() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server)
        let limited = try await nc.subscribe("lim")
        try await limited.unsubscribe(after: 3)
        let drained = try await nc.subscribe("d")
        try await nc.flush()
        for i in 0..<5 { try await nc.publish("lim", payload: "\(i)") }
        for i in 0..<20 { try await nc.publish("d", payload: "\(i)") }
        try await nc.flush()
        var n = 0
        for try await _ in limited { n += 1 }
        #expect(n == 3)
        try await nc.drain()
        #expect(nc.status == .closed)
        var m = 0
        for try await _ in drained { m += 1 }  // buffered messages survive the drain, then the sequence ends
        #expect(m == 20)
    }

    @Test func serverErrorsAreEvents() async throws {
        let server = try NATSServer(jetStream: false, extraConfig: """
        authorization { users = [ { user: "w", password: "p", permissions: { publish: { deny: ["secret.>"] } } } ] }
        """)
        let nc = try await connect(server) { $0.user = "w"; $0.password = "p" }
        let events = nc.events
        try await nc.publish("secret.plans", payload: "x")
        let text = try await withTimeout(5) {
            for await event in events { if case .serverError(let text) = event { return text } }
            return ""
        }
        #expect(text.lowercased().contains("permissions violation"))
        try await nc.flush()  // a permissions violation does not close the connection
        await nc.close()
    }

    @Test func droppedSubscriptionUnsubscribes() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server)
        do {
            let sub = try await nc.subscribe("gone")
            try await nc.flush()
            #expect(nc.state.withLock { $0.subscriptions[sub.sid] != nil })
        }
        // the subscription object is gone: so is the server-side interest
        try await nc.flush()
        #expect(nc.state.withLock { $0.subscriptions.isEmpty })
        // iterating a subscription made inline keeps it alive
        let reader = Task {
            for try await message in try await nc.subscribe("inline") { return message.string }
            return ""
        }
        let publisher = Task {
            // until the reader has subscribed and got one
            while !Task.isCancelled {
                try await nc.publish("inline", payload: "kept")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(try await withTimeout(10) { try await reader.value } == "kept")
        publisher.cancel()
        await nc.close()
    }

    @Test func tlsIsRefusedClearly() async throws {
        do {
            _ = try await NATSConnection.connect(NATSOptions(servers: ["tls://127.0.0.1:4222"]))
            Issue.record("tls accepted")
        } catch let error as NATSError {
            #expect(error.kind == .unsupportedScheme && error.message.contains("tls://"))
        }
    }

    @Test func reconnectResumesSubscriptionsAndBufferedPublishes() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server) {
            $0.reconnect = RetryPolicy(initial: .milliseconds(50), maximum: .milliseconds(200))
            $0.maxReconnectAttempts = -1
            $0.reconnectBufferSize = 64 * 1024
        }
        let events = nc.events
        let seen = Mutex<[NATSEvent]>([])
        let watcher = Task { for await event in events { seen.withLock { $0.append(event) } } }
        let sub = try await nc.subscribe("r.>")
        let limited = try await nc.subscribe("r.limited")
        try await limited.unsubscribe(after: 3)
        try await nc.flush()
        try await nc.publish("r.limited", payload: "before")
        try await nc.publish("r.a", payload: "before")
        try await nc.flush()
        server.kill()
        try await withTimeout(10) { while nc.status != .reconnecting { try await Task.sleep(for: .milliseconds(20)) } }
        // publishes while disconnected are buffered…
        for i in 0..<10 { try await nc.publish("r.a", payload: "buffered \(i)") }
        for _ in 0..<5 { try await nc.publish("r.limited", payload: "buffered") }
        // …up to the bound
        await #expect(throws: NATSError(.reconnectBufferFull, "")) {
            try await nc.publish("r.a", payload: [UInt8](repeating: 0, count: 70 * 1024))
        }
        try server.restart()
        try await withTimeout(15) { while nc.status != .connected { try await Task.sleep(for: .milliseconds(20)) } }
        try await nc.flush()
        let got = try await collect(sub, 17)
        #expect(got.filter { $0.subject == "r.a" }.map(\.string) == ["before"] + (0..<10).map { "buffered \($0)" })
        // limit 3 in total: one before, two after the reconnect
        var limitedCount = 0
        for try await _ in limited { limitedCount += 1 }
        #expect(limitedCount == 3)
        await nc.close()
        await watcher.value  // the event stream ends after .closed
        let events2 = seen.withLock { $0 }
        #expect(events2.contains { if case .disconnected = $0 { true } else { false } })
        #expect(events2.contains { if case .reconnecting = $0 { true } else { false } })
        #expect(events2.contains(.reconnected(server: "nats://127.0.0.1:\(server.port)")))
        #expect(events2.last == .closed)
    }

    @Test func serverListFallsThroughToALiveServer() async throws {
        let server = try NATSServer(jetStream: false)
        let deadPort = try FreePort.next()
        let nc = try await NATSConnection.connect(NATSOptions(servers: ["nats://127.0.0.1:\(deadPort)", server.url]))
        #expect(nc.connectedServer == "nats://127.0.0.1:\(server.port)")
        await nc.close()
    }

    @Test func stalePingsTriggerReconnect() async throws {
        let server = try NATSServer(jetStream: false)
        let nc = try await connect(server) {
            $0.pingInterval = .milliseconds(200)
            $0.maxPingsOutstanding = 2
        }
        // a healthy server answers every PING: no disconnect in a few intervals
        let events = nc.events
        try await Task.sleep(for: .milliseconds(800))
        #expect(nc.status == .connected)
        // SIGSTOP the server: PINGs go unanswered → stale → reconnect attempt
        guard let pid = server.pid else { return }
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let reason = try await withTimeout(10) {
            for await event in events { if case .disconnected(let reason) = event { return reason } }
            return ""
        }
        #expect(reason.contains("stale connection"))
        kill(pid, SIGCONT)
        try await withTimeout(15) { while nc.status != .connected { try await Task.sleep(for: .milliseconds(50)) } }
        await nc.close()
    }
}
