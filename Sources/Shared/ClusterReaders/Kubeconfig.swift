import CurlHTTP
import Foundation
import Yams

/// Where and how to reach a Kubernetes API server: base URL, TLS and credentials.
/// Built from a kubeconfig, the in-cluster service account, or a plain `kubectl proxy` URL.
public struct KubernetesConnection: Sendable {
    /// `https://host:port` (or `http://127.0.0.1:8001` for `kubectl proxy`), without trailing slash.
    public var server: String
    public var tls: TLSOptions
    public var authorization: HTTPAuthorization?
    public var proxyURL: String?
    /// The namespace the context names, if any.
    public var namespace: String?
    /// Where this came from, for status lines ("kubeconfig context kind-demo", "in-cluster", "kubectl proxy").
    public var origin: String

    public init(server: String, tls: TLSOptions = TLSOptions(), authorization: HTTPAuthorization? = nil,
                proxyURL: String? = nil, namespace: String? = nil, origin: String) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.tls = tls
        self.authorization = authorization
        self.proxyURL = proxyURL
        self.namespace = namespace
        self.origin = origin
    }

    /// A `kubectl proxy` (or any unauthenticated) URL.
    public static func proxy(_ url: String) throws(ClusterReadError) -> KubernetesConnection {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ClusterReadError(.configuration, "API URL \"\(url)\" must start with http:// or https://")
        }
        return KubernetesConnection(server: url, origin: "URL \(url)")
    }

    /// The pod's service account: token and CA under `directory`, server from
    /// KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws(ClusterReadError) -> KubernetesConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw ClusterReadError(.configuration, "not running in a cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set")
        }
        let tokenPath = "\(directory)/token"
        guard let token = try? String(contentsOfFile: tokenPath, encoding: .utf8) else {
            throw ClusterReadError(.configuration, "cannot read the service account token at \(tokenPath)")
        }
        let caPath = "\(directory)/ca.crt"
        let namespace = try? String(contentsOfFile: "\(directory)/namespace", encoding: .utf8)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubernetesConnection(
            server: "https://\(hostPart):\(port)",
            tls: TLSOptions(certificateAuthority: FileManager.default.fileExists(atPath: caPath) ? .file(caPath) : nil),
            authorization: .bearer(token.trimmingCharacters(in: .whitespacesAndNewlines)),
            namespace: namespace?.trimmingCharacters(in: .whitespacesAndNewlines), origin: "in-cluster service account")
    }
}

