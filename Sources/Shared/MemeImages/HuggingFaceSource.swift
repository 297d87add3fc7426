import CurlHTTP
import MemeKit
import Retry

/// Where and how to reach the Hugging Face inference API. `description` never shows the token.
public struct HuggingFaceConfiguration: Sendable, CustomStringConvertible {
    /// Sent as `Authorization: Bearer …`; never logged or put into errors.
    public var token: String
    /// The model for full-size, normal requests (`HF_API_URL`).
    public var modelURL: String
    /// The model for `fast_mode` or `small_image` requests (`HF_FAST_API_URL`; the original
    /// hard-coded FLUX.1-schnell on the router).
    public var fastModelURL: String
    /// Budget for one `image(for:)` call, retries and waits included, so the worker settles each
    /// delivery in bounded time.
    public var timeout: Duration
    public var connectTimeout: Duration
    /// Upper bound on tries within one call (the time budget usually ends them first).
    public var maxAttempts: Int
    /// The wait between tries when the API names none: 0.5 s doubling to 8 s, ± 20 % so workers
    /// do not retry in step.
    public var retry: RetryPolicy

    public init(
        token: String, modelURL: String = MemeDefaults.hfDefaultURL, fastModelURL: String = MemeDefaults.hfFastModelURL,
        timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10), maxAttempts: Int = 5,
        retry: RetryPolicy = RetryPolicy(initial: .milliseconds(500), maximum: .seconds(8), jitter: 0.2)
    ) {
        self.token = token
        self.modelURL = modelURL
        self.fastModelURL = fastModelURL
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxAttempts = maxAttempts
        self.retry = retry
    }

    /// The original's choice: FLUX.1-schnell when either flag asks for speed, else the configured model.
    public func modelURL(for request: MemeRequest) -> String {
        request.fastMode == true || request.smallImage == true ? fastModelURL : modelURL
    }

    public var description: String {
        // The answer format is in the start-up log line, so an operator sees what goes on the wire.
        "model=\(modelURL) fast_model=\(fastModelURL) timeout=\(timeout) answers=\(HuggingFaceSource.answerFormat) token=<redacted>"
    }
}

/// Fetches a picture for the prompt from a Hugging Face text-to-image model and captions it with
/// the same renderer as the offline source, answering JPEG (``answerFormat``).
///
/// Failures are sorted for the worker: a 503 "model is loading", 429, 5xx and connection errors are
/// retried inside the call (waiting what the API asks: `estimated_time` or `Retry-After`) while the
/// time budget lasts, then thrown as `.transient` with `retryAfter` so the message is redelivered
/// later; a timeout is `.transient` at once (the budget is spent). 401/403 (bad token), other 4xx
/// and bodies that are not a decodable PNG/JPEG are `.permanent`.
public struct HuggingFaceSource: ImageSource {
    public let name = "huggingface"
    public let configuration: HuggingFaceConfiguration
    private let client: CurlHTTPClient
    private let renderer: MemeRenderer

    /// - Parameter client: shared HTTP client (connections are kept alive between requests).
    public init(configuration: HuggingFaceConfiguration, client: CurlHTTPClient, renderer: MemeRenderer = .shared) {
        self.configuration = configuration
        self.client = client
        self.renderer = renderer
    }

