/// An image format told by its first bytes (magic numbers): the one check, for the renderer's
/// decoder, the Hugging Face reply, the worker's answers and meme-web's image route.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png, jpeg, gif, webp, svg

    /// Nil when the bytes start like none of these.
    public static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: Array("GIF8".utf8)) { return .gif }
        if bytes.starts(with: Array("RIFF".utf8)), bytes.dropFirst(8).starts(with: Array("WEBP".utf8)) { return .webp }
        if String(decoding: bytes.prefix(256), as: UTF8.self).contains("<svg") { return .svg }
        return nil
    }

    /// PNG or JPEG: what the renderer decodes and the workers send.
    public var isPNGOrJPEG: Bool { self == .png || self == .jpeg }

    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .svg: "image/svg+xml"
        }
    }
}
