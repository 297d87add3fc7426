import Foundation
import Testing
@testable import MemeKit

@Suite struct MemeEnvTests {
    @Test func flagsAreDerivedFromVariablesByOneRule() {
        #expect(MemeEnv.flagName("NATS_REQUEST_SUBJECT") == "nats-request-subject")
        #expect(MemeEnv.flagName("WEB_RATE_LIMIT") == "rate-limit")
        #expect(MemeEnv.flagName("MEME_CONSOLE_INTERVAL") == "interval")
        #expect(MemeEnv.flagName("MEME_NAMESPACE") == "namespace")
        #expect(MemeEnv.flagName("WORKER_CONCURRENCY") == "concurrency")
        #expect(MemeEnv.flagName("SUPERVISOR_METRICS_ADDR") == "metrics-addr")
        #expect(MemeEnv.flagName("KUBE_API_URL") == "kube-api-url")
        #expect(MemeEnv.flag(for: "HF_API_TOKEN") == nil)
        #expect(MemeEnv.flag(for: "KUBERNETES_SERVICE_HOST") == nil)
    }

    @Test func everyVariableIsListedOnceWithItsConstantAndASummary() {
        let names = MemeEnv.all.map(\.name)
        #expect(Set(names).count == names.count, "a variable is listed twice")
        #expect(names.count >= 40)
        for v in MemeEnv.all {
            #expect(!v.summary.isEmpty && !v.programs.isEmpty, "\(v.name)")
            #expect(v.name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }, "\(v.name)")
            // A deprecated spelling never collides with a current flag.
            for old in v.deprecatedFlags { #expect(!MemeEnv.all.contains { $0.flag == old }, "--\(old)") }
        }
    }

    /// The `static let … = "NAME"` constants of `enum MemeEnv` (what the manifests test reads) are the listed names.
    @Test func theConstantsAreTheListedNames() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Shared/MemeKit/Defaults.swift")
        let text = try String(contentsOf: file, encoding: .utf8)
        let body = try #require(text.range(of: "public enum MemeEnv {").map { text[$0.upperBound...] })
        let constants = body.split(separator: "\n").prefix { $0 != "}" }.compactMap { line -> String? in
            guard line.contains("static let"), let open = line.firstIndex(of: "\""), let close = line.lastIndex(of: "\""), open < close else { return nil }
            return String(line[line.index(after: open)..<close])
        }
        #expect(Set(constants) == Set(MemeEnv.all.map(\.name)))
        #expect(constants.count == MemeEnv.all.count)
    }

    @Test func noTwoVariablesOfOneProgramShareAFlag() {
        for program in MemeVariable.Program.allCases {
            let flags = MemeEnv.all.filter { $0.programs.contains(program) }.flatMap { [$0.flag].compactMap { $0 } + $0.deprecatedFlags }
            #expect(Set(flags).count == flags.count, "\(program.rawValue): \(flags)")
        }
    }

    /// docs/operations.md's configuration table is `MemeEnv.markdownTable()`. MEME_UPDATE_DOCS=1 rewrites it.
    @Test func operationsDocTableMatches() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/operations.md")
        let text = try String(contentsOf: file, encoding: .utf8)
        let begin = "<!-- BEGIN MemeEnv table (generated: MEME_UPDATE_DOCS=1 swift test --filter MemeEnvTests) -->\n"
        let end = "<!-- END MemeEnv table -->"
        let start = try #require(text.range(of: begin), "no BEGIN marker in docs/operations.md")
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex), "no END marker")
        let table = MemeEnv.markdownTable() + "\n"
        if ProcessInfo.processInfo.environment["MEME_UPDATE_DOCS"] == "1" {
            try (text[..<start.upperBound] + table + text[stop.lowerBound...]).write(to: file, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(text[start.upperBound..<stop.lowerBound]) == table, "docs/operations.md is stale: MEME_UPDATE_DOCS=1 swift test --filter MemeEnvTests")
    }
}
