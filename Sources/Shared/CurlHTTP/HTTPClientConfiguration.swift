/// PEM material given either as a file path or inline bytes (kubeconfig `*-data` fields, decoded).
public enum PEMSource: Sendable, Equatable {
    case file(String)
    case data([UInt8])
}

/// How a client verifies servers and identifies itself over TLS.
public struct TLSOptions: Sendable, Equatable {
    /// Trusted CA bundle; nil uses the system store.
    public var certificateAuthority: PEMSource?
    public var clientCertificate: PEMSource?
    public var clientKey: PEMSource?
    /// Skips server certificate and host name verification (`insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool

    public init(
        certificateAuthority: PEMSource? = nil, clientCertificate: PEMSource? = nil,
        clientKey: PEMSource? = nil, insecureSkipVerify: Bool = false
    ) {
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// Settings shared by every request of one `CurlHTTPClient`.
public struct HTTPClientConfiguration: Sendable {
    public var tls: TLSOptions
    /// `http://host:port` (or `socks5://…`) to tunnel through; nil means no proxy, whatever
    /// `http_proxy`/`HTTPS_PROXY` say, so tests on loopback never leave the machine.
    public var proxyURL: String?
    public var timeouts: HTTPTimeouts
    /// Transfers running at once; more wait for a free thread.
    public var maxConcurrentTransfers: Int
    /// Larger bodies fail with `.responseTooLarge` instead of filling memory.
    public var maxResponseBytes: Int
    public var followRedirects: Bool
    public var userAgent: String

    public init(
        tls: TLSOptions = TLSOptions(), proxyURL: String? = nil, timeouts: HTTPTimeouts = HTTPTimeouts(),
        maxConcurrentTransfers: Int = 4, maxResponseBytes: Int = 64 << 20, followRedirects: Bool = false,
        userAgent: String = "meme-generator"
    ) {
        self.tls = tls
        self.proxyURL = proxyURL
        self.timeouts = timeouts
        self.maxConcurrentTransfers = maxConcurrentTransfers
        self.maxResponseBytes = maxResponseBytes
        self.followRedirects = followRedirects
        self.userAgent = userAgent
    }
}
