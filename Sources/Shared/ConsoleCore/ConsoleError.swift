import MemeKit

/// The console's one error type: a message for the status line and the error it was made from
/// (a reader's, NATS's).
public struct ConsoleError: CausedError {
    public var message: String
    public var underlying: (any Error)?
    public init(_ message: String, underlying: (any Error)?) { (self.message, self.underlying) = (message, underlying) }
}
