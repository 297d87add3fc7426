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
    var currentServer: NATSServerAddress?
    var serverIndex = 0

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

    /// Why the current channel is going away (server -ERR, stale PINGs, protocol error), for the event.
    var closeReason: String?

    var listeners: [Int: AsyncStream<NATSEvent>.Continuation] = [:]
    var nextListener = 0

    init(allocator: ByteBufferAllocator) {
        pending = allocator.buffer(capacity: 64 * 1024)
    }
}
