import NIOCore

extension NATSConnection {
    /// Publishes and waits until the server has processed it (a PING/PONG behind it). If the connection
    /// dies before the PONG — the bytes may have gone down with the socket — it publishes again once
    /// reconnected (to whichever server of the cluster answers). At least once: a subscriber may see it
    /// twice, never zero times while this returns normally. Throws `.timeout` when `timeout` passes first.
    public func publishConfirmed(_ subject: String, payload: ByteBuffer, headers: NATSHeaders? = nil,
                                 timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        var attempts = 0
        while true {
            // Not into the reconnect buffer: a copy buffered there and a copy sent after the failed
            // flush would both go out.
            try await waitUntilConnected(deadline: deadline, subject: subject)
            attempts += 1
            do {
                try await publish(subject, payload: payload, headers: headers)
                try await flush(timeout: max(.milliseconds(100), deadline - .now))
                if attempts > 1 { logger.info("published again after a reconnect", metadata: ["subject": "\(subject)", "attempts": "\(attempts)"]) }
                return
            } catch let error as NATSError where error.kind == .disconnected || (error.kind == .timeout && ContinuousClock.now < deadline) {
                continue
            }
        }
    }

    public func publishConfirmed(_ subject: String, payload: [UInt8], headers: NATSHeaders? = nil,
                                 timeout: Duration = .seconds(30)) async throws {
        try await publishConfirmed(subject, payload: ByteBuffer(bytes: payload), headers: headers, timeout: timeout)
    }

    private func waitUntilConnected(deadline: ContinuousClock.Instant, subject: String) async throws {
        while true {
            switch status {
            case .connected: return
            case .closed, .draining: throw NATSError.closed
            case .connecting, .reconnecting: break
            }
            guard ContinuousClock.now < deadline else {
                throw NATSError(.timeout, "not reconnected in time to publish on \(subject)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
