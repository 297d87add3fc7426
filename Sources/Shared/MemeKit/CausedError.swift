/// The shape of each module's one error type: a message that says what to fix (shown to people,
/// never holding secrets) and the error it was made from, kept so that callers check its type
/// instead of searching the text. Two errors are equal when their messages are.
public protocol CausedError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String { get }
    var underlying: (any Error)? { get }
    init(_ message: String, underlying: (any Error)?)
}

extension CausedError {
    public init(_ message: String) { self.init(message, underlying: nil) }
    public var description: String { message }
    public static func == (a: Self, b: Self) -> Bool { a.message == b.message }
}
