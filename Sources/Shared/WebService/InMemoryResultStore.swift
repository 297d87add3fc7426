import Foundation
import Synchronization

/// A bounded cache of recent records: at most `capacity` records and `maxImageBytes` of images
/// (the oldest images are dropped first, then the oldest records), each expiring after its TTL.
/// Bounded so a flood of requests with no worker running cannot grow memory without limit.
/// Each process's own cache, not a shared `ResultStore`: it may hold images, which the shared
/// store never does (the worker's answer is their one stored copy).
public final class InMemoryResultStore: Sendable {
    struct Entry {
        var record: MemeRecord
        var expires: Double
        var sequence: UInt64
    }

    struct State {
        var entries: [String: Entry] = [:]
        /// Ids in creation order (oldest first); may hold stale ids, skipped lazily.
        var order: [(id: String, sequence: UInt64)] = []
        var orderStart = 0
        var nextSequence: UInt64 = 0
        var imageBytes = 0
    }

    public let capacity: Int
    public let maxImageBytes: Int
    private let clock: @Sendable () -> Double
    private let state = Mutex(State())

    public init(
        capacity: Int = 1000, maxImageBytes: Int = 32 * 1024 * 1024,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.capacity = max(1, capacity)
        self.maxImageBytes = max(0, maxImageBytes)
        self.clock = clock
    }

    public var count: Int { state.withLock { $0.entries.count } }

    public func get(id: String) async throws -> MemeRecord? { lookup(id) }

    public func put(_ record: MemeRecord, ttlSeconds: Int) async throws { store(record, ttlSeconds: ttlSeconds) }

    public func recent(limit: Int) async throws -> [MemeRecord] { newest(limit) }

    func lookup(_ id: String) -> MemeRecord? {
        let now = clock()
        return state.withLock { state in
            guard let entry = state.entries[id] else { return nil }
            if entry.expires <= now {
                Self.remove(id, from: &state)
                return nil
            }
            return entry.record
        }
    }

    /// Returns the status of the record it replaced (or kept), nil for a new id: checked under
    /// the same lock, so of two racing writers of an answer exactly one sees `.queued`.
    @discardableResult
    func store(_ record: MemeRecord, ttlSeconds: Int) -> MemeRecord.Status? {
        let expires = clock() + Double(max(1, ttlSeconds))
        let capacity = self.capacity, maxImageBytes = self.maxImageBytes
        return state.withLock { state -> MemeRecord.Status? in
            let replaced = state.entries[record.id]?.record.status
            if let old = state.entries[record.id] {
                // A late "queued" write must not hide a result that already arrived.
                if record.status == .queued, old.record.status != .queued { return replaced }
                // An update (queued → done) keeps its place in the creation order.
                state.imageBytes -= old.record.image?.count ?? 0
                state.entries[record.id] = Entry(record: record, expires: expires, sequence: old.sequence)
            } else {
                let sequence = state.nextSequence
                state.nextSequence += 1
                state.entries[record.id] = Entry(record: record, expires: expires, sequence: sequence)
                state.order.append((record.id, sequence))
            }
            state.imageBytes += record.image?.count ?? 0
            Self.enforceBounds(&state, capacity: capacity, maxImageBytes: maxImageBytes)
            return replaced
        }
    }

    /// Forgets a record (a submit that the queue refused).
    func discard(id: String) {
        state.withLock { Self.remove(id, from: &$0) }
    }

    func newest(_ limit: Int) -> [MemeRecord] {
        let now = clock()
        return state.withLock { state in
            var result: [MemeRecord] = []
            var index = state.order.count - 1
            while index >= state.orderStart, result.count < limit {
                let (id, sequence) = state.order[index]
                if let entry = state.entries[id], entry.sequence == sequence, entry.expires > now {
                    result.append(entry.record)
                }
                index -= 1
            }
            return result
        }
    }

    private static func remove(_ id: String, from state: inout State) {
        if let old = state.entries.removeValue(forKey: id) {
            state.imageBytes -= old.record.image?.count ?? 0
        }
    }

    private static func enforceBounds(_ state: inout State, capacity: Int, maxImageBytes: Int) {
        // Oldest first: drop records over capacity.
        while state.entries.count > capacity, state.orderStart < state.order.count {
            let (id, sequence) = state.order[state.orderStart]
            state.orderStart += 1
            if state.entries[id]?.sequence == sequence { remove(id, from: &state) }
        }
        // Then drop the oldest images (the record stays, its image does not).
        var index = state.orderStart
        while state.imageBytes > maxImageBytes, index < state.order.count {
            let (id, sequence) = state.order[index]
            index += 1
            guard var entry = state.entries[id], entry.sequence == sequence, let image = entry.record.image else { continue }
            state.imageBytes -= image.count
            entry.record.image = nil
            // Forgotten here, so no image_url without a shared store; MemeBook reloads it from one.
            entry.record.imageBytes = nil
            state.entries[id] = entry
        }
        // Compact the order list once the dead prefix dominates, so it stays O(capacity).
        if state.orderStart > 64, state.orderStart * 2 > state.order.count {
            state.order.removeFirst(state.orderStart)
            state.orderStart = 0
        }
        if state.order.count > capacity * 4 + 64 {
            state.order = state.order.filter { state.entries[$0.id]?.sequence == $0.sequence }
            state.orderStart = 0
        }
    }
}
