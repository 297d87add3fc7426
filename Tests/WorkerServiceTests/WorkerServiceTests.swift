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

@Suite struct WorkerSettingsTests {
    @Test func defaultsWorkLocally() throws {
        let s = try WorkerSettings.resolve(SettingsReader(environment: [:]))
        #expect(s.natsURL == "nats://127.0.0.1:4222")
        #expect(s.errorSubject == "meme.response.error")
        #expect(s.hfToken == nil)
        #expect(s.metricsPort == 9091)
    }

    @Test func environmentNamesAreTheOriginals() throws {
        let s = try WorkerSettings.resolve(SettingsReader(environment: [
            "NATS_URL": "nats://n:4222", "NATS_STREAM": "S", "NATS_CONSUMER": "c", "NATS_REQUEST_SUBJECT": "a.b",
            "NATS_RESPONSE_SUBJECT": "c.d", "REDIS_URL": "redis://r:6379", "HF_API_TOKEN": "hf_x",
            "HF_API_URL": "http://127.0.0.1:1/m", "CACHE_TTL": "5", "METRICS_ADDR": "0.0.0.0:9090",
            "NATS_ACK_WAIT": "2", "NATS_MAX_DELIVER": "4", "WORKER_CONCURRENCY": "3",
        ]))
        #expect(s.stream == "S" && s.consumer == "c" && s.requestSubject == "a.b" && s.errorSubject == "c.d.error")
        #expect(s.ackWaitSeconds == 2 && s.maxDeliver == 4 && s.concurrency == 3 && s.cacheTTLSeconds == 5)
        #expect(s.metricsPort == 9090)
        #expect(s.hfToken == "hf_x")
        #expect(!s.description.contains("hf_x"))
    }

    @Test func badValuesNameTheSetting() {
        #expect(throws: SettingsError("NATS_REQUEST_SUBJECT must be a NATS subject without wildcards like meme.request, got 'meme.*'")) {
            try WorkerSettings.resolve(SettingsReader(environment: ["NATS_REQUEST_SUBJECT": "meme.*"]))
        }
        #expect(throws: SettingsError("--worker-concurrency must be a whole number from 1 to 64, got '0'")) {
            try WorkerSettings.resolve(SettingsReader(flags: ["WORKER_CONCURRENCY": "0"], environment: [:]))
        }
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
