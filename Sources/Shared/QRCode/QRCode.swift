import CQRencode
import Foundation

/// How much of a QR symbol may be damaged and still read (bigger symbols for more).
public enum QRErrorCorrection: Sendable, CaseIterable {
    /// ~7 %.
    case low
    /// ~15 %: the usual choice for a code shown on a screen.
    case medium
    /// ~25 %.
    case quartile
    /// ~30 %.
    case high

    var level: QRecLevel {
        switch self {
        case .low: QR_ECLEVEL_L
        case .medium: QR_ECLEVEL_M
        case .quartile: QR_ECLEVEL_Q
        case .high: QR_ECLEVEL_H
        }
    }
}

public struct QRCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A QR code as a square of modules (true = dark), without the quiet zone around it.
/// Made by libqrencode; this is the only Swift that touches it.
///
///     let code = try QRCode(encoding: "http://192.168.1.20:8080")
///     code.size       // 25 for version 2
///     code[0, 0]      // true: the top-left finder pattern
public struct QRCode: Sendable, Equatable {
    /// 1…40; the symbol is 17 + 4 × version modules wide.
    public let version: Int
    public let size: Int
    /// Row-major, `size × size`.
    public let modules: [Bool]

    /// The longest text accepted (a version 40 symbol at low correction holds 2953 bytes).
    public static let maxBytes = 2953

    /// Encodes `text` as 8-bit data in the smallest symbol that holds it.
    public init(encoding text: String, correction: QRErrorCorrection = .medium) throws(QRCodeError) {
        let bytes = text.utf8.count
        guard bytes > 0 else { throw QRCodeError("cannot make a QR code of empty text") }
        guard bytes <= Self.maxBytes else { throw QRCodeError("text of \(bytes) bytes is too long for a QR code (at most \(Self.maxBytes))") }
        guard !text.utf8.contains(0) else { throw QRCodeError("text for a QR code must not contain NUL") }
        let symbol = try Symbol(text: text, level: correction.level)
        version = symbol.version
        size = symbol.width
        modules = symbol.modules
    }

    public subscript(x: Int, y: Int) -> Bool {
        precondition((0..<size).contains(x) && (0..<size).contains(y), "module (\(x), \(y)) is outside a \(size) × \(size) code")
        return modules[y * size + x]
    }
}

/// Owns one `QRcode *` from libqrencode and frees it.
private final class Symbol {
    let handle: UnsafeMutablePointer<QRcode>

    init(text: String, level: QRecLevel) throws(QRCodeError) {
        // Version 0: the smallest that fits. 8-bit mode keeps the text exactly as given (URLs are case-sensitive).
        guard let handle = QRcode_encodeString8bit(text, 0, level) else {
            let reason = errno == ERANGE ? "the text does not fit in any QR version" : String(cString: strerror(errno))
            throw QRCodeError("libqrencode could not encode \(text.utf8.count) bytes: \(reason)")
        }
        self.handle = handle
    }

    deinit { QRcode_free(handle) }

    var version: Int { Int(handle.pointee.version) }
    var width: Int { Int(handle.pointee.width) }

    /// Bit 0 of each byte is the module's colour (1 = dark); the other bits say what the module is for.
    var modules: [Bool] {
        let count = width * width
        let data = handle.pointee.data!
        return (0..<count).map { data[$0] & 1 == 1 }
    }
}
