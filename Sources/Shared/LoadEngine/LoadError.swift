/// Every error LoadEngine throws; `message` says what to fix.
public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
