/// The server's INFO, the fields this client uses.
public struct ServerInfo: Sendable, Decodable, Equatable {
    public var serverID: String
    public var serverName: String?
    public var version: String
    public var host: String?
    public var port: Int?
    public var maxPayload: Int
    public var headers: Bool
    public var jetStream: Bool
    public var authRequired: Bool
    public var tlsRequired: Bool
    public var connectURLs: [String]
    public var clientID: UInt64?
    public var lameDuckMode: Bool

    enum CodingKeys: String, CodingKey {
        case serverID = "server_id", serverName = "server_name", version, host, port
        case maxPayload = "max_payload", headers, jetStream = "jetstream", authRequired = "auth_required"
        case tlsRequired = "tls_required", connectURLs = "connect_urls", clientID = "client_id", lameDuckMode = "ldm"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        serverID = try c.decodeIfPresent(String.self, forKey: .serverID) ?? ""
        serverName = try c.decodeIfPresent(String.self, forKey: .serverName)
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        host = try c.decodeIfPresent(String.self, forKey: .host)
        port = try c.decodeIfPresent(Int.self, forKey: .port)
        maxPayload = try c.decodeIfPresent(Int.self, forKey: .maxPayload) ?? 1024 * 1024
        headers = try c.decodeIfPresent(Bool.self, forKey: .headers) ?? false
        jetStream = try c.decodeIfPresent(Bool.self, forKey: .jetStream) ?? false
        authRequired = try c.decodeIfPresent(Bool.self, forKey: .authRequired) ?? false
        tlsRequired = try c.decodeIfPresent(Bool.self, forKey: .tlsRequired) ?? false
        connectURLs = try c.decodeIfPresent([String].self, forKey: .connectURLs) ?? []
        clientID = try c.decodeIfPresent(UInt64.self, forKey: .clientID)
        lameDuckMode = try c.decodeIfPresent(Bool.self, forKey: .lameDuckMode) ?? false
    }
}
