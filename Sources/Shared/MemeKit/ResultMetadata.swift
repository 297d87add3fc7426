/// What a listing needs of one meme, without its image: kept under `ResultKeys.metadata(id:)`.
/// The worker writes it with every answer (it has the request's captions and submit time), so the
/// recent list never has to read a worker's answer (image included) to show a meme; the meme-web
/// replica that accepted the request writes it too ("queued" first). The JSON keys are those of
/// meme-web's `MemeRecord`, which decodes it.
public struct ResultMetadata: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case queued, done, error }

    public var id: String
    public var status: Status
    public var prompt: String
    public var topText: String?
    public var bottomText: String?
    public var fastMode: Bool?
    public var smallImage: Bool?
    /// Unix seconds: the submit time when known, else when the worker answered.
    public var createdAt: Double
    public var finishedAt: Double?
    public var error: String?
    public var imageBytes: Int?
    public var contentType: String?
    public var worker: String?

    public init(id: String, status: Status, prompt: String, topText: String? = nil, bottomText: String? = nil,
                fastMode: Bool? = nil, smallImage: Bool? = nil, createdAt: Double, finishedAt: Double? = nil,
                error: String? = nil, imageBytes: Int? = nil, contentType: String? = nil, worker: String? = nil) {
        self.id = id
        self.status = status
        self.prompt = prompt
        self.topText = topText
        self.bottomText = bottomText
        self.fastMode = fastMode
        self.smallImage = smallImage
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.error = error
        self.imageBytes = imageBytes
        self.contentType = contentType
        self.worker = worker
    }

    /// The worker's record of an answer to `request` (nil when the request could not be read).
    public static func answered(id: String, request: MemeRequest?, error: String?, imageBytes: Int?, contentType: String?,
                                worker: String?, at now: Double) -> ResultMetadata {
        ResultMetadata(
            id: id, status: error == nil ? .done : .error, prompt: request?.prompt ?? "", topText: request?.topText,
            bottomText: request?.bottomText, fastMode: request?.fastMode, smallImage: request?.smallImage,
            createdAt: request?.submittedAt ?? now, finishedAt: now, error: error, imageBytes: error == nil ? imageBytes : nil,
            contentType: error == nil ? contentType : nil, worker: worker)
    }

    enum CodingKeys: String, CodingKey {
        case id, status, prompt, error, worker
        case topText = "top_text"
        case bottomText = "bottom_text"
        case fastMode = "fast_mode"
        case smallImage = "small_image"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
        case contentType = "content_type"
        case imageBytes = "image_bytes"
    }
}