/// A parsed kubeconfig file (clusters, users, contexts, current-context).
public struct Kubeconfig: Sendable {
    public struct Cluster: Sendable, Equatable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify: Bool
        public var proxyURL: String?
    }

    public struct User: Sendable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: [UInt8]?
        public var username: String?
        public var password: String?
        /// True when the user authenticates with an exec plugin or auth-provider, which this reader does not run.
        public var usesPlugin: Bool
    }

    public struct Context: Sendable, Equatable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    public var clusters: [String: Cluster]
    public var users: [String: User]
    public var contexts: [String: Context]
    public var currentContext: String?
    /// Directory of the file; relative paths inside resolve against it.
    public var baseDirectory: String

    /// Reads `path`, or `$KUBECONFIG` (first entry), or `~/.kube/config`.
    public static func load(path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ClusterReadError) -> Kubeconfig {
        let resolved = path
            ?? environment["KUBECONFIG"]?.split(separator: ":").first.map(String.init)
            ?? "\(environment["HOME"] ?? NSHomeDirectory())/.kube/config"
        guard let text = try? String(contentsOfFile: resolved, encoding: .utf8) else {
            throw ClusterReadError(.configuration, "cannot read kubeconfig \(resolved)")
        }
        return try parse(text, baseDirectory: (resolved as NSString).deletingLastPathComponent)
    }

    public static func parse(_ yaml: String, baseDirectory: String = ".") throws(ClusterReadError) -> Kubeconfig {
        let root: Any?
        do { root = try Yams.load(yaml: yaml) } catch {
            throw ClusterReadError(.configuration, "kubeconfig is not valid YAML: \(error)")
        }
        guard let document = root as? [String: Any] else { throw ClusterReadError(.configuration, "kubeconfig must be a YAML mapping") }
        var config = Kubeconfig(clusters: [:], users: [:], contexts: [:], currentContext: document["current-context"] as? String,
                                baseDirectory: baseDirectory)
        for entry in document["clusters"] as? [[String: Any]] ?? [] {
            guard let name = entry["name"] as? String, let c = entry["cluster"] as? [String: Any] else { continue }
            guard let server = c["server"] as? String else { throw ClusterReadError(.configuration, "cluster \"\(name)\" has no server") }
            config.clusters[name] = Cluster(
                server: server, certificateAuthority: c["certificate-authority"] as? String,
                certificateAuthorityData: try base64(c["certificate-authority-data"], field: "certificate-authority-data", owner: "cluster \"\(name)\""),
                insecureSkipTLSVerify: bool(c["insecure-skip-tls-verify"]), proxyURL: c["proxy-url"] as? String)
        }
        for entry in document["users"] as? [[String: Any]] ?? [] {
            guard let name = entry["name"] as? String else { continue }
            let u = entry["user"] as? [String: Any] ?? [:]
            let owner = "user \"\(name)\""
            config.users[name] = User(
                token: u["token"] as? String, tokenFile: u["tokenFile"] as? String,
                clientCertificate: u["client-certificate"] as? String,
                clientCertificateData: try base64(u["client-certificate-data"], field: "client-certificate-data", owner: owner),
                clientKey: u["client-key"] as? String,
                clientKeyData: try base64(u["client-key-data"], field: "client-key-data", owner: owner),
                username: u["username"] as? String, password: u["password"] as? String,
                usesPlugin: u["exec"] != nil || u["auth-provider"] != nil)
        }
        for entry in document["contexts"] as? [[String: Any]] ?? [] {
            guard let name = entry["name"] as? String, let c = entry["context"] as? [String: Any] else { continue }
            guard let cluster = c["cluster"] as? String else { throw ClusterReadError(.configuration, "context \"\(name)\" has no cluster") }
            config.contexts[name] = Context(cluster: cluster, user: c["user"] as? String, namespace: c["namespace"] as? String)
        }
        return config
    }

    /// The connection for `context` (default: current-context).
    public func connection(context name: String? = nil) throws(ClusterReadError) -> KubernetesConnection {
        guard let contextName = name ?? currentContext, !contextName.isEmpty else {
            throw ClusterReadError(.configuration, "kubeconfig has no current-context; name one (contexts: \(contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let context = contexts[contextName] else {
            throw ClusterReadError(.configuration, "context \"\(contextName)\" not found (contexts: \(contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let cluster = clusters[context.cluster] else {
            throw ClusterReadError(.configuration, "context \"\(contextName)\" names cluster \"\(context.cluster)\", which is not defined")
        }
        var tls = TLSOptions(insecureSkipVerify: cluster.insecureSkipTLSVerify)
        if let data = cluster.certificateAuthorityData {
            tls.certificateAuthority = .data(data)
        } else if let file = cluster.certificateAuthority {
            tls.certificateAuthority = .file(resolve(file))
        }
        var authorization: HTTPAuthorization?
        if let userName = context.user {
            guard let user = users[userName] else {
                throw ClusterReadError(.configuration, "context \"\(contextName)\" names user \"\(userName)\", which is not defined")
            }
            if let data = user.clientCertificateData {
                tls.clientCertificate = .data(data)
            } else if let file = user.clientCertificate {
                tls.clientCertificate = .file(resolve(file))
            }
            if let data = user.clientKeyData {
                tls.clientKey = .data(data)
            } else if let file = user.clientKey {
                tls.clientKey = .file(resolve(file))
            }
            if let token = user.token, !token.isEmpty {
                authorization = .bearer(token)
            } else if let tokenFile = user.tokenFile {
                let path = resolve(tokenFile)
                guard let token = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw ClusterReadError(.configuration, "user \"\(userName)\": cannot read tokenFile \(path)")
                }
                authorization = .bearer(token.trimmingCharacters(in: .whitespacesAndNewlines))
            } else if let username = user.username, let password = user.password {
                authorization = .basic(username: username, password: password)
            } else if user.usesPlugin && tls.clientCertificate == nil {
                throw ClusterReadError(.configuration, "user \"\(userName)\" uses an exec/auth-provider plugin, which meme-console does not run; use a token, a client certificate or `kubectl proxy`")
            }
        }
        return KubernetesConnection(server: cluster.server, tls: tls, authorization: authorization, proxyURL: cluster.proxyURL,
                                    namespace: context.namespace, origin: "kubeconfig context \(contextName)")
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
    }

    private static func bool(_ value: Any?) -> Bool {
        if let b = value as? Bool { return b }
        if let s = value as? String { return s == "true" }
        return false
    }

    private static func base64(_ value: Any?, field: String, owner: String) throws(ClusterReadError) -> [UInt8]? {
        guard let text = value as? String else { return nil }
        guard let data = Data(base64Encoded: text.filter { !$0.isWhitespace }) else {
            throw ClusterReadError(.configuration, "\(owner): \(field) is not valid base64")
        }
        return Array(data)
    }
}
