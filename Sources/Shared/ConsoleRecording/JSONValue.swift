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
}
