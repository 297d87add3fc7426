import Foundation

/// A configuration value that could not be used. The message names the flag and the
/// environment variable, so an operator knows exactly what to fix.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Twelve-factor settings: a flag wins over the environment, the environment over the default.
/// Flags are passed in keyed by their environment variable name, so one table drives both.
public struct SettingsReader: Sendable {
    public var flags: [String: String]
    public var environment: [String: String]

    public init(flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.flags = flags
        self.environment = environment
    }

    /// The raw value and where it came from ("--flag" or "ENV"), nil when unset or blank.
    public func raw(_ env: String) -> (value: String, origin: String)? {
        if let v = flags[env], !v.trimmingCharacters(in: .whitespaces).isEmpty {
            return (v.trimmingCharacters(in: .whitespaces), "--" + Self.flagName(env))
        }
        if let v = environment[env], !v.trimmingCharacters(in: .whitespaces).isEmpty {
            return (v.trimmingCharacters(in: .whitespaces), env)
        }
        return nil
    }

    public func string(_ env: String, default value: String) -> String { raw(env)?.value ?? value }

    public func optionalString(_ env: String) -> String? { raw(env)?.value }

    public func int(_ env: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let (text, origin) = raw(env) else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw SettingsError("\(origin) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return n
    }

    public func double(_ env: String, default value: Double, range: ClosedRange<Double>) throws -> Double {
        guard let (text, origin) = raw(env) else { return value }
        guard let n = Double(text), range.contains(n) else {
            throw SettingsError("\(origin) must be a number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return n
    }

    public func bool(_ env: String, default value: Bool) throws -> Bool {
        guard let (text, origin) = raw(env) else { return value }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw SettingsError("\(origin) must be true or false, got '\(text)'")
        }
    }

    /// A URL with one of the given schemes and a host, e.g. `nats://host:4222`. Credentials in
    /// the URL are never echoed back in the error.
    public func url(_ env: String, default value: String, schemes: [String]) throws -> String {
        guard let (text, origin) = raw(env) else { return value }
        for part in text.split(separator: ",") {
            let candidate = String(part).trimmingCharacters(in: .whitespaces)
            guard let u = URLComponents(string: candidate), let scheme = u.scheme?.lowercased(),
                  schemes.contains(scheme), let host = u.host, !host.isEmpty
            else {
                throw SettingsError("\(origin) must be a URL like \(schemes[0])://host:port, got '\(Self.redacted(candidate))'")
            }
        }
        return text
    }

    /// `host:port` for a listener, e.g. `0.0.0.0:9090`.
    public func hostPort(_ env: String, default value: String) throws -> (host: String, port: Int) {
        let (text, origin) = raw(env) ?? (value, "default")
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw SettingsError("\(origin) must be host:port like 0.0.0.0:9090, got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.isEmpty { host = "0.0.0.0" }
        return (host, port)
    }

    /// A secret from `env` or from the file named by `fileEnv`; never from a flag.
    public func secret(_ env: String, fileEnv: String) throws -> String? {
        if let v = environment[env]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty { return v }
        guard let path = environment[fileEnv]?.trimmingCharacters(in: .whitespaces), !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError("\(fileEnv) names '\(path)', which cannot be read")
        }
        let v = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return v.isEmpty ? nil : v
    }

    /// NATS_ACK_WAIT → nats-ack-wait
    public static func flagName(_ env: String) -> String { env.lowercased().replacingOccurrences(of: "_", with: "-") }

    /// The URL (or comma-separated URLs) safe for logs, errors and status lines: `user:password@`
    /// becomes `***@`, and the query and fragment, where tokens ride, are dropped. The one redactor
    /// for every module above MemeKit. String surgery rather than URLComponents, so a URL Foundation
    /// refuses to parse still loses its password; an odd URL may lose more than needed, never less.
    public static func redacted(_ url: String) -> String {
        // A comma starts another URL only when a scheme follows (a password may hold a comma).
        var urls: [Substring] = []
        for piece in url.split(separator: ",", omittingEmptySubsequences: false) {
            if let last = urls.last, !piece.contains("://") {
                urls[urls.count - 1] = url[last.startIndex..<piece.endIndex]
            } else {
                urls.append(piece)
            }
        }
        return urls.map(redactedOne).joined(separator: ",")
    }

    private static func redactedOne(_ url: Substring) -> String {
        let authorityStart = url.range(of: "://")?.upperBound ?? url.startIndex
        var rest = url[authorityStart...]
        // The last @ anywhere: a password may hold '/', '?' or '#' unescaped.
        var masked = ""
        if let at = rest.lastIndex(of: "@") {
            masked = "***@"
            rest = rest[rest.index(after: at)...]
        }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        return String(url[..<authorityStart]) + masked + rest
    }
}
