import MemeKit
import SettingsCases
import Testing
@testable import WebService

@Suite struct WebSettingsTests {
    static func resolve(_ r: SettingsReader) throws -> WebSettings { try WebSettings.resolve(r, publicDirectory: "/pages") }

    @Test func defaultsWorkLocally() throws {
        let s = try Self.resolve(SettingsReader(environment: [:]))
        #expect(s.host == "0.0.0.0" && s.port == 8080 && s.publicDirectory == "/pages" && s.publicURL == nil)
        #expect(s.queue == QueueSettings() && s.redisURL == MemeDefaults.redisURL && s.logLevel == .info)
        #expect(s.rateLimit == 5 && s.rateBurst == 20 && s.addressRateLimit == 50 && s.addressRateBurst == 200)
        #expect(s.globalRateLimit == 100 && s.globalRateBurst == 400 && !s.trustProxy)
        #expect(s.limits.maxPromptCharacters == 500 && s.resultTTLSeconds == 600 && s.recentCapacity == 1000 && s.statsIntervalSeconds == 2)
    }

    /// Every variable: from the environment, the flag winning, a bad value naming flag and variable.
    @Test func everyVariable() {
        let cases: [SettingCase<WebSettings>] = [
            SettingCase(MemeEnv.natsURL, "nats://a:1, nats://b:2", bad: "a:1") { $0.queue.servers == ["nats://a:1", "nats://b:2"] },
            SettingCase(MemeEnv.natsStream, "S", bad: "S.1") { $0.queue.stream == "S" },
            // meme-web creates this consumer when it is missing (it used to create the default one regardless).
            SettingCase(MemeEnv.natsConsumer, "c-1", bad: "c 1") { $0.queue.consumer == "c-1" },
            SettingCase(MemeEnv.requestSubject, "a.b", bad: ">") { $0.queue.requestSubject == "a.b" },
            SettingCase(MemeEnv.responseSubject, "c.d", bad: "c.*") { $0.queue.errorSubject == "c.d.error" },
            SettingCase(MemeEnv.redisURL, "redis://r:1", bad: "http://r") { $0.redisURL == "redis://r:1" },
            SettingCase(MemeEnv.host, "127.0.0.1") { $0.host == "127.0.0.1" },
            SettingCase(MemeEnv.port, "8081", bad: "70000") { $0.port == 8081 },
            SettingCase(MemeEnv.publicURL, "https://memes.example.org", bad: "memes.example.org") { $0.publicURL == "https://memes.example.org" },
            SettingCase(MemeEnv.webPublicAddress, "0.0.0.0:8080", bad: "8080") { $0.publicAddress?.port == 8080 },
            SettingCase(MemeEnv.webPublicDir, "/srv/pages") { $0.publicDirectory == "/srv/pages" },
            SettingCase(MemeEnv.webRateLimit, "0", bad: "-1") { $0.rateLimit == 0 },
            SettingCase(MemeEnv.webRateBurst, "3", bad: "0") { $0.rateBurst == 3 },
            SettingCase(MemeEnv.webAddressRateLimit, "7.5", bad: "fast") { $0.addressRateLimit == 7.5 },
            SettingCase(MemeEnv.webAddressRateBurst, "9", bad: "0") { $0.addressRateBurst == 9 },
            SettingCase(MemeEnv.webGlobalRateLimit, "1000", bad: "x") { $0.globalRateLimit == 1000 },
            SettingCase(MemeEnv.webGlobalRateBurst, "1", bad: "1.5") { $0.globalRateBurst == 1 },
            SettingCase(MemeEnv.webTrustedProxy, "1", bad: "maybe") { $0.trustProxy },
            SettingCase(MemeEnv.webProxyProtocol, "true", bad: "sometimes") { $0.proxyProtocol },
            SettingCase(MemeEnv.webTrustedProxies, "10.0.0.0/8,192.168.1.5", bad: "10.0.0.0/40") {
                $0.trustedProxies.contains("10.1.2.3") && $0.trustedProxies.contains("192.168.1.5") && !$0.trustedProxies.contains("192.168.1.6")
            },
            SettingCase(MemeEnv.maxPromptChars, "50", bad: "0") { $0.limits.maxPromptCharacters == 50 },
            SettingCase(MemeEnv.resultTTL, "60", bad: "forever") { $0.resultTTLSeconds == 60 },
            SettingCase(MemeEnv.webRecentCapacity, "10", bad: "0") { $0.recentCapacity == 10 },
            SettingCase(MemeEnv.webStatsInterval, "0.5", bad: "0") { $0.statsIntervalSeconds == 0.5 },
            SettingCase(MemeEnv.logLevel, "warning", bad: "quiet") { $0.logLevel == .warning },
            // Limits against hostile input and faults (issue 18).
            SettingCase(MemeEnv.webMetricsAddress, "0.0.0.0:9090", bad: "9090") { $0.metricsHost == "0.0.0.0" && $0.metricsPort == 9090 },
            SettingCase(MemeEnv.webHeaderTimeout, "3", bad: "0") { $0.headerTimeoutSeconds == 3 },
            SettingCase(MemeEnv.webIdleTimeout, "30", bad: "never") { $0.idleTimeoutSeconds == 30 },
            SettingCase(MemeEnv.webBodyTimeout, "2.5", bad: "-1") { $0.bodyTimeoutSeconds == 2.5 },
            SettingCase(MemeEnv.webSubmitTimeout, "8", bad: "0") { $0.submitTimeoutSeconds == 8 },
            SettingCase(MemeEnv.webMaxViewers, "20", bad: "0") { $0.maxViewers == 20 },
            SettingCase(MemeEnv.webListRateLimit, "0", bad: "-2") { $0.listRateLimit == 0 },
            SettingCase(MemeEnv.streamMaxMessages, "20", bad: "0") { $0.streamBounds.maxMessages == 20 },
            SettingCase(MemeEnv.streamMaxBytes, "1048576", bad: "12") { $0.streamBounds.maxBytes == 1_048_576 },
            SettingCase(MemeEnv.streamReplicas, "3", bad: "7") { $0.streamBounds.replicas == 3 },
        ]
        let problems = settingsProblems(cases, reads: WebSettings.environmentNames, resolve: Self.resolve)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func redisOffKeepsResultsInMemory() throws {
        #expect(try Self.resolve(SettingsReader(environment: [MemeEnv.redisURL: "off"])).redisURL == nil)
    }
}
