import Glibc
import Logging
import NIOPosix
import Retry
import Synchronization

/// A Redis client for caching: one connection, every call on a `NIOThreadPool` (hiredis blocks),
/// each bounded by a socket timeout.
///
/// On a broken connection the failing call throws at once (callers skip the cache); later calls
/// reconnect lazily, no more often than `retry` allows (`RetryPolicy.connect`: 100 ms doubling to 2 s), and fail fast
/// in between. The client never needs to be recreated after Redis restarts.
public final class RedisClient: Sendable {
    public let url: RedisURL
    private let timeout: Duration
    private let retry: RetryPolicy
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var connection: RedisConnection?
        var failures = 0
        var nextAttempt: ContinuousClock.Instant?
        var lastError: RedisError?
    }

    /// - Parameters:
    ///   - url: `redis://[[user]:password@]host[:port][/db]`.
    ///   - timeout: for connecting and for each call's socket reads/writes.
    ///   - retry: how long calls fail fast after a failure before the next reconnect.
    public convenience init(url: String, timeout: Duration = .seconds(1), retry: RetryPolicy = .connect,
                            threadPool: NIOThreadPool = .singleton, logger: Logger = Logger(label: "redis")) throws(RedisError) {
        self.init(url: try RedisURL(parsing: url), timeout: timeout, retry: retry, threadPool: threadPool, logger: logger)
    }

    public init(url: RedisURL, timeout: Duration = .seconds(1), retry: RetryPolicy = .connect,
                threadPool: NIOThreadPool = .singleton, logger: Logger = Logger(label: "redis")) {
        // hiredis writes with write(2): a peer that went away would raise SIGPIPE and kill the
        // process. Ignore it process-wide (servers do anyway); the write then fails with EPIPE.
        signal(SIGPIPE, SIG_IGN)
        self.url = url
        self.timeout = timeout
        self.retry = retry
        self.threadPool = threadPool
        self.logger = logger
        self.state = Mutex(State())
    }

    // MARK: Commands

    /// The value at `key`, or nil when missing.
    public func get(_ key: String) async throws(RedisError) -> [UInt8]? {
        switch try await run(["GET", key]) {
        case .string(let bytes): return bytes
        case .null: return nil
        case let other: throw unexpected("GET", other)
        }
    }

    /// SETEX: stores `value` for `ttlSeconds` (≥ 1).
    public func set(_ key: String, _ value: [UInt8], ttlSeconds: Int) async throws(RedisError) {
        guard ttlSeconds >= 1 else { throw RedisError(.protocolViolation, "SETEX needs a TTL of at least 1 s, got \(ttlSeconds)") }
        try expectOK("SETEX", try await run([Array("SETEX".utf8), Array(key.utf8), Array(String(ttlSeconds).utf8), value]))
    }

    /// SET … EX … NX: stores `value` for `ttlSeconds` (≥ 1) only when `key` is missing, in one
    /// round trip. True when it was stored.
    @discardableResult
    public func setIfAbsent(_ key: String, _ value: [UInt8], ttlSeconds: Int) async throws(RedisError) -> Bool {
        guard ttlSeconds >= 1 else { throw RedisError(.protocolViolation, "SET EX needs a TTL of at least 1 s, got \(ttlSeconds)") }
        let reply = try await run([Array("SET".utf8), Array(key.utf8), value, Array("EX".utf8), Array(String(ttlSeconds).utf8), Array("NX".utf8)])
        switch reply {
        case .status("OK"): return true
        case .null: return false
        case let other: throw unexpected("SET NX", other)
        }
    }

    /// DEL: true when the key existed.
    @discardableResult
    public func delete(_ key: String) async throws(RedisError) -> Bool {
        try integer("DEL", try await run(["DEL", key])) > 0
    }

    /// EXPIRE: true when the key exists and got the TTL.
    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws(RedisError) -> Bool {
        try integer("EXPIRE", try await run(["EXPIRE", key, String(seconds)])) == 1
    }

    /// TTL in seconds; -1 without expiry, -2 when the key is missing.
    public func ttl(_ key: String) async throws(RedisError) -> Int {
        try integer("TTL", try await run(["TTL", key]))
    }

    public func ping() async throws(RedisError) {
        let reply = try await run(["PING"])
        guard reply == .status("PONG") else { throw unexpected("PING", reply) }
    }

    /// LPUSH + LTRIM: puts `value` at the head of `list` and keeps the newest `keep` entries.
    public func pushRecent(_ list: String, _ value: [UInt8], keep: Int) async throws(RedisError) {
        guard keep >= 1 else { throw RedisError(.protocolViolation, "keep must be at least 1, got \(keep)") }
        _ = try integer("LPUSH", try await run([Array("LPUSH".utf8), Array(list.utf8), value]))
        try expectOK("LTRIM", try await run(["LTRIM", list, "0", String(keep - 1)]))
    }

    /// LRANGE: entries `start...stop` (inclusive, negative counts from the end), newest first for
    /// lists filled by ``pushRecent(_:_:keep:)``.
    public func range(_ list: String, start: Int = 0, stop: Int = -1) async throws(RedisError) -> [[UInt8]] {
        let reply = try await run(["LRANGE", list, String(start), String(stop)])
        guard case .array(let items) = reply else { throw unexpected("LRANGE", reply) }
        return try items.map { item throws(RedisError) in
            guard case .string(let bytes) = item else { throw unexpected("LRANGE", item) }
            return bytes
        }
    }

    // MARK: Connection handling

    private func run(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        try await run(arguments.map { Array($0.utf8) })
    }

    private func run(_ arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        let result: Result<RedisReply, RedisError>
        do {
            result = try await threadPool.runIfActive { [self] in execute(arguments) }
        } catch {
            throw RedisError(.connection, "thread pool is shut down")
        }
        let reply = try result.get()
        if case .error(let message) = reply {
            throw RedisError(.server, "\(String(decoding: arguments[0], as: UTF8.self)) failed: \(message)")
        }
        return reply
    }

    /// Runs on a thread-pool thread; the lock serialises use of the single connection.
    private func execute(_ arguments: [[UInt8]]) -> Result<RedisReply, RedisError> {
        state.withLock { state in
            let now = ContinuousClock.now
            if state.connection == nil {
                if let next = state.nextAttempt, now < next, let last = state.lastError {
                    return .failure(RedisError(.connection, "\(last.message) (not retrying for another \(format(next - now)))"))
                }
                do throws(RedisError) {
                    state.connection = try RedisConnection(url: url, timeout: timeout)
                    if state.failures > 0 {
                        logger.info("reconnected to redis", metadata: ["url": "\(url)", "after_failures": "\(state.failures)"])
                    }
                } catch {
                    return .failure(recordFailure(&state, error, now: now))
                }
            }
            do throws(RedisError) {
                let reply = try state.connection!.command(arguments)
                state.failures = 0
                state.nextAttempt = nil
                state.lastError = nil
                return .success(reply)
            } catch {
                state.connection = nil
                return .failure(recordFailure(&state, error, now: now))
            }
        }
    }

    private func recordFailure(_ state: inout State, _ error: RedisError, now: ContinuousClock.Instant) -> RedisError {
        state.failures += 1
        let delay = retry.delay(attempt: state.failures)
        state.nextAttempt = now + delay
        state.lastError = error
        if state.failures == 1 || state.failures.isMultiple(of: 20) {
            logger.warning("redis unavailable", metadata: ["url": "\(url)", "error": "\(error.message)", "failures": "\(state.failures)"])
        }
        return error
    }

    private func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }

    private func unexpected(_ command: String, _ reply: RedisReply) -> RedisError {
        RedisError(.protocolViolation, "unexpected reply to \(command): \(reply)")
    }

    private func expectOK(_ command: String, _ reply: RedisReply) throws(RedisError) {
        guard reply == .status("OK") else { throw unexpected(command, reply) }
    }

    private func integer(_ command: String, _ reply: RedisReply) throws(RedisError) -> Int {
        guard case .integer(let value) = reply else { throw unexpected(command, reply) }
        return value
    }
}
