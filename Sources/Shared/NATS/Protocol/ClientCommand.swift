import Foundation
import NIOCore

/// The CONNECT options this client sends.
struct ConnectCommand: Encodable, Sendable {
    var verbose = false
    var pedantic = false
    var tlsRequired = false
    var name: String?
    var lang = "swift"
    var version = "0.1.0"
    var `protocol` = 1
    var echo = true
    var headers = true
    var noResponders = true
    var user: String?
    var pass: String?
    var authToken: String?

    enum CodingKeys: String, CodingKey {
        case verbose, pedantic, tlsRequired = "tls_required", name, lang, version, `protocol`, echo, headers
        case noResponders = "no_responders", user, pass, authToken = "auth_token"
    }
}

/// Writes client protocol operations into a ByteBuffer. Pure.
enum ClientEncoder {
    static func connect(_ command: ConnectCommand, into buffer: inout ByteBuffer) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(command)) ?? Data("{}".utf8)
        buffer.writeStaticString("CONNECT ")
        buffer.writeBytes(json)
        buffer.writeStaticString("\r\n")
    }

    static func ping(into buffer: inout ByteBuffer) { buffer.writeStaticString("PING\r\n") }
    static func pong(into buffer: inout ByteBuffer) { buffer.writeStaticString("PONG\r\n") }

    /// Size of the header block as it will be written (0 when there are no headers).
    static func headerBlockSize(_ headers: NATSHeaders?) -> Int {
        guard let headers else { return 0 }
        var size = 10 + 2  // "NATS/1.0\r\n" ... "\r\n"
        for field in headers.fields { size += field.name.utf8.count + 2 + field.value.utf8.count + 2 }
        return size
    }

    static func publish(subject: String, replyTo: String?, headers: NATSHeaders?, payload: ByteBuffer,
                        into buffer: inout ByteBuffer) {
        var payload = payload
        if let headers {
            let headerSize = headerBlockSize(headers)
            buffer.writeStaticString("HPUB ")
            buffer.writeString(subject)
            if let replyTo {
                buffer.writeStaticString(" ")
                buffer.writeString(replyTo)
            }
            buffer.writeStaticString(" ")
            writeInt(headerSize, into: &buffer)
            buffer.writeStaticString(" ")
            writeInt(headerSize + payload.readableBytes, into: &buffer)
            buffer.writeStaticString("\r\nNATS/1.0\r\n")
            for field in headers.fields {
                buffer.writeString(field.name)
                buffer.writeStaticString(": ")
                buffer.writeString(field.value)
                buffer.writeStaticString("\r\n")
            }
            buffer.writeStaticString("\r\n")
        } else {
            buffer.writeStaticString("PUB ")
            buffer.writeString(subject)
            if let replyTo {
                buffer.writeStaticString(" ")
                buffer.writeString(replyTo)
            }
            buffer.writeStaticString(" ")
            writeInt(payload.readableBytes, into: &buffer)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeBuffer(&payload)
        buffer.writeStaticString("\r\n")
    }

    static func subscribe(subject: String, queue: String?, sid: UInt64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("SUB ")
        buffer.writeString(subject)
        if let queue {
            buffer.writeStaticString(" ")
            buffer.writeString(queue)
        }
        buffer.writeStaticString(" ")
        writeInt(Int(sid), into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    static func unsubscribe(sid: UInt64, max: Int?, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("UNSUB ")
        writeInt(Int(sid), into: &buffer)
        if let max {
            buffer.writeStaticString(" ")
            writeInt(max, into: &buffer)
        }
        buffer.writeStaticString("\r\n")
    }

    private static func writeInt(_ value: Int, into buffer: inout ByteBuffer) {
        if value < 10 {
            buffer.writeInteger(UInt8(48 + value))
        } else {
            buffer.writeString(String(value))
        }
    }
}

/// Subject and queue names must be non-empty and free of whitespace, or the protocol line breaks.
enum SubjectValidator {
    static func isValid(_ subject: String) -> Bool {
        guard !subject.isEmpty else { return false }
        for byte in subject.utf8 where byte == 32 || byte == 9 || byte == 13 || byte == 10 { return false }
        return true
    }

    static func check(_ subject: String, _ what: String = "subject") throws(NATSError) {
        guard isValid(subject) else {
            throw NATSError(.invalidSubject, "invalid \(what) \(subject.debugDescription): must be non-empty, without spaces or line breaks")
        }
    }
}
