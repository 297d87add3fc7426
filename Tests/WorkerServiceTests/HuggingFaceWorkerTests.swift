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
            guard case .string(let b64)? = answer.json["image_data"], let png = Data(base64Encoded: b64) else {
                Issue.record("no image_data for \(id)"); continue
            }
            let image = try DecodedImage(png: Array(png))
            #expect(image.width == size)
            let c = image.rgb(image.width / 2, image.height / 2)
            #expect(abs(c.r - 200) < 8 && abs(c.g - 30) < 8 && abs(c.b - 160) < 8, "\(id) centre \(c) is not the stub's magenta")
        }
        let paths = try stub.requests().map(\.path).sorted()
        #expect(paths == ["/image/fast", "/image/full"])
        #expect(h.worker?.log.contains("images from Hugging Face") == true)
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
}
