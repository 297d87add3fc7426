import MemeKit

/// Every error LoadEngine throws; `message` says what to fix, `underlying` keeps the NATS or HTTP
/// error it came from.
public struct LoadError: CausedError {
    public var message: String
    public var underlying: (any Error)?
    public init(_ message: String, underlying: (any Error)?) { (self.message, self.underlying) = (message, underlying) }
}
