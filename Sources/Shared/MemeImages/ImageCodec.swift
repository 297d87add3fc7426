import CPangoCairo
import Glibc
import MemeKit

/// PNG/JPEG in and out of cairo image surfaces. PNG is written with libpng directly (not
/// cairo_surface_write_to_png_stream) because cairo's fixed level-6 adaptive encoding took over
/// half of each render. Surfaces returned are owned by the caller
/// (release with `cairo_surface_destroy`).
enum ImageCodec {
    enum Kind: Equatable { case png, jpeg }

    /// Largest background accepted, in pixels (a 8192×8192 JPEG already needs 256 MB decoded).
    static let maxPixels = 40_000_000

    static func sniff(_ bytes: [UInt8]) -> Kind? {
        switch ImageFormat.sniff(bytes) {
        case .png: .png
        case .jpeg: .jpeg
        default: nil
        }
    }

    /// Decodes PNG or JPEG bytes; `minEdge` lets JPEG decoding skip detail the output cannot show.
    static func decode(_ bytes: [UInt8], minEdge: Int) throws -> OpaquePointer {
        switch sniff(bytes) {
        case .png: return try decodePNG(bytes)
        case .jpeg: return try decodeJPEG(bytes, minEdge: minEdge)
        case nil:
            let head = bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")
            throw ImageSourceError.rendering("background image is neither PNG nor JPEG (\(bytes.count) bytes, starting \(head.isEmpty ? "with nothing" : head))")
        }
    }

    private final class ReadCursor {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    static func decodePNG(_ bytes: [UInt8]) throws -> OpaquePointer {
        let cursor = ReadCursor(bytes)
        let surface = withExtendedLifetime(cursor) {
            cairo_image_surface_create_from_png_stream({ closure, data, length in
                let cursor = Unmanaged<ReadCursor>.fromOpaque(closure!).takeUnretainedValue()
                let count = Int(length)
                guard let data, cursor.bytes.count - cursor.offset >= count else { return CAIRO_STATUS_READ_ERROR }
                cursor.bytes.withUnsafeBufferPointer { buffer in
                    data.update(from: buffer.baseAddress! + cursor.offset, count: count)
                }
                cursor.offset += count
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(cursor).toOpaque())
        }!
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw ImageSourceError.rendering("background PNG could not be decoded: \(String(cString: cairo_status_to_string(status)))")
        }
        let pixels = Int(cairo_image_surface_get_width(surface)) * Int(cairo_image_surface_get_height(surface))
        guard pixels <= maxPixels else {
            cairo_surface_destroy(surface)
            throw ImageSourceError.rendering("background PNG has \(pixels) pixels, more than the \(maxPixels) limit")
        }
        return surface
    }

    static func decodeJPEG(_ bytes: [UInt8], minEdge: Int) throws -> OpaquePointer {
        var message = [CChar](repeating: 0, count: 256)
        let surface = bytes.withUnsafeBufferPointer { buffer in
            message.withUnsafeMutableBufferPointer { text in
                meme_decode_jpeg(buffer.baseAddress, UInt(buffer.count), Int32(minEdge), Int32(maxPixels),
                                 text.baseAddress, text.count)
            }
        }
        guard let surface else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageSourceError.rendering("background JPEG could not be decoded: \(reason)")
        }
        return surface
    }

    /// zlib/libpng settings for ``encodePNG(_:settings:)``.
    struct PNGSettings: Equatable {
        var level: Int32
        var strategy: Int32
        var filters: Int32
        /// Chosen by measurement (docs/benchmarks.md): zlib level 3, run-length strategy, UP filter.
        /// Against cairo_surface_write_to_png_stream (libpng defaults: level 6, adaptive filters)
        /// it encodes a 1024² offline meme ~6× faster for ~15% more bytes (≈460 KB, so base64
        /// stays well under NATS' 1 MB default payload limit).
        static let fast = PNGSettings(level: 3, strategy: Z_RLE, filters: Int32(PNG_FILTER_UP))
    }

    /// Encodes an RGB24 surface with libpng directly, with the given compression settings.
    static func encodePNG(_ surface: OpaquePointer, settings: PNGSettings) throws -> [UInt8] {
        guard cairo_image_surface_get_format(surface) == CAIRO_FORMAT_RGB24 else {
            throw ImageSourceError.rendering("PNG encoding expects an RGB24 surface")
        }
        var data: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard meme_encode_png_rgb24(surface, settings.level, settings.strategy, settings.filters, &data, &length) == 0,
              let data else {
            throw ImageSourceError.rendering("PNG encoding failed")
        }
        defer { free(data) }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }
}

extension ImageCodec {
    /// Encodes an RGB24 surface as a baseline JPEG at `quality` (1...100), 4:2:0, optimised Huffman tables.
    static func encodeJPEG(_ surface: OpaquePointer, quality: Int) throws -> [UInt8] {
        guard cairo_image_surface_get_format(surface) == CAIRO_FORMAT_RGB24 else {
            throw ImageSourceError.rendering("JPEG encoding expects an RGB24 surface")
        }
        guard (1...100).contains(quality) else { throw ImageSourceError.rendering("JPEG quality \(quality) is outside 1...100") }
        var data: UnsafeMutablePointer<UInt8>?
        var length: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer {
            meme_encode_jpeg_rgb24(surface, Int32(quality), &data, &length, $0.baseAddress, $0.count)
        }
        guard status == 0, let data else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageSourceError.rendering("JPEG encoding failed: \(reason)")
        }
        defer { free(data) }
        return Array(UnsafeBufferPointer(start: data, count: Int(length)))
    }
}

/// Decoded pixels, for tests and previews: 0xAARRGGBB per pixel, row-major.
struct DecodedImage {
    var width: Int
    var height: Int
    var pixels: [UInt32]

    init(png: [UInt8]) throws {
        try self.init(surface: try ImageCodec.decodePNG(png))
    }

    /// PNG or JPEG at full resolution.
    init(bytes: [UInt8]) throws {
        try self.init(surface: try ImageCodec.decode(bytes, minEdge: Int(Int32.max)))
    }

    private init(surface: OpaquePointer) {
        defer { cairo_surface_destroy(surface) }
        cairo_surface_flush(surface)
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let format = cairo_image_surface_get_format(surface)
        let data = cairo_image_surface_get_data(surface)!
        var pixels = [UInt32](repeating: 0, count: width * height)
        for y in 0..<height {
            let row = UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width {
                var value = row[x]
                if format == CAIRO_FORMAT_RGB24 { value |= 0xFF00_0000 }
                pixels[y * width + x] = value
            }
        }
        self.pixels = pixels
    }

    func rgb(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int) {
        let p = pixels[y * width + x]
        return (Int((p >> 16) & 0xFF), Int((p >> 8) & 0xFF), Int(p & 0xFF))
    }
}
