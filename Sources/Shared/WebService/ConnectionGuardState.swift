/// The deadlines of one HTTP connection, as a plain value (the NIO handlers in ConnectionGuard.swift
/// feed it events and carry out its actions). Hummingbird's own idle timeout starts only once a
/// first request head has been parsed, so without this a connection that never finishes its headers,
/// sends bytes that are not HTTP, or drips a body is held forever.
///
/// - headers: from the moment a connection opens, or the first byte of a later request on a keep-alive
///   connection, the head must be complete within `headerTimeout`;
/// - body: once the head is in, a body must be complete within `bodyTimeout`;
/// - a parse error is answered (431 for an oversized head, else 400) and the connection closed;
/// - a response that says `Connection: close` closes it; one sent before the body was in (413, 415,
///   429…) closes it after a short linger: what still comes is read and discarded for up to
///   `lingerTime` (or `lingerBytes`), so a client still sending can read the answer (a close with
///   unread data resets the connection and may lose it), and a client streaming on is cut off.
/// A keep-alive connection idle between requests is Hummingbird's (`WEB_IDLE_TIMEOUT`); after a
/// WebSocket upgrade nothing here applies (the WebSocket's own pings do).
struct ConnectionGuardState: Equatable {
    enum Phase: Equatable {
        /// Waiting for a request head; `since` is when the connection opened or the head's first byte came (nil: idle).
        case awaitingHead(since: ContinuousClock.Instant?)
        case readingBody(since: ContinuousClock.Instant)
        /// Head and body read; the response is being made.
        case responding
        /// Answered before the body was in: discarding the rest until `until` or `lingerBytes`.
        case lingering(until: ContinuousClock.Instant, discarded: Int)
        case upgraded
        case closed
    }

    enum Action: Equatable {
        case none
        /// (Re)arm the single timer for this instant.
        case schedule(ContinuousClock.Instant)
        case cancelTimer
        /// Answer with this status and message, then close.
        case reject(status: Int, message: String)
        case close
        /// Stop passing input on (discard it) and close at this instant.
        case linger(until: ContinuousClock.Instant)
    }

    let headerTimeout: Duration
    let bodyTimeout: Duration
    let lingerTime: Duration
    let lingerBytes: Int
    private(set) var phase: Phase = .awaitingHead(since: nil)

    init(headerTimeout: Duration, bodyTimeout: Duration, lingerTime: Duration = .seconds(2), lingerBytes: Int = 1 << 20) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.lingerTime = lingerTime
        self.lingerBytes = lingerBytes
    }

    var isDiscarding: Bool {
        switch phase {
        case .lingering, .closed: true
        default: false
        }
    }

    mutating func opened(now: ContinuousClock.Instant) -> Action {
        phase = .awaitingHead(since: now)
        return .schedule(now + headerTimeout)
    }

    /// Raw bytes arrived: on an idle keep-alive connection they start the next head's clock; while
    /// lingering they are counted (and dropped by the caller).
    mutating func bytesReceived(_ count: Int, now: ContinuousClock.Instant) -> Action {
        switch phase {
        case .awaitingHead(since: nil):
            phase = .awaitingHead(since: now)
            return .schedule(now + headerTimeout)
        case .lingering(let until, let discarded):
            guard discarded + count <= lingerBytes else {
                phase = .closed
                return .close
            }
            phase = .lingering(until: until, discarded: discarded + count)
            return .none
        default:
            return .none
        }
    }

    mutating func headReceived(expectsBody: Bool, now: ContinuousClock.Instant) -> Action {
        guard phase != .closed, phase != .upgraded else { return .none }
        if expectsBody {
            phase = .readingBody(since: now)
            return .schedule(now + bodyTimeout)
        }
        phase = .responding
        return .cancelTimer
    }

    mutating func bodyEnded() -> Action {
        guard case .readingBody = phase else { return .none }
        phase = .responding
        return .cancelTimer
    }

    /// A response head went out: 101 means the connection is now a WebSocket.
    mutating func responseStarted(status: Int) -> Action {
        guard status == 101, phase != .closed else { return .none }
        phase = .upgraded
        return .cancelTimer
    }

    mutating func responseEnded(closeAfter: Bool, now: ContinuousClock.Instant) -> Action {
        switch phase {
        case .closed, .upgraded, .lingering: return .none
        case .readingBody:
            // Answered before the body was in (413, 415, 429…): the rest of the body is not read.
            phase = .lingering(until: now + lingerTime, discarded: 0)
            return .linger(until: now + lingerTime)
        case .awaitingHead, .responding:
            if closeAfter {
                phase = .closed
                return .close
            }
            phase = .awaitingHead(since: nil)
            return .cancelTimer
        }
    }

    mutating func deadlinePassed(now: ContinuousClock.Instant) -> Action {
        switch phase {
        case .awaitingHead(since: let since?) where now >= since + headerTimeout:
            phase = .closed
            return .reject(status: 408, message: "request headers did not arrive within \(Self.seconds(headerTimeout)) s")
        case .readingBody(let since) where now >= since + bodyTimeout:
            phase = .closed
            return .reject(status: 408, message: "request body did not arrive within \(Self.seconds(bodyTimeout)) s")
        case .awaitingHead(since: let since?):
            return .schedule(since + headerTimeout)
        case .readingBody(let since):
            return .schedule(since + bodyTimeout)
        case .lingering(let until, _) where now >= until:
            phase = .closed
            return .close
        case .lingering(let until, _):
            return .schedule(until)
        default:
            return .none
        }
    }

    /// The HTTP decoder gave up on the bytes: `headTooLarge` for an oversized request head.
    mutating func parseFailed(headTooLarge: Bool, maxHeaderBytes: Int) -> Action {
        guard !isDiscarding, phase != .upgraded else { return .none }
        phase = .closed
        return headTooLarge
            ? .reject(status: 431, message: "request headers are larger than \(maxHeaderBytes) bytes")
            : .reject(status: 400, message: "not an HTTP/1.1 request")
    }

    mutating func channelClosed() { phase = .closed }

    static func seconds(_ duration: Duration) -> String {
        let (s, atto) = duration.components
        return atto == 0 ? "\(s)" : String(Double(s) + Double(atto) / 1e18)
    }
}
