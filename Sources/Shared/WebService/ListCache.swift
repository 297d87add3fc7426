import Foundation
import NIOCore
import Synchronization

/// The recent list's encoded answers, one per `limit`, each reused for `ttl`: concurrent and repeated
/// calls share one walk of the store (single flight), so a room of walls reconnecting at once, or a
/// script asking in a loop, costs one store read a second per distinct limit, not one per call.
final class ListCache: Sendable {
    private struct Entry {
        var task: Task<ByteBuffer, Never>
        var expires: ContinuousClock.Instant
    }

    let ttl: Duration
    private let entries = Mutex([Int: Entry]())

    init(ttl: Duration = .seconds(1)) { self.ttl = ttl }

    func body(limit: Int, make: @escaping @Sendable () async -> ByteBuffer) async -> ByteBuffer {
        let now = ContinuousClock.now
        let ttl = self.ttl
        let task = entries.withLock { entries -> Task<ByteBuffer, Never> in
            if let entry = entries[limit], entry.expires > now { return entry.task }
            let task = Task { await make() }
            entries[limit] = Entry(task: task, expires: now + ttl)
            return task
        }
        return await task.value
    }
}
