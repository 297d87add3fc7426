/// The servers a connection may use, as a plain value: the configured list (`NATSOptions.servers`, in
/// order) plus the cluster members the servers announce in INFO `connect_urls`, and the order in which
/// a reconnect tries them.
struct ServerPool: Sendable, Equatable {
    private(set) var servers: [NATSServerAddress]
    /// How many of `servers` were configured (the rest were discovered).
    let configuredCount: Int
    /// The server in use (or last used).
    private(set) var current = 0

    init(configured: [NATSServerAddress]) {
        servers = configured
        configuredCount = configured.count
    }

    var currentServer: NATSServerAddress { servers[current] }

    /// The servers learned from `connect_urls` so far.
    var discovered: ArraySlice<NATSServerAddress> { servers[configuredCount...] }

    mutating func use(_ index: Int) { current = index }

    /// Adds the members of `connectURLs` (`host:port` as the server sends them) not known yet; they get
    /// the credentials of the current server, as nats.go gives them. Returns the ones added. Entries that
    /// do not parse are skipped (a server's INFO is input like any other).
    @discardableResult
    mutating func learn(connectURLs: [String]) -> [NATSServerAddress] {
        var added: [NATSServerAddress] = []
        let template = servers.isEmpty ? nil : currentServer
        for text in connectURLs {
            guard var address = try? NATSServerAddress(parsing: text) else { continue }
            guard !servers.contains(where: { $0.host == address.host && $0.port == address.port }) else { continue }
            if let template, address.user == nil, address.token == nil {
                address.user = template.user
                address.password = template.password
                address.token = template.token
            }
            servers.append(address)
            added.append(address)
        }
        return added
    }

    /// Indices for one reconnect round: every other server first, starting after the one just lost, and
    /// the lost one last (it may be restarting; a cluster member that is up answers sooner).
    func reconnectRound() -> [Int] {
        guard !servers.isEmpty else { return [] }
        let n = servers.count
        return (1...n).map { (current + $0) % n }
    }
}
