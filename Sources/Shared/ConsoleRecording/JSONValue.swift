import Foundation
import MemeKit

/// MemeKit's JSON value (numbers as doubles: the snapshot's integers are small) as the recording
/// uses it: the recorder diffs the snapshot's own JSON (`--once --json`), so a field added to
/// ConsoleSnapshot is recorded with no change here.
extension JSONValue {
    /// An integer, as a number.
    public static func int(_ n: Int) -> JSONValue { .number(Double(n)) }
    public static func double(_ d: Double) -> JSONValue { .number(d) }

    /// A Codable value as JSON, in canonical form.
    public init(encoding value: some Encodable) throws {
        self = try JSONValue(parsing: JSONEncoder().encode(value)).canonical
    }

    /// Parses one JSON text (JSONParser: exact doubles, fast).
    public init(parsing data: Data) throws {
        self = try JSONParser.parse(data)
    }

    /// Decodes a Codable value from this JSON.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Without null members: a null and a missing key decode alike (Optional), and only the
    /// canonical form lets a null in a patch mean "remove".
    public var canonical: JSONValue {
        switch self {
        case .object(let o): .object(o.compactMapValues { $0 == .null ? nil : $0.canonical })
        case .array(let a): .array(a.map(\.canonical))
        default: self
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { o[key] } else { nil }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// A whole number.
    public var intValue: Int? {
        if case .number(let d) = self, d == d.rounded(), abs(d) < 1e15 { Int(d) } else { nil }
    }
    public var numberValue: Double? { if case .number(let d) = self { d } else { nil } }

    /// Compact JSON, keys sorted, "/" unescaped, non-ASCII as UTF-8: one recording line holds it.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// An object written with its keys in the given order (the line type first, for people reading the file).
    public static func orderedObject(_ pairs: [(String, JSONValue)]) -> String {
        var out = "{"
        for (i, (key, value)) in pairs.enumerated() where value != .null {
            if i > 0 && out != "{" { out += "," }
            writeString(key, to: &out)
            out += ":"
            value.write(to: &out)
        }
        return out + "}"
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d):
            // Swift's shortest round-trip form is valid JSON ("0.3", "1e-05"); a whole number gets no ".0".
            out += d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, key) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                o[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}":
                // Control characters escaped, so a recorded prompt can never break a line.
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