    /// The JSON body: the prompt wrapped in the original's style words (minus its instructions to
    /// draw text: captions are drawn by the renderer) and the square size the request asks for.
    public static func requestBody(for request: MemeRequest) -> [UInt8] {
        let inputs = "Funny meme image with cartoon style, vibrant colors, no text or letters in the picture. "
            + "The meme should be about: \(request.prompt)"
        let size = request.imageSize
        return Array(#"{"inputs":\#(jsonString(inputs)),"parameters":{"width":\#(size),"height":\#(size)}}"#.utf8)
    }

    /// How captioned photos are encoded. PNG cannot compress a photo: a 1024 px one came to ≈ 2.9 MB
    /// (≈ 3.9 MB in base64), over a default nats-server's 1 MB max_payload. JPEG quality 85 keeps
    /// photos free of visible artefacts (the captions' edges soften slightly) at ≈ 200–300 KB for the
    /// 1024 px fixture (docs/benchmarks.md, "photo answer"). The offline pictures stay PNG.
    public static let answerFormat = MemeImageFormat.jpeg(quality: 85)

    public func image(for request: MemeRequest) async throws -> GeneratedImage {
        let bytes = try await fetch(request)
        let meme: RenderedMeme
        do {
            meme = try await renderer.render(RenderJob(request: request, background: .image(bytes), format: Self.answerFormat))
        } catch let error as ImageSourceError {
            throw ImageSourceError(.permanent, source: name, message: "the Hugging Face image could not be used: \(error.message)")
        } catch {
            throw ImageSourceError(.transient, source: name, message: "renderer unavailable: \(error)")
        }
        return GeneratedImage(bytes: meme.bytes, contentType: meme.format.contentType, width: meme.width, height: meme.height,
                              sourceName: name)
    }

    /// The raw picture (PNG or JPEG) for `request`, with in-call retries inside the time budget.
    public func fetch(_ request: MemeRequest) async throws -> [UInt8] {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.timeout
        let url = configuration.modelURL(for: request)
        let body = Self.requestBody(for: request)
        var attempt = 0
        while true {
            attempt += 1
            let remaining = deadline - clock.now
            let http = HTTPRequest.postJSON(
                url: url, json: body,
                timeouts: HTTPTimeouts(connect: min(configuration.connectTimeout, remaining), total: remaining),
                authorization: .bearer(configuration.token))
            let reason: String
            var wait: Duration?
            do {
                let response = try await client.send(http)
                switch HuggingFaceReply.classify(response, secret: configuration.token) {
                case .image(let bytes):
                    return bytes
                case .fail(let message):
                    throw ImageSourceError(.permanent, source: name, message: message)
                case .retry(let message, let hint):
                    reason = message
                    wait = hint
                }
            } catch let error as HTTPClientError {
                switch error.kind {
                case .timedOut:
                    throw failure("no answer from Hugging Face within \(Self.format(configuration.timeout)) (\(error.message))", retryAfter: nil)
                case .invalidRequest, .tls, .responseTooLarge:
                    throw ImageSourceError(.permanent, source: name, message: HuggingFaceReply.redact(error.message, configuration.token))
                case .cancelled, .clientShutDown:
                    throw failure(error.message, retryAfter: nil)
                case .connectionRefused, .couldNotConnect, .couldNotResolveHost, .connectionLost, .other:
                    reason = error.message
                }
            }
            // Sleep before the next try only if that try still fits in the budget; otherwise hand
            // the wait to the worker, which NAKs the message with it.
            let pause = wait ?? configuration.retry.delay(attempt: attempt)
            let left = deadline - clock.now
            guard attempt < configuration.maxAttempts, pause + Self.minimumTry < left else {
                throw failure("\(reason); tried \(attempt == 1 ? "once" : "\(attempt) times") in \(Self.format(configuration.timeout - left))",
                              retryAfter: wait)
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw failure("\(reason); cancelled while waiting to retry", retryAfter: wait)
            }
        }
    }

    /// Time a retry needs at least to be worth starting.
    static let minimumTry = Duration.milliseconds(500)

    private func failure(_ message: String, retryAfter: Duration?) -> ImageSourceError {
        ImageSourceError(.transient, source: name, message: HuggingFaceReply.redact(message, configuration.token), retryAfter: retryAfter)
    }

    static func format(_ d: Duration) -> String {
        let (s, atto) = d.components
        let seconds = Double(s) + Double(atto) / 1e18
        return seconds < 10 ? "\((seconds * 10).rounded() / 10) s" : "\(Int(seconds.rounded())) s"
    }

    /// A JSON string literal (quotes, backslashes and control characters escaped).
    static func jsonString(_ s: String) -> String { JSONValue.string(s).text }
}
