extension Duration {
    /// JetStream carries durations as integer nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

extension KeyedDecodingContainer {
    func decodeDuration(_ key: Key) throws -> Duration? {
        try decodeIfPresent(Int64.self, forKey: key).map { .nanoseconds($0) }
    }
}

extension KeyedEncodingContainer {
    mutating func encodeDuration(_ value: Duration?, _ key: Key) throws {
        if let value { try encode(value.nanoseconds, forKey: key) }
    }
}
