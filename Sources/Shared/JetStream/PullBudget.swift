/// How many messages a continuous pull should ask for, as a plain value (ADR-13 accounting):
/// keep `requested + buffered` near `batch`, asking again once it fell to half.
struct PullBudget: Sendable, Equatable {
    let batch: Int
    /// Asked for and not yet received.
    private(set) var requested = 0
    /// Received and not yet taken by the consumer.
    private(set) var buffered = 0

    init(batch: Int) { self.batch = max(1, batch) }

    /// How many to pull now (and counts them as requested), nil when enough are outstanding.
    mutating func nextPull() -> Int? {
        let outstanding = requested + buffered
        guard outstanding <= batch / 2 else { return nil }
        let n = batch - outstanding
        guard n > 0 else { return nil }
        requested += n
        return n
    }

    mutating func received() {
        requested = max(0, requested - 1)
        buffered += 1
    }

    /// A delivery that could not be used (e.g. a malformed ack subject) still used up one requested message.
    mutating func discarded() { requested = max(0, requested - 1) }

    mutating func consumed() { buffered = max(0, buffered - 1) }

    /// A pull request ended (404/408/409). With `undelivered` from `Nats-Pending-Messages` only that many are
    /// written off; without it every outstanding request is assumed gone.
    mutating func requestEnded(undelivered: Int?) {
        requested = undelivered.map { max(0, requested - $0) } ?? 0
    }

    /// A pull could not be sent.
    mutating func notSent(_ n: Int) { requested = max(0, requested - n) }

    /// Heartbeats stopped or the connection was re-established: the server forgot our pulls.
    mutating func reset() { requested = 0 }
}
