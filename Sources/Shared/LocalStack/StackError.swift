/// Something the local stack could not do, said so that the reader knows what to change.
public struct StackError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
