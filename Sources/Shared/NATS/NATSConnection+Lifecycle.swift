import DequeModule
import NIOCore
import NIOPosix

extension Duration {
    var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}

extension NATSConnection {
    /// Opens a TCP connection, does the handshake, then makes it the current channel: re-sends every
    /// subscription (with its remaining auto-unsubscribe count) ahead of the publishes queued meanwhile.
    func establish(serverIndex: Int) async throws {
        let (server, generation) = state.withLock { s in
            s.generation += 1
            return (s.pool.servers[serverIndex], s.generation)
        }
        var connect = ConnectCommand()
        connect.name = options.name
        connect.echo = options.echo
        // Credentials from the URL win over the options (as in nats.go).
        if let user = server.user ?? options.user {
            connect.user = user
            connect.pass = server.password ?? options.password
        } else if let token = server.token ?? options.token {
            connect.authToken = token
        }
        let loop = group.next()
        let handshake = loop.makePromise(of: ServerInfo.self)
        let timeout = options.connectTimeout.timeAmount
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [connect] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NATSChannelHandler(
                        connection: self, generation: generation, connect: connect,
                        handshake: handshake, handshakeTimeout: timeout))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: server.host, port: server.port).get()
        } catch {
            handshake.fail(error)
            throw NATSError.connect(to: server, error)
        }
        let info = try await handshake.futureResult.get()
        let activated: Bool = state.withLock { s in
            guard s.status != .closed, s.generation == generation else { return false }
            var buffer = channel.allocator.buffer(capacity: 4096 + s.pending.readableBytes)
            for (sid, sub) in s.subscriptions.sorted(by: { $0.key < $1.key }) {
                ClientEncoder.subscribe(subject: sub.subject, queue: sub.queue, sid: sid, into: &buffer)
                if let max = sub.max { ClientEncoder.unsubscribe(sid: sid, max: max - sub.delivered, into: &buffer) }
            }
            buffer.writeBuffer(&s.pending)
            s.pending = buffer
            s.channel = channel
            s.serverInfo = info
            s.pool.use(serverIndex)
            s.everConnected = true
            s.status = .connected
            s.pingsOutstanding = 0
            s.keepalive?.cancel()
            let interval = options.pingInterval.timeAmount
            s.keepalive = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                self.keepalive(generation: generation)
            }
            s.flushScheduled = true
            s.closeReason = nil
            return true
        }
        guard activated else {
            try? await channel.close().get()
            throw NATSError.closed
        }
        channel.eventLoop.execute { self.flushPending() }
        logger.debug("connected", metadata: ["server": "\(server)", "server_id": "\(info.serverID)"])
        learnServers(from: info)
    }

    /// Adds the cluster members an INFO announces to the servers a reconnect may try.
    func learnServers(from info: ServerInfo) {
        guard !info.connectURLs.isEmpty else { return }
        let added = state.withLock { $0.pool.learn(connectURLs: info.connectURLs) }
        if !added.isEmpty {
            logger.info("discovered cluster servers", metadata: ["servers": "\(added.map(\.description).joined(separator: ","))"])
            emit(.discoveredServers(added.map(\.description)))
        }
    }

    private func keepalive(generation: Int) {
        let action: (Channel, Bool)? = state.withLock { s in
            guard s.generation == generation, let channel = s.channel else { return nil }
            if s.pingsOutstanding >= options.maxPingsOutstanding {
                s.closeReason = "stale connection: \(s.pingsOutstanding) PINGs unanswered"
                return (channel, true)
            }
            s.pingsOutstanding += 1
            ClientEncoder.ping(into: &s.pending)
            s.pingsInPending += 1
            s.pongWaiters.append(.keepalive)
            _ = Self.scheduleFlush(&s)
            return (channel, false)
        }
        guard let (channel, stale) = action else { return }
        if stale {
            logger.info("stale connection: PINGs unanswered, reconnecting")
            channel.close(promise: nil)
        } else {
            flushPending()
        }
    }

    /// A frame after the handshake (called on the channel's event loop).
    func received(_ frame: ServerFrame, generation: Int, channel: Channel) {
        switch frame {
        case .msg(let message):
            deliver(message)
        case .ping:
            var buffer = channel.allocator.buffer(capacity: 8)
            ClientEncoder.pong(into: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
        case .pong:
            let waiter: ConnectionState.PongWaiter? = state.withLock { s in
                s.pingsOutstanding = 0
                return s.pongWaiters.popFirst()
            }
            if case .flush(let continuation) = waiter { continuation.resume() }
        case .ok:
            break
        case .err(let text):
            logger.warning("server error", metadata: ["error": "\(text)"])
            state.withLock { s in if s.generation == generation { s.closeReason = "server error: \(text)" } }
            emit(.serverError(text))
        case .info(let info):
            state.withLock { $0.serverInfo = info }
            learnServers(from: info)
            if info.lameDuckMode { emit(.lameDuckMode) }
        }
    }

    private func deliver(_ message: NATSMessage) {
        enum Outcome {
            case none
            case request(String)
            case slow(UInt64, Int)
            case finished(AsyncThrowingStream<NATSMessage, any Error>.Continuation)
        }
        let outcome: Outcome = state.withLock { s in
            if message.sid == s.muxSID, let prefix = s.inboxPrefix, message.subject.hasPrefix(prefix) {
                return .request(String(message.subject.dropFirst(prefix.count)))
            }
            guard var sub = s.subscriptions[message.sid] else { return .none }
            sub.delivered += 1
            var outcome = Outcome.none
            if case .dropped = sub.continuation.yield(message) {
                sub.dropped += 1
                if sub.dropped == 1 || sub.dropped % 1000 == 0 { outcome = .slow(message.sid, sub.dropped) }
            }
            if let max = sub.max, sub.delivered >= max {
                s.subscriptions[message.sid] = nil
                return .finished(sub.continuation)
            }
            s.subscriptions[message.sid] = sub
            return outcome
        }
        switch outcome {
        case .none: break
        case .request(let token):
            guard let request = state.withLock({ s in
                s.sentUnheldRequests.remove(token)
                return s.requests.removeValue(forKey: token)
            }) else { return }
            request.timeout?.cancel()
            request.continuation.resume(returning: message)
        case .slow(let sid, let dropped):
            logger.warning("slow consumer: dropping messages", metadata: ["sid": "\(sid)", "dropped": "\(dropped)"])
            emit(.slowConsumer(sid: sid, dropped: dropped))
        case .finished(let continuation):
            continuation.finish()
        }
    }

    func protocolFailure(_ message: String, generation: Int) {
        logger.error("protocol error from server", metadata: ["error": "\(message)"])
        state.withLock { s in if s.generation == generation { s.closeReason = "protocol error: \(message)" } }
        emit(.serverError(message))
    }

    func noteError(_ message: String, generation: Int) {
        logger.debug("channel error", metadata: ["error": "\(message)"])
        state.withLock { s in if s.generation == generation && s.closeReason == nil { s.closeReason = message } }
    }

    /// The channel of `generation` closed. If it was the current one and we are not closing: reconnect.
    func channelClosed(generation: Int) {
        let lost: (Bool, [CheckedContinuation<Void, any Error>], String, (unsent: [String], sent: [String]))? = state.withLock { s in
            guard s.generation == generation, s.channel != nil else { return nil }
            let reason = s.closeReason ?? "connection closed by the server"
            s.closeReason = nil
            s.channel = nil
            s.keepalive?.cancel()
            s.keepalive = nil
            s.pingsOutstanding = 0
            // PONGs for PINGs already written will never come; PINGs still queued survive the reconnect.
            var failed: [CheckedContinuation<Void, any Error>] = []
            let written = s.pongWaiters.count - s.pingsInPending
            for _ in 0..<Swift.max(0, written) {
                if case .flush(let c) = s.pongWaiters.popFirst() { failed.append(c) }
            }
            let waiters = s.backpressureWaiters
            s.backpressureWaiters = []
            for waiter in waiters { waiter.resume() }  // they may now fill the reconnect buffer (bounded)
            let reconnect = s.status == .connected && options.allowReconnect
            s.status = reconnect ? .reconnecting : (s.status == .draining ? .draining : .closed)
            return (reconnect, failed, reason, s.loseUnheldRequests())
        }
        guard let (reconnect, failed, reason, unheld) = lost else { return }
        for c in failed { c.resume(throwing: NATSError(.disconnected, "connection lost before the server answered")) }
        for token in unheld.unsent {
            finishRequest(token, with: .failure(NATSError(.disconnected, "connection lost before the request was sent")))
        }
        for token in unheld.sent {
            finishRequest(token, with: .failure(NATSError(.disconnected, "connection lost before the server answered (it may have been processed)")))
        }
        logger.info("disconnected", metadata: ["reason": "\(reason)"])
        emit(.disconnected(reason: reason))
        if reconnect {
            Task { await self.reconnectLoop() }
        } else {
            Task { await self.close() }
        }
    }

    /// Rounds over every known server (the one just lost last, see `ServerPool.reconnectRound`), each
    /// round after a wait from `options.reconnect` (backoff with jitter, so clients that lost one server
    /// do not all arrive at the next in step).
    private func reconnectLoop() async {
        let lostAt = ContinuousClock.now
        var attempt = 0
        var round = 0
        while true {
            round += 1
            guard state.withLock({ $0.status == .reconnecting }) else { return }
            try? await Task.sleep(for: options.reconnect.delay(attempt: round))
            for serverIndex in state.withLock({ $0.pool.reconnectRound() }) {
                attempt += 1
                if options.maxReconnectAttempts >= 0 && attempt > options.maxReconnectAttempts {
                    logger.error("giving up reconnecting", metadata: ["attempts": "\(attempt - 1)"])
                    await close()
                    return
                }
                guard let server = state.withLock({ $0.status == .reconnecting ? $0.pool.servers[serverIndex] : nil }) else { return }
                emit(.reconnecting(attempt: attempt))
                do {
                    try await establish(serverIndex: serverIndex)
                    let after = ContinuousClock.now - lostAt
                    logger.info("reconnected", metadata: [
                        "server": "\(server)", "attempt": "\(attempt)",
                        "after_ms": "\(after.components.seconds * 1000 + after.components.attoseconds / 1_000_000_000_000_000)",
                    ])
                    emit(.reconnected(server: server.description))
                    return
                } catch {
                    logger.debug("reconnect attempt failed", metadata: ["server": "\(server)", "error": "\(error)"])
                }
            }
        }
    }
}
