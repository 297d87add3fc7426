/// A bounded queue of metadata writes for the shared store, drained by one task (`MemeBook.writeQueued`).
/// Bounded so a Redis that stops answering cannot grow memory: past `capacity` waiting writes, new ones
/// are dropped (and counted as Redis write errors).
final class StoreWriter: Sendable {
    struct Full: Error, CustomStringConvertible {
        let capacity: Int
        var description: String { "\(capacity) writes already wait for Redis; this one is dropped" }
    }

    let capacity: Int
    let records: AsyncStream<MemeRecord>
    private let continuation: AsyncStream<MemeRecord>.Continuation

    init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        (records, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(self.capacity))
    }

    /// False when the queue is full (the record is dropped).
    func enqueue(_ record: MemeRecord) -> Bool {
        if case .dropped = continuation.yield(record) { return false }
        return true
    }

    func finish() { continuation.finish() }
}
