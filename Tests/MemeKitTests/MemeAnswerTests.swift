import Foundation
import Testing
@testable import MemeKit

@Suite struct MemeAnswerTests {
    static let done = Array(#"{"request_id":"m-1","image_data":"AA==","prompt":"cat","timestamp":5,"submitted_at":99.5,"worker":"w"}"#.utf8)
    static let failed = Array(#"{"request_id":"m-2","error":"timeout","timestamp":6}"#.utf8)

    @Test func theSubjectSaysWhichShape() {
        #expect(MemeAnswer.decode(Self.done, onErrorSubject: false)
            == .done(MemeResponse(requestId: "m-1", imageData: "AA==", prompt: "cat", timestamp: 5, worker: "w", submittedAt: 99.5)))
        #expect(MemeAnswer.decode(Self.failed, onErrorSubject: true) == .failed(MemeErrorResponse(requestId: "m-2", error: "timeout", timestamp: 6)))
        // An error body on the answer subject (or the reverse) is not an answer.
        #expect(MemeAnswer.decode(Self.failed, onErrorSubject: false) == nil)
        #expect(MemeAnswer.decode(Array("not json".utf8), onErrorSubject: true) == nil)
        #expect(MemeAnswer.decode(Self.done, onErrorSubject: false)?.requestId == "m-1")
        #expect(MemeAnswer.decode(Self.failed, onErrorSubject: true)?.timestamp == 6)
    }

    @Test func storedAnswersAreToldApartByTheirFields() {
        #expect(MemeAnswer.decodeStored(Self.done)?.requestId == "m-1")
        guard case .failed(let e)? = MemeAnswer.decodeStored(Self.failed) else { Issue.record("not an error answer"); return }
        #expect(e.error == "timeout")
        #expect(MemeAnswer.decodeStored(Array("{}".utf8)) == nil)
    }

    @Test func summariesSkipTheImageAndTolerateMissingFields() {
        #expect(MemeAnswerSummary.decode(Self.done, onErrorSubject: false)
            == MemeAnswerSummary(requestId: "m-1", ok: true, prompt: "cat", submittedAt: 99.5))
        #expect(MemeAnswerSummary.decode(Self.failed, onErrorSubject: true)
            == MemeAnswerSummary(requestId: "m-2", ok: false, error: "timeout"))
        #expect(MemeAnswerSummary.decode(Array("{}".utf8), onErrorSubject: true)
            == MemeAnswerSummary(requestId: unknownRequestID, ok: false, error: "error"))
        #expect(MemeAnswerSummary.decode(Array("[1]".utf8), onErrorSubject: false) == nil)
    }
}

@Suite struct ImageFormatTests {
    @Test func magicBytes() {
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47]) == nil, "a PNG signature is 8 bytes")
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat.sniff(Array("<?xml?><svg xmlns=…>".utf8)) == .svg)
        #expect(ImageFormat.sniff(Array("hello".utf8)) == nil)
        #expect(ImageFormat.sniff([UInt8]()) == nil)
        #expect(ImageFormat.png.contentType == "image/png" && ImageFormat.jpeg.isPNGOrJPEG && !ImageFormat.gif.isPNGOrJPEG)
    }
}

@Suite struct QueueSettingsTests {
    @Test func oneResolverForEveryProgram() throws {
        let q = try QueueSettings.resolve(SettingsReader(flags: ["NATS_STREAM": "S2"], environment: [
            "NATS_URL": "nats://a:1,nats://b:2", "NATS_STREAM": "S1", "NATS_CONSUMER": "c", "NATS_RESPONSE_SUBJECT": "out.x",
        ]))
        #expect(q.servers == ["nats://a:1", "nats://b:2"] && q.stream == "S2" && q.consumer == "c" && q.errorSubject == "out.x.error")
        #expect(q.requestSubject == MemeDefaults.requestSubject)
        let secret = try QueueSettings.resolve(SettingsReader(environment: ["NATS_URL": "nats://u:pw@h:1"]))
        #expect(!"\(secret)".contains("pw"))
    }
}
