import NIOCore
import Testing
@testable import NATS

@Suite struct ProtocolParserTests {
    static let info = #"INFO {"server_id":"S1","version":"2.9.10","max_payload":1048576,"headers":true,"jetstream":true}"# + "\r\n"
    static let stream = info
        + "PING\r\nPONG\r\n+OK\r\n"
        + "MSG foo.bar 9 5\r\nhello\r\n"
        + "MSG foo 1 _INBOX.x 0\r\n\r\n"
        + "HMSG h 2 24 29\r\nNATS/1.0\r\nA: 1\r\nA: 2\r\n\r\nworld\r\n"
        + "HMSG _INBOX.r 3 32 32\r\nNATS/1.0 408 Request Timeout\r\n\r\n\r\n"
        + "HMSG r 3 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"
        + "-ERR 'Unknown Protocol Operation'\r\n"

    static func parseAll(_ chunks: [[UInt8]]) throws -> [ServerFrame] {
        var parser = ProtocolParser()
        var frames: [ServerFrame] = []
        for chunk in chunks {
            parser.append(chunk)
            while let frame = try parser.next() { frames.append(frame) }
        }
        #expect(parser.bufferedBytes == 0)
        return frames
    }

    static func check(_ frames: [ServerFrame]) {
        #expect(frames.count == 10)
        guard frames.count == 10 else { return }
        if case .info(let info) = frames[0] { #expect(info.maxPayload == 1_048_576 && info.headers && info.serverID == "S1") } else { Issue.record("not INFO") }
        if case .ping = frames[1] {} else { Issue.record("not PING") }
        if case .pong = frames[2] {} else { Issue.record("not PONG") }
        if case .ok = frames[3] {} else { Issue.record("not +OK") }
        if case .msg(let m) = frames[4] {
            #expect(m.subject == "foo.bar" && m.sid == 9 && m.replyTo == nil && m.string == "hello" && m.headers == nil)
        } else { Issue.record("not MSG") }
        if case .msg(let m) = frames[5] { #expect(m.replyTo == "_INBOX.x" && m.payload.readableBytes == 0) } else { Issue.record("not MSG") }
        if case .msg(let m) = frames[6] {
            #expect(m.string == "world")
            #expect(m.headers?.values(for: "a") == ["1", "2"])
            #expect(m.status == nil)
        } else { Issue.record("not HMSG") }
        if case .msg(let m) = frames[7] {
            #expect(m.status == 408 && m.statusDescription == "Request Timeout" && m.payload.readableBytes == 0)
        } else { Issue.record("not HMSG 408") }
        if case .msg(let m) = frames[8] { #expect(m.status == 503 && m.statusDescription == nil) } else { Issue.record("not HMSG 503") }
        if case .err(let text) = frames[9] { #expect(text == "Unknown Protocol Operation") } else { Issue.record("not -ERR") }
    }

    @Test func manyFramesInOneRead() throws {
        Self.check(try Self.parseAll([Array(Self.stream.utf8)]))
    }

    @Test func framesSplitAtEveryByteBoundary() throws {
        let bytes = Array(Self.stream.utf8)
        for cut in 1..<bytes.count {
            Self.check(try Self.parseAll([Array(bytes[..<cut]), Array(bytes[cut...])]))
        }
        // and one byte at a time
        Self.check(try Self.parseAll(bytes.map { [$0] }))
    }

    @Test func binaryPayloadWithCRLFInside() throws {
        let payload: [UInt8] = [0, 13, 10, 255, 13, 10, 0x4D, 0x53, 0x47]
        var bytes = Array("MSG bin 1 \(payload.count)\r\n".utf8) + payload + [13, 10]
        bytes += Array("PING\r\n".utf8)
        let frames = try Self.parseAll([bytes])
        #expect(frames.count == 2)
        if case .msg(let m) = frames[0] { #expect(m.bytes == payload) } else { Issue.record("not MSG") }
    }

    @Test func lowercaseOperations() throws {
        let frames = try Self.parseAll([Array("ping\r\nmsg a 1 2\r\nhi\r\n".utf8)])
        #expect(frames.count == 2)
    }

    @Test(arguments: [
        "BOGUS x\r\n",
        "MSG a\r\n",
        "MSG a 1 x\r\n",
        "MSG a b 3\r\n",
        "MSG a 1 3\r\nabcXY",
        "HMSG a 1 9 5\r\n",
        "HMSG a 1 5 5\r\nHTTP/\r\n",
        "INFO {not json\r\n",
        "MSG a 1 99999999999\r\n",
    ])
    func malformedInputIsAClearError(_ input: String) {
        var parser = ProtocolParser(maxControlLine: 4096, maxPayload: 1024)
        parser.append(Array(input.utf8))
        #expect(throws: ProtocolParser.Error.self) {
            while try parser.next() != nil {}
        }
    }

    @Test func controlLineIsBounded() {
        var parser = ProtocolParser(maxControlLine: 64)
        parser.append(Array(repeating: UInt8(ascii: "A"), count: 100))
        #expect(throws: ProtocolParser.Error.self) { _ = try parser.next() }
    }

    @Test func payloadIsBounded() {
        var parser = ProtocolParser(maxPayload: 10)
        parser.append(Array("MSG a 1 11\r\n".utf8))
        #expect(throws: ProtocolParser.Error.self) { _ = try parser.next() }
    }

    @Test func encoderWritesCommands() {
        var buffer = ByteBuffer()
        ClientEncoder.publish(subject: "a", replyTo: nil, headers: nil, payload: ByteBuffer(string: "hi"), into: &buffer)
        ClientEncoder.publish(subject: "a", replyTo: "r", headers: nil, payload: ByteBuffer(), into: &buffer)
        var headers = NATSHeaders()
        headers.append("X", "1")
        ClientEncoder.publish(subject: "b", replyTo: "r", headers: headers, payload: ByteBuffer(string: "yo"), into: &buffer)
        ClientEncoder.subscribe(subject: "s.>", queue: "q", sid: 12, into: &buffer)
        ClientEncoder.unsubscribe(sid: 12, max: 5, into: &buffer)
        ClientEncoder.unsubscribe(sid: 3, max: nil, into: &buffer)
        ClientEncoder.ping(into: &buffer)
        ClientEncoder.pong(into: &buffer)
        #expect(String(buffer: buffer) == "PUB a 2\r\nhi\r\nPUB a r 0\r\n\r\nHPUB b r 18 20\r\nNATS/1.0\r\nX: 1\r\n\r\nyo\r\nSUB s.> q 12\r\nUNSUB 12 5\r\nUNSUB 3\r\nPING\r\nPONG\r\n")
        var connect = ByteBuffer()
        var command = ConnectCommand()
        command.echo = false
        command.authToken = "t"
        ClientEncoder.connect(command, into: &connect)
        let text = String(buffer: connect)
        #expect(text.hasPrefix("CONNECT {") && text.hasSuffix("}\r\n"))
        #expect(text.contains(#""echo":false"#) && text.contains(#""verbose":false"#) && text.contains(#""headers":true"#) && text.contains(#""no_responders":true"#))
    }

    @Test func encodedHeadersRoundTripThroughParser() throws {
        var headers = NATSHeaders()
        headers.append("Nats-Msg-Id", "abc")
        headers.append("Multi", "1")
        headers.append("Multi", "2")
        var out = ByteBuffer()
        ClientEncoder.publish(subject: "x", replyTo: nil, headers: headers, payload: ByteBuffer(string: "p"), into: &out)
        // A server echoes HPUB as HMSG with a sid.
        var text = String(buffer: out)
        text = text.replacingOccurrences(of: "HPUB x ", with: "HMSG x 1 ")
        let frames = try Self.parseAll([Array(text.utf8)])
        guard case .msg(let m) = frames.first else { Issue.record("no message"); return }
        #expect(m.headers == headers)
        #expect(m.headers?["nats-msg-id"] == "abc")
    }

    @Test func urlsAndCredentials() throws {
        let a = try NATSServerAddress(parsing: "nats://alice:s%40cret@127.0.0.1:4333")
        #expect(a.host == "127.0.0.1" && a.port == 4333 && a.user == "alice" && a.password == "s@cret")
        #expect(!a.description.contains("cret") && !"\(a)".contains("alice"))
        let b = try NATSServerAddress(parsing: "nats://tok@localhost")
        #expect(b.token == "tok" && b.port == 4222)
        let c = try NATSServerAddress(parsing: "127.0.0.1:5000")
        #expect(c.port == 5000)
        #expect(throws: NATSError(.unsupportedScheme, "")) { try NATSServerAddress(parsing: "tls://127.0.0.1:4222") }
        #expect(throws: NATSError(.invalidURL, "")) { try NATSServerAddress(parsing: "nats://host:notaport") }
        do {
            _ = try NATSServerAddress(parsing: "nats://bob:hunter2@:99999")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func printingOptionsHidesSecrets() {
        var options = NATSOptions(servers: ["nats://u:url-secret@127.0.0.1:4222"], user: "u", password: "opt-secret", token: "tok-secret")
        options.name = "x"
        for text in [String(describing: options), String(reflecting: options), "\(options)"] {
            #expect(!text.contains("secret"))
        }
        var dumped = ""
        dump(options, to: &dumped)
        #expect(!dumped.contains("secret"))
        let address = try? NATSServerAddress(parsing: "nats://u:url-secret@h:1")
        var dumpedAddress = ""
        dump(address, to: &dumpedAddress)
        #expect(!dumpedAddress.contains("secret") && !String(reflecting: address).contains("secret"))
    }

    @Test func headersMultiMap() {
        var h = NATSHeaders()
        h.append("A", "1")
        h.append("b", "2")
        h.append("a", "3")
        #expect(h["a"] == "1" && h.values(for: "A") == ["1", "3"])
        h["A"] = "x"
        #expect(h.values(for: "a") == ["x"] && h.count == 2 && h.fields.first?.name == "A")
        h["b"] = nil
        #expect(h.count == 1)
    }
}
