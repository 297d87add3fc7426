/// Where to connect: parsed from `redis://[[user]:password@]host[:port][/db]`.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int

    public init(host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a URL; errors name the bad part but never echo the password.
    public init(parsing text: String) throws(RedisError) {
        func bad(_ why: String) -> RedisError { RedisError(.invalidURL, "invalid redis URL: \(why)") }
        let trimmed = text.trimmingSpaces
        guard trimmed.hasPrefix("redis://") else {
            if trimmed.hasPrefix("rediss://") { throw bad("TLS (rediss://) is not supported") }
            throw bad("must start with redis:// (e.g. redis://127.0.0.1:6379)")
        }
        var rest = Substring(trimmed.dropFirst("redis://".count))
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : try Self.percentDecoded(user, part: "user name")
                password = try Self.percentDecoded(credentials[credentials.index(after: colon)...], part: "password")
            } else if !credentials.isEmpty {
                // redis://secret@host: a bare credential is the password (as redis-cli -u reads it).
                password = try Self.percentDecoded(credentials, part: "password")
            }
        }
        var host = rest
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad("unclosed [ in IPv6 host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw bad("unexpected text after IPv6 host") }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { throw bad("missing host") }
        guard !host.contains(where: { $0 == " " || $0 == "?" || $0 == "#" }) else { throw bad("host contains invalid characters") }
        var port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw bad("port '\(portText)' is not a number in 1...65535")
            }
            port = value
        }
        var database = 0
        if !path.isEmpty {
            guard let value = Int(path), value >= 0 else { throw bad("database '\(path)' is not a non-negative number") }
            database = value
        }
        self.init(host: String(host), port: port, username: username, password: password, database: database)
    }

    /// For logs: the password is replaced.
    public var description: String {
        let credentials = password == nil ? "" : "\(username ?? ""):***@"
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "redis://\(credentials)\(hostPart):\(port)\(database == 0 ? "" : "/\(database)")"
    }

    private static func percentDecoded(_ text: Substring, part: String) throws(RedisError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                    throw RedisError(.invalidURL, "invalid redis URL: bad %-escape in the \(part)")
                }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
