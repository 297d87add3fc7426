/// The PROXY protocol, version 1 (the text form; haproxy.org, "The PROXY protocol"): one line a
/// TCP proxy writes before the client's bytes, naming the client's address, so the server behind
/// the proxy can rate-limit by client instead of by proxy. The local stack's web port writes it;
/// meme-web reads it when WEB_PROXY_PROTOCOL is on. Pure: bytes in, bytes out.
public enum ProxyProtocolV1 {
    /// The longest line the protocol allows, CRLF included.
    public static let maxLength = 107

    /// `PROXY TCP4 192.168.1.20 127.0.0.1 52044 8080\r\n`; `PROXY UNKNOWN\r\n` when the addresses
    /// are not IPv4/IPv6 literals.
    public static func line(sourceIP: String, sourcePort: Int, destinationIP: String, destinationPort: Int) -> String {
        let family: String
        if isIPv4(sourceIP) && isIPv4(destinationIP) {
            family = "TCP4"
        } else if sourceIP.contains(":") && destinationIP.contains(":") {
            family = "TCP6"
        } else {
            return "PROXY UNKNOWN\r\n"
        }
        return "PROXY \(family) \(sourceIP) \(destinationIP) \(sourcePort) \(destinationPort)\r\n"
    }

    public enum Parsed: Equatable, Sendable {
        /// Not a PROXY line (the bytes are the client's own).
        case absent
        /// A PROXY line so far without its CRLF: wait for more bytes.
        case incomplete
        /// The line, `length` bytes with its CRLF; `source` nil for UNKNOWN.
        case header(source: String?, length: Int)
        /// Starts like one but is not one: the reason.
        case invalid(String)
    }

    /// Looks at the first bytes a connection sent.
    public static func parse(_ bytes: some Collection<UInt8>) -> Parsed {
        let prefix = Array("PROXY ".utf8)
        let head = Array(bytes.prefix(maxLength))
        // Shorter than the prefix: undecided while it matches so far.
        if head.count < prefix.count { return Array(prefix.prefix(head.count)) == head ? .incomplete : .absent }
        guard Array(head.prefix(prefix.count)) == prefix else { return .absent }
        guard let cr = head.firstIndex(of: 13) else {
            return head.count >= maxLength ? .invalid("PROXY line longer than \(maxLength) bytes") : .incomplete
        }
        guard cr + 1 < head.count else { return .incomplete }
        guard head[cr + 1] == 10 else { return .invalid("PROXY line not ended by CRLF") }
        let fields = String(decoding: head[..<cr], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        if fields.count >= 2 && fields[1] == "UNKNOWN" { return .header(source: nil, length: cr + 2) }
        guard fields.count == 6, fields[1] == "TCP4" || fields[1] == "TCP6" else {
            return .invalid("PROXY line must be 'PROXY TCP4|TCP6 src dst sport dport' or 'PROXY UNKNOWN'")
        }
        let source = String(fields[2])
        let valid = fields[1] == "TCP4" ? isIPv4(source) : (source.contains(":") && source.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." })
        guard valid, let port = Int(fields[4]), (0...65535).contains(port), let destinationPort = Int(fields[5]),
              (0...65535).contains(destinationPort) else {
            return .invalid("PROXY line has a bad address or port")
        }
        return .header(source: source, length: cr + 2)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { $0.count <= 3 && UInt8($0) != nil }
    }
}
