import ClusterReaders
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
