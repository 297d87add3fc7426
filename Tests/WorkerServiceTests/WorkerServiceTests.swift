import Foundation
import MemeKit
import Testing
@testable import WorkerService

@Suite struct DeliveryPolicyTests {
    let policy = DeliveryPolicy(maxDeliver: 3)

    @Test func badInputIsTerminatedAtOnce() {
        #expect(policy.decide(.rejected("field 'prompt' is empty"), delivery: 1) == .failAndTerminate("field 'prompt' is empty"))
    }

    @Test func transientFailuresBackOffThenGiveUpWithAnError() {
        #expect(policy.decide(.transient("timeout", retryAfterSeconds: nil), delivery: 1) == .nak(delaySeconds: 1))
        #expect(policy.decide(.transient("timeout", retryAfterSeconds: nil), delivery: 2) == .nak(delaySeconds: 2))
        #expect(policy.decide(.transient("busy", retryAfterSeconds: 7), delivery: 1) == .nak(delaySeconds: 7))
        #expect(policy.decide(.transient("timeout", retryAfterSeconds: nil), delivery: 3)
            == .failAndTerminate("timeout (gave up after 3 attempts)"))
    }

    @Test func successAcks() {
        #expect(policy.decide(.succeeded, delivery: 2) == .ack)
    }
}

@Suite struct CacheKeyTests {
    @Test func keysChangeWithEverythingThatChangesTheImage() {
        let a = MemeRequest(prompt: "cat")
        var b = a; b.smallImage = true
        var c = a; c.topText = "hi"
        let keys = Set([a, b, c].map { CacheKey.image(for: $0, source: "offline") })
        #expect(keys.count == 3)
        #expect(CacheKey.image(for: a, source: "offline") != CacheKey.image(for: a, source: "hf"))
    }
}

@Suite struct WorkerMetricsTests {
    @Test func exposesTheOriginalNamesAndPassesPromtool() throws {
        let m = WorkerMetrics()
        m.requests.increment()
        m.completed()
        m.processing.record(0.2)
        let page = m.render()
        for name in ["meme_generator_requests_total", "meme_generator_success_total", "meme_generator_errors_total",
                     "meme_generator_cache_hits_total", "meme_generator_cache_misses_total", "meme_generator_cache_errors_total",
                     "meme_generator_processing_duration_seconds_bucket", "meme_generator_generation_duration_seconds_count",
                     "memegenerator_pod_productivity"] {
            #expect(page.contains(name), "missing \(name)")
        }
        #expect(try promtoolCheck(page) == "")
    }
}

/// Runs the real `promtool check metrics` on a page; returns its complaints ("" when clean).
func promtoolCheck(_ page: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory
    let input = dir.appendingPathComponent("metrics-\(UUID().uuidString).txt")
    try page.write(to: input, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "promtool check metrics < '\(input.path)' 2>&1"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return p.terminationStatus == 0 ? "" : out
}

@Suite struct ProductivityWindowTests {
    @Test func oldSamplesAreDroppedWithoutOverlappingAccess() {
        // Regression: trimming used to read the array inside its own removeAll (an exclusivity crash after 60 s).
        let window = ProductivityWindow(window: 0)
        for _ in 0..<100 { _ = window.record(completions: 1) }
        #expect(window.sampleCount <= 3)
    }
}
