import DequeModule
import NIOCore

/// Everything mutable about a connection, guarded by one Mutex in `NATSConnection`.
struct ConnectionState {
    struct Subscription {
        var subject: String
        var queue: String?
        var continuation: AsyncThrowingStream<NATSMessage, any Error>.Continuation
        /// Auto-unsubscribe after this many deliveries in total (re-sent as the remainder on reconnect).
        var max: Int?
        var delivered = 0
        var dropped = 0
    }

    enum PongWaiter {
        case keepalive
        case flush(CheckedContinuation<Void, any Error>)
    }

    struct Request {
        var continuation: CheckedContinuation<NATSMessage, any Error>
        var timeout: Scheduled<Void>?
    }

    var status = NATSConnectionStatus.connecting
    var channel: Channel?
    var generation = 0
    var serverInfo: ServerInfo?
    /// Configured and discovered servers; `pool.current` is the one in use (or last used).
    var pool: ServerPool
    /// Whether a handshake with `pool.current` ever succeeded.
    var everConnected = false

    /// Bytes not yet handed to the channel. While disconnected this is the reconnect buffer.
    var pending: ByteBuffer
    var writeInFlight = false
    var flushScheduled = false
    /// PINGs sitting in `pending` (their PONG waiters survive a reconnect).
    var pingsInPending = 0
    var pongWaiters = Deque<PongWaiter>()
    var pingsOutstanding = 0
    var keepalive: RepeatedTask?
    var backpressureWaiters: [CheckedContinuation<Void, any Error>] = []

    var subscriptions: [UInt64: Subscription] = [:]
    var nextSID: UInt64 = 1

    var inboxPrefix: String?
    var muxSID: UInt64?
    var requests: [String: Request] = [:]
    var nextRequestID: UInt64 = 0
    /// Unheld requests (see `NATSConnection.request(…holdWhileDisconnected: false)`): encoded, not yet
    /// handed to the channel, oldest first. Written with the next flush, after `pending`.
    var unsentRequests: [(token: String, bytes: ByteBuffer)] = []
    /// Unheld requests handed to the current channel and not answered yet.
    var sentUnheldRequests: Set<String> = []

    /// Why the current channel is going away (server -ERR, stale PINGs, protocol error), for the event.
    var closeReason: String?

    var listeners: [Int: AsyncStream<NATSEvent>.Continuation] = [:]
    var nextListener = 0

    init(allocator: ByteBufferAllocator, servers: [NATSServerAddress] = []) {
        pool = ServerPool(configured: servers)
        pending = allocator.buffer(capacity: 64 * 1024)
    }

    // MARK: Unheld requests: never sent on a later connection than the one they were made on

    var hasUnsentRequests: Bool { !unsentRequests.isEmpty }

    mutating func queueUnheld(token: String, bytes: ByteBuffer) {
        unsentRequests.append((token, bytes))
    }

    /// Appends the unsent requests to `buffer` (the write about to go to the channel); they count as sent.
    mutating func takeUnsentRequests(into buffer: inout ByteBuffer) {
        for (token, var bytes) in unsentRequests {
            buffer.writeBuffer(&bytes)
            sentUnheldRequests.insert(token)
        }
        unsentRequests.removeAll()
    }

    /// The caller gave up or the answer came: forget it. True when it had not been sent (now it never will).
    @discardableResult
    mutating func withdraw(token: String) -> Bool {
        sentUnheldRequests.remove(token)
        guard let index = unsentRequests.firstIndex(where: { $0.token == token }) else { return false }
        unsentRequests.remove(at: index)
        return true
    }

    /// The connection is gone: unsent requests are dropped (never sent later), sent ones can no longer be
    /// answered on it. Returns both sets of tokens so their callers can be told which it was.
    mutating func loseUnheldRequests() -> (unsent: [String], sent: [String]) {
        let lost = (unsentRequests.map(\.token), sentUnheldRequests.sorted())
        unsentRequests.removeAll()
        sentUnheldRequests.removeAll()
        return lost
    }
}
