import ConsoleUI
import MemeKit
import SettingsCases
import Testing
@testable import LoadEngine

@Suite struct LoadSettingsTests {
    @Test func defaultsAreABurstOfAHundredOverNATS() throws {
        let s = try LoadSettings.resolve(SettingsReader(environment: [:]))
        #expect(s.count == 100 && s.rate == nil && s.concurrency == 256 && s.via == .nats && s.promptsFile == nil)
        #expect(s.queue == QueueSettings() && s.webURL == "http://127.0.0.1:8080" && s.timeoutSeconds == 120)
        #expect(s.smallImage && !s.fastMode && s.idPrefix == "load-" && s.pace == "burst, 256 in flight at most")
        let c = s.configuration(prompts: .builtIn)
        #expect(c.transport == .nats && c.stream == "MEMES" && c.consumer == "meme-generator" && c.fastMode == nil)
    }

    /// The queue's variables, as every program reads them.
    @Test func everyVariable() {
        let cases: [SettingCase<LoadSettings>] = [
            SettingCase(MemeEnv.natsURL, "nats://a:1,nats://b:2", bad: "https://a") { $0.queue.servers == ["nats://a:1", "nats://b:2"] },
            SettingCase(MemeEnv.natsStream, "S", bad: "S.x") { $0.configuration(prompts: .builtIn).stream == "S" },
            SettingCase(MemeEnv.natsConsumer, "c", bad: "c*") { $0.configuration(prompts: .builtIn).consumer == "c" },
            SettingCase(MemeEnv.requestSubject, "a.b", bad: "a.>") { $0.configuration(prompts: .builtIn).requestSubject == "a.b" },
            SettingCase(MemeEnv.responseSubject, "c.d", bad: "c d") { $0.configuration(prompts: .builtIn).responseSubject == "c.d" },
            // The stream as the workers declare it, should this run create it.
            SettingCase(MemeEnv.streamMaxMessages, "20", bad: "0") { $0.configuration(prompts: .builtIn).streamBounds.maxMessages == 20 },
            SettingCase(MemeEnv.streamMaxBytes, "1048576", bad: "12") { $0.streamBounds.maxBytes == 1_048_576 },
            SettingCase(MemeEnv.streamReplicas, "3", bad: "7") { $0.configuration(prompts: .builtIn).streamBounds.replicas == 3 },
        ]
        let problems = settingsProblems(cases, reads: LoadSettings.environmentNames, resolve: { try LoadSettings.resolve($0) })
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func theRunsOwnFlagsAreChecked() {
        func problem(_ change: (inout LoadSettings) -> Void) -> String? {
            var s = LoadSettings()
            change(&s)
            do { _ = try LoadSettings.resolve(SettingsReader(environment: [:]), run: s); return nil } catch { return "\(error)" }
        }
        #expect(problem { $0.count = 0 } == "--count must be 1…\(LoadEngine.maxBurst), not 0")
        #expect(problem { $0.rate = 0 } == "--rate must be above 0 and at most 10000 per second, not 0.0")
        #expect(problem { $0.concurrency = 20_000 } == "--concurrency must be 1…10000, not 20000")
        #expect(problem { $0.timeoutSeconds = .infinity } == "--timeout must be above 0 and at most 86400 seconds, not inf")
        #expect(problem { $0.idPrefix = "a b" } == "id prefix 'a b' must not contain spaces or '/'")
        #expect(problem { $0.via = .web; $0.webURL = "127.0.0.1:8080" } == "web URL '127.0.0.1:8080' must start with http:// or https://")
        #expect(problem { $0.promptsFile = "/nonexistent/prompts" }?.hasPrefix("--prompts: ") == true)
        #expect(problem { $0.rate = 20; $0.via = .web } == nil)
    }
}

@Suite struct LoadReportTests {
    static func settings(count: Int = 3, via: LoadSettings.Via = .nats) -> LoadSettings {
        var s = LoadSettings()
        s.count = count
        s.via = via
        s.timeoutSeconds = 30
        return s
    }

    @Test func everyAnswerIsExitZero() throws {
        var snapshot = LoadSnapshot()
        (snapshot.sent, snapshot.stored, snapshot.answered) = (3, 3, 3)
        let report = LoadReport(snapshot: snapshot, unanswered: [], interrupted: false, settings: Self.settings())
        #expect(report.problems.isEmpty && report.exitCode == 0)
        #expect(report.summary.hasPrefix("sent        3\nstored      3   duplicates 0\nanswered    3   errors 0"))
        #expect(try report.json().hasPrefix(#"{"interrupted":false,"snapshot":{"#))
    }

    @Test func missingAndErrorAnswersAreNamedAndExitOne() {
        var snapshot = LoadSnapshot()
        (snapshot.sent, snapshot.stored, snapshot.inFlight, snapshot.publishErrors, snapshot.answerErrors) = (3, 2, 1, 1, 1)
        snapshot.recent = [RecentMeme(id: "load-e", prompt: "p", latencyMilliseconds: 5, ok: false, error: "boom")]
        snapshot.lastError = "boom"
        let report = LoadReport(snapshot: snapshot, unanswered: ["load-a"], interrupted: false, settings: Self.settings(count: 4, via: .web))
        #expect(report.problems == [
            "2 of 3 requests were not answered within 30 s (1 failed to publish): load-a, …",
            "1 requests were answered with an error: load-e (last: boom)",
            "only 3 of 4 requests were sent",
        ])
        #expect(report.exitCode == 1 && report.summary.contains("(accepted by meme-web)"))
        let stopped = LoadReport(snapshot: snapshot, unanswered: ["load-a"], interrupted: true, settings: Self.settings(count: 4))
        #expect(stopped.exitCode == 130 && stopped.problems.first?.contains("before the interrupt") == true && stopped.problems.count == 2)
    }

    @Test func progressLine() {
        var s = LoadSnapshot()
        (s.sent, s.rateLimited) = (2, 1)
        #expect(LoadReport.progress(s, count: 5) == "sent 2/5 stored 0 answered 0 errors 0 in-flight 0 p50 – p95 – 429s 1")
    }
}
