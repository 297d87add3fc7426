import Foundation

/// A tiny blocking HTTP/1.0 GET over a raw socket, for readiness checks in tests
/// (no dependency on the HTTP client under test).
public enum HTTPProbe {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public static func get(port: Int, path: String, timeoutSeconds: Int = 2) -> Response? {
        // Connection: close, or a keep-alive server (Hummingbird) holds the socket until its idle timeout.
        let request = "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        guard let data = LoopbackExchange.send(request, port: port, timeoutSeconds: timeoutSeconds, untilClosed: true) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let firstLine = text.split(separator: "\r\n", maxSplits: 1).first else { return nil }
        let parts = firstLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return Response(status: status, body: body)
    }
}
