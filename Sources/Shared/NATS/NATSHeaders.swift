/// NATS message headers: an ordered multi-map (a name may repeat; order is kept on the wire).
/// Lookups ignore ASCII case, the names keep the case they were set with.
public struct NATSHeaders: Sendable, Hashable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    public var isEmpty: Bool { fields.isEmpty }
    public var count: Int { fields.count }

    /// The first value for `name`; setting replaces every value for `name` (nil removes them).
    public subscript(name: String) -> String? {
        get { fields.first { Self.same($0.name, name) }?.value }
        set {
            if let newValue {
                if let index = fields.firstIndex(where: { Self.same($0.name, name) }) {
                    fields[index] = (name: name, value: newValue)
                    var i = fields.count - 1
                    while i > index {
                        if Self.same(fields[i].name, name) { fields.remove(at: i) }
                        i -= 1
                    }
                } else {
                    fields.append((name: name, value: newValue))
                }
            } else {
                fields.removeAll { Self.same($0.name, name) }
            }
        }
    }

    /// Every value for `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.same($0.name, name) }.map(\.value)
    }

    /// Adds a value, keeping earlier ones.
    public mutating func append(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.lowercased() == b.lowercased()
    }

    public static func == (lhs: NATSHeaders, rhs: NATSHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }
}

/// Header names the NATS server and JetStream give meaning to.
public enum NATSHeaderName {
    public static let messageID = "Nats-Msg-Id"
    public static let expectedStream = "Nats-Expected-Stream"
    public static let pendingMessages = "Nats-Pending-Messages"
    public static let pendingBytes = "Nats-Pending-Bytes"
}
