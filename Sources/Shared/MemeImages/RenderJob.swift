import MemeKit

/// What fills the image behind the captions.
public enum MemeBackground: Sendable, Equatable {
    /// The offline look: a gradient and pattern chosen from the seed's hash, plus a large emoji
    /// picked from the seed's words (see ``OfflineArt``). Same seed, same picture.
    case generated(seed: String)
    /// One flat colour (components 0...1); used by tests and the benchmark.
    case solid(red: Double, green: Double, blue: Double)
    /// Encoded PNG or JPEG bytes (e.g. from Hugging Face), scaled to cover the square and centred.
    case image([UInt8])
}

/// How the finished picture is encoded.
public enum MemeImageFormat: Sendable, Equatable, CustomStringConvertible {
    /// Lossless; the offline pictures (flat colours, sharp text) stay small.
    case png
    /// For photo backgrounds, which PNG cannot compress: `quality` 1...100 (libjpeg's scale).
    case jpeg(quality: Int)

    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        }
    }

    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        }
    }

    public var description: String {
        switch self {
        case .png: "PNG"
        case .jpeg(let quality): "JPEG quality \(quality)"
        }
    }
}

/// One meme to draw.
public struct RenderJob: Sendable, Equatable {
    public var captions: MemeCaptions
    /// Edge of the square output in pixels (16...4096).
    public var size: Int
    public var background: MemeBackground
    public var format: MemeImageFormat

    public init(captions: MemeCaptions, size: Int, background: MemeBackground, format: MemeImageFormat = .png) {
        self.captions = captions
        self.size = size
        self.background = background
        self.format = format
    }

    /// Captions from the request (uppercased), 512 px for `small_image` else 1024, and the
    /// generated background for its prompt unless another is given.
    public init(request: MemeRequest, background: MemeBackground? = nil, format: MemeImageFormat = .png) {
        self.captions = MemeCaptions(request: request)
        self.size = request.imageSize
        self.background = background ?? .generated(seed: request.prompt)
        self.format = format
    }
}

/// A finished, encoded image and how its captions were laid out.
public struct RenderedMeme: Sendable {
    /// PNG or JPEG bytes, as `format` says.
    public var bytes: [UInt8]
    public var format: MemeImageFormat
    public var width: Int
    public var height: Int
    public var top: CaptionLayout.Fit?
    public var bottom: CaptionLayout.Fit?
}
