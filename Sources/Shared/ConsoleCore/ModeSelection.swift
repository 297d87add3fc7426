import ClusterReaders
import ConsoleUI
import CurlHTTP

/// `--mode auto`: cluster when a Kubernetes connection can be built and its API server answers.
public enum ModeSelection {
    /// nil when the API server answered (any HTTP answer counts: a 403 still proves a cluster is
    /// there, and the Kubernetes source will show the RBAC reason); otherwise why not.
    public static func probe(_ connection: KubernetesConnection, namespace: String, timeout: Duration = .seconds(2)) async -> String? {
        let client = KubernetesReader.makeClient(for: connection)
        defer { Task { await client.shutdown() } }
        let reader = KubernetesReader(connection: connection, client: client, timeouts: HTTPTimeouts(connect: timeout, total: timeout))
        do {
            _ = try await reader.deployments(namespace: namespace)
            return nil
        } catch {
            if case .transport = error.kind { return error.message }
            return nil
        }
    }
}

extension ModeSelection {
    /// What the dashboard runs as: the mode, the connection for cluster mode, and a notice that
    /// explains an automatic choice or a missing connection ("local mode: no cluster (…)").
    public struct Choice: Sendable {
        public var mode: ConsoleMode
        public var connection: KubernetesConnection?
        public var notice: String?
        /// In cluster mode without a connection: why, for the Kubernetes source's status.
        public var kubernetesProblem: String?
    }

    /// `--mode` resolved: local is local; cluster uses the connection the settings name (or says
    /// why there is none); auto is cluster when that connection's API server answers.
    public static func choose(_ settings: ConsoleSettings) async -> Choice {
        if settings.mode == .local { return Choice(mode: .local) }
        let connection: KubernetesConnection
        do {
            connection = try settings.kubernetes.connection()
        } catch {
            if settings.mode == .cluster {
                // Cluster mode was asked for: show the reason as the Kubernetes source's error rather than fall back.
                return Choice(mode: .cluster, notice: "kubernetes: \(error)", kubernetesProblem: "\(error)")
            }
            return Choice(mode: .local, notice: "local mode: no cluster (\(error))")
        }
        if settings.mode == .cluster { return Choice(mode: .cluster, connection: connection) }
        if let why = await probe(connection, namespace: settings.appNamespace) {
            return Choice(mode: .local, notice: "local mode: \(connection.origin) does not answer (\(why))")
        }
        return Choice(mode: .cluster, connection: connection)
    }
}

extension ConsoleSettings.Kubernetes {
    /// The connection these settings name: the API URL, else the service account, else the kubeconfig.
    public func connection() throws -> KubernetesConnection {
        if let apiURL { return try KubernetesConnection.proxy(apiURL) }
        if inCluster { return try KubernetesConnection.inCluster() }
        return try Kubeconfig.load(path: kubeconfig).connection(context: context)
    }
}
