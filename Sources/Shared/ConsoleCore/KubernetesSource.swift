import ClusterReaders

/// Reads the watched workloads and the autoscalers around them. Deployments/StatefulSets and HPAs
/// are required (their failure fails the round); KEDA's ScaledObjects and VPAs are add-ons whose
/// absence or a forbidden list is noted without failing the round.
public struct KubernetesSource: Sendable {
    public let reader: KubernetesReader
    public let watched: [WatchedWorkload]
    /// Namespace of the web/worker Deployments, their HPA and ScaledObject.
    public let appNamespace: String
    /// Namespaces whose VPAs are read (redis's by default).
    public let vpaNamespaces: [String]

    public init(reader: KubernetesReader, watched: [WatchedWorkload], appNamespace: String, vpaNamespaces: [String]) {
        self.reader = reader
        self.watched = watched
        self.appNamespace = appNamespace
        self.vpaNamespaces = vpaNamespaces
    }

    public func read() async throws -> ClusterReading {
        var reading = ClusterReading()
        // One list per (kind, namespace), not per workload.
        var lists: [(kind: String, namespace: String)] = []
        for w in watched where !lists.contains(where: { $0.kind == w.kind && $0.namespace == w.namespace }) {
            lists.append((w.kind, w.namespace))
        }
        for list in lists {
            reading.workloads += list.kind == "StatefulSet"
                ? try await reader.statefulSets(namespace: list.namespace)
                : try await reader.deployments(namespace: list.namespace)
        }
        reading.hpas = try await reader.horizontalPodAutoscalers(namespace: appNamespace)
        do {
            reading.scaledObjects = try await reader.scaledObjects(namespace: appNamespace)
        } catch {
            reading.notes.append(error.message)
        }
        for namespace in vpaNamespaces {
            do {
                reading.vpas += try await reader.verticalPodAutoscalers(namespace: namespace)
            } catch {
                // No VPA installed: one note, not one per namespace; a namespace the token may not read leaves the others.
                if !reading.notes.contains(error.message) { reading.notes.append(error.message) }
                if error.kind == .notFound { break }
            }
        }
        return reading
    }
}
