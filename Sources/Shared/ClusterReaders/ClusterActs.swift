import Autoscaling
import Foundation

/// One write an act makes: a verb on one VerticalPodAutoscaler, with its JSON body.
public struct ActWrite: Sendable, Equatable, CustomStringConvertible {
    public enum Verb: String, Sendable { case create, patch, delete }
    public var verb: Verb
    public var namespace: String
    public var name: String
    /// The object (create) or the JSON merge patch (patch); nil for delete.
    public var body: String?

    public var description: String { "\(verb.rawValue) verticalpodautoscalers/\(name) in \(namespace)" }
}

/// The talk's acts in a cluster: the VerticalPodAutoscaler writes that switch between them. The
/// objects are the ones in k8s/components/act-* (Tests/System/test_console_acts.py checks that
/// `kubectl kustomize k8s/overlays/act-<name>` renders the same), so the console and
/// `kubectl apply -k` agree. Only the web VPA (meme-web) and the Redis VPA (redis) are touched:
/// the Role meme-console-acts grants exactly that.
public enum ClusterActs {
    public static let role = "meme-console-acts"
    public static let roleFile = "k8s/components/console-acts/rbac.yaml"
    public static let webVPA = "meme-web"
    public static let redisVPA = "redis"

    /// The writes for `act`, in order; `webVPAExists` decides between create and patch (conflict)
    /// or whether there is anything to delete (the others).
    public static func plan(_ act: DemoAct, webVPAExists: Bool, appNamespace: String, cacheNamespace: String) -> [ActWrite] {
        var writes: [ActWrite] = []
        switch act {
        case .conflict:
            let object = webVPAObject(namespace: appNamespace)
            writes.append(webVPAExists
                ? ActWrite(verb: .patch, namespace: appNamespace, name: webVPA,
                           body: json(["metadata": ["labels": labels], "spec": object["spec"]!]))
                : ActWrite(verb: .create, namespace: appNamespace, name: webVPA, body: json(object)))
        case .kedaOnly, .harmony:
            if webVPAExists { writes.append(ActWrite(verb: .delete, namespace: appNamespace, name: webVPA, body: nil)) }
        }
        writes.append(ActWrite(verb: .patch, namespace: cacheNamespace, name: redisVPA, body: json(redisPatch(act))))
        return writes
    }

    /// Reads whether the web VPA exists, then makes the writes. Returns what it wrote; the first
    /// failure stops it (the error names the verb and the object; a 403 the Role to grant).
    public static func apply(_ act: DemoAct, reader: KubernetesReader, writer: KubernetesWriter, appNamespace: String,
                             cacheNamespace: String) async throws(ClusterReadError) -> [ActWrite] {
        let existing = try await reader.verticalPodAutoscalers(namespace: appNamespace)
        let writes = plan(act, webVPAExists: existing.contains { $0.name == webVPA }, appNamespace: appNamespace,
                          cacheNamespace: cacheNamespace)
        for w in writes {
            do {
                let body = w.body.map { Array($0.utf8) } ?? []
                switch w.verb {
                case .create: try await writer.create(.verticalPodAutoscalers, namespace: w.namespace, name: w.name, body: body)
                case .patch: try await writer.mergePatch(.verticalPodAutoscalers, namespace: w.namespace, name: w.name, body: body)
                case .delete: try await writer.delete(.verticalPodAutoscalers, namespace: w.namespace, name: w.name)
                }
            } catch {
                var e = error
                if case .forbidden = e.kind { e.message += " — grant the Role \(role) (\(roleFile))" }
                throw e
            }
        }
        return writes
    }

    static let labels = ["app.kubernetes.io/part-of": "meme-generator"]

    /// k8s/components/act-conflict/web-vpa.yaml.
    static func webVPAObject(namespace: String) -> [String: Any] {
        [
            "apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler",
            "metadata": ["name": webVPA, "namespace": namespace, "labels": labels],
            "spec": [
                "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "meme-web"],
                "updatePolicy": ["updateMode": "Recreate", "minReplicas": 1],
                "resourcePolicy": ["containerPolicies": [[
                    "containerName": "meme-web", "controlledResources": ["cpu"], "controlledValues": "RequestsOnly",
                    "minAllowed": ["cpu": "50m"], "maxAllowed": ["cpu": "100m"],
                ] as [String: Any]]],
            ] as [String: Any],
        ]
    }

    /// keda-only: k8s/components/act-keda-only/redis-vpa-patch.yaml; the others: act-harmony's (the base's policy).
    static func redisPatch(_ act: DemoAct) -> [String: Any] {
        guard act != .kedaOnly else { return ["spec": ["updatePolicy": ["updateMode": "Off"]]] }
        return ["spec": [
            "updatePolicy": ["updateMode": "Recreate"],
            "resourcePolicy": ["containerPolicies": [
                ["containerName": "redis", "controlledResources": ["cpu", "memory"], "controlledValues": "RequestsOnly",
                 "minAllowed": ["cpu": "100m", "memory": "512Mi"], "maxAllowed": ["cpu": "1000m", "memory": "1Gi"]] as [String: Any],
                ["containerName": "redis-exporter", "mode": "Off"],
            ]],
        ] as [String: Any]]
    }

    static func json(_ value: [String: Any]) -> String {
        // Only literals built above: serialisation cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
