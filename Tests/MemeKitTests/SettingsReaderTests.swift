import Foundation
import Testing
@testable import MemeKit

@Suite struct SettingsReaderTests {
    @Test func flagBeatsEnvironmentBeatsDefault() throws {
        let r = SettingsReader(flags: ["CACHE_TTL": "10"], environment: ["CACHE_TTL": "20", "NATS_MAX_DELIVER": "5"])
        #expect(try r.int("CACHE_TTL", default: 1, range: 0...100) == 10)
        #expect(try r.int("NATS_MAX_DELIVER", default: 3, range: 1...100) == 5)
        #expect(try r.int("NATS_ACK_WAIT", default: 60, range: 1...3600) == 60)
    }

    @Test func errorsNameTheSetting() {
        let r = SettingsReader(flags: ["NATS_ACK_WAIT": "soon"], environment: ["NATS_URL": "http//x", "METRICS_ADDR": "nope", "REDIS_URL": "redis://user:pw@"])
        #expect(throws: SettingsError("--nats-ack-wait (NATS_ACK_WAIT) must be a whole number from 1 to 3600, got 'soon'")) {
            try r.int("NATS_ACK_WAIT", default: 60, range: 1...3600)
        }
        #expect(throws: SettingsError("NATS_URL (--nats-url) must be a URL like nats://host:port, got 'http//x'")) {
            try r.servers("NATS_URL", default: "", schemes: ["nats"])
        }
        #expect(throws: SettingsError("METRICS_ADDR (--metrics-addr) must be host:port like 0.0.0.0:9090, got 'nope'")) {
            try r.hostPort("METRICS_ADDR", default: "0.0.0.0:9090")
        }
        // A secret has no flag: only the variable is named.
        #expect(SettingsReader.origin("HF_API_TOKEN_FILE", fromFlag: false) == "HF_API_TOKEN_FILE")
        do {
            _ = try r.url("REDIS_URL", default: "", schemes: ["redis"])
            Issue.record("accepted a URL without host")
        } catch {
            #expect(!"\(error)".contains("pw"))
        }
    }

    @Test func secretsComeFromEnvironmentOrFileOnly() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
        try "hf_secret\n".write(to: file, atomically: true, encoding: .utf8)
        let r = SettingsReader(flags: ["HF_API_TOKEN": "from-flag"], environment: ["HF_API_TOKEN_FILE": file.path])
        #expect(try r.secret("HF_API_TOKEN", fileEnv: "HF_API_TOKEN_FILE") == "hf_secret")
        let missing = SettingsReader(environment: ["HF_API_TOKEN_FILE": "/nonexistent/x"])
        #expect(throws: SettingsError.self) { try missing.secret("HF_API_TOKEN", fileEnv: "HF_API_TOKEN_FILE") }
        #expect(SettingsReader.redacted("nats://bob:pw@h:4222") == "nats://***@h:4222")
    }

    @Test func redactedDropsCredentialsAndTokenQueries() {
        let cases: [(String, String)] = [
            ("nats://127.0.0.1:4222", "nats://127.0.0.1:4222"),
            ("nats://bob:pw@h:4222", "nats://***@h:4222"),
            ("nats://tok3n@h:4222", "nats://***@h:4222"),
            ("http://h:9090/api/v1/query?token=s3cret&q=up#frag", "http://h:9090/api/v1/query"),
            ("https://user:pa:ss@h/x?access_token=s3cret", "https://***@h/x"),
            // Unescaped '/', '?', ' ' or '@' in a password: Foundation would not parse these.
            ("nats://bob:p/w?x@h:4222", "nats://***@h:4222"),
            ("nats://bob:p w@@h:4222", "nats://***@h:4222"),
            ("bob:pw@h:4222", "***@h:4222"),
            ("nats://a:pw@h1:4222,nats://h2:4222,nats://b:p,w@h3:4222", "nats://***@h1:4222,nats://h2:4222,nats://***@h3:4222"),
            ("", ""),
        ]
        for (url, expected) in cases {
            let r = SettingsReader.redacted(url)
            #expect(r == expected, "\(url)")
            #expect(!r.contains("pw") && !r.contains("s3cret") && !r.contains("tok3n"), "\(url)")
        }
    }

    @Test func choicesUrlsNamesSubjectsAndOff() throws {
        let r = SettingsReader(flags: ["MEME_CONSOLE_MODE": "Local"], environment: [
            "NATS_URL": "nats://a:4222, nats://b:4222,", "REDIS_URL": "off", "NATS_STREAM": "MEMES.x", "NATS_REQUEST_SUBJECT": "meme.*",
            "LOG_LEVEL": "loud", "NATS_MONITOR_URL": "http://h:8222",
        ])
        #expect(try r.choice("MEME_CONSOLE_MODE", default: "auto", among: ["auto", "cluster", "local"]) == "local")
        #expect(try r.servers("NATS_URL", default: "", schemes: ["nats"]) == "nats://a:4222, nats://b:4222,")
        #expect(try r.urlOrOff("REDIS_URL", default: "redis://h:1", schemes: ["redis"]) == nil)
        #expect(try r.optionalURL("NATS_MONITOR_URL", schemes: ["http"]) == "http://h:8222")
        #expect(try r.optionalURL("PROMETHEUS_URL", schemes: ["http"]) == nil)
        #expect(throws: SettingsError("NATS_STREAM (--nats-stream) may hold only letters, digits, '-' and '_', got 'MEMES.x'")) {
            try r.name("NATS_STREAM", default: "MEMES")
        }
        #expect(throws: SettingsError("NATS_REQUEST_SUBJECT (--nats-request-subject) must be a NATS subject without wildcards like meme.request, got 'meme.*'")) {
            try r.subject("NATS_REQUEST_SUBJECT", default: "meme.request")
        }
        #expect(throws: SettingsError("LOG_LEVEL (--log-level) must be one of trace, debug, info, notice, warning, error, critical, got 'loud'")) {
            try r.logLevel()
        }
        #expect(throws: SettingsError.self) { try SettingsReader(environment: ["NATS_URL": " , "]).servers("NATS_URL", default: "", schemes: ["nats"]) }
    }
}

@Suite struct ServerListTests {
    @Test func splitsOnEveryCommaAsTheNatsCLIDoes() {
        #expect(ServerList.split("nats://a:4222") == ["nats://a:4222"])
        #expect(ServerList.split(" nats://a:4222 , nats://b:4222,,") == ["nats://a:4222", "nats://b:4222"])
        #expect(ServerList.split("a:4222,b:4222") == ["a:4222", "b:4222"])
        #expect(ServerList.split("") == [])
    }
}
