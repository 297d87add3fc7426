import CurlHTTP
import Foundation
import Logging
import MemeKit
import Testing
@testable import MemeImages
import WorkerService

/// How API answers are sorted (no I/O).
@Suite struct HuggingFaceReplyTests {
    let secret = "hf_secretTOKEN123"
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]

    func reply(_ status: Int, _ body: String, headers: [(String, String)] = []) -> HuggingFaceReply {
        HuggingFaceReply.classify(
            HTTPResponse(status: status, headers: HTTPHeaders(headers.map { (name: $0.0, value: $0.1) }), body: Array(body.utf8)),
            secret: secret)
    }

    @Test func imagesAndNonImages() {
        #expect(HuggingFaceReply.classify(HTTPResponse(status: 200, body: png), secret: secret) == .image(png))
        #expect(HuggingFaceReply.classify(HTTPResponse(status: 200, body: [0xFF, 0xD8, 0xFF, 0xE0]), secret: secret) == .image([0xFF, 0xD8, 0xFF, 0xE0]))
        #expect(reply(200, "<html>hi</html>", headers: [("Content-Type", "text/html")])
            == .fail("Hugging Face answered 200 without a PNG or JPEG image (15 bytes, Content-Type text/html: <html>hi</html>)"))
        #expect(reply(200, "") == .fail("Hugging Face answered 200 without a PNG or JPEG image (0 bytes)"))
    }

    @Test func loadingAndRateLimitsAreRetriedWithTheServersWait() {
        #expect(reply(503, #"{"error":"Model black-forest-labs/FLUX.1-schnell is currently loading","estimated_time":20.5}"#)
            == .retry("the Hugging Face model is loading (503)", wait: .milliseconds(20_500)))
        #expect(reply(503, #"{"error":"Service Unavailable"}"#, headers: [("Retry-After", "3")])
            == .retry("Hugging Face is unavailable (503): Service Unavailable", wait: .seconds(3)))
        #expect(reply(503, "") == .retry("Hugging Face is unavailable (503)", wait: nil))
        #expect(reply(429, #"{"error":"Rate limit reached"}"#, headers: [("retry-after", "7")])
            == .retry("Hugging Face rate limit (429): Rate limit reached", wait: .seconds(7)))
        #expect(reply(500, "boom") == .retry("Hugging Face error (500): boom", wait: nil))
        #expect(reply(504, "") == .retry("Hugging Face error (504)", wait: nil))
    }

    @Test func clientErrorsArePermanentAndNeverShowTheToken() {
        #expect(reply(401, #"{"error":"Invalid credentials in Authorization header"}"#)
            == .fail("Hugging Face rejected the token (401): Invalid credentials in Authorization header"))
        #expect(reply(403, "") == .fail("Hugging Face rejected the token (403)"))
        #expect(reply(422, #"{"error":["width must be a multiple of 8","height too large"]}"#)
            == .fail("Hugging Face refused the request (422): width must be a multiple of 8; height too large"))
        #expect(reply(404, #"{"error":"Model x/y does not exist"}"#) == .fail("no Hugging Face model at this URL (404): Model x/y does not exist"))
        #expect(reply(400, #"{"error":"bad header Bearer hf_secretTOKEN123"}"#)
            == .fail("Hugging Face refused the request (400): bad header Bearer <redacted>"))
        guard case .fail(let long) = reply(400, String(repeating: "x\n", count: 500)) else { Issue.record("not a failure"); return }
        #expect(!long.contains("\n"))
        #expect(long.count < 300)
    }

    @Test func requestBodyAndModelChoiceFollowTheOriginal() throws {
        let config = HuggingFaceConfiguration(token: secret, modelURL: "http://127.0.0.1:1/full", fastModelURL: "http://127.0.0.1:1/fast")
        #expect(config.modelURL(for: MemeRequest(prompt: "a")) == "http://127.0.0.1:1/full")
        #expect(config.modelURL(for: MemeRequest(prompt: "a", fastMode: true)) == "http://127.0.0.1:1/fast")
        #expect(config.modelURL(for: MemeRequest(prompt: "a", smallImage: true)) == "http://127.0.0.1:1/fast")
        #expect(!config.description.contains(secret))
        #expect(HuggingFaceConfiguration(token: "t").fastModelURL == "https://router.huggingface.co/hf-inference/models/black-forest-labs/FLUX.1-schnell")

        struct Body: Decodable { var inputs: String; var parameters: [String: Int] }
        let body = try JSONDecoder().decode(Body.self, from: Data(HuggingFaceSource.requestBody(
            for: MemeRequest(prompt: "say \"hi\"\n\\ tab\t \u{1}", smallImage: true))))
        #expect(body.inputs.hasSuffix("The meme should be about: say \"hi\"\n\\ tab\t \u{1}"))
        #expect(body.parameters == ["width": 512, "height": 512])
        let full = try JSONDecoder().decode(Body.self, from: Data(HuggingFaceSource.requestBody(for: MemeRequest(prompt: "x"))))
        #expect(full.parameters == ["width": 1024, "height": 1024])
    }
}

