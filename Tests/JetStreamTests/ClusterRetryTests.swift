import NATS
import Testing
@testable import JetStream

/// Which failures a JetStream call retries through a leader election, and for how long.
@Suite struct ClusterRetryTests {
    let retry = ClusterRetry(window: .seconds(10))

    func verdict(_ error: any Error, attempt: Int = 1, elapsed: Duration = .zero, idempotent: Bool) -> ClusterRetry.Verdict {
        retry.verdict(after: error, attempt: attempt, elapsed: elapsed, idempotent: idempotent, random: 0.5)
    }

    @Test func nothingAppliedIsAlwaysRetried() {
        #expect(verdict(NATSError(.noResponders, ""), idempotent: false) == .retry(after: .milliseconds(100)))
        let election = JetStreamError(code: 503, errorCode: JetStreamError.clusterNotAvailable, description: "JetStream system temporarily unavailable")
        #expect(verdict(election, attempt: 3, idempotent: false) == .retry(after: .milliseconds(400)))
        #expect(verdict(election, attempt: 9, idempotent: true) == .retry(after: .seconds(1)))
    }

    @Test func maybeAppliedIsRetriedOnlyWhenARepeatCannotStoreTwice() {
        for kind in [NATSError.Kind.timeout, .disconnected] {
            #expect(verdict(NATSError(kind, ""), idempotent: true) == .retry(after: .milliseconds(100)))
            #expect(verdict(NATSError(kind, ""), idempotent: false) == .fail)
        }
    }

    @Test func finalErrorsAreNotRetried() {
        #expect(verdict(JetStreamError(code: 503, errorCode: JetStreamError.jetStreamNotEnabled, description: ""), idempotent: true) == .fail)
        #expect(verdict(JetStreamError(code: 503, errorCode: JetStreamError.storeFailed, description: "maximum messages exceeded"), idempotent: true) == .fail)
        #expect(verdict(JetStreamError(code: 404, errorCode: JetStreamError.streamNotFound, description: ""), idempotent: true) == .fail)
        #expect(verdict(NATSError(.maxPayloadExceeded, ""), idempotent: true) == .fail)
        #expect(verdict(CancellationError(), idempotent: true) == .fail)
    }

    @Test func theWindowBoundsTheRetries() {
        #expect(verdict(NATSError(.timeout, ""), attempt: 5, elapsed: .seconds(9), idempotent: true) == .fail)
        #expect(verdict(NATSError(.timeout, ""), attempt: 5, elapsed: .seconds(8), idempotent: true) == .retry(after: .seconds(1)))
        #expect(ClusterRetry(window: .zero).verdict(after: NATSError(.noResponders, ""), attempt: 1, elapsed: .zero, idempotent: true) == .fail)
    }
}
