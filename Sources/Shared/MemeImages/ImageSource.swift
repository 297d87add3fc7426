import MemeKit

/// An image made for a request, ready to publish.
public struct GeneratedImage: Sendable {
    public var bytes: [UInt8]
    /// MIME type of `bytes`, e.g. "image/png".
    public var contentType: String
    public var width: Int
    public var height: Int
    /// Which source made it ("offline", "huggingface", …), for logs and the response.
    public var sourceName: String

    public init(bytes: [UInt8], contentType: String, width: Int, height: Int, sourceName: String) {
        self.bytes = bytes
        self.contentType = contentType
        self.width = width
        self.height = height
        self.sourceName = sourceName
    }
}

/// Why a source (or the renderer under it) could not make an image, and whether trying again later can help.
///
/// The worker NAKs a message (redelivery later) on ``Kind-swift.enum/transient`` errors and
/// answers `meme.response.error` on ``Kind-swift.enum/permanent`` ones. Messages never
/// contain secrets (tokens, authorisation headers).
public struct ImageSourceError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Worth retrying: timeouts, connection failures, HTTP 429/5xx, model loading.
        case transient
        /// Retrying will not help: bad request, rejected prompt, undecodable image, auth failure.
        case permanent
    }

    public var kind: Kind
    public var source: String
    public var message: String
    /// A server's hint for when to retry (e.g. HTTP Retry-After or an estimated load time).
    public var retryAfter: Duration?

    public init(_ kind: Kind, source: String, message: String, retryAfter: Duration? = nil) {
        self.kind = kind
        self.source = source
        self.message = message
        self.retryAfter = retryAfter
    }

    /// The renderer's own failures (a bad size, an undecodable background): permanent, the same
    /// input fails again. Sources rename `source` to their own name.
    static func rendering(_ message: String) -> ImageSourceError {
        ImageSourceError(.permanent, source: "renderer", message: message)
    }

    public var isTransient: Bool { kind == .transient }
    public var description: String { "\(source) image source (\(kind.rawValue)): \(message)" }
}

/// Makes the image for a meme request.
///
/// Implementations: ``OfflineImageSource`` (default, no network) and a Hugging Face source that
/// fetches a picture for the prompt and captions it with
/// `MemeRenderer.render(RenderJob(request:background: .image(bytes)))`.
/// Throw ``ImageSourceError`` so the caller can tell transient from permanent failures.
public protocol ImageSource: Sendable {
    var name: String { get }
    func image(for request: MemeRequest) async throws -> GeneratedImage
}
