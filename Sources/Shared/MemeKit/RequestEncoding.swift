import Foundation

/// The one place a request becomes the bytes published on `meme.request`, checked against the
/// limit the worker decodes them with (`MemeRequestLimits.maxPayloadBytes`): meme-web adds `id` and
/// `submitted_at` to what the client sent, and a prompt of 500 long grapheme clusters can be
/// 16 KB of UTF-8, so the size that counts is the published one, not the HTTP body's.
public enum MemeRequestEncoder {
    public static func encode(_ request: MemeRequest, limits: MemeRequestLimits = .init()) -> Result<[UInt8], MemeRequestError> {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(request))
        } catch {
            return .failure(.init(message: "request could not be encoded", requestID: request.id ?? unknownRequestID))
        }
        guard bytes.count <= limits.maxPayloadBytes else {
            return .failure(.init(
                message: "request is \(bytes.count) bytes as queued; the limit is \(limits.maxPayloadBytes)",
                requestID: request.id ?? unknownRequestID))
        }
        return .success(bytes)
    }
}
