/// Connection state as seen by callers.
public enum NATSConnectionStatus: Sendable, Equatable {
    case connecting, connected, reconnecting, draining, closed
}

/// What happened to a connection; read them from `NATSConnection.events`.
public enum NATSEvent: Sendable, Equatable {
    case connected(server: String)
    case disconnected(reason: String)
    case reconnecting(attempt: Int)
    case reconnected(server: String)
    /// Servers of the cluster learned from INFO `connect_urls`, now tried on reconnect too.
    case discoveredServers([String])
    /// A subscription's buffer was full and messages were dropped; `dropped` is its running total.
    case slowConsumer(sid: UInt64, dropped: Int)
    /// `-ERR` from the server.
    case serverError(String)
    /// The server announced it is shutting down (lame duck mode).
    case lameDuckMode
    case closed
}
