import Foundation

/// The address the wall tells the room to open: `PUBLIC_URL` when set, else this machine's LAN
/// address (the first non-loopback IPv4 of its interfaces) with meme-web's port. Never 127.0.0.1
/// unless nothing else exists — phones cannot reach that.
public struct WallAddress: Sendable, Equatable {
    public enum Source: String, Sendable, Codable {
        /// PUBLIC_URL.
        case publicURL = "public_url"
        /// The address meme-web was told to listen on (HOST).
        case listenAddress = "listen_address"
        /// The first non-loopback IPv4 address of the interfaces.
        case lan
        /// Only loopback was found: reachable from this machine only.
        case loopback
    }

    /// What the QR code holds: a full URL (`http://192.168.1.20:8080/`).
    public var url: String
    /// What the wall shows in words: no scheme, no trailing slash (`192.168.1.20:8080`).
    public var display: String
    public var source: Source

    public init(url: String, display: String, source: Source) {
        self.url = url
        self.display = display
        self.source = source
    }

    /// - Parameters:
    ///   - host: the listen address (HOST); a specific IPv4 address is used as is, 0.0.0.0 / :: / a name mean "look up the LAN address".
    ///   - interfaces: this machine's addresses, in interface order.
    public static func resolve(publicURL: String?, host: String, port: Int, interfaces: [String]) throws(WebServiceError) -> WallAddress {
        if let raw = publicURL?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let urlHost = url.host, !urlHost.isEmpty, raw.count <= 512, !raw.contains(where: \.isWhitespace) else {
                throw WebServiceError("PUBLIC_URL '\(raw.prefix(80))' must be an http:// or https:// URL with a host, e.g. https://memes.example.org")
            }
            var display = raw.dropFirst(scheme.count + 3)
            while display.hasSuffix("/") { display = display.dropLast() }
            return WallAddress(url: raw, display: String(display), source: .publicURL)
        }
        let suffix = port == 80 ? "" : ":\(port)"
        if TrustedProxies.ipv4(host) != nil, host != "0.0.0.0" {
            // Listening on one address: no other address reaches meme-web, so that is the one to show.
            return WallAddress(url: "http://\(host)\(suffix)/", display: "\(host)\(suffix)",
                               source: isLoopback(host) ? .loopback : .listenAddress)
        }
        if let lan = interfaces.first(where: { TrustedProxies.ipv4($0) != nil && !isLoopback($0) && !$0.hasPrefix("169.254.") }) {
            return WallAddress(url: "http://\(lan)\(suffix)/", display: "\(lan)\(suffix)", source: .lan)
        }
        return WallAddress(url: "http://127.0.0.1\(suffix)/", display: "127.0.0.1\(suffix)", source: .loopback)
    }

    static func isLoopback(_ ipv4: String) -> Bool { ipv4.hasPrefix("127.") }

    /// This machine's interface addresses (Foundation reads them with getifaddrs), in interface order.
    public static func interfaceAddresses() -> [String] {
        Host.current().addresses
    }
}
