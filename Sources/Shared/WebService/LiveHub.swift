import Synchronization

/// Fans live events out to WebSocket viewers. Each viewer gets a bounded buffer: a viewer that
/// falls `bufferLimit` messages behind is dropped (its stream ends) instead of buffering forever.
/// At most `maxViewers` are connected: each costs buffers in this process (about 16 KB idle).
public final class LiveHub: Sendable {
    public struct Viewer: Sendable {
        public let id: UInt64
        public let messages: AsyncStream<String>
    }

    struct State {
        var viewers: [UInt64: AsyncStream<String>.Continuation] = [:]
        var nextID: UInt64 = 0
        var dropped = 0
    }

    public let bufferLimit: Int
    public let maxViewers: Int
    private let state = Mutex(State())
    private let onChange: @Sendable (_ open: Int, _ droppedNow: Bool) -> Void

    /// - Parameter onChange: told the open count after each connect/disconnect (for the gauge).
    public init(bufferLimit: Int = 64, maxViewers: Int = .max,
                onChange: @escaping @Sendable (_ open: Int, _ droppedNow: Bool) -> Void = { _, _ in }) {
        self.bufferLimit = max(1, bufferLimit)
        self.maxViewers = max(1, maxViewers)
        self.onChange = onChange
    }

    public var viewerCount: Int { state.withLock { $0.viewers.count } }
    public var droppedCount: Int { state.withLock { $0.dropped } }

    public func connect() -> Viewer {
        // Unbounded callers (tests) only; routes use `tryConnect`.
        connect(bounded: false)!
    }

    /// A new viewer, or nil when `maxViewers` are already connected.
    public func tryConnect() -> Viewer? { connect(bounded: true) }

    private func connect(bounded: Bool) -> Viewer? {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit))
        let maxViewers = self.maxViewers
        let admitted: (UInt64, Int)? = state.withLock { state in
            if bounded, state.viewers.count >= maxViewers { return nil }
            let id = state.nextID
            state.nextID += 1
            state.viewers[id] = continuation
            return (id, state.viewers.count)
        }
        guard let (id, open) = admitted else {
            continuation.finish()
            return nil
        }
        continuation.onTermination = { [weak self] _ in self?.disconnect(id) }
        onChange(open, false)
        return Viewer(id: id, messages: stream)
    }

    public func disconnect(_ id: UInt64) {
        let removed: (AsyncStream<String>.Continuation, Int)? = state.withLock { state in
            guard let continuation = state.viewers.removeValue(forKey: id) else { return nil }
            return (continuation, state.viewers.count)
        }
        if let (continuation, open) = removed {
            continuation.finish()
            onChange(open, false)
        }
    }

    /// Sends one text message to every viewer; viewers whose buffer is full are dropped.
    public func broadcast(_ message: String) {
        let viewers = state.withLock { Array($0.viewers) }
        for (id, continuation) in viewers {
            if case .dropped = continuation.yield(message) {
                let open: Int? = state.withLock { state in
                    guard state.viewers.removeValue(forKey: id) != nil else { return nil }
                    state.dropped += 1
                    return state.viewers.count
                }
                continuation.finish()
                if let open { onChange(open, true) }
            }
        }
    }

    /// Ends every viewer's stream (shutdown).
    public func closeAll() {
        let viewers = state.withLock { state in
            defer { state.viewers.removeAll() }
            return Array(state.viewers.values)
        }
        for continuation in viewers { continuation.finish() }
        onChange(0, false)
    }
}
