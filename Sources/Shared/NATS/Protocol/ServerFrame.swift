/// One unit of what the server sends.
public enum ServerFrame: Sendable {
    case info(ServerInfo)
    case msg(NATSMessage)
    case ping
    case pong
    case ok
    /// `-ERR 'text'`, quotes removed.
    case err(String)
}
