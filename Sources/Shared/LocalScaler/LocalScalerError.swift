/// Why the local scaler cannot start or work: bad ScaledObject YAML, a bad flag, a worker that cannot be spawned.
public struct LocalScalerError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