/// The source against a local server that answers like the API.
@Suite struct HuggingFaceSourceTests {
    let stub: HFStubServer
    let client = CurlHTTPClient()

    init() throws { stub = try HFStubServer() }

    func source(full: String = "/image/full", fast: String = "/image/fast", token: String? = nil, timeout: Duration = .seconds(10),
                maxAttempts: Int = 5) -> HuggingFaceSource {
        HuggingFaceSource(
            configuration: HuggingFaceConfiguration(
                token: token ?? stub.token, modelURL: stub.url(full), fastModelURL: stub.url(fast), timeout: timeout,
                connectTimeout: .seconds(2), maxAttempts: maxAttempts),
            client: client)
    }

    /// The error a failing call throws (records an issue if it succeeds or throws something else).
    func failure(_ source: HuggingFaceSource, _ request: MemeRequest = MemeRequest(prompt: "x / y", smallImage: true)) async -> ImageSourceError? {
        do {
            _ = try await source.image(for: request)
            Issue.record("expected a failure")
        } catch let error as ImageSourceError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    func centre(_ bytes: [UInt8]) throws -> (r: Int, g: Int, b: Int) {
        let image = try DecodedImage(bytes: bytes)
        return image.rgb(image.width / 2, image.height / 2)
    }

    @Test func captionsTheReturnedPNGAsJPEGAndSendsWhatTheAPIExpects() async throws {
        let image = try await source().image(for: MemeRequest(prompt: "one does not simply / fetch a picture", smallImage: true))
        #expect(image.sourceName == "huggingface" && image.contentType == "image/jpeg")
        #expect(image.bytes.starts(with: [0xFF, 0xD8, 0xFF]))
        #expect(image.width == 512 && image.height == 512)
        let c = try centre(image.bytes)
        #expect(abs(c.r - 200) < 8 && abs(c.g - 30) < 8 && abs(c.b - 160) < 8, "centre \(c) is not the stub's magenta")
        // Captions are drawn on it: white ink near the top.
        let decoded = try DecodedImage(bytes: image.bytes)
        let white = (0..<decoded.height / 5).reduce(0) { n, y in
            n + (0..<decoded.width).filter { let p = decoded.rgb($0, y); return p.r > 220 && p.g > 220 && p.b > 220 }.count
        }
        #expect(white > 200)

        let seen = try #require(try stub.requests().last)
        #expect(seen.path == "/image/fast")
        #expect(seen.authorization == "Bearer \(stub.token)")
        #expect(seen.body?.parameters == ["width": 512, "height": 512])
        #expect(seen.body?.inputs.contains("one does not simply / fetch a picture") == true)
    }

    @Test func fullSizeRequestsUseTheConfiguredModelAndJPEGWorks() async throws {
        let image = try await source(full: "/image/full?format=jpeg").image(for: MemeRequest(prompt: "teal"))
        #expect(image.width == 1024)
        let c = try centre(image.bytes)
        #expect(abs(c.r - 0) < 10 && abs(c.g - 160) < 10 && abs(c.b - 150) < 10, "centre \(c) is not the stub's teal")
        #expect(try stub.requests().last?.path == "/image/full")
    }

    @Test func aRejectedTokenIsPermanentAndNeverEchoed() async throws {
        let wrong = "hf_WRONGtoken_\(UUID().uuidString.prefix(6))"
        let error = try #require(await failure(source(token: wrong)))
        #expect(error.kind == .permanent)
        #expect(error.message == "Hugging Face rejected the token (401): Invalid credentials in Authorization header")
        #expect(!error.description.contains(wrong))
        #expect(try stub.requests().count == 1, "a rejected token must not be retried")

        // An API that echoes the header back still cannot leak it.
        let echoed = try #require(await failure(source(fast: "/status/400?echo_auth=1")))
        #expect(echoed.kind == .permanent)
        #expect(echoed.message == "Hugging Face refused the request (400): stub error 400 for Bearer <redacted>")
        #expect(!echoed.description.contains(stub.token))
    }

    @Test func loadingThenReadyIsAnsweredWithinTheCall() async throws {
        let image = try await source(fast: "/loading/a?times=2&estimated=0.2").image(for: MemeRequest(prompt: "wait", smallImage: true))
        #expect(image.width == 512)
        #expect(try stub.requests().count == 3)
    }

    @Test func rateLimitedThenReadyHonoursRetryAfter() async throws {
        let started = ContinuousClock.now
        // A roomy budget: on a busy machine the first try alone can take seconds.
        _ = try await source(fast: "/ratelimited/b?times=1&retry_after=1", timeout: .seconds(60)).image(for: MemeRequest(prompt: "wait", smallImage: true))
        #expect(ContinuousClock.now - started >= .milliseconds(950), "Retry-After: 1 was not honoured")
        #expect(try stub.requests().count == 2)
    }

    @Test func waitsLongerThanTheBudgetAreHandedBackToTheWorker() async throws {
        // The model needs 30 s; the budget is 2 s: no sleep, a transient error carrying the wait.
        let loading = try #require(await failure(source(fast: "/loading/c?times=-1&estimated=30", timeout: .seconds(2))))
        #expect(loading.kind == .transient)
        #expect(loading.retryAfter == .seconds(30))
        #expect(loading.message.hasPrefix("the Hugging Face model is loading (503); tried once in "))

        let limited = try #require(await failure(source(fast: "/ratelimited/d?times=-1&retry_after=45", timeout: .seconds(2))))
        #expect(limited.kind == .transient && limited.retryAfter == .seconds(45))
    }

    @Test func serverErrorsAndRefusedConnectionsAreRetriedThenTransient() async throws {
        // Two tries allowed, time to spare: the count of tries does not depend on the machine's speed.
        let five = try #require(await failure(source(fast: "/status/502", timeout: .seconds(30), maxAttempts: 2)))
        #expect(five.kind == .transient && five.retryAfter == nil)
        #expect(five.message.hasPrefix("Hugging Face error (502): stub error 502; tried 2 times in "), "\(five.message)")
        #expect(try stub.requests().count == 2)

        let nobody = HuggingFaceSource(
            configuration: HuggingFaceConfiguration(token: stub.token, modelURL: "http://127.0.0.1:1/m", fastModelURL: "http://127.0.0.1:1/m",
                                                    timeout: .seconds(2)),
            client: client)
        let refused = try #require(await failure(nobody))
        #expect(refused.kind == .transient)
        #expect(refused.message.hasPrefix("connection refused to 127.0.0.1:1"))
    }

    @Test func garbageBodiesAndUndecodableImagesArePermanent() async throws {
        let garbage = try #require(await failure(source(fast: "/garbage/e")))
        #expect(garbage.kind == .permanent)
        #expect(garbage.message.hasPrefix("Hugging Face answered 200 without a PNG or JPEG image"))
        let badStatus = try #require(await failure(source(fast: "/status/422")))
        #expect(badStatus.kind == .permanent && badStatus.message == "Hugging Face refused the request (422): stub error 422")
    }

    @Test func aSlowAnswerTimesOutAsTransient() async throws {
        let started = ContinuousClock.now
        // The body takes 30 s; the budget is 1 s. Only "well before 30 s" is asserted (busy machines).
        let slow = try #require(await failure(source(fast: "/slow/f?seconds=30", timeout: .seconds(1))))
        #expect(slow.kind == .transient && slow.retryAfter == nil)
        #expect(slow.message.hasPrefix("no answer from Hugging Face within 1.0 s"))
        #expect(ContinuousClock.now - started < .seconds(20), "the time budget was not enforced")
        #expect(!slow.description.contains(stub.token))
    }
}

/// HF settings and the source choice.
@Suite struct HuggingFaceSettingsTests {
    @Test func fastURLAndTimeoutAreSettings() throws {
        let s = try WorkerSettings.resolve(SettingsReader(environment: [
            "HF_API_TOKEN": "hf_abc", "HF_FAST_API_URL": "http://127.0.0.1:9/fast", "HF_TIMEOUT": "2.5",
        ]))
        #expect(s.hfFastURL == "http://127.0.0.1:9/fast" && s.hfTimeoutSeconds == 2.5)
        #expect(WorkerSettings.environmentNames.contains("HF_FAST_API_URL"))
        let defaults = try WorkerSettings.resolve(SettingsReader(environment: [:]))
        #expect(defaults.hfFastURL == MemeDefaults.hfFastModelURL && defaults.hfTimeoutSeconds == 60)
        #expect(throws: SettingsError("HF_FAST_API_URL (--hf-fast-api-url) must be a URL like https://host:port, got 'ftp://x'")) {
            try WorkerSettings.resolve(SettingsReader(environment: ["HF_FAST_API_URL": "ftp://x"]))
        }
    }

    @Test func aTokenSelectsHuggingFace() throws {
        let logger = Logger(label: "test")
        var s = WorkerSettings()
        #expect(try ImageSources.make(settings: s, logger: logger).name == "offline")
        s.hfToken = "hf_abc"
        s.hfFastURL = "http://127.0.0.1:9/fast"
        let source = try #require(try ImageSources.make(settings: s, logger: logger) as? HuggingFaceSource)
        #expect(source.configuration.fastModelURL == "http://127.0.0.1:9/fast")
        #expect(source.configuration.timeout == .seconds(60))
    }
}
