/// Why a meme could not be rendered; the message names what was wrong.
public struct MemeRenderError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "meme rendering failed: \(message)" }
}
