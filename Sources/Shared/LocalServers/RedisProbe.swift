import Foundation

/// Inline Redis commands over a raw socket, for readiness checks (no dependency on the Redis client under test).
public enum RedisProbe {
    public static func ping(port: Int, timeoutSeconds: Int = 2) -> Bool {
        // A loading Redis answers "-LOADING …": up, but not ready.
        command("PING", port: port, timeoutSeconds: timeoutSeconds) == "+PONG"
    }

    /// DBSIZE: the number of keys, nil when Redis does not answer.
    public static func keyCount(port: Int, timeoutSeconds: Int = 2) -> Int? {
        guard let reply = command("DBSIZE", port: port, timeoutSeconds: timeoutSeconds), reply.hasPrefix(":") else { return nil }
        return Int(reply.dropFirst().trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// One inline command, its first reply line (e.g. "+PONG", ":42").
    static func command(_ text: String, port: Int, timeoutSeconds: Int) -> String? {
        guard let data = LoopbackExchange.send(text + "\r\n", port: port, timeoutSeconds: timeoutSeconds, untilClosed: false) else { return nil }
        return String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n").first
    }
}
