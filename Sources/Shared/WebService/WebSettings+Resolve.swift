import Foundation
import Logging
import MemeKit

extension WebSettings {
    /// The environment names meme-web reads (checked against `MemeEnv.all` and the manifests).
    public static let environmentNames = QueueSettings.environmentNames + [
        MemeEnv.host, MemeEnv.port, MemeEnv.redisURL, MemeEnv.publicURL, MemeEnv.webPublicAddress, MemeEnv.webPublicDir,
        MemeEnv.webRateLimit, MemeEnv.webRateBurst, MemeEnv.webAddressRateLimit, MemeEnv.webAddressRateBurst,
        MemeEnv.webGlobalRateLimit, MemeEnv.webGlobalRateBurst, MemeEnv.webTrustedProxy, MemeEnv.webTrustedProxies, MemeEnv.webProxyProtocol,
        MemeEnv.maxPromptChars, MemeEnv.resultTTL, MemeEnv.webRecentCapacity, MemeEnv.webStatsInterval, MemeEnv.logLevel,
        MemeEnv.webMetricsAddress, MemeEnv.webHeaderTimeout, MemeEnv.webIdleTimeout, MemeEnv.webBodyTimeout,
        MemeEnv.webSubmitTimeout, MemeEnv.webMaxViewers, MemeEnv.webListRateLimit,
    ] + StreamBounds.environmentNames

    /// meme-web's settings, flag → environment → default; errors name the flag and the variable.
    /// `publicDirectory` is the default of WEB_PUBLIC_DIR (the executable finds its page files).
    public static func resolve(_ r: SettingsReader, publicDirectory: @autoclosure () -> String = defaultPublicDirectory()) throws -> WebSettings {
        var s = WebSettings()
        s.queue = try QueueSettings.resolve(r)
        s.redisURL = try r.urlOrOff(MemeEnv.redisURL, default: MemeDefaults.redisURL, schemes: ["redis"])
        s.host = r.string(MemeEnv.host, default: s.host)
        s.port = try r.int(MemeEnv.port, default: s.port, range: 1...65535)
        if let (url, origin) = r.raw(MemeEnv.publicURL) {
            // The wall's own rule (http(s), a host, no spaces), checked now rather than after NATS answers.
            guard (try? WallAddress.resolve(publicURL: url, host: s.host, port: s.port, interfaces: [])) != nil else {
                throw SettingsError("\(origin) must be an http:// or https:// URL with a host, e.g. https://memes.example.org, got '\(SettingsReader.redacted(String(url.prefix(80))))'")
            }
            s.publicURL = url
        }
        if r.raw(MemeEnv.webPublicAddress) != nil {
            let (host, port) = try r.hostPort(MemeEnv.webPublicAddress, default: "\(s.host):\(s.port)")
            s.publicAddress = (host, port)
        }
        s.publicDirectory = r.optionalString(MemeEnv.webPublicDir) ?? publicDirectory()
        s.rateLimit = try r.double(MemeEnv.webRateLimit, default: s.rateLimit, range: 0...1_000_000)
        s.rateBurst = try r.int(MemeEnv.webRateBurst, default: s.rateBurst, range: 1...1_000_000)
        s.addressRateLimit = try r.double(MemeEnv.webAddressRateLimit, default: s.addressRateLimit, range: 0...1_000_000)
        s.addressRateBurst = try r.int(MemeEnv.webAddressRateBurst, default: s.addressRateBurst, range: 1...1_000_000)
        s.globalRateLimit = try r.double(MemeEnv.webGlobalRateLimit, default: s.globalRateLimit, range: 0...1_000_000)
        s.globalRateBurst = try r.int(MemeEnv.webGlobalRateBurst, default: s.globalRateBurst, range: 1...1_000_000)
        s.trustProxy = try r.bool(MemeEnv.webTrustedProxy, default: s.trustProxy)
        s.proxyProtocol = try r.bool(MemeEnv.webProxyProtocol, default: s.proxyProtocol)
        if let (list, origin) = r.raw(MemeEnv.webTrustedProxies) {
            do {
                s.trustedProxies = try TrustedProxies(parsing: list)
            } catch {
                // TrustedProxies names the variable itself; the origin says which of flag and variable held it.
                throw SettingsError("\(origin): " + error.description.replacingOccurrences(of: "\(MemeEnv.webTrustedProxies): ", with: ""))
            }
        }
        s.limits.maxPromptCharacters = try r.int(MemeEnv.maxPromptChars, default: s.limits.maxPromptCharacters, range: 1...10_000)
        s.resultTTLSeconds = try r.int(MemeEnv.resultTTL, default: s.resultTTLSeconds, range: 1...86400)
        s.recentCapacity = try r.int(MemeEnv.webRecentCapacity, default: s.recentCapacity, range: 1...1_000_000)
        s.statsIntervalSeconds = try r.double(MemeEnv.webStatsInterval, default: s.statsIntervalSeconds, range: 0.1...3600)
        s.logLevel = Logger.Level(rawValue: try r.logLevel()) ?? s.logLevel
        // Limits against hostile input and faults (docs/operations.md, "Limits and timeouts").
        (s.metricsHost, s.metricsPort) = try r.hostPort(MemeEnv.webMetricsAddress, default: MemeDefaults.webMetricsAddress)
        s.headerTimeoutSeconds = try r.double(MemeEnv.webHeaderTimeout, default: s.headerTimeoutSeconds, range: 0.1...3600)
        s.idleTimeoutSeconds = try r.double(MemeEnv.webIdleTimeout, default: s.idleTimeoutSeconds, range: 1...86400)
        s.bodyTimeoutSeconds = try r.double(MemeEnv.webBodyTimeout, default: s.bodyTimeoutSeconds, range: 0.1...3600)
        s.submitTimeoutSeconds = try r.double(MemeEnv.webSubmitTimeout, default: s.submitTimeoutSeconds, range: 0.5...120)
        s.maxViewers = try r.int(MemeEnv.webMaxViewers, default: s.maxViewers, range: 1...1_000_000)
        s.listRateLimit = try r.double(MemeEnv.webListRateLimit, default: s.listRateLimit, range: 0...100_000)
        s.streamBounds = try StreamBounds.resolve(r)
        return s
    }

    /// The page files: ./Public, ./Sources/Web/Public, next to the executable, or in the checkout
    /// a SwiftPM build runs from (.build/<triple>/<config>/ is a few levels below it).
    public static func defaultPublicDirectory(executable: String = CommandLine.arguments[0]) -> String {
        let fm = FileManager.default
        var candidates = ["Public", "Sources/Web/Public"]
        let exe = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(exe.appendingPathComponent("Public").path)
        candidates.append(exe.appendingPathComponent("../share/meme-web/Public").standardized.path)
        var dir = exe
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("Sources/Web/Public").path)
        }
        return candidates.first { fm.fileExists(atPath: ($0 as NSString).appendingPathComponent("index.html")) } ?? "Sources/Web/Public"
    }
}
