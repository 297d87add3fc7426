import CHiredis
import Glibc

/// One hiredis `redisContext`, used synchronously by one thread at a time (``RedisClient`` holds
/// it inside a Mutex). Freed when the connection breaks or the owner goes away.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    let url: RedisURL

    /// Connects, sets the socket timeout, authenticates and selects the database.
    init(url: RedisURL, timeout: Duration) throws(RedisError) {
        self.url = url
        let tv = Self.timeval(timeout)
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), tv) else {
            throw RedisError(.connection, "cannot allocate a connection to \(url.host):\(url.port)")
        }
        if context.pointee.err != 0 {
            let reason = Self.errorText(context)
            redisFree(context)
            throw RedisError(.connection, "cannot connect to \(url.host):\(url.port): \(reason)")
        }
        self.context = context
        if redisSetTimeout(context, tv) != REDIS_OK {
            throw RedisError(.connection, "cannot set a timeout on the connection to \(url.host):\(url.port)")
        }
        if let password = url.password {
            var arguments = [Array("AUTH".utf8)]
            if let user = url.username { arguments.append(Array(user.utf8)) }
            arguments.append(Array(password.utf8))
            if case .error(let message) = try command(arguments) {
                // The server's message (e.g. WRONGPASS) never contains the password itself.
                throw RedisError(.server, "authentication to \(url.host):\(url.port) failed: \(message)")
            }
        }
        if url.database != 0, case .error(let message) = try command([Array("SELECT".utf8), Array(String(url.database).utf8)]) {
            throw RedisError(.server, "cannot select database \(url.database): \(message)")
        }
    }

    deinit { redisFree(context) }

    /// Sends one command (binary-safe) and waits for its reply. An I/O failure or timeout throws
    /// `.connection`; after that the connection is unusable (hiredis keeps `err` set).
    func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        let reply: UnsafeMutableRawPointer? = withArgv(arguments) { argv, lengths in
            redisCommandArgv(context, Int32(arguments.count), argv, lengths)
        }
        guard let reply else {
            throw RedisError(.connection, "connection to \(url.host):\(url.port) failed: \(Self.errorText(context))")
        }
        defer { freeReplyObject(reply) }
        return Self.decode(reply.assumingMemoryBound(to: redisReply.self))
    }

    var isBroken: Bool { context.pointee.err != 0 }

    private func withArgv<T>(_ arguments: [[UInt8]], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T) -> T {
        // Copy every argument into one buffer so the pointers stay valid for the call.
        var buffer: [CChar] = []
        var offsets: [Int] = []
        for argument in arguments {
            offsets.append(buffer.count)
            buffer.append(contentsOf: argument.map { CChar(bitPattern: $0) })
            buffer.append(0)
        }
        let lengths = arguments.map(\.count)
        return buffer.withUnsafeBufferPointer { storage in
            var argv: [UnsafePointer<CChar>?] = offsets.map { storage.baseAddress! + $0 }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { body(argvBuffer.baseAddress!, $0.baseAddress!) }
            }
        }
    }

    private static func decode(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        func bytes() -> [UInt8] {
            guard let str = r.str else { return [] }
            return Array(UnsafeRawBufferPointer(start: str, count: Int(r.len)))
        }
        switch r.type {
        case REDIS_REPLY_STRING: return .string(bytes())
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(Int(r.integer))
        case REDIS_REPLY_ARRAY:
            return .array((0..<Int(r.elements)).map { decode(r.element[$0]!) })
        default: return .null
        }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch context.pointee.err {
        case REDIS_ERR_EOF: return "server closed the connection"
        case REDIS_ERR_IO where text.contains("Resource temporarily unavailable"): return "timed out"
        default: return text.isEmpty ? "error \(context.pointee.err)" : text
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
