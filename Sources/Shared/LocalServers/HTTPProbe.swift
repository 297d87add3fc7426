import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.0 GET over a raw socket, for readiness checks in tests
/// (no dependency on the HTTP client under test).
public enum HTTPProbe {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public static func get(port: Int, path: String, timeoutSeconds: Int = 2) -> Response? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { return nil }
        // Connection: close, or a keep-alive server (Hummingbird) holds the socket until its idle timeout.
        let request = "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let firstLine = text.split(separator: "\r\n", maxSplits: 1).first else { return nil }
        let parts = firstLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return Response(status: status, body: body)
    }
}

/// PING over a raw socket, for readiness checks (no dependency on the Redis client under test).
public enum RedisProbe {
    public static func ping(port: Int, timeoutSeconds: Int = 2) -> Bool {
        // A loading Redis answers "-LOADING …": up, but not ready.
        command("PING", port: port, timeoutSeconds: timeoutSeconds) == "+PONG"
    }
}

extension RedisProbe {
    /// DBSIZE: the number of keys, nil when Redis does not answer.
    public static func keyCount(port: Int, timeoutSeconds: Int = 2) -> Int? {
        guard let reply = command("DBSIZE", port: port, timeoutSeconds: timeoutSeconds), reply.hasPrefix(":") else { return nil }
        return Int(reply.dropFirst().trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// One inline command, its first reply line (e.g. "+PONG", ":42").
    static func command(_ text: String, port: Int, timeoutSeconds: Int) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { return nil }
        let line = text + "\r\n"
        _ = line.withCString { send(fd, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self).components(separatedBy: "\r\n").first
    }
}
