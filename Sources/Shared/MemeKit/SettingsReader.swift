import Foundation

/// A configuration value that could not be used. The message names the flag and the
/// environment variable, so an operator knows exactly what to fix.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Twelve-factor settings, the one reader of every program: a flag wins over the environment,
/// the environment over the default. Flags are passed in keyed by their environment variable
/// name, so one table (`MemeEnv.all`) drives both, and every error names the flag and the
/// variable, the one the value came from first: `--nats-ack-wait (NATS_ACK_WAIT) must be …`.
public struct SettingsReader: Sendable {
    public var flags: [String: String]
    public var environment: [String: String]

    public init(flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.flags = flags
        self.environment = environment
    }

    /// The raw value and where it came from (both names, for errors), nil when unset or blank.
    public func raw(_ env: String) -> (value: String, origin: String)? {
        if let v = flags[env], !v.trimmingCharacters(in: .whitespaces).isEmpty {
            return (v.trimmingCharacters(in: .whitespaces), Self.origin(env, fromFlag: true))
        }
        if let v = environment[env], !v.trimmingCharacters(in: .whitespaces).isEmpty {
            return (v.trimmingCharacters(in: .whitespaces), Self.origin(env, fromFlag: false))
        }
        return nil
    }

    /// "--nats-ack-wait (NATS_ACK_WAIT)" for a flag, "NATS_ACK_WAIT (--nats-ack-wait)" for the
    /// environment, just the variable for one without a flag (secrets).
    public static func origin(_ env: String, fromFlag: Bool) -> String {
        guard let flag = MemeEnv.flag(for: env) else { return env }
        return fromFlag ? "--\(flag) (\(env))" : "\(env) (--\(flag))"
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

    /// One of `choices` (compared without case), e.g. a mode or a log level.
    public func choice(_ env: String, default value: String, among choices: [String]) throws -> String {
        guard let (text, origin) = raw(env) else { return value }
        guard let match = choices.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
            throw SettingsError("\(origin) must be one of \(choices.joined(separator: ", ")), got '\(text)'")
        }
        return match
    }

    /// LOG_LEVEL: one of swift-log's level names (MemeKit does not link swift-log; the programs
    /// turn the name into a `Logger.Level`).
    public func logLevel(default value: String = "info") throws -> String {
        try choice(MemeEnv.logLevel, default: value, among: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
    }

    /// A URL with one of the given schemes and a host, e.g. `http://host:9090`. Credentials in
    /// the URL are never echoed back in the error.
    public func url(_ env: String, default value: String, schemes: [String]) throws -> String {
        try optionalURL(env, schemes: schemes) ?? value
    }

    /// `url(_:default:schemes:)` for a setting without a default (nil when unset).
    public func optionalURL(_ env: String, schemes: [String]) throws -> String? {
        guard let (text, origin) = raw(env) else { return nil }
        try Self.checkURL(text, origin: origin, schemes: schemes)
        return text
    }

    /// `url(_:default:schemes:)`, or nil for `off` (also `none`, `disabled`): a service turned off.
    public func urlOrOff(_ env: String, default value: String, schemes: [String]) throws -> String? {
        if let (text, _) = raw(env), ["off", "none", "disabled"].contains(text.lowercased()) { return nil }
        return try url(env, default: value, schemes: schemes)
    }

    /// A server list as the nats CLI takes it: comma-separated URLs (`ServerList`), each with one
    /// of `schemes`. Returned as given, so it can be passed on and shown (redacted) as one value.
    public func servers(_ env: String, default value: String, schemes: [String]) throws -> String {
        guard let (text, origin) = raw(env) else { return value }
        let list = ServerList.split(text)
        guard !list.isEmpty else { throw SettingsError("\(origin) names no server, got '\(Self.redacted(text))'") }
        for url in list { try Self.checkURL(url, origin: origin, schemes: schemes) }
        return text
    }

    private static func checkURL(_ candidate: String, origin: String, schemes: [String]) throws {
        guard let u = URLComponents(string: candidate), let scheme = u.scheme?.lowercased(),
              schemes.contains(scheme), let host = u.host, !host.isEmpty
        else {
            throw SettingsError("\(origin) must be a URL like \(schemes[0])://host:port, got '\(Self.redacted(candidate))'")
        }
    }

    /// A JetStream stream or consumer name: letters, digits, '-' and '_'.
    public func name(_ env: String, default value: String) throws -> String {
        guard let (v, origin) = raw(env) else { return value }
        guard v.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw SettingsError("\(origin) may hold only letters, digits, '-' and '_', got '\(v)'")
        }
        return v
    }

    /// A NATS subject to publish on: dot-separated tokens, no wildcards or spaces.
    public func subject(_ env: String, default value: String) throws -> String {
        guard let (v, origin) = raw(env) else { return value }
        let tokens = v.split(separator: ".", omittingEmptySubsequences: false)
        guard !tokens.contains(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) || $0 == "*" || $0 == ">" }) else {
            throw SettingsError("\(origin) must be a NATS subject without wildcards like meme.request, got '\(v)'")
        }
        return v
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

    /// NATS_ACK_WAIT → nats-ack-wait (the rule is `MemeEnv.flagName`).
    public static func flagName(_ env: String) -> String { MemeEnv.flagName(env) }

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
