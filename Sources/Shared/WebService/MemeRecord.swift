import Foundation
import MemeKit

/// What meme-web knows about one request: kept in its own recent cache (with the image) and, as
/// `metadata` (without it), in the `ResultStore`. Its fields are `MemeKit.ResultMetadata`, the shape
/// the worker writes too, so one definition holds the stored JSON; the image is meme-web's addition.
@dynamicMemberLookup
public struct MemeRecord: Codable, Sendable, Equatable {
    public typealias Status = ResultMetadata.Status

    /// Everything but the image (status, captions, times, image size).
    public var fields: ResultMetadata
    /// The image bytes, present with `status == .done` in this process's cache; never in the
    /// shared store's metadata (the worker's answer is the image's one stored copy).
    public var image: Data?

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<ResultMetadata, T>) -> T {
        get { fields[keyPath: keyPath] }
        set { fields[keyPath: keyPath] = newValue }
    }

    public init(
        id: String, status: Status, prompt: String, topText: String? = nil, bottomText: String? = nil,
        fastMode: Bool? = nil, smallImage: Bool? = nil, createdAt: Double, finishedAt: Double? = nil,
        error: String? = nil, image: Data? = nil, imageBytes: Int? = nil, contentType: String? = nil,
        worker: String? = nil
    ) {
        fields = ResultMetadata(
            id: id, status: status, prompt: prompt, topText: topText, bottomText: bottomText, fastMode: fastMode,
            smallImage: smallImage, createdAt: createdAt, finishedAt: finishedAt, error: error,
            imageBytes: imageBytes ?? image?.count, contentType: contentType, worker: worker)
        self.image = image
    }

    private enum ImageKey: String, CodingKey { case image }

    public init(from decoder: any Decoder) throws {
        fields = try ResultMetadata(from: decoder)
        image = try decoder.container(keyedBy: ImageKey.self).decodeIfPresent(Data.self, forKey: .image)
    }

    public func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
        var c = encoder.container(keyedBy: ImageKey.self)
        try c.encodeIfPresent(image, forKey: .image)
    }

    /// A freshly accepted request.
    public init(queued request: MemeRequest, id: String, at time: Double) {
        self.init(
            id: id, status: .queued, prompt: request.prompt, topText: request.topText,
            bottomText: request.bottomText, fastMode: request.fastMode, smallImage: request.smallImage,
            createdAt: time)
    }

    /// Applies a worker's outcome. `previous` (what we knew at submit time) keeps the captions
    /// and creation time; without it the record is built from the response alone.
    /// Returns nil when the image data is not valid base64.
    public static func finished(_ outcome: MemeOutcome, previous: MemeRecord?, now: Double) -> MemeRecord? {
        switch outcome {
        case .done(let response):
            guard let bytes = Data(base64Encoded: response.imageData, options: .ignoreUnknownCharacters),
                !bytes.isEmpty
            else { return nil }
            var record = previous ?? MemeRecord(
                id: response.requestId, status: .queued, prompt: response.prompt,
                createdAt: response.submittedAt ?? Double(response.timestamp))
            record.status = .done
            record.error = nil
            record.finishedAt = now
            record.image = bytes
            record.imageBytes = bytes.count
            record.contentType = response.contentType ?? ImageType.sniff(bytes)
            record.worker = response.worker
            return record
        case .failed(let failure):
            var record = previous ?? MemeRecord(
                id: failure.requestId, status: .queued, prompt: "", createdAt: Double(failure.timestamp))
            record.status = .error
            record.error = failure.error
            record.finishedAt = now
            record.image = nil
            record.imageBytes = nil
            return record
        }
    }

    /// This record without the image bytes: what the shared store keeps and the list reads.
    public var metadata: MemeRecord {
        var record = self
        record.image = nil
        return record
    }

    /// The JSON shape of `GET /api/memes/{id}` and list items: never the image bytes, a URL instead.
    public var view: MemeView {
        let f = fields
        return MemeView(
            id: f.id, status: f.status, prompt: f.prompt, topText: f.topText, bottomText: f.bottomText,
            imageURL: f.status == .done && (image != nil || f.imageBytes != nil) ? "/api/memes/\(f.id.urlPathEscaped)/image" : nil,
            error: f.error, createdAt: f.createdAt, finishedAt: f.finishedAt)
    }
}

/// Public JSON view of a record.
public struct MemeView: Codable, Sendable, Equatable {
    public var id: String
    public var status: MemeRecord.Status
    public var prompt: String
    public var topText: String?
    public var bottomText: String?
    public var imageURL: String?
    public var error: String?
    public var createdAt: Double
    public var finishedAt: Double?

    enum CodingKeys: String, CodingKey {
        case id, status, prompt, error
        case topText = "top_text"
        case bottomText = "bottom_text"
        case imageURL = "image_url"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
    }
}

enum ImageType {
    /// Workers may omit `content_type`; the original always sent PNG, the renderer may send JPEG.
    static func sniff(_ bytes: Data) -> String {
        ImageFormat.sniff(bytes)?.contentType ?? "application/octet-stream"
    }
}

extension String {
    var urlPathEscaped: String {
        addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? self
    }
}
