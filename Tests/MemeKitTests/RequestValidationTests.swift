import Foundation
import Testing
@testable import MemeKit

@Suite struct RequestValidationTests {
    func decode(_ json: String, fallback: String? = "hdr-1") -> Result<MemeRequest, MemeRequestError> {
        MemeRequestDecoder.decode(Array(json.utf8), fallbackID: fallback)
    }

    @Test func seedFormatWithAndWithoutID() throws {
        let full = try decode(#"{"id":"a1","prompt":"cat","fast_mode":true,"small_image":false,"extra":1}"#).get()
        #expect(full == MemeRequest(id: "a1", prompt: "cat", fastMode: true, smallImage: false))
        let bare = try decode(#"{"prompt":"  dog  "}"#).get()
        #expect(bare.id == nil)
        #expect(bare.prompt == "dog")
        #expect(bare.imageSize == 1024)
    }

    @Test(arguments: [
        (#"not json"#, "request is not valid JSON", "hdr-1"),
        (#"[1,2]"#, "request must be a JSON object", "hdr-1"),
        (#"{"id":"x"}"#, "field 'prompt' is missing", "x"),
        (#"{"id":"x","prompt":"   "}"#, "field 'prompt' is empty", "x"),
        (#"{"id":"x","prompt":42}"#, "field 'prompt' must be a string", "x"),
        (#"{"id":7,"prompt":"a"}"#, "field 'id' must be a string", "hdr-1"),
        (#"{"id":"x","prompt":"a","fast_mode":1}"#, "field 'fast_mode' must be true or false", "x"),
        (#"{"id":"x","prompt":"a","small_image":"yes"}"#, "field 'small_image' must be true or false", "x"),
        (#"{"id":"x","prompt":"a","top_text":5}"#, "field 'top_text' must be a string", "x"),
    ])
    func badInputNamesTheProblem(json: String, message: String, id: String) {
        guard case .failure(let error) = decode(json) else { Issue.record("accepted \(json)"); return }
        #expect(error.message == message)
        #expect(error.requestID == id)
    }

    @Test func limitsAndEncoding() {
        let long = String(repeating: "x", count: 501)
        guard case .failure(let e1) = decode(#"{"id":"x","prompt":"\#(long)"}"#) else { Issue.record("long prompt accepted"); return }
        #expect(e1.message == "field 'prompt' has 501 characters; the limit is 500")
        guard case .failure(let e2) = MemeRequestDecoder.decode([0x7B, 0xFF, 0x7D], fallbackID: nil) else { Issue.record("bad UTF-8 accepted"); return }
        #expect(e2.message == "request is not valid UTF-8")
        #expect(e2.requestID == "unknown")
        let big = [UInt8](repeating: 0x20, count: 20_000)
        guard case .failure(let e3) = MemeRequestDecoder.decode(big, fallbackID: nil) else { Issue.record("huge payload accepted"); return }
        #expect(e3.message.contains("the limit is 16384"))
    }

    @Test func responsesUseTheOriginalFieldNames() throws {
        let r = MemeResponse(requestId: "a", imageData: "AAAA", prompt: "p", timestamp: 5)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? [String: Any]
        #expect(Set(json?.keys.map { $0 } ?? []) == ["request_id", "image_data", "prompt", "timestamp"])
        let e = MemeErrorResponse(requestId: "a", error: "boom", timestamp: 5)
        let ejson = try JSONSerialization.jsonObject(with: JSONEncoder().encode(e)) as? [String: Any]
        #expect(Set(ejson?.keys.map { $0 } ?? []) == ["request_id", "error", "timestamp"])
    }
}
