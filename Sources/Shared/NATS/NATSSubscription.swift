import NIOCore

/// A subscription: an AsyncSequence of messages. Its buffer is bounded (`NATSOptions.subscriptionCapacity`
/// or the `capacity` given to `subscribe`); when full, new messages are dropped and counted
/// (`droppedMessages`, `.slowConsumer` event). Ends when unsubscribed, drained or the connection closes;
/// cancelling the iterating task, or dropping the subscription and its iterators, unsubscribes.
public final class NATSSubscription: AsyncSequence, Sendable {
    public typealias Element = NATSMessage

    public struct AsyncIterator: AsyncIteratorProtocol {
        var inner: AsyncThrowingStream<NATSMessage, any Error>.AsyncIterator
        /// Keeps the subscription alive while someone iterates it (its deinit unsubscribes).
        let subscription: NATSSubscription

        public mutating func next() async throws -> NATSMessage? { try await inner.next() }
    }

    public let sid: UInt64
    public let subject: String
    public let queue: String?
    let stream: AsyncThrowingStream<NATSMessage, any Error>
    let connection: NATSConnection

    init(sid: UInt64, subject: String, queue: String?, stream: AsyncThrowingStream<NATSMessage, any Error>,
         connection: NATSConnection) {
        self.sid = sid
        self.subject = subject
        self.queue = queue
        self.stream = stream
        self.connection = connection
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: stream.makeAsyncIterator(), subscription: self) }

    /// Nobody can read it any more: stop the server sending.
    deinit { connection.forget(sid: sid) }

    /// Stops delivery now; messages already buffered can still be read.
    public func unsubscribe() async throws {
        try connection.unsubscribe(sid: sid, after: nil)
    }

    /// Ends the subscription after `count` more messages in total have been delivered (the server is told too).
    public func unsubscribe(after count: Int) async throws {
        try connection.unsubscribe(sid: sid, after: count)
    }

    /// Messages dropped because this subscription's buffer was full.
    public var droppedMessages: Int { connection.dropped(sid: sid) }
}
