// JSON text from a JSONValue: the one writer of JSON string literals (the Hugging Face request body,
// the console's recordings).

extension JSONValue {
    /// Compact JSON: keys sorted, "/" unescaped, non-ASCII as UTF-8, control characters escaped (never a raw newline).
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

    public func write(to out: inout String) {
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

    public static func writeString(_ s: String, to out: inout String) {
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
