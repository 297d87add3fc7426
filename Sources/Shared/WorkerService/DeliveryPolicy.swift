import Retry

/// What to do with a JetStream message after an attempt, decided purely from the outcome
/// and the delivery count, so the "never lose, never loop" rules are unit-tested apart from I/O.
public enum DeliveryDecision: Equatable, Sendable {
    /// Response published: acknowledge.
    case ack
    /// Try again later (transient failure, deliveries left).
    case nak(delaySeconds: Double)
    /// Publish `meme.response.error` with this text, then terminate the message.
    case failAndTerminate(String)
}

public enum AttemptOutcome: Equatable, Sendable {
    case succeeded
    /// Bad input: retrying cannot help.
    case rejected(String)
    /// Image source timeout, 5xx, rate limit…: may work next time.
    case transient(String, retryAfterSeconds: Double?)
    /// Failed in a way retrying cannot fix (e.g. HF 401, image too large for max_payload).
    case permanent(String)
}

public struct DeliveryPolicy: Sendable, Equatable {
    public var maxDeliver: Int
    /// The NAK delay before delivery n + 1: 1 s doubling to 30 s. No jitter: JetStream already
    /// spreads redeliveries over the consumers that pull.
    public var backoff: RetryPolicy

    public init(maxDeliver: Int, backoff: RetryPolicy = RetryPolicy(initial: .seconds(1), maximum: .seconds(30), jitter: 0)) {
        self.maxDeliver = maxDeliver
        self.backoff = backoff
    }

    /// - Parameter delivery: 1 for the first delivery (JetStream's `num_delivered`).
    public func decide(_ outcome: AttemptOutcome, delivery: Int) -> DeliveryDecision {
        switch outcome {
        case .succeeded:
            return .ack
        case .rejected(let why), .permanent(let why):
            return .failAndTerminate(why)
        case .transient(let why, let retryAfter):
            // On the last allowed delivery publish the error instead of NAKing, so the client hears back.
            guard delivery < maxDeliver else {
                return .failAndTerminate("\(why) (gave up after \(delivery) attempt\(delivery == 1 ? "" : "s"))")
            }
            let maximum = backoff.maximum.seconds
            return .nak(delaySeconds: min(maximum, max(backoff.delay(attempt: delivery, random: 0.5).seconds, retryAfter ?? 0)))
        }
    }
}
