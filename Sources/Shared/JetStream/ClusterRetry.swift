import NATS
import Retry

/// Which failures of a JetStream call mean "the cluster is moving" — a leader election, a server
/// restarting, this client reconnecting — and are worth trying again within a bound, as a plain value.
///
/// A call is *idempotent* when repeating it cannot store anything twice: every API request, and a
/// publish carrying a `Nats-Msg-Id` (the stream drops a repeat within its duplicate window). Only those
/// are repeated after a timeout or a lost connection, when the first attempt may have been applied.
struct ClusterRetry: Sendable, Equatable {
    /// How long, from the first attempt, a call keeps trying.
    var window: Duration
    /// The wait between attempts (backoff with jitter).
    var policy = RetryPolicy(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.2)

    enum Verdict: Equatable {
        case retry(after: Duration)
        case fail
    }

    /// What to do after attempt number `attempt` (1 = the first) failed with `error`, `elapsed` after the first.
    /// `random` in [0, 1) picks the jitter (0.5: none, for tests).
    func verdict(after error: any Error, attempt: Int, elapsed: Duration, idempotent: Bool,
                 random: Double = Double.random(in: 0..<1)) -> Verdict {
        guard Self.isTransient(error, idempotent: idempotent) else { return .fail }
        let wait = policy.delay(attempt: attempt, random: random)
        return elapsed + wait < window ? .retry(after: wait) : .fail
    }

    static func isTransient(_ error: any Error, idempotent: Bool) -> Bool {
        switch error {
        case let e as NATSError:
            switch e.kind {
            // Nobody answered: nothing was applied. A stream between leaders looks like this for seconds
            // (measured: > 3 s on a 3-node cluster), as does a server whose JetStream is starting — and,
            // for the whole window, a subject no stream takes (a misconfiguration is reported that late).
            case .noResponders: return true
            // Maybe applied: only safe to repeat when a repeat cannot store twice.
            case .timeout, .disconnected: return idempotent
            default: return false
            }
        case let e as JetStreamError:
            // "JetStream system temporarily unavailable" (no meta leader yet) and other 503s of a cluster
            // in motion; nothing was applied. Not the 503s that are final: not enabled, stream full.
            return e.errorCode == JetStreamError.clusterNotAvailable
                || (e.code == 503 && !JetStreamError.final503.contains(e.errorCode))
        default:
            return false
        }
    }
}
