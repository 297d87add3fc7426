import CurlHTTP
import Foundation

/// A resource type to list: API group/version and plural name.
public struct KubernetesResource: Sendable, Equatable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var plural: String
    /// Name of the add-on providing it, for "not installed" messages (nil for built-ins).
    public var addOn: String?

    public static let deployments = KubernetesResource(group: "apps", version: "v1", plural: "deployments")
    public static let statefulSets = KubernetesResource(group: "apps", version: "v1", plural: "statefulsets")
    public static let horizontalPodAutoscalers = KubernetesResource(group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers")
    public static let scaledObjects = KubernetesResource(group: "keda.sh", version: "v1alpha1", plural: "scaledobjects", addOn: "KEDA")
    public static let verticalPodAutoscalers = KubernetesResource(group: "autoscaling.k8s.io", version: "v1", plural: "verticalpodautoscalers", addOn: "VPA")
    public static let events = KubernetesResource(group: "", version: "v1", plural: "events")

    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { "\(groupVersion) \(plural)" }

    func path(namespace: String) -> String {
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        return "\(prefix)/namespaces/\(namespace)/\(plural)"
    }
}

/// Lists workloads and autoscalers in one namespace over the Kubernetes REST API.
public struct KubernetesReader: Sendable {
    public let connection: KubernetesConnection
    let client: CurlHTTPClient
    let timeouts: HTTPTimeouts

    /// `client` must have been made with `KubernetesReader.clientConfiguration(for:)` (TLS and proxy
    /// are per client); `makeClient(for:)` does that.
    public init(connection: KubernetesConnection, client: CurlHTTPClient, timeouts: HTTPTimeouts = HTTPTimeouts(connect: .seconds(3), total: .seconds(10))) {
        self.connection = connection
        self.client = client
        self.timeouts = timeouts
    }

    public static func clientConfiguration(for connection: KubernetesConnection) -> HTTPClientConfiguration {
        HTTPClientConfiguration(tls: connection.tls, proxyURL: connection.proxyURL, maxConcurrentTransfers: 2, userAgent: "meme-console")
    }

    public static func makeClient(for connection: KubernetesConnection) -> CurlHTTPClient {
        CurlHTTPClient(configuration: clientConfiguration(for: connection))
    }

    public func deployments(namespace: String) async throws(ClusterReadError) -> [Workload] {
        try KubernetesDecoding.workloads(try await list(.deployments, namespace: namespace), kind: "Deployment")
    }

    public func statefulSets(namespace: String) async throws(ClusterReadError) -> [Workload] {
        try KubernetesDecoding.workloads(try await list(.statefulSets, namespace: namespace), kind: "StatefulSet")
    }

    public func horizontalPodAutoscalers(namespace: String) async throws(ClusterReadError) -> [HorizontalPodAutoscaler] {
        try KubernetesDecoding.horizontalPodAutoscalers(try await list(.horizontalPodAutoscalers, namespace: namespace))
    }

    public func scaledObjects(namespace: String) async throws(ClusterReadError) -> [ScaledObject] {
        try KubernetesDecoding.scaledObjects(try await list(.scaledObjects, namespace: namespace))
    }

    public func verticalPodAutoscalers(namespace: String) async throws(ClusterReadError) -> [VerticalPodAutoscaler] {
        try KubernetesDecoding.verticalPodAutoscalers(try await list(.verticalPodAutoscalers, namespace: namespace))
    }

    public func events(namespace: String) async throws(ClusterReadError) -> [KubernetesEvent] {
        try KubernetesDecoding.events(try await list(.events, namespace: namespace))
    }

    /// GETs the list body of `resource` in `namespace`; non-2xx answers become `ClusterReadError`.
    public func list(_ resource: KubernetesResource, namespace: String) async throws(ClusterReadError) -> [UInt8] {
        guard Self.isValidName(namespace) else {
            throw ClusterReadError(.decoding, "invalid namespace \"\(namespace)\": lower-case letters, digits and '-' only")
        }
        let request = HTTPRequest(url: connection.server + resource.path(namespace: namespace), headers: [("Accept", "application/json")],
                                  timeouts: timeouts, authorization: connection.authorization)
        let response: HTTPResponse
        do { response = try await client.send(request) } catch {
            throw ClusterReadError(.transport(error.kind), "Kubernetes API (\(connection.origin)): \(error.message)")
        }
        guard response.isSuccess else {
            throw Self.error(status: response.status, body: response.body, resource: resource, namespace: namespace)
        }
        return response.body
    }

    /// Turns an error answer (usually a `kind: Status` body) into a typed error with meaning.
    /// `verb` and `object` name a write ("patch", "redis"); reads are "list" of the whole resource.
    public static func error(status: Int, body: [UInt8], resource: KubernetesResource, namespace: String,
                             verb: String = "list", object: String? = nil) -> ClusterReadError {
        let what = object.map { "\(resource.plural)/\($0)" } ?? resource.plural
        let wire = try? JSONDecoder().decode(WireStatus.self, from: Data(body))
        let serverMessage = wire?.kind == "Status" ? wire?.message : nil
        let code = wire?.code ?? status
        switch code {
        case 403:
            let user = serverMessage.flatMap(forbiddenUser)
            return ClusterReadError(.forbidden(user: user),
                                   "RBAC: cannot \(verb) \(what) in \(namespace) (user \(user ?? "unknown"))", serverMessage: serverMessage)
        case 401:
            return ClusterReadError(.unauthorized, "unauthorized: the API server rejected the credentials", serverMessage: serverMessage)
        case 404:
            if let addOn = resource.addOn {
                return ClusterReadError(.notFound, "not found: no \(addOn) installed (\(resource))", serverMessage: serverMessage)
            }
            return ClusterReadError(.notFound, "not found: \(object.map { "\(resource.plural)/\($0)" } ?? "\(resource)") in \(namespace)\(serverMessage.map { ": \($0)" } ?? "")",
                                   serverMessage: serverMessage)
        default:
            let detail = serverMessage ?? String(decoding: body.prefix(200), as: UTF8.self)
            let doing = verb == "list" ? "listing \(resource)" : "on \(verb) of \(what)"
            return ClusterReadError(.status(code: code), "HTTP \(code) \(doing) in \(namespace): \(detail)", serverMessage: serverMessage)
        }
    }

    /// `User "system:anonymous" cannot list …` → `system:anonymous`.
    static func forbiddenUser(_ message: String) -> String? {
        guard let start = message.range(of: "User \"") else { return nil }
        let rest = message[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 253 && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "." }
    }
}
