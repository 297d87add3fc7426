import Foundation
import Testing
@testable import MemeKit

/// One size limit for what meme-web publishes and what the worker accepts (issue 18 item 3).
@Suite struct RequestEncodingTests {
    @Test func whatIsEncodedIsWhatTheDecoderAccepts() throws {
        let request = MemeRequest(id: "a1", prompt: "cat / dog", topText: "TOP", submittedAt: 1_700_000_000.5)
        let bytes = try MemeRequestEncoder.encode(request).get()
        #expect(String(decoding: bytes, as: UTF8.self).contains("cat / dog"))  // slashes unescaped
        #expect(try MemeRequestDecoder.decode(bytes, fallbackID: nil).get() == request)
    }

    @Test func aRequestOverTheWorkersLimitIsRefusedByTheSameLimit() {
        // 500 characters (the prompt limit) of 31 bytes each: under the character limit, over the byte limit.
        let prompt = String(repeating: "e" + String(repeating: "\u{301}", count: 32), count: 500)
        let request = MemeRequest(id: "big", prompt: prompt, submittedAt: 1)
        guard case .failure(let error) = MemeRequestEncoder.encode(request) else {
            Issue.record("a \(prompt.utf8.count)-byte prompt was accepted")
            return
        }
        #expect(error.message.hasSuffix("bytes as queued; the limit is \(MemeDefaults.maxRequestBytes)"))
        #expect(error.requestID == "big")
        // The worker would have refused the same bytes.
        let raw = try! JSONEncoder().encode(request)
        #expect(throws: MemeRequestError.self) { try MemeRequestDecoder.decode(raw, fallbackID: nil).get() }
    }

    @Test func workerMetadataCarriesTheRequestsCaptionsAndNeverTheImage() throws {
        let request = MemeRequest(id: "m", prompt: "p", topText: "T", bottomText: "B", submittedAt: 10)
        let done = ResultMetadata.answered(id: "m", request: request, error: nil, imageBytes: 1234, contentType: "image/png",
                                           worker: "w1", at: 20)
        #expect(done.status == .done && done.createdAt == 10 && done.finishedAt == 20 && done.imageBytes == 1234)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(done)) as? [String: Any] ?? [:]
        #expect(Set(json.keys) == ["id", "status", "prompt", "top_text", "bottom_text", "created_at", "finished_at",
                                   "image_bytes", "content_type", "worker"])
        let failed = ResultMetadata.answered(id: "x", request: nil, error: "bad", imageBytes: 9, contentType: "image/png",
                                             worker: nil, at: 30)
        #expect(failed.status == .error && failed.error == "bad" && failed.imageBytes == nil && failed.createdAt == 30)
    }
}
