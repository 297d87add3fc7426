import DequeModule
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A connection to a NATS server (or a list of them), reconnecting on its own.
///
///     let nc = try await NATSConnection.connect(NATSOptions(servers: ["nats://127.0.0.1:4222"], name: "meme-worker"))
///     let sub = try await nc.subscribe("meme.response")
///     try await nc.publish("meme.response", payload: bytes)
///     for try await msg in sub { … }
///     await nc.close()
///
/// Publishing is buffered: `publish` returns once the message is queued (in order with every other
/// command); `flush()` waits until the server has processed everything queued so far.
public final class NATSConnection: Sendable {
    public let options: NATSOptions
    let group: any EventLoopGroup
    let state: Mutex<ConnectionState>
    let logger: Logger
    /// Above this many queued bytes a publisher waits for the socket (only while connected).
    let highWater = 4 * 1024 * 1024

    init(options: NATSOptions, servers: [NATSServerAddress]) {
        self.options = options
        group = MultiThreadedEventLoopGroup.singleton
        state = Mutex(ConnectionState(allocator: ByteBufferAllocator(), servers: servers))
        logger = options.logger
    }

    /// Connects to the first server in `options.servers` that accepts the handshake.
    public static func connect(_ options: NATSOptions) async throws -> NATSConnection {
        guard !options.servers.isEmpty else { throw NATSError(.invalidURL, "no server given") }
        let servers = try options.servers.map { (text: String) throws(NATSError) in try NATSServerAddress(parsing: text) }
        let connection = NATSConnection(options: options, servers: servers)
        var lastError: any Error = NATSError(.connectionFailed, "no server reachable")
        for index in servers.indices {
            do {
                try await connection.establish(serverIndex: index)
                connection.emit(.connected(server: servers[index].description))
                return connection
            } catch {
                lastError = error
                connection.logger.debug("connect failed", metadata: ["server": "\(servers[index])", "error": "\(error)"])
            }
        }
        connection.state.withLock { $0.status = .closed }
        throw lastError
    }

    // MARK: Public state

    public var status: NATSConnectionStatus { state.withLock { $0.status } }
    /// The INFO of the server currently (or last) connected.
    public var serverInfo: ServerInfo? { state.withLock { $0.serverInfo } }
    /// The server currently (or last) connected, without credentials.
    public var connectedServer: String? { state.withLock { $0.everConnected ? $0.pool.currentServer.description : nil } }
    /// Every server this connection may reconnect to: the configured ones, then those the cluster
    /// announced (INFO `connect_urls`), without credentials.
    public var knownServers: [String] { state.withLock { $0.pool.servers.map(\.description) } }

