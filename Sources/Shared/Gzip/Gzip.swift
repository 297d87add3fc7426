import CZlib
import Foundation

/// Why data could not be compressed or read as gzip.
public struct GzipError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A gzip stream written in pieces, each ending on a sync flush: a file that holds the pieces
/// written so far (a process killed between two appends) decompresses to exactly those pieces,
/// with no trailer needed. zlib's stream is owned here; nothing else calls zlib.
public final class GzipWriter {
    private var stream = z_stream()
    private var finished = false

    public init(level: Int32 = 6) throws {
        let status = cz_deflate_init_gzip(&stream, level)
        guard status == Z_OK else { throw GzipError("cannot start gzip compression (zlib status \(status))") }
    }

    deinit { deflateEnd(&stream) }

    /// The compressed bytes of `data`, flushed so that everything up to here can be read back.
    public func append(_ data: some Collection<UInt8>) throws -> [UInt8] {
        guard !finished else { throw GzipError("the gzip stream is already finished") }
        return try run(Array(data), flush: Z_SYNC_FLUSH)
    }

    /// The stream's end (the gzip trailer: CRC and length). Nothing can be appended after it.
    public func finish() throws -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        return try run([], flush: Z_FINISH)
    }

    private func run(_ input: [UInt8], flush: Int32) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(1024, input.count + input.count / 8 + 64))
        var input = input
        try input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let status = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    return deflate(&stream, flush)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw GzipError("gzip compression failed (zlib status \(status))")
                }
                output += chunk[0..<(chunk.count - Int(stream.avail_out))]
            } while stream.avail_out == 0
            stream.next_in = nil
        }
        return output
    }
}

public enum Gzip {
    /// Whether `data` starts like a gzip stream (RFC 1952's magic bytes).
    public static func isGzip(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// Decompresses a gzip stream, also one cut short or corrupt: everything read before the end or
    /// the damage comes back; `complete` says whether the stream had its end, `damage` where it broke.
    public static func decompress(_ data: Data) throws -> (data: Data, complete: Bool, damage: String?) {
        var stream = z_stream()
        guard cz_inflate_init_gzip(&stream) == Z_OK else { throw GzipError("cannot start gzip decompression") }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var input = Array(data)
        var complete = false
        var damage: String?
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                switch status {
                case Z_STREAM_END:
                    complete = true
                    return
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    return  // cut short: what came so far is all there is
                default:
                    let offset = inBuffer.count - Int(stream.avail_in)
                    damage = "corrupt gzip data at byte \(offset) of \(inBuffer.count)"
                    return
                }
            }
        }
        return (output, complete, damage)
    }
}
