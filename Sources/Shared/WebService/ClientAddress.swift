/// Who a request comes from, for rate limiting.
public enum ClientAddress {
    /// The client's address. With `trustedProxies`, `X-Forwarded-For` counts only when the TCP peer is
    /// one of them, and the client is the rightmost hop that is not (each proxy appends the address it
    /// saw, so hops left of our own proxies are whatever the client wrote). `trustProxy`
    /// (WEB_TRUSTED_PROXY=1, the original setting) takes the first hop from any peer.
    public static func resolve(forwardedFor: String?, peer: String?, trustProxy: Bool = false,
                               trustedProxies: TrustedProxies = TrustedProxies()) -> String {
        let peerAddress = peer ?? "unknown"
        guard let forwardedFor, forwardedFor.count <= 2048 else { return peerAddress }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0.count <= 64 }
        if !trustedProxies.isEmpty {
            guard let peer, trustedProxies.contains(peer) else { return peerAddress }
            return hops.last { !trustedProxies.contains($0) } ?? hops.first ?? peerAddress
        }
        if trustProxy, let first = hops.first { return first }
        return peerAddress
    }

    /// `X-Meme-Client`: a random id the page keeps in localStorage, so phones behind one address
    /// (a venue's NAT, a load balancer) get a bucket each. nil when absent; throws when malformed.
    public static func browserID(_ header: String?) throws(WebServiceError) -> String? {
        guard let header else { return nil }
        let ok = (8...64).contains(header.count)
            && header.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
        guard ok else { throw WebServiceError("header X-Meme-Client must be 8 to 64 letters, digits, '-' or '_'") }
        return header
    }
}

/// Proxies whose `X-Forwarded-For` is believed (WEB_TRUSTED_PROXIES): IPv4 addresses or CIDR
/// ranges (`10.0.0.0/8`) and exact IPv6 addresses.
public struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var network: UInt32
        var mask: UInt32
    }
    var ranges: [Range] = []
    var exact: Set<String> = []

    public init() {}

    /// Parses a comma-separated list; the error names the entry that is not an address or range.
    public init(parsing list: String) throws(WebServiceError) {
        for raw in list.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            if let ip = Self.ipv4(String(parts[0])), parts.count <= 2 {
                let bits = parts.count == 2 ? Int(parts[1]) : 32
                guard let bits, (0...32).contains(bits) else {
                    throw WebServiceError("WEB_TRUSTED_PROXIES: '\(entry)' has a prefix length that is not 0…32")
                }
                let mask: UInt32 = bits == 0 ? 0 : UInt32.max << (32 - bits)
                ranges.append(Range(network: ip & mask, mask: mask))
            } else if parts.count == 1, entry.contains(":"), entry.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) {
                exact.insert(entry.lowercased())
            } else {
                throw WebServiceError("WEB_TRUSTED_PROXIES: '\(entry)' is not an IPv4 address, IPv4 CIDR range or IPv6 address")
            }
        }
    }

    public var isEmpty: Bool { ranges.isEmpty && exact.isEmpty }

    public func contains(_ address: String) -> Bool {
        // IPv4-mapped IPv6 ("::ffff:10.0.0.1") is the IPv4 address.
        let plain = address.lowercased().hasPrefix("::ffff:") && address.contains(".") ? String(address.dropFirst(7)) : address
        if let ip = Self.ipv4(plain) { return ranges.contains { ip & $0.mask == $0.network } }
        return exact.contains(address.lowercased())
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard (1...3).contains(octet.count), octet.allSatisfy(\.isASCII), let n = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(n)
        }
        return value
    }
}
