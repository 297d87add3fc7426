import Foundation
import NIOCore

/// Turns bytes from the server into `ServerFrame`s. Pure: feed bytes with `append`, take frames with
/// `next()` until it returns nil. Bounded: a control line longer than `maxControlLine` or a payload larger
/// than `maxPayload` is an error, so a broken or hostile server cannot make it buffer without limit.
public struct ProtocolParser: Sendable {
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { "NATS protocol error: \(message)" }
    }

    private enum State {
        case controlLine
        case payload(MessageArgs)
    }

    private struct MessageArgs {
        var subject: String
        var sid: UInt64
        var replyTo: String?
        var headerBytes: Int
        var totalBytes: Int
    }

    public var maxControlLine: Int
    public var maxPayload: Int
    private var buffer: ByteBuffer
    private var state = State.controlLine
    /// Where the search for CRLF resumes, so a slowly arriving long line is not rescanned from the start.
    private var scanned = 0

    public init(maxControlLine: Int = 4096, maxPayload: Int = 64 * 1024 * 1024) {
        self.maxControlLine = maxControlLine
        self.maxPayload = maxPayload
        buffer = ByteBufferAllocator().buffer(capacity: 0)
    }

    public var bufferedBytes: Int { buffer.readableBytes }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        if buffer.readableBytes == 0 && buffer.readerIndex > 0 { buffer.clear() }
        buffer.writeBuffer(&bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        buffer.writeBytes(bytes)
    }

    /// The next complete frame, nil if more bytes are needed.
    public mutating func next() throws(Error) -> ServerFrame? {
        switch state {
        case .controlLine:
            guard let line = takeLine() else {
                if buffer.readableBytes > maxControlLine {
                    throw Error(message: "control line longer than \(maxControlLine) bytes")
                }
                return nil
            }
            if line.count > maxControlLine {
                throw Error(message: "control line longer than \(maxControlLine) bytes")
            }
            return try parseControlLine(line)
        case .payload(let args):
            return try takePayload(args)
        }
    }

    // MARK: Control lines

    private mutating func takeLine() -> [UInt8]? {
        let view = buffer.readableBytesView
        var index = view.startIndex + max(0, scanned - 1)
        while index < view.endIndex {
            if view[index] == UInt8(ascii: "\n") {
                let length = index - view.startIndex + 1
                scanned = 0
                var line = buffer.readBytes(length: length)!
                line.removeLast()
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                compact()
                return line
            }
            index += 1
        }
        scanned = view.count
        return nil
    }

    private mutating func compact() {
        if buffer.readerIndex > 64 * 1024 { buffer.discardReadBytes() }
    }

    private mutating func parseControlLine(_ line: [UInt8]) throws(Error) -> ServerFrame? {
        let tokens = Self.split(line)
        guard let op = tokens.first else { throw Error(message: "empty control line") }
        switch Self.upper(line[op]) {
        case "MSG":
            guard tokens.count == 4 || tokens.count == 5 else {
                throw Error(message: "MSG needs 3 or 4 arguments: \(Self.show(line))")
            }
            let total = try Self.int(line[tokens[tokens.count - 1]], "MSG size")
            try check(total)
            state = .payload(MessageArgs(
                subject: String(decoding: line[tokens[1]], as: UTF8.self),
                sid: try Self.sid(line[tokens[2]]),
                replyTo: tokens.count == 5 ? String(decoding: line[tokens[3]], as: UTF8.self) : nil,
                headerBytes: 0, totalBytes: total))
            return try takePayloadIfReady()
        case "HMSG":
            guard tokens.count == 5 || tokens.count == 6 else {
                throw Error(message: "HMSG needs 4 or 5 arguments: \(Self.show(line))")
            }
            let headerBytes = try Self.int(line[tokens[tokens.count - 2]], "HMSG header size")
            let total = try Self.int(line[tokens[tokens.count - 1]], "HMSG total size")
            guard headerBytes <= total else { throw Error(message: "HMSG header size \(headerBytes) > total \(total)") }
            try check(total)
            state = .payload(MessageArgs(
                subject: String(decoding: line[tokens[1]], as: UTF8.self),
                sid: try Self.sid(line[tokens[2]]),
                replyTo: tokens.count == 6 ? String(decoding: line[tokens[3]], as: UTF8.self) : nil,
                headerBytes: headerBytes, totalBytes: total))
            return try takePayloadIfReady()
        case "PING": return .ping
        case "PONG": return .pong
        case "+OK": return .ok
        case "-ERR":
            var text = String(decoding: line[tokens[0].upperBound...], as: UTF8.self)
                .trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("'") && text.hasSuffix("'") && text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            return .err(text)
        case "INFO":
            let json = line[tokens[0].upperBound...]
            do {
                return .info(try JSONDecoder().decode(ServerInfo.self, from: Data(json)))
            } catch {
                throw Error(message: "INFO is not valid JSON: \(error)")
            }
        default:
            throw Error(message: "unknown operation: \(Self.show(line))")
        }
    }

    private func check(_ total: Int) throws(Error) {
        if total > maxPayload { throw Error(message: "message of \(total) bytes exceeds the limit of \(maxPayload)") }
    }

    private mutating func takePayloadIfReady() throws(Error) -> ServerFrame? {
        guard case .payload(let args) = state else { return nil }
        return try takePayload(args)
    }

    private mutating func takePayload(_ args: MessageArgs) throws(Error) -> ServerFrame? {
        guard buffer.readableBytes >= args.totalBytes + 2 else { return nil }
        let start = buffer.readerIndex
        guard buffer.getInteger(at: start + args.totalBytes, as: UInt8.self) == UInt8(ascii: "\r"),
              buffer.getInteger(at: start + args.totalBytes + 1, as: UInt8.self) == UInt8(ascii: "\n")
        else { throw Error(message: "payload of \(args.subject) is not followed by CRLF") }
        var message = NATSMessage(subject: args.subject, replyTo: args.replyTo, payload: ByteBuffer(), sid: args.sid)
        if args.headerBytes > 0 {
            let headerBlock = buffer.getBytes(at: start, length: args.headerBytes)!
            try Self.parseHeaders(headerBlock, into: &message)
        }
        message.payload = buffer.getSlice(at: start + args.headerBytes, length: args.totalBytes - args.headerBytes)!
        buffer.moveReaderIndex(forwardBy: args.totalBytes + 2)
        compact()
        state = .controlLine
        return .msg(message)
    }

    /// `NATS/1.0[ status[ description]]\r\n` then `Name: value\r\n` lines, then an empty line.
    static func parseHeaders(_ block: [UInt8], into message: inout NATSMessage) throws(Error) {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        var i = 0
        while i < block.count {
            if block[i] == UInt8(ascii: "\n") {
                var end = i
                if end > lineStart && block[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                lines.append(block[lineStart..<end])
                lineStart = i + 1
            }
            i += 1
        }
        if lineStart < block.count { lines.append(block[lineStart...]) }
        guard let first = lines.first, first.starts(with: Array("NATS/1.0".utf8)) else {
            throw Error(message: "header block does not start with NATS/1.0")
        }
        let statusPart = String(decoding: first.dropFirst(8), as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if !statusPart.isEmpty {
            let code = statusPart.prefix { $0.isNumber }
            guard code.count == 3, let status = Int(code) else {
                throw Error(message: "bad status in header line: \(statusPart.prefix(40))")
            }
            message.status = status
            let description = statusPart.dropFirst(3).trimmingCharacters(in: .whitespaces)
            message.statusDescription = description.isEmpty ? nil : description
        }
        var headers = NATSHeaders()
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw Error(message: "header line without ':'")
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            headers.append(name, value)
        }
        message.headers = headers
    }

    // MARK: Token helpers

    private static func split(_ line: [UInt8]) -> [Range<Int>] {
        var tokens: [Range<Int>] = []
        var start: Int? = nil
        for (i, byte) in line.enumerated() {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                if let s = start { tokens.append(s..<i); start = nil }
                // INFO and -ERR carry free text after the op; only the op token matters for them.
                if tokens.count == 1, case let op = upper(line[tokens[0]]), op == "INFO" || op == "-ERR" { return tokens }
            } else if start == nil {
                start = i
            }
        }
        if let s = start { tokens.append(s..<line.count) }
        return tokens
    }

    private static func upper(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.count <= 5 else { return "" }
        return String(decoding: bytes.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
    }

    private static func int(_ bytes: ArraySlice<UInt8>, _ what: String) throws(Error) -> Int {
        guard !bytes.isEmpty, bytes.count <= 12 else { throw Error(message: "bad \(what): \(show(Array(bytes)))") }
        var value = 0
        for byte in bytes {
            guard byte >= 48 && byte <= 57 else { throw Error(message: "bad \(what): \(show(Array(bytes)))") }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func sid(_ bytes: ArraySlice<UInt8>) throws(Error) -> UInt64 {
        UInt64(try int(bytes, "subscription id"))
    }

    private static func show(_ line: [UInt8]) -> String {
        String(decoding: line.prefix(80), as: UTF8.self).debugDescription
    }
}
