import Foundation

/// A request for one meme, as published on `meme.request`.
///
/// Wire-compatible with the original Rust worker: `id`, `fast_mode` and `small_image`
/// may be missing; unknown fields are ignored. The text fields are optional extensions.
public struct MemeRequest: Codable, Sendable, Equatable {
    public var id: String?
    public var prompt: String
    public var fastMode: Bool?
    public var smallImage: Bool?
    public var topText: String?
    public var bottomText: String?
    public var template: String?
    /// Unix seconds (fractional) when a client submitted it; lets receivers measure latency.
    public var submittedAt: Double?

    public init(
        id: String? = nil, prompt: String, fastMode: Bool? = nil, smallImage: Bool? = nil,
        topText: String? = nil, bottomText: String? = nil, template: String? = nil, submittedAt: Double? = nil
    ) {
        self.id = id
        self.prompt = prompt
        self.fastMode = fastMode
        self.smallImage = smallImage
        self.topText = topText
        self.bottomText = bottomText
        self.template = template
        self.submittedAt = submittedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, prompt, template
        case fastMode = "fast_mode"
        case smallImage = "small_image"
        case topText = "top_text"
        case bottomText = "bottom_text"
        case submittedAt = "submitted_at"
    }
}

/// A finished meme, published on `meme.response` (core NATS).
public struct MemeResponse: Codable, Sendable, Equatable {
    public var requestId: String
    /// Base64 of the image bytes (PNG or JPEG).
    public var imageData: String
    public var prompt: String
    /// Unix seconds.
    public var timestamp: UInt64
    // Optional extensions; old clients ignore them.
    public var contentType: String?
    public var cached: Bool?
    public var worker: String?
    public var generationMs: Double?
    public var submittedAt: Double?

    public init(
        requestId: String, imageData: String, prompt: String, timestamp: UInt64,
        contentType: String? = nil, cached: Bool? = nil, worker: String? = nil,
        generationMs: Double? = nil, submittedAt: Double? = nil
    ) {
        self.requestId = requestId
        self.imageData = imageData
        self.prompt = prompt
        self.timestamp = timestamp
        self.contentType = contentType
        self.cached = cached
        self.worker = worker
        self.generationMs = generationMs
        self.submittedAt = submittedAt
    }

    enum CodingKeys: String, CodingKey {
        case prompt, timestamp, cached, worker
        case requestId = "request_id"
        case imageData = "image_data"
        case contentType = "content_type"
        case generationMs = "generation_ms"
        case submittedAt = "submitted_at"
    }
}

/// A failed request, published on `meme.response.error` (core NATS).
public struct MemeErrorResponse: Codable, Sendable, Equatable {
    public var requestId: String
    public var error: String
    /// Unix seconds.
    public var timestamp: UInt64

    public init(requestId: String, error: String, timestamp: UInt64) {
        self.requestId = requestId
        self.error = error
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case error, timestamp
        case requestId = "request_id"
    }
}

/// The request id used when neither the JSON nor the `Nats-Msg-Id` header names one.
public let unknownRequestID = "unknown"

public extension MemeRequest {
    /// Image edge in pixels: 512 for `small_image`, else 1024 (as the original).
    var imageSize: Int { smallImage == true ? 512 : 1024 }
}
