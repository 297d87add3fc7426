// Small building blocks of panels: styled spans, number formats, sparklines, bars, big digits.

/// A run of text in one style; a line is a list of spans.
struct Span: Equatable {
    var text: String
    var style: CellStyle

    init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }
}

typealias Line = [Span]

extension Frame {
    /// Draws a line of spans in `width` columns; if it does not fit, the last visible column gets "…".
    mutating func draw(_ line: Line, row: Int, column: Int, width: Int) {
        guard width > 0 else { return }
        let total = line.reduce(0) { $0 + displayWidth($1.text) }
        var col = column
        if total <= width {
            for span in line { col = put(span.text, row: row, column: col, limit: column + width - col, style: span.style) }
            return
        }
        // Fill width-1 columns, then an ellipsis in the style of the span that was cut.
        var lastStyle = CellStyle.plain
        for span in line {
            let room = column + width - 1 - col
            if room <= 0 { break }
            lastStyle = span.style
            col = put(span.text, row: row, column: col, limit: room, style: span.style)
        }
        put("…", row: row, column: column + width - 1, limit: 1, style: lastStyle)
    }
}

// MARK: - Number formats

enum Format {
    static func int(_ n: Int?) -> String { n.map(String.init) ?? "—" }

    /// 1 decimal below 10, none above: "0.4", "12".
    static func decimal(_ x: Double) -> String {
        if !x.isFinite { return "—" }
        if abs(x) >= 10 || x == x.rounded() { return String(Int(x.rounded())) }
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func rate(_ perSecond: Double?) -> String {
        perSecond.map { decimal($0) + "/s" } ?? "—"
    }

    static func seconds(_ s: Double?) -> String {
        guard let s, s.isFinite else { return "—" }
        return s < 1 ? "\(Int((s * 1000).rounded())) ms" : decimal(s) + " s"
    }

    static func milliseconds(_ ms: Double?) -> String { seconds(ms.map { $0 / 1000 }) }

    static func cpu(_ millicores: Int?) -> String { millicores.map { "\($0)m" } ?? "—" }

    /// Binary units as Kubernetes writes them: "512Ki", "256Mi", "1.5Gi".
    static func bytes(_ b: Int?) -> String {
        guard let b else { return "—" }
        let units = ["", "Ki", "Mi", "Gi", "Ti"]
        var value = Double(b)
        var i = 0
        while value >= 1024 && i < units.count - 1 {
            value /= 1024
            i += 1
        }
        return decimal(value) + units[i]
    }

    /// "12:34:56" out of an RFC 3339 timestamp; other text is shown as it is.
    static func timeOfDay(_ stamp: String) -> String {
        guard let t = stamp.firstIndex(of: "T") else { return String(stamp.prefix(8)) }
        return String(stamp[stamp.index(after: t)...].prefix(8))
    }
}

// MARK: - Sparkline and bar

private let sparkBlocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

/// The last `width` values as ▁…█, scaled from 0 to the largest value shown.
func sparkline(_ values: [Int], width: Int) -> String {
    guard width > 0, !values.isEmpty else { return "" }
    let shown = values.suffix(width)
    let top = max(1, shown.max() ?? 1)
    return String(shown.map { v -> Character in
        let clamped = max(0, v)
        let index = clamped == 0 ? 0 : max(1, Int((Double(clamped) / Double(top) * 7).rounded()))
        return sparkBlocks[min(7, index)]
    })
}

/// A horizontal bar `width` columns wide, `fraction` (0…1) filled.
func bar(_ fraction: Double, width: Int) -> (filled: String, empty: String) {
    guard width > 0 else { return ("", "") }
    let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
    var n = Int((f * Double(width)).rounded())
    if f > 0 && n == 0 { n = 1 }
    return (String(repeating: "█", count: n), String(repeating: "░", count: width - n))
}

// MARK: - Big digits

/// Three rows of half blocks per glyph, 3 columns wide, for figures read from the back of a room.
private let bigGlyphs: [Character: [String]] = [
    "0": ["█▀█", "█ █", "▀▀▀"],
    "1": ["▀█ ", " █ ", "▀▀▀"],
    "2": ["▀▀█", "█▀▀", "▀▀▀"],
    "3": ["▀▀█", " ▀█", "▀▀▀"],
    "4": ["█ █", "▀▀█", "  ▀"],
    "5": ["█▀▀", "▀▀█", "▀▀▀"],
    "6": ["█▀▀", "█▀█", "▀▀▀"],
    "7": ["▀▀█", "  █", "  ▀"],
    "8": ["█▀█", "█▀█", "▀▀▀"],
    "9": ["█▀█", "▀▀█", "▀▀▀"],
    "-": ["   ", "▀▀▀", "   "],
    "—": ["   ", "▀▀▀", "   "],
    "/": ["  █", " █ ", "▀  "],
    "k": ["█  ", "█▄▀", "▀ ▀"],
    " ": ["   ", "   ", "   "],
]

/// Number of rows of a big-digit rendering.
let bigRows = 3

/// `text` in the big-digit font: 3 strings of equal width (4 columns per glyph, 1 of them a gap).
/// Characters without a glyph render as blanks.
func bigText(_ text: String) -> [String] {
    var rows = ["", "", ""]
    for (i, ch) in text.enumerated() {
        let glyph = bigGlyphs[ch] ?? bigGlyphs[" "]!
        for r in 0..<3 { rows[r] += (i == 0 ? "" : " ") + glyph[r] }
    }
    return rows
}

func bigWidth(_ text: String) -> Int { text.isEmpty ? 0 : text.count * 4 - 1 }

/// A count compact enough for big digits: 12345 → "12k".
func bigNumber(_ n: Int?) -> String {
    guard let n else { return "—" }
    if n >= 100_000 { return "\(n / 1000)k" }
    return String(n)
}
