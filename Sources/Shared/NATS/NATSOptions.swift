import Foundation
import Logging
import Retry

/// How to connect. Only `servers` is required; the defaults follow nats.go.
public struct NATSOptions: Sendable {
    /// `nats://[user:password@]host[:port]` (or `host:port`). Tried in order on connect; a reconnect also
    /// tries the members a cluster announces (INFO `connect_urls`), the server just lost last.
    public var servers: [String]
    /// Shown by the server (`/connz`) and in logs.
    public var name: String?
    public var user: String?
    public var password: String?
    public var token: String?
    /// Receive the messages this connection publishes itself (NATS default true).
    public var echo = true
    public var pingInterval: Duration = .seconds(120)
    /// A connection with this many PINGs unanswered is treated as dead and reconnected.
    public var maxPingsOutstanding = 2
    public var connectTimeout: Duration = .seconds(2)
    public var allowReconnect = true
    /// -1: try forever.
    public var maxReconnectAttempts = 60
    /// The wait between reconnect attempts (the shared connect policy: 100 ms doubling to 2 s, ± 20 %).
    public var reconnect = RetryPolicy.connect
    /// Bytes of publishes kept while disconnected; a publish beyond this fails with `.reconnectBufferFull`.
    public var reconnectBufferSize = 8 * 1024 * 1024
    /// Messages a subscription buffers before it drops new ones (counted, reported as `.slowConsumer`).
    public var subscriptionCapacity = 65_536
    public var logger = Logger(label: "nats")

    public init(servers: [String] = ["nats://127.0.0.1:4222"], name: String? = nil, user: String? = nil,
                password: String? = nil, token: String? = nil) {
        self.servers = servers
        self.name = name
        self.user = user
        self.password = password
        self.token = token
    }
}

/// A parsed server address. `description` never shows credentials.
public struct NATSServerAddress: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    var user: String?
    var password: String?
    var token: String?

    public var description: String { "nats://\(host):\(port)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["host": host, "port": port]) }

    public init(parsing text: String) throws(NATSError) {
        var rest = text.trimmingCharacters(in: .whitespaces)
        if let range = rest.range(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            switch scheme {
            case "nats": break
            case "tls", "wss", "ws":
                throw NATSError(.unsupportedScheme, "\(scheme):// is not supported by this client yet; use nats:// (plain TCP)")
            default:
                throw NATSError(.unsupportedScheme, "unknown URL scheme \(scheme.debugDescription); use nats://host:port")
            }
            rest = String(rest[range.upperBound...])
        }
        if let slash = rest.firstIndex(of: "/") { rest = String(rest[..<slash]) }
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = String(rest[rest.index(after: at)...])
            if let colon = userinfo.firstIndex(of: ":") {
                user = String(userinfo[..<colon]).removingPercentEncoding
                password = String(userinfo[userinfo.index(after: colon)...]).removingPercentEncoding
            } else {
                token = String(userinfo).removingPercentEncoding
            }
        }
        if rest.hasPrefix("[") {  // [::1]:4222
            guard let close = rest.firstIndex(of: "]") else { throw NATSError(.invalidURL, "invalid server address: unclosed '[' in host") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : 4222
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = Int(rest[rest.index(after: colon)...]) ?? -1
        } else {
            host = rest
            port = 4222
        }
        guard !host.isEmpty else { throw NATSError(.invalidURL, "invalid server address: no host in \(Self.redact(text).debugDescription)") }
        guard (1...65535).contains(port) else {
            throw NATSError(.invalidURL, "invalid server address: bad port in \(Self.redact(text).debugDescription)")
        }
    }

    /// The URL with any userinfo replaced, for error messages.
    static func redact(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let prefix = text.range(of: "://").map { String(text[..<$0.upperBound]) } ?? ""
        return prefix + "***@" + text[text.index(after: at)...]
    }
}

/// Printing or dumping options never shows the password or token.
extension NATSOptions: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let servers = servers.map { NATSServerAddress.redact($0) }
        return "NATSOptions(servers: \(servers), name: \(name ?? "nil"), user: \(user ?? "nil"), password: \(password == nil ? "nil" : "***"), token: \(token == nil ? "nil" : "***"))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
