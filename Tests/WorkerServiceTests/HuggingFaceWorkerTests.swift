import Foundation
import MemeKit
import Testing
import TestServers
@testable import MemeImages

/// The real `meme-worker` binary with HF_API_TOKEN set, its model URLs on the local stub.
@Suite(.serialized) struct HuggingFaceWorkerTests {
    func harness(_ stub: HFStubServer, token: String? = nil, full: String = "/image/full", fast: String,
                 extra: [String: String] = [:]) async throws -> WorkerHarness {
        var env = ["HF_API_TOKEN": token ?? stub.token, "HF_API_URL": stub.url(full), "HF_FAST_API_URL": stub.url(fast), "HF_TIMEOUT": "10"]
        env.merge(extra) { $1 }
        return try await WorkerHarness(env: env)
    }

    @Test func answersWithTheStubPictureCaptioned() async throws {
        let stub = try HFStubServer()
        let h = try await harness(stub, fast: "/image/fast")
        defer { h.stopProcesses() }
        try await h.submit(json: #"{"id":"hf-1","prompt":"one does not simply / call an API","small_image":true}"#)
        try await h.submit(json: #"{"id":"hf-2","prompt":"full size"}"#)
        #expect(try await h.waitForAnswers(["hf-1", "hf-2"], timeout: 30).isEmpty)
        for (id, size) in [("hf-1", 512), ("hf-2", 1024)] {
            let answer = try #require(h.answers(for: id).first)
            #expect(answer.ok, "\(id): \(answer.json)")
            #expect(answer.json["content_type"] == .string("image/jpeg"))
            guard case .string(let b64)? = answer.json["image_data"], let jpeg = Data(base64Encoded: b64) else {
                Issue.record("no image_data for \(id)"); continue
            }
            let image = try DecodedImage(bytes: Array(jpeg))
            #expect(image.width == size)
            let c = image.rgb(image.width / 2, image.height / 2)
            #expect(abs(c.r - 200) < 8 && abs(c.g - 30) < 8 && abs(c.b - 160) < 8, "\(id) centre \(c) is not the stub's magenta")
        }
        let paths = try stub.requests().map(\.path).sorted()
        #expect(paths == ["/image/fast", "/image/full"])
        #expect(h.worker?.log.contains("images from Hugging Face") == true)
        #expect(h.worker?.log.contains("answers=JPEG quality 85") == true)
        #expect(h.worker?.log.contains(stub.token) == false)
    }

    @Test func aRejectedTokenIsAnsweredWithAnErrorThatDoesNotShowIt() async throws {
        let stub = try HFStubServer()
        let wrong = "hf_WRONG_\(UUID().uuidString.prefix(8))"
        let h = try await harness(stub, token: wrong, fast: "/image/fast")
        defer { h.stopProcesses() }
        try await h.submit(json: #"{"id":"hf-401","prompt":"who am i","small_image":true}"#)
        #expect(try await h.waitForAnswers(["hf-401"], timeout: 30).isEmpty)
        let answer = try #require(h.answers(for: "hf-401").first)
        #expect(!answer.ok)
        #expect(answer.string == "huggingface image source (permanent): Hugging Face rejected the token (401): Invalid credentials in Authorization header")
        #expect(answer.string?.contains(wrong) == false)
        #expect(try stub.requests().count == 1, "a permanent failure must not be retried")
        try await Task.sleep(for: .milliseconds(200))
        let log = h.worker?.log ?? ""
        #expect(!log.isEmpty && !log.contains(wrong), "the token appears in the worker's log")
    }

    @Test func aLoadingModelIsWaitedFor() async throws {
        let stub = try HFStubServer()
        let h = try await harness(stub, fast: "/loading/w?times=1&estimated=0.3")
        defer { h.stopProcesses() }
        try await h.submit(json: #"{"id":"hf-503","prompt":"patience","fast_mode":true}"#)
        #expect(try await h.waitForAnswers(["hf-503"], timeout: 30).isEmpty)
        #expect(h.answers(for: "hf-503").first?.ok == true)
        #expect(try stub.requests().count == 2)
    }

    @Test func aModelThatNeverLoadsIsNakedThenAnsweredWithAnError() async throws {
        let stub = try HFStubServer()
        // The model asks for 1 s each time; the budget per call is 1 s, so every delivery hands
        // the wait back to JetStream; the second (last) delivery answers with the error.
        let h = try await harness(stub, fast: "/loading/never?times=-1&estimated=1",
                                  extra: ["HF_TIMEOUT": "1", "NATS_MAX_DELIVER": "2"])
        defer { h.stopProcesses() }
        try await h.submit(json: #"{"id":"hf-never","prompt":"forever loading","small_image":true}"#)
        #expect(try await h.waitForAnswers(["hf-never"], timeout: 30).isEmpty)
        let answers = h.answers(for: "hf-never")
        #expect(answers.count == 1)
        #expect(answers.first?.ok == false)
        let error = answers.first?.string ?? ""
        #expect(error.hasPrefix("huggingface image source (transient): the Hugging Face model is loading (503); tried once in "), "\(error)")
        #expect(error.hasSuffix(" s (gave up after 2 attempts)"), "\(error)")
        #expect(h.metric("meme_generator_naks_total") == 1)
        #expect(try stub.requests().count == 2)
    }

    /// A real 1024 px photo from the model, against a nats-server with the default 1 MB
    /// max_payload (the original deployment's): the answer is a JPEG that decodes, shows the photo
    /// and fits.
    @Test func aFullSizePhotoIsAnsweredAsJPEGUnderTheDefaultPayloadLimit() async throws {
        let stub = try HFStubServer()
        let h = try await WorkerHarness(env: ["HF_API_TOKEN": stub.token, "HF_API_URL": stub.url("/photo/full"),
                                              "HF_FAST_API_URL": stub.url("/photo/fast"), "HF_TIMEOUT": "20"],
                                        maxPayload: Self.defaultMaxPayload)
        defer { h.stopProcesses() }
        try await h.submit(json: #"{"id":"hf-photo","prompt":"touch grass / they said"}"#)
        #expect(try await h.waitForAnswers(["hf-photo"], timeout: 60).isEmpty)
        let answer = try #require(h.answers(for: "hf-photo").first)
        #expect(answer.ok, "\(answer.json)")
        #expect(answer.json["content_type"] == .string("image/jpeg"))
        guard case .string(let b64)? = answer.json["image_data"], let jpeg = Data(base64Encoded: b64) else {
            Issue.record("no image_data"); return
        }
        #expect(b64.utf8.count <= Self.defaultMaxPayload, "base64 image is \(b64.utf8.count) bytes")
        #expect(jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
        let image = try DecodedImage(bytes: Array(jpeg))
        #expect(image.width == 1024 && image.height == 1024)
        // Between the captions the answer is the photo (scaled 1:1, re-encoded): compare a band.
        let photo = try DecodedImage(bytes: Array(try Data(contentsOf: Self.photoFixture)))
        var total = 0, count = 0
        for y in stride(from: 400, to: 620, by: 3) {
            for x in stride(from: 0, to: 1024, by: 3) {
                let a = image.rgb(x, y), b = photo.rgb(x, y)
                total += abs(a.r - b.r) + abs(a.g - b.g) + abs(a.b - b.b)
                count += 3
            }
        }
        #expect(Double(total) / Double(count) < 12, "mean difference from the photo: \(Double(total) / Double(count))")
    }

    /// An answer larger than the server's max_payload is an error naming the limit (never a
    /// silent drop), and it is not retried.
    @Test func anAnswerOverTheServersPayloadLimitIsAnErrorNamingIt() async throws {
        let stub = try HFStubServer()
        let limit = 64 * 1024
        let h = try await WorkerHarness(env: ["HF_API_TOKEN": stub.token, "HF_API_URL": stub.url("/photo/full"),
                                              "HF_FAST_API_URL": stub.url("/photo/fast"), "HF_TIMEOUT": "20"],
                                        maxPayload: limit)
        defer { h.stopProcesses() }
        try await h.submit(json: #"{"id":"hf-big","prompt":"too much grass"}"#)
        #expect(try await h.waitForAnswers(["hf-big"], timeout: 60).isEmpty)
        let answers = h.answers(for: "hf-big")
        #expect(answers.count == 1)
        let answer = try #require(answers.first)
        #expect(!answer.ok)
        let error = answer.string ?? ""
        #expect(error.contains("the NATS server's max_payload is \(limit) bytes"), "\(error)")
        #expect(error.hasPrefix("the response is "), "\(error)")
        #expect(try stub.requests().count == 1, "a payload too large for the server must not be retried")
    }

    static let defaultMaxPayload = 1024 * 1024
    static let photoFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/photos/meadow-1024.jpg")
}