    /// A new stream of connection events from now on (each access makes an independent listener).
    public var events: AsyncStream<NATSEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: NATSEvent.self, bufferingPolicy: .bufferingNewest(1024))
        let id: Int? = state.withLock { s in
            guard s.status != .closed else { return nil }
            s.nextListener += 1
            s.listeners[s.nextListener] = continuation
            return s.nextListener
        }
        if let id {
            continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) } }
        } else {
            continuation.yield(.closed)
            continuation.finish()
        }
        return stream
    }

    func emit(_ event: NATSEvent) {
        let listeners = state.withLock { Array($0.listeners.values) }
        for listener in listeners { listener.yield(event) }
    }

    // MARK: Publish

    /// Queues a message. Throws if the payload exceeds the server's max_payload, the subject is invalid,
    /// the connection is closed, or (while reconnecting) the reconnect buffer is full.
    public func publish(_ subject: String, payload: ByteBuffer = ByteBuffer(), replyTo: String? = nil,
                        headers: NATSHeaders? = nil) async throws {
        let mustWait = try enqueuePublish(subject, payload: payload, replyTo: replyTo, headers: headers)
        if mustWait { try await waitForWritable() }
    }

    public func publish(_ subject: String, payload: [UInt8], replyTo: String? = nil, headers: NATSHeaders? = nil) async throws {
        try await publish(subject, payload: ByteBuffer(bytes: payload), replyTo: replyTo, headers: headers)
    }

    public func publish(_ subject: String, payload: String, replyTo: String? = nil, headers: NATSHeaders? = nil) async throws {
        try await publish(subject, payload: ByteBuffer(string: payload), replyTo: replyTo, headers: headers)
    }

    /// Returns true when the caller should wait for the socket to catch up.
    func enqueuePublish(_ subject: String, payload: ByteBuffer, replyTo: String?, headers: NATSHeaders?) throws -> Bool {
        let (mustWait, channel) = try enqueue(subject, payload: payload, replyTo: replyTo, headers: headers)
        if let channel {
            if channel.eventLoop.inEventLoop {
                flushPending()
            } else {
                channel.eventLoop.execute { self.flushPending() }
            }
        }
        return mustWait
    }

    /// Queues a publish; returns whether to wait for the socket, and the channel whose flush the caller must schedule.
    func enqueue(_ subject: String, payload: ByteBuffer, replyTo: String?, headers: NATSHeaders?) throws -> (Bool, Channel?) {
        try SubjectValidator.check(subject)
        if let replyTo { try SubjectValidator.check(replyTo, "reply subject") }
        let size = payload.readableBytes + ClientEncoder.headerBlockSize(headers)
        let reconnectLimit = options.reconnectBufferSize
        let (channel, mustWait): (Channel?, Bool) = try state.withLock { (s) throws(NATSError) in
            switch s.status {
            case .closed: throw NATSError.closed
            case .draining: throw NATSError(.connectionClosed, "the connection is draining")
            case .connecting, .connected, .reconnecting: break
            }
            if let max = s.serverInfo?.maxPayload, size > max {
                throw NATSError(.maxPayloadExceeded, "message of \(size) bytes exceeds the server's max_payload of \(max) bytes")
            }
            if s.channel == nil && s.pending.readableBytes + size + subject.utf8.count + 64 > reconnectLimit {
                throw NATSError(.reconnectBufferFull, "disconnected and the reconnect buffer (\(reconnectLimit) bytes) is full")
            }
            ClientEncoder.publish(subject: subject, replyTo: replyTo, headers: headers, payload: payload, into: &s.pending)
            return (Self.scheduleFlush(&s), s.channel != nil && s.pending.readableBytes > highWater)
        }
        return (mustWait, channel)
    }

    private func waitForWritable() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ready = state.withLock { s in
                if s.channel == nil || s.pending.readableBytes <= highWater { return true }
                s.backpressureWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Marks a flush as scheduled and returns the channel to schedule it on, if one is due.
    static func scheduleFlush(_ s: inout ConnectionState) -> Channel? {
        guard let channel = s.channel, !s.flushScheduled, !s.writeInFlight, s.pending.readableBytes > 0 || s.hasUnsentRequests
        else { return nil }
        s.flushScheduled = true
        return channel
    }

    /// Hands everything queued to the channel; one write in flight at a time, so queued bytes batch up.
    func flushPending() {
        let work: (Channel, ByteBuffer)? = state.withLock { s in
            s.flushScheduled = false
            guard let channel = s.channel, !s.writeInFlight, s.pending.readableBytes > 0 || s.hasUnsentRequests else { return nil }
            s.writeInFlight = true
            s.pingsInPending = 0
            var buffer = s.pending
            s.takeUnsentRequests(into: &buffer)
            s.pending = channel.allocator.buffer(capacity: Swift.max(64 * 1024, buffer.readableBytes / 2))
            return (channel, buffer)
        }
        guard let (channel, buffer) = work else { return }
        channel.writeAndFlush(buffer).whenComplete { _ in
            let (again, waiters): (Bool, [CheckedContinuation<Void, any Error>]) = self.state.withLock { s in
                s.writeInFlight = false
                var waiters: [CheckedContinuation<Void, any Error>] = []
                if s.pending.readableBytes <= self.highWater {
                    waiters = s.backpressureWaiters
                    s.backpressureWaiters = []
                }
                return (s.channel != nil && (s.pending.readableBytes > 0 || s.hasUnsentRequests), waiters)
            }
            for waiter in waiters { waiter.resume() }
            if again { self.flushPending() }
        }
    }

    // MARK: Subscribe

    /// Subscribes to `subject` (wildcards allowed), optionally in a queue group.
    public func subscribe(_ subject: String, queue: String? = nil, capacity: Int? = nil) async throws -> NATSSubscription {
        try SubjectValidator.check(subject)
        if let queue { try SubjectValidator.check(queue, "queue group") }
        let capacity = Swift.max(1, capacity ?? options.subscriptionCapacity)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: NATSMessage.self, bufferingPolicy: .bufferingOldest(capacity))
        let (sid, channel) = try state.withLock { (s) throws(NATSError) -> (UInt64, Channel?) in
            guard s.status != .closed else { throw NATSError.closed }
            guard s.status != .draining else { throw NATSError(.connectionClosed, "the connection is draining") }
            let sid = s.nextSID
            s.nextSID += 1
            s.subscriptions[sid] = ConnectionState.Subscription(subject: subject, queue: queue, continuation: continuation)
            // While disconnected the SUB is sent on reconnect with all the others.
            if s.channel != nil { ClientEncoder.subscribe(subject: subject, queue: queue, sid: sid, into: &s.pending) }
            return (sid, Self.scheduleFlush(&s))
        }
        continuation.onTermination = { [weak self] _ in self?.forget(sid: sid) }
        if let channel { channel.eventLoop.execute { self.flushPending() } }
        return NATSSubscription(sid: sid, subject: subject, queue: queue, stream: stream, connection: self)
    }

    func unsubscribe(sid: UInt64, after max: Int?) throws {
        let (channel, finished) = try state.withLock { (s) throws(NATSError) -> (Channel?, AsyncThrowingStream<NATSMessage, any Error>.Continuation?) in
            guard s.status != .closed else { throw NATSError.closed }
            guard var sub = s.subscriptions[sid] else { return (nil, nil) }
            var finished: AsyncThrowingStream<NATSMessage, any Error>.Continuation?
            if let max, max > sub.delivered {
                sub.max = max
                s.subscriptions[sid] = sub
            } else {
                s.subscriptions[sid] = nil
                finished = sub.continuation
            }
            if s.channel != nil { ClientEncoder.unsubscribe(sid: sid, max: finished == nil ? max : nil, into: &s.pending) }
            return (Self.scheduleFlush(&s), finished)
        }
        finished?.finish()
        if let channel { channel.eventLoop.execute { self.flushPending() } }
    }

    /// The consumer stopped iterating: tell the server, quietly.
    func forget(sid: UInt64) {
        let channel: Channel? = state.withLock { s in
            guard s.subscriptions.removeValue(forKey: sid) != nil, s.status != .closed, s.channel != nil else { return nil }
            ClientEncoder.unsubscribe(sid: sid, max: nil, into: &s.pending)
            return Self.scheduleFlush(&s)
        }
        if let channel { channel.eventLoop.execute { self.flushPending() } }
    }

    func dropped(sid: UInt64) -> Int { state.withLock { $0.subscriptions[sid]?.dropped ?? 0 } }

    // MARK: Flush

    /// Waits until the server has processed everything sent so far (PING/PONG round trip).
    public func flush(timeout: Duration = .seconds(5)) async throws {
        let task = Task {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result: Result<Channel?, NATSError> = state.withLock { s in
                    guard s.status != .closed else { return .failure(NATSError.closed) }
                    guard s.channel != nil else { return .failure(NATSError(.disconnected, "cannot flush while disconnected")) }
                    ClientEncoder.ping(into: &s.pending)
                    s.pingsInPending += 1
                    s.pongWaiters.append(.flush(continuation))
                    return .success(Self.scheduleFlush(&s))
                }
                switch result {
                case .failure(let error): continuation.resume(throwing: error)
                case .success(let channel): if let channel { channel.eventLoop.execute { self.flushPending() } }
                }
            }
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.abandonFlushes()
        }
        defer { timer.cancel() }
        try await task.value
    }

    /// A flush that timed out: fail every waiting flush (keeps the PONG accounting simple).
    private func abandonFlushes() {
        let waiters: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            var out: [CheckedContinuation<Void, any Error>] = []
            s.pongWaiters = Deque(s.pongWaiters.map { waiter in
                if case .flush(let c) = waiter { out.append(c) }
                return .keepalive
            })
            return out
        }
        for waiter in waiters { waiter.resume(throwing: NATSError(.timeout, "flush timed out: no PONG from the server")) }
    }

    // MARK: Request / reply

    /// Sends a request and waits for the first reply. Throws `.noResponders` when nobody listens on `subject`
    /// and `.timeout` when no reply comes within `timeout`.
    ///
    /// With `holdWhileDisconnected: false` the request lives only as long as the connection it was made on:
    /// while disconnected it fails at once (`.disconnected`, nothing sent); if the connection is lost before
    /// the reply it fails at once (`.disconnected`), and if it was not written yet it is dropped, never sent
    /// on the next connection; a request whose caller gives up (timeout, cancellation) before it was written
    /// is withdrawn. So a caller that stops waiting knows nothing of it goes out later. Such a request may
    /// overtake plain publishes queued before it (it is written right after them, in the same flush).
    public func request(_ subject: String, payload: ByteBuffer = ByteBuffer(), headers: NATSHeaders? = nil,
                        timeout: Duration = .seconds(2), holdWhileDisconnected: Bool = true) async throws -> NATSMessage {
        let (prefix, muxChannel) = try ensureMux()
        if let muxChannel { muxChannel.eventLoop.execute { self.flushPending() } }
        let token: String = state.withLock { s in
            s.nextRequestID += 1
            return String(s.nextRequestID, radix: 36)
        }
        let timeoutAmount = timeout.timeAmount
        let message = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<NATSMessage, any Error>) in
                let loop: any EventLoop = state.withLock { s in
                    s.requests[token] = ConnectionState.Request(continuation: continuation, timeout: nil)
                    return s.channel?.eventLoop ?? group.next()
                }
                let flushChannel: Channel?
                do {
                    if holdWhileDisconnected {
                        (_, flushChannel) = try enqueue(subject, payload: payload, replyTo: prefix + token, headers: headers)
                    } else {
                        flushChannel = try enqueueUnheld(token: token, subject, payload: payload, replyTo: prefix + token, headers: headers)
                    }
                } catch {
                    finishRequest(token, with: .failure(error))
                    return
                }
                // One hop to the event loop arms the timer and writes (the reply cancels the timer on that loop).
                loop.execute {
                    let scheduled = loop.scheduleTask(in: timeoutAmount) {
                        self.finishRequest(token, with: .failure(NATSError(.timeout, "no reply on \(subject) within \(timeout)")))
                    }
                    let armed = self.state.withLock { s in
                        guard s.requests[token] != nil else { return false }
                        s.requests[token]?.timeout = scheduled
                        return true
                    }
                    if !armed { scheduled.cancel() }
                    if flushChannel != nil { self.flushPending() }
                }
            }
        } onCancel: {
            self.finishRequest(token, with: .failure(CancellationError()))
        }
        if message.status == 503 {
            throw NATSError(.noResponders, "no responders on \(subject)")
        }
        return message
    }

    public func request(_ subject: String, payload: [UInt8], headers: NATSHeaders? = nil,
                        timeout: Duration = .seconds(2), holdWhileDisconnected: Bool = true) async throws -> NATSMessage {
        try await request(subject, payload: ByteBuffer(bytes: payload), headers: headers, timeout: timeout,
                          holdWhileDisconnected: holdWhileDisconnected)
    }

    public func request(_ subject: String, payload: String, headers: NATSHeaders? = nil,
                        timeout: Duration = .seconds(2), holdWhileDisconnected: Bool = true) async throws -> NATSMessage {
        try await request(subject, payload: ByteBuffer(string: payload), headers: headers, timeout: timeout,
                          holdWhileDisconnected: holdWhileDisconnected)
    }

    func finishRequest(_ token: String, with result: Result<NATSMessage, any Error>) {
        guard let request = state.withLock({ s in
            s.withdraw(token: token)
            return s.requests.removeValue(forKey: token)
        }) else { return }
        request.timeout?.cancel()
        request.continuation.resume(with: result)
    }

    /// Queues an unheld request (see `request(…holdWhileDisconnected:)`); returns the channel to flush on.
    private func enqueueUnheld(token: String, _ subject: String, payload: ByteBuffer, replyTo: String,
                               headers: NATSHeaders?) throws -> Channel? {
        try SubjectValidator.check(subject)
        let size = payload.readableBytes + ClientEncoder.headerBlockSize(headers)
        return try state.withLock { (s) throws(NATSError) -> Channel? in
            guard s.status != .closed else { throw NATSError.closed }
            guard s.status != .draining else { throw NATSError(.connectionClosed, "the connection is draining") }
            guard let channel = s.channel else { throw NATSError(.disconnected, "not connected: the request was not sent") }
            if let max = s.serverInfo?.maxPayload, size > max {
                throw NATSError(.maxPayloadExceeded, "message of \(size) bytes exceeds the server's max_payload of \(max) bytes")
            }
            var bytes = channel.allocator.buffer(capacity: size + subject.utf8.count + replyTo.utf8.count + 64)
            ClientEncoder.publish(subject: subject, replyTo: replyTo, headers: headers, payload: payload, into: &bytes)
            s.queueUnheld(token: token, bytes: bytes)
            return Self.scheduleFlush(&s)
        }
    }

    /// One wildcard subscription `_INBOX.<id>.*` carries every reply.
    private func ensureMux() throws -> (String, Channel?) {
        try state.withLock { (s) throws(NATSError) -> (String, Channel?) in
            guard s.status != .closed else { throw NATSError.closed }
            if let prefix = s.inboxPrefix { return (prefix, nil) }
            let prefix = "_INBOX.\(NATSConnection.newInbox(suffixOnly: true))."
            let sid = s.nextSID
            s.nextSID += 1
            let (_, continuation) = AsyncThrowingStream.makeStream(of: NATSMessage.self)
            s.subscriptions[sid] = ConnectionState.Subscription(subject: prefix + "*", queue: nil, continuation: continuation)
            s.inboxPrefix = prefix
            s.muxSID = sid
            if s.channel != nil { ClientEncoder.subscribe(subject: prefix + "*", queue: nil, sid: sid, into: &s.pending) }
            return (prefix, Self.scheduleFlush(&s))
        }
    }

    /// A unique inbox subject, `_INBOX.<22 random chars>`.
    public static func newInbox(suffixOnly: Bool = false) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        var generator = SystemRandomNumberGenerator()
        let id = String(decoding: (0..<22).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }, as: UTF8.self)
        return suffixOnly ? id : "_INBOX.\(id)"
    }

    // MARK: Drain and close

    /// Stops all subscriptions (messages already received stay readable), sends what is queued, then closes.
    public func drain(timeout: Duration = .seconds(10)) async throws {
        let channel: Channel? = state.withLock { s in
            guard s.status == .connected || s.status == .reconnecting else { return nil }
            if s.channel != nil {
                for sid in s.subscriptions.keys.sorted() where sid != s.muxSID {
                    ClientEncoder.unsubscribe(sid: sid, max: nil, into: &s.pending)
                }
            }
            return Self.scheduleFlush(&s)
        }
        if let channel { channel.eventLoop.execute { self.flushPending() } }
        // Messages in flight before the UNSUBs arrive before this PONG.
        try? await flush(timeout: timeout)
        let finished: [AsyncThrowingStream<NATSMessage, any Error>.Continuation] = state.withLock { s in
            if s.status != .closed { s.status = .draining }
            let subs = s.subscriptions.filter { $0.key != s.muxSID }
            for sid in subs.keys { s.subscriptions[sid] = nil }
            return subs.values.map(\.continuation)
        }
        for continuation in finished { continuation.finish() }
        await close()
    }

    /// Closes now: queued publishes still go out when connected, waiters fail with `.connectionClosed`.
    public func close() async {
        struct Teardown {
            var channel: Channel?
            var subs: [AsyncThrowingStream<NATSMessage, any Error>.Continuation] = []
            var pongs: [CheckedContinuation<Void, any Error>] = []
            var requests: [ConnectionState.Request] = []
            var backpressure: [CheckedContinuation<Void, any Error>] = []
            var listeners: [AsyncStream<NATSEvent>.Continuation] = []
            var keepalive: RepeatedTask?
            var pending: ByteBuffer?
        }
        let teardown: Teardown? = state.withLock { s in
            guard s.status != .closed else { return nil }
            s.status = .closed
            var t = Teardown()
            t.channel = s.channel
            if s.channel != nil && s.pending.readableBytes > 0 { t.pending = s.pending }
            s.channel = nil
            t.subs = s.subscriptions.values.map(\.continuation)
            s.subscriptions = [:]
            for waiter in s.pongWaiters { if case .flush(let c) = waiter { t.pongs.append(c) } }
            s.pongWaiters = []
            t.requests = Array(s.requests.values)
            s.requests = [:]
            t.backpressure = s.backpressureWaiters
            s.backpressureWaiters = []
            t.listeners = Array(s.listeners.values)
            s.listeners = [:]
            t.keepalive = s.keepalive
            s.keepalive = nil
            return t
        }
        guard let teardown else { return }
        teardown.keepalive?.cancel()
        for c in teardown.subs { c.finish() }
        for c in teardown.pongs { c.resume(throwing: NATSError.closed) }
        for r in teardown.requests { r.timeout?.cancel(); r.continuation.resume(throwing: NATSError.closed) }
        for c in teardown.backpressure { c.resume(throwing: NATSError.closed) }
        if let channel = teardown.channel {
            if let pending = teardown.pending {
                try? await channel.writeAndFlush(pending).get()
            }
            try? await channel.close().get()
        }
        for l in teardown.listeners {
            l.yield(.closed)
            l.finish()
        }
    }

    deinit {
        let channel = state.withLock { $0.channel }
        channel?.close(promise: nil)
    }
}
