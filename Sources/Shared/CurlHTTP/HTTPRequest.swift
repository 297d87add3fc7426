/// An HTTP method. Any token is allowed; the common ones have names.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public var description: String { rawValue }
}

/// Credentials sent in the `Authorization` header. Their `description` never shows the secret,
/// so a request can be logged or interpolated safely.
public enum HTTPAuthorization: Sendable, CustomStringConvertible {
    case bearer(String)
    case basic(username: String, password: String)

    public var description: String {
        switch self {
        case .bearer: "Bearer <redacted>"
        case .basic(let username, _): "Basic \(username):<redacted>"
        }
    }

    var headerValue: String {
        switch self {
        case .bearer(let token): "Bearer \(token)"
        case .basic(let username, let password): "Basic \(Base64.encode(Array("\(username):\(password)".utf8)))"
        }
    }
}

/// Connect and total time limits for one transfer.
public struct HTTPTimeouts: Sendable, Equatable {
    /// Time allowed to establish the TCP (and TLS) connection.
    public var connect: Duration
    /// Time allowed for the whole transfer, connection included.
    public var total: Duration
    public init(connect: Duration = .seconds(5), total: Duration = .seconds(30)) {
        self.connect = connect
        self.total = total
    }
}

/// One HTTP request. `url` must be absolute (`http://` or `https://`).
public struct HTTPRequest: Sendable, CustomStringConvertible {
    public var method: HTTPMethod
    public var url: String
    /// Extra header fields, in order. `Authorization` belongs in `authorization`, not here.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Overrides the client's default timeouts.
    public var timeouts: HTTPTimeouts?
    public var authorization: HTTPAuthorization?

    public init(
        method: HTTPMethod = .get, url: String, headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil, timeouts: HTTPTimeouts? = nil, authorization: HTTPAuthorization? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.authorization = authorization
    }

    /// A POST of a JSON document with `Content-Type: application/json`.
    public static func postJSON(
        url: String, json: [UInt8], headers: [(name: String, value: String)] = [],
        timeouts: HTTPTimeouts? = nil, authorization: HTTPAuthorization? = nil
    ) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: url,
            headers: [("Content-Type", "application/json"), ("Accept", "*/*")] + headers,
            body: json, timeouts: timeouts, authorization: authorization)
    }

    /// Method and URL without query or credentials; what error messages show.
    public var description: String { "\(method) \(URLParts(url)?.redacted ?? "<invalid URL>")" }
}

/// Minimal URL splitting for messages: scheme, host, port, path. Userinfo and query are never shown.
struct URLParts {
    var scheme: String
    var host: String
    var port: Int
    var path: String

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { return nil }
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            port = scheme == "https" ? 443 : 80
        }
        let pathEnd = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? rest.endIndex
        path = rest[..<pathEnd].isEmpty ? "/" : String(rest[..<pathEnd])
    }

    var hostPort: String { "\(host):\(port)" }
    var redacted: String { "\(scheme)://\(hostPort)\(path)" }
}

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0f) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3f)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
