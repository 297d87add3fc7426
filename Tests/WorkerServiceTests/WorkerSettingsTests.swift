import Foundation
import MemeKit
import SettingsCases
import Testing
@testable import WorkerService

@Suite struct WorkerSettingsTests {
    @Test func defaultsWorkLocally() throws {
        let s = try WorkerSettings.resolve(SettingsReader(environment: [:]))
        #expect(s.natsURL == MemeDefaults.natsURL && s.queue.servers == ["nats://127.0.0.1:4222"])
        #expect(s.stream == "MEMES" && s.consumer == "meme-generator" && s.requestSubject == "meme.request")
        #expect(s.errorSubject == "meme.response.error")
        #expect(s.ackWaitSeconds == 60 && s.maxDeliver == 3 && s.redisURL == MemeDefaults.redisURL)
        #expect(s.cacheTTLSeconds == 3600 && s.resultTTLSeconds == 600 && s.hfToken == nil)
        #expect(s.hfURL == MemeDefaults.hfDefaultURL && s.hfFastURL == MemeDefaults.hfFastModelURL && s.hfTimeoutSeconds == 60)
        #expect(s.metricsHost == "0.0.0.0" && s.metricsPort == 9091 && s.concurrency == 2 && s.drainGraceSeconds == 20)
        #expect(s.maxPromptCharacters == 500 && s.workerName == ProcessInfo.processInfo.hostName && s.logLevel == .info)
    }

    /// Every variable: from the environment, the flag winning, a bad value naming flag and variable.
    @Test func everyVariable() {
        let cases: [SettingCase<WorkerSettings>] = [
            SettingCase(MemeEnv.natsURL, "nats://a:1,nats://b:2", bad: "http://x") { $0.queue.servers == ["nats://a:1", "nats://b:2"] },
            SettingCase(MemeEnv.natsStream, "S", bad: "a b") { $0.stream == "S" },
            SettingCase(MemeEnv.natsConsumer, "c-1", bad: "c.1") { $0.consumer == "c-1" },
            SettingCase(MemeEnv.requestSubject, "a.b", bad: "a.*") { $0.requestSubject == "a.b" },
            SettingCase(MemeEnv.responseSubject, "c.d", bad: "c..d") { $0.errorSubject == "c.d.error" },
            SettingCase(MemeEnv.ackWait, "2", bad: "soon") { $0.ackWaitSeconds == 2 },
            SettingCase(MemeEnv.maxDeliver, "4", bad: "0") { $0.maxDeliver == 4 },
            SettingCase(MemeEnv.redisURL, "off", bad: "r:6379") { $0.redisURL.isEmpty },
            SettingCase(MemeEnv.cacheTTL, "5", bad: "-1") { $0.cacheTTLSeconds == 5 },
            SettingCase(MemeEnv.resultTTL, "7", bad: "week") { $0.resultTTLSeconds == 7 },
            SettingCase(MemeEnv.hfToken, "hf_x") { $0.hfToken == "hf_x" && !"\($0)".contains("hf_x") },
            SettingCase(MemeEnv.hfURL, "http://127.0.0.1:1/m", bad: "ftp://x") { $0.hfURL == "http://127.0.0.1:1/m" },
            SettingCase(MemeEnv.hfFastURL, "https://h/fast", bad: "h/fast") { $0.hfFastURL == "https://h/fast" },
            SettingCase(MemeEnv.hfTimeout, "2.5", bad: "0") { $0.hfTimeoutSeconds == 2.5 },
            SettingCase(MemeEnv.metricsAddress, "127.0.0.1:9090", bad: "nope") { $0.metricsHost == "127.0.0.1" && $0.metricsPort == 9090 },
            SettingCase(MemeEnv.workerConcurrency, "3", bad: "0") { $0.concurrency == 3 },
            SettingCase(MemeEnv.workerDrainGrace, "1.5", bad: "-1") { $0.drainGraceSeconds == 1.5 },
            SettingCase(MemeEnv.maxPromptChars, "50", bad: "many") { $0.maxPromptCharacters == 50 },
            SettingCase(MemeEnv.workerName, "w-7") { $0.workerName == "w-7" },
            SettingCase(MemeEnv.logLevel, "DEBUG", bad: "loud") { $0.logLevel == .debug },
            // The MEMES bound (issue 18 item 8), declared with the stream.
            SettingCase(MemeEnv.streamMaxMessages, "20", bad: "0") { $0.streamBounds.maxMessages == 20 },
            SettingCase(MemeEnv.streamMaxBytes, "1048576", bad: "12") { $0.streamBounds.maxBytes == 1_048_576 },
            SettingCase(MemeEnv.streamReplicas, "3", bad: "7") { $0.streamBounds.replicas == 3 },
        ]
        let problems = settingsProblems(cases, reads: WorkerSettings.environmentNames, without: [MemeEnv.hfTokenFile],
                                        resolve: WorkerSettings.resolve)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func theTokenComesFromTheEnvironmentOrAFileNeverAFlag() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
        try "hf_file\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try WorkerSettings.resolve(SettingsReader(environment: [MemeEnv.hfTokenFile: file.path])).hfToken == "hf_file")
        #expect(try WorkerSettings.resolve(SettingsReader(flags: [MemeEnv.hfToken: "hf_flag"], environment: [:])).hfToken == nil)
        #expect(throws: SettingsError("HF_API_TOKEN_FILE names '/nonexistent/t', which cannot be read")) {
            try WorkerSettings.resolve(SettingsReader(environment: [MemeEnv.hfTokenFile: "/nonexistent/t"]))
        }
    }
}
