import MemeKit

/// The text drawn on a meme: an optional top and an optional bottom caption.
///
/// Derived from a request by ``MemeCaptions/init(request:uppercase:)``:
/// 1. `top_text` / `bottom_text` when either is given (the prompt is then only the image's subject);
/// 2. else the prompt split at the first ` / ` or ` | ` into top and bottom;
/// 3. else the whole prompt as one **bottom** caption: the punchline sits at the bottom, and the
///    offline background keeps its emoji in the upper middle, so one line reads best there.
public struct MemeCaptions: Sendable, Equatable {
    public var top: String?
    public var bottom: String?

    /// Longest caption kept, in characters; longer text is cut with "…" so a huge prompt cannot
    /// make rendering slow (the layout would shrink it to the minimum size anyway).
    public static let maxCharacters = 200

    public init(top: String?, bottom: String?) {
        self.top = Self.clean(top)
        self.bottom = Self.clean(bottom)
    }

    public init(request: MemeRequest, uppercase: Bool = true) {
        let explicitTop = Self.clean(request.topText)
        let explicitBottom = Self.clean(request.bottomText)
        var top: String?
        var bottom: String?
        if explicitTop != nil || explicitBottom != nil {
            (top, bottom) = (explicitTop, explicitBottom)
        } else if let (first, rest) = Self.split(request.prompt) {
            (top, bottom) = (Self.clean(first), Self.clean(rest))
        } else {
            bottom = Self.clean(request.prompt)
        }
        self.top = uppercase ? top?.uppercased() : top
        self.bottom = uppercase ? bottom?.uppercased() : bottom
    }

    public var isEmpty: Bool { top == nil && bottom == nil }

    /// Splits at the first " / " or " | " (whichever comes first).
    static func split(_ prompt: String) -> (String, String)? {
        let separators = [" / ", " | "]
        let hits = separators.compactMap { prompt.range(of: $0) }
        guard let first = hits.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
        return (String(prompt[..<first.lowerBound]), String(prompt[first.upperBound...]))
    }

    /// Control characters (newlines, NUL, …) become spaces, runs of whitespace collapse,
    /// blank text becomes nil, and overly long text is cut.
    static func clean(_ text: String?) -> String? {
        guard let text else { return nil }
        var out = ""
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            let isSpace = scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
            if isSpace {
                if !lastWasSpace { out.unicodeScalars.append(" ") }
                lastWasSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        while out.last == " " { out.removeLast() }
        guard !out.isEmpty else { return nil }
        if out.count > maxCharacters {
            out = String(out.prefix(maxCharacters - 1)) + "…"
        }
        return out
    }
}
