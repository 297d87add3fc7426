import Testing
@testable import WebService

/// The connection deadlines as a value type (issue 18 item 4); ConnectionGuard.swift only carries out its actions.
@Suite struct ConnectionGuardStateTests {
    static let t0 = ContinuousClock.now
    static func state() -> ConnectionGuardState { ConnectionGuardState(headerTimeout: .seconds(10), bodyTimeout: .seconds(5)) }

    @Test func unfinishedHeadersAreRejectedAtTheHeaderDeadline() {
        var s = Self.state()
        let a1 = s.opened(now: Self.t0)
        #expect(a1 == .schedule(Self.t0 + .seconds(10)))
        // Bytes keep coming, but no head: the clock does not restart.
        let a2 = s.bytesReceived(1, now: Self.t0 + .seconds(9))
        #expect(a2 == .none)
        let a3 = s.deadlinePassed(now: Self.t0 + .seconds(10))
        #expect(a3 == .reject(status: 408, message: "request headers did not arrive within 10 s"))
        #expect(s.phase == .closed)
    }

    @Test func anEarlyTimerIsRearmedNotFired() {
        var s = Self.state()
        _ = s.opened(now: Self.t0)
        let a4 = s.deadlinePassed(now: Self.t0 + .seconds(3))
        #expect(a4 == .schedule(Self.t0 + .seconds(10)))
    }

    @Test func aBodyHasItsOwnDeadline() {
        var s = Self.state()
        _ = s.opened(now: Self.t0)
        let a5 = s.headReceived(expectsBody: true, now: Self.t0 + .seconds(1))
        #expect(a5 == .schedule(Self.t0 + .seconds(6)))
        let a6 = s.deadlinePassed(now: Self.t0 + .seconds(6))
        #expect(a6 == .reject(status: 408, message: "request body did not arrive within 5 s"))
    }

    @Test func keepAliveWaitsIdleThenTimesTheNextHeadFromItsFirstByte() {
        var s = Self.state()
        _ = s.opened(now: Self.t0)
        let a7 = s.headReceived(expectsBody: true, now: Self.t0)
        #expect(a7 == .schedule(Self.t0 + .seconds(5)))
        let a8 = s.bodyEnded()
        #expect(a8 == .cancelTimer)
        let a9 = s.responseStarted(status: 202)
        #expect(a9 == .none)
        let a10 = s.responseEnded(closeAfter: false, now: Self.t0)
        #expect(a10 == .cancelTimer)
        // Idle between requests is Hummingbird's idle timeout, not ours.
        #expect(s.phase == .awaitingHead(since: nil))
        let a11 = s.deadlinePassed(now: Self.t0 + .seconds(60))
        #expect(a11 == .none)
        let a12 = s.bytesReceived(1, now: Self.t0 + .seconds(60))
        #expect(a12 == .schedule(Self.t0 + .seconds(70)))
    }

    @Test func answeringBeforeTheBodyIsInLingersThenCloses() {
        // 413 (or 415, 429) while the body is still coming: the rest is read and dropped for a moment, so a
        // client still sending can read the answer, then the connection closes.
        var s = Self.state()
        _ = s.opened(now: Self.t0)
        _ = s.headReceived(expectsBody: true, now: Self.t0)
        let started = s.responseStarted(status: 413)
        #expect(started == .none)
        let ended = s.responseEnded(closeAfter: false, now: Self.t0)
        #expect(ended == .linger(until: Self.t0 + .seconds(2)))
        #expect(s.isDiscarding)
        let some = s.bytesReceived(512 * 1024, now: Self.t0)
        #expect(some == .none)
        let early = s.deadlinePassed(now: Self.t0 + .seconds(1))
        #expect(early == .schedule(Self.t0 + .seconds(2)))
        let late = s.deadlinePassed(now: Self.t0 + .seconds(2))
        #expect(late == .close)
        // A client streaming on is cut off at the byte cap before the deadline.
        var t = Self.state()
        _ = t.opened(now: Self.t0)
        _ = t.headReceived(expectsBody: true, now: Self.t0)
        _ = t.responseEnded(closeAfter: false, now: Self.t0)
        let over = t.bytesReceived(2 << 20, now: Self.t0)
        #expect(over == .close)
    }

    @Test func connectionCloseInTheResponseCloses() {
        var s = Self.state()
        _ = s.opened(now: Self.t0)
        _ = s.headReceived(expectsBody: false, now: Self.t0)
        let a15 = s.responseEnded(closeAfter: true, now: Self.t0)
        #expect(a15 == .close)
    }

    @Test func parseErrorsAreAnsweredThenClosed() {
        var s = Self.state()
        _ = s.opened(now: Self.t0)
        let a16 = s.parseFailed(headTooLarge: true, maxHeaderBytes: 16384)
        #expect(a16 == .reject(status: 431, message: "request headers are larger than 16384 bytes"))
        var t = Self.state()
        _ = t.opened(now: Self.t0)
        let a17 = t.parseFailed(headTooLarge: false, maxHeaderBytes: 16384)
        #expect(a17 == .reject(status: 400, message: "not an HTTP/1.1 request"))
        // Only once.
        let a18 = t.parseFailed(headTooLarge: false, maxHeaderBytes: 16384)
        #expect(a18 == .none)
    }

    @Test func aWebSocketIsLeftAlone() {
        var s = Self.state()
        _ = s.opened(now: Self.t0)
        _ = s.headReceived(expectsBody: false, now: Self.t0)
        let a19 = s.responseStarted(status: 101)
        #expect(a19 == .cancelTimer)
        let a20 = s.responseEnded(closeAfter: false, now: Self.t0)
        #expect(a20 == .none)
        let a21 = s.bytesReceived(1, now: Self.t0 + .seconds(100))
        #expect(a21 == .none)
        let a22 = s.deadlinePassed(now: Self.t0 + .seconds(100))
        #expect(a22 == .none)
    }
}
