import CurlHTTP
import Foundation

/// The few writes meme-console makes (the talk's acts): create, JSON merge patch and delete of one
/// namespaced object. Bodies are JSON; answers other than 2xx become `ClusterReadError` naming the verb.
public struct KubernetesWriter: Sendable {
    /// The connection, client and timeouts are the reader's: one client per cluster.
    public let reader: KubernetesReader
    public var connection: KubernetesConnection { reader.connection }

    public init(reader: KubernetesReader) { self.reader = reader }

    /// POST to the collection; returns the created object as the API server answers it.
    @discardableResult
    public func create(_ resource: KubernetesResource, namespace: String, name: String, body: [UInt8]) async throws(ClusterReadError) -> [UInt8] {
        try await send(.post, resource, namespace: namespace, name: nil, verb: "create", object: name, body: body,
                       contentType: "application/json")
    }

    /// PATCH with `application/merge-patch+json` (RFC 7386: objects merge, lists are replaced whole).
    @discardableResult
    public func mergePatch(_ resource: KubernetesResource, namespace: String, name: String, body: [UInt8]) async throws(ClusterReadError) -> [UInt8] {
        try await send(.patch, resource, namespace: namespace, name: name, verb: "patch", object: name, body: body,
                       contentType: "application/merge-patch+json")
    }

    @discardableResult
    public func delete(_ resource: KubernetesResource, namespace: String, name: String) async throws(ClusterReadError) -> [UInt8] {
        try await send(.delete, resource, namespace: namespace, name: name, verb: "delete", object: name, body: nil, contentType: nil)
    }

    private func send(_ method: HTTPMethod, _ resource: KubernetesResource, namespace: String, name: String?, verb: String, object: String,
                      body: [UInt8]?, contentType: String?) async throws(ClusterReadError) -> [UInt8] {
        for part in [namespace, object] where !KubernetesReader.isValidName(part) {
            throw ClusterReadError(.decoding, "invalid name \"\(part)\": lower-case letters, digits, '-' and '.' only")
        }
        var url = connection.server + resource.path(namespace: namespace)
        if let name { url += "/" + name }
        var headers = [("Accept", "application/json")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body, timeouts: reader.timeouts,
                                  authorization: connection.authorization)
        let response: HTTPResponse
        do { response = try await reader.client.send(request) } catch {
            throw ClusterReadError(.transport(error.kind), "Kubernetes API (\(connection.origin)): \(error.message)")
        }
        guard response.isSuccess else {
            throw KubernetesReader.error(status: response.status, body: response.body, resource: resource, namespace: namespace,
                                         verb: verb, object: object)
        }
        return response.body
    }
}
