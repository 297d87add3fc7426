import Testing
@testable import QRCode

/// libqrencode through its one Swift wrapper. There is no decoder here, so the checks are the
/// structure the standard fixes: size from version, finder patterns, timing patterns, the dark module.
@Suite struct QRCodeTests {
    @Test func aLANAddressFitsASmallSymbol() throws {
        let code = try QRCode(encoding: "http://192.168.178.20:8080/")
        // 27 bytes at medium correction: version 2-M holds 26 bytes, version 3-M 42.
        #expect(code.version == 3)
        #expect(code.size == 17 + 4 * code.version)
        #expect(code.modules.count == code.size * code.size)
        try expectStructure(code)
    }

    @Test func versionGrowsWithTheText() throws {
        var last = 0
        for length in [10, 50, 200, 800, 2000] {
            let code = try QRCode(encoding: "https://example.org/" + String(repeating: "a", count: length), correction: .low)
            #expect(code.version > last, "\(length) bytes → version \(code.version)")
            #expect(code.size == 17 + 4 * code.version)
            last = code.version
            try expectStructure(code)
        }
    }

    @Test func higherCorrectionNeedsABiggerSymbol() throws {
        let text = "http://10.0.0.5:8080/"
        let low = try QRCode(encoding: text, correction: .low), high = try QRCode(encoding: text, correction: .high)
        #expect(high.version > low.version)
        #expect(low != high)
        #expect(try QRCode(encoding: text, correction: .low) == low, "the same text gives the same symbol")
    }

    @Test func badTextIsAClearError() {
        #expect(throws: QRCodeError("cannot make a QR code of empty text")) { try QRCode(encoding: "") }
        #expect(throws: QRCodeError("text of 3000 bytes is too long for a QR code (at most 2953)")) {
            try QRCode(encoding: String(repeating: "x", count: 3000))
        }
        // Fits the 8-bit limit at low correction only.
        #expect(throws: QRCodeError.self) { try QRCode(encoding: String(repeating: "x", count: 2900), correction: .high) }
    }

    /// Finder patterns (7×7 rings with a 3×3 core) in three corners, white separators, alternating
    /// timing patterns on row and column 6, and the dark module at (8, 4 × version + 9).
    func expectStructure(_ code: QRCode) throws {
        let n = code.size
        for (ox, oy) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            for y in 0..<7 {
                for x in 0..<7 {
                    let ring = max(abs(x - 3), abs(y - 3))
                    #expect(code[ox + x, oy + y] == (ring != 2), "finder at (\(ox), \(oy)), module (\(x), \(y))")
                }
            }
        }
        for i in 0..<8 {
            #expect(!code[7, i] && !code[i, 7], "top-left separator")
            #expect(!code[n - 8, i] && !code[n - 1 - i, 7], "top-right separator")
            #expect(!code[7, n - 1 - i] && !code[i, n - 8], "bottom-left separator")
        }
        for i in 8..<(n - 8) {
            #expect(code[i, 6] == (i % 2 == 0), "horizontal timing at \(i)")
            #expect(code[6, i] == (i % 2 == 0), "vertical timing at \(i)")
        }
        #expect(code[8, 4 * code.version + 9], "dark module")
    }
}
