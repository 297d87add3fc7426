import ArgumentParser
import MemeKit
import Testing
@testable import SettingsFlags

@Suite struct SettingsFlagsTests {
    static func table(_ arguments: [String]) throws -> SettingsFlagTable {
        var table = SettingsFlagTable()
        try QueueFlags.parse(arguments).add(to: &table)
        return table
    }

    @Test func flagsAreNamedAfterTheirVariables() throws {
        let t = try Self.table(["--nats-url", "nats://a:1,nats://b:2", "--nats-stream", "S", "--nats-consumer", "c",
                                "--nats-request-subject", "a.b", "--nats-response-subject", "c.d"])
        #expect(t.values == ["NATS_URL": "nats://a:1,nats://b:2", "NATS_STREAM": "S", "NATS_CONSUMER": "c",
                             "NATS_REQUEST_SUBJECT": "a.b", "NATS_RESPONSE_SUBJECT": "c.d"])
        #expect(t.warnings.isEmpty)
        let q = try QueueSettings.resolve(SettingsReader(flags: t.values, environment: ["NATS_STREAM": "ignored"]))
        #expect(q.stream == "S" && q.servers.count == 2)
    }

    @Test func formerSpellingsStillWorkWithAWarning() throws {
        let t = try Self.table(["--stream", "S", "--consumer", "c", "--request-subject", "a.b", "--response-subject", "c.d"])
        #expect(t.values == ["NATS_STREAM": "S", "NATS_CONSUMER": "c", "NATS_REQUEST_SUBJECT": "a.b", "NATS_RESPONSE_SUBJECT": "c.d"])
        #expect(t.warnings.first == "--stream is deprecated; use --nats-stream" && t.warnings.count == 4)
        // The same value twice is fine; two different ones are an error naming both.
        #expect(try Self.table(["--stream", "S", "--nats-stream", "S"]).values["NATS_STREAM"] == "S")
        #expect(throws: ValidationError.self) { try Self.table(["--stream", "A", "--nats-stream", "B"]) }
    }

    @Test func deprecatedSpellingsAreHiddenFromHelp() {
        // Help is wrapped to the terminal's width: compare with the whitespace folded.
        let help = QueueFlags.helpMessage(columns: 200).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("--nats-request-subject") && help.contains("(env: NATS_REQUEST_SUBJECT; default meme.request)"))
        #expect(!help.contains("--request-subject "))
    }

    @Test func everyDeprecatedSpellingIsListedInMemeEnv() {
        let deprecated = MemeEnv.all.flatMap(\.deprecatedFlags)
        #expect(Set(deprecated) == ["stream", "consumer", "request-subject", "response-subject", "kube-api",
                                    "worker-concurrency", "worker-drain-grace", "worker-name"])
    }

    @Test func aFlagWithoutValueIsTrue() {
        var t = SettingsFlagTable()
        t.set("WEB_TRUSTED_PROXY", false)
        #expect(t.values.isEmpty)
        t.set("WEB_TRUSTED_PROXY", true)
        #expect(t.values == ["WEB_TRUSTED_PROXY": "true"])
    }
}
