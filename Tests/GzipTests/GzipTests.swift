import Foundation
import Testing
@testable import Gzip

@Suite("Gzip")
struct GzipTests {
    let lines = (0..<500).map { "{\"t\":\($0),\"type\":\"delta\",\"patch\":{\"queue\":{\"lag\":\($0 * 7)}}}\n" }

    func written() throws -> [[UInt8]] {
        let writer = try GzipWriter()
        return try lines.map { try writer.append(Array($0.utf8)) } + [try writer.finish()]
    }

    @Test func roundTripAndSmaller() throws {
        let pieces = try written()
        let data = Data(pieces.joined())
        #expect(Gzip.isGzip(data))
        let (back, complete, damage) = try Gzip.decompress(data)
        #expect(complete && damage == nil)
        #expect(String(decoding: back, as: UTF8.self) == lines.joined())
        #expect(data.count * 3 < lines.joined().utf8.count)
    }

    @Test func everyPrefixOfWholePiecesReadsBack() throws {
        let pieces = try written()
        for n in [1, 2, 50, 499] {
            let (back, complete, damage) = try Gzip.decompress(Data(pieces.prefix(n).joined()))
            #expect(!complete && damage == nil)
            #expect(String(decoding: back, as: UTF8.self) == lines.prefix(n).joined())
        }
    }

    @Test func aPieceCutInHalfLosesAtMostThatPiece() throws {
        let pieces = try written()
        var data = Data(pieces.prefix(10).joined())
        data.append(contentsOf: pieces[10].prefix(pieces[10].count / 2))
        let text = String(decoding: try Gzip.decompress(data).data, as: UTF8.self)
        #expect(text.hasPrefix(lines.prefix(10).joined()))
        #expect(text.count <= lines.prefix(11).joined().count)
    }

    @Test func corruptDataIsRefused() throws {
        let pieces = try written()
        var data = Data(pieces.joined())
        let at = pieces.prefix(100).joined().count + 3
        for i in at..<(at + 20) { data[i] ^= 0xFF }
        let (back, complete, damage) = try Gzip.decompress(data)
        #expect(!complete && damage?.contains("corrupt gzip data at byte") == true)
        // What came before the damage is still there.
        #expect(String(decoding: back, as: UTF8.self).hasPrefix(lines.prefix(99).joined()))
        #expect(!Gzip.isGzip(Data("{}".utf8)))
    }
}
