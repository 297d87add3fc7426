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

// MARK: - Wrapping

/// `line` broken at spaces into lines of at most `width` columns, styles kept; continuation lines are
/// indented two columns past the line's own indent. Explanations wrap instead of losing their end to "…".
func wrap(_ line: Line, width: Int) -> [Line] {
    guard width > 0, line.reduce(0, { $0 + displayWidth($1.text) }) > width else { return [line] }
    let leading = line.map(\.text).joined().prefix { $0 == " " }.count
    let indentWidth = min(width / 2, leading + 2)
    let indent = String(repeating: " ", count: indentWidth)
    // Words: the spaces before them and their pieces (a word may run across spans: "1204" + "/10").
    var words: [(space: String, pieces: [Span])] = []
    var space = ""
    for span in line {
        for ch in span.text {
            if ch == " " {
                space.append(ch)
            } else if space.isEmpty, !words.isEmpty, let last = words[words.count - 1].pieces.last, last.style == span.style {
                words[words.count - 1].pieces[words[words.count - 1].pieces.count - 1].text.append(ch)
            } else if space.isEmpty, !words.isEmpty {
                words[words.count - 1].pieces.append(Span(String(ch), span.style))
            } else {
                words.append((space, [Span(String(ch), span.style)]))
                space = ""
            }
        }
        // A span boundary without a space keeps the word together; with one, the next span starts a word.
        if !space.isEmpty || words.isEmpty { continue }
        words[words.count - 1].pieces.append(Span("", span.style))
    }
    var lines: [Line] = []
    var out: Line = []
    var used = 0
    for (i, w) in words.enumerated() {
        let pieces = w.pieces.filter { !$0.text.isEmpty }
        let wordWidth = pieces.reduce(0) { $0 + displayWidth($1.text) }
        let spaceWidth = displayWidth(w.space)
        if i == 0 || used + spaceWidth + wordWidth <= width {
            if !w.space.isEmpty { out.append(Span(w.space, pieces.first?.style ?? .plain)) }
            out += pieces
            used += spaceWidth + wordWidth
            continue
        }
        lines.append(out)
        out = [Span(indent)] + pieces
        used = indentWidth + wordWidth
    }
    lines.append(out)
    // A word longer than a line stays cut (rare: URLs, ids); every other line fits.
    return lines
}

func wrap(_ lines: [Line], width: Int) -> [Line] { lines.flatMap { wrap($0, width: width) } }

// MARK: - Number formats

enum Format {
    /// "1 message", "2 messages".
    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
    }

    static func int(_ n: Int?) -> String { n.map(String.init) ?? "—" }

    /// 1 decimal below 10, none above: "0.4", "12".
    static func decimal(_ x: Double) -> String {
        if !x.isFinite { return "—" }
        if abs(x) >= 10 || x == x.rounded() { return String(Int(x.rounded())) }
        let tenths = Int((abs(x) * 10).rounded())
        return (x < 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
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

    /// Binary units as Kubernetes writes them, to 3 significant digits: "512Ki", "256Mi", "8.96Gi"
    /// (one decimal would round 9616998332 bytes up to "9.0Gi").
    static func bytes(_ b: Int?) -> String {
        guard let b else { return "—" }
        let units = ["", "Ki", "Mi", "Gi", "Ti", "Pi"]
        var value = Double(b)
        var i = 0
        while abs(value) >= 1024 && i < units.count - 1 {
            value /= 1024
            i += 1
        }
        // 1023.6Ki rounds to "1024Ki": move up a unit instead.
        if i < units.count - 1, significant(value, 3) == "1024" {
            value /= 1024
            i += 1
        }
        return significant(value, 3) + units[i]
    }

    /// `x` to `digits` significant digits, trailing zeros dropped: 8.9567 → "8.96", 256.0 → "256", 1.5 → "1.5".
    static func significant(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "—" }
        if x == 0 { return "0" }
        var magnitude = 0  // digits before the point
        var a = abs(x)
        while a >= 1 { a /= 10; magnitude += 1 }
        let decimals = max(0, digits - max(magnitude, 1))
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(x) * scale).rounded())
        let whole = scaled / Int(scale), fraction = scaled % Int(scale)
        var text = (x < 0 ? "-" : "") + String(whole)
        if decimals > 0, fraction > 0 {
            var f = String(fraction)
            f = String(repeating: "0", count: decimals - f.count) + f
            while f.hasSuffix("0") { f.removeLast() }
            text += "." + f
        }
        return text
    }

    /// "0:27", "4:05", "1:02:03" for a countdown.
    static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded(.up)))
        let (h, m, r) = (s / 3600, (s / 60) % 60, s % 60)
        let mm = h > 0 ? (m < 10 ? "0\(m)" : "\(m)") : "\(m)"
        return (h > 0 ? "\(h):" : "") + mm + ":" + (r < 10 ? "0\(r)" : "\(r)")
    }

    /// The age of a reading for a label: "0.4s", "3s", "2m".
    static func age(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "?" }
        let s = max(0, seconds)
        if s < 10 { return decimal((s * 10).rounded(.down) / 10) + "s" }
        if s < 120 { return "\(Int(s))s" }
        return "\(Int(s / 60))m"
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

/// Fonts for the key figures, read from the back of a room.
enum BigFont: CaseIterable {
    /// 3 rows of half blocks, 3 columns per glyph.
    case small
    /// 5 rows of full blocks, 6 columns per glyph (a 3×5 bitmap with 2-column pixels).
    case large

    var rows: Int { self == .small ? 3 : 5 }
    private var glyphWidth: Int { self == .small ? 3 : 6 }
    private var gap: Int { self == .small ? 1 : 2 }

    /// Columns `text` takes in this font.
    func width(_ text: String) -> Int {
        text.isEmpty ? 0 : text.count * (glyphWidth + gap) - gap
    }

    /// `text` in this font: `rows` strings of equal width; characters without a glyph are blank.
    func render(_ text: String) -> [String] {
        var out = Array(repeating: "", count: rows)
        for (i, ch) in text.enumerated() {
            let glyph = self.glyph(ch)
            for r in 0..<rows { out[r] += (i == 0 ? "" : String(repeating: " ", count: gap)) + glyph[r] }
        }
        return out
    }

    private func glyph(_ ch: Character) -> [String] {
        switch self {
        case .small:
            return smallGlyphs[ch] ?? smallGlyphs[" "]!
        case .large:
            let bits = largeBitmaps[ch] ?? largeBitmaps[" "]!
            return bits.map { row in String(row.flatMap { $0 == "#" ? ["█", "█"] : [" ", " "] }) }
        }
    }
}

private let smallGlyphs: [Character: [String]] = [
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
    "—": ["   ", "▀▀▀", "   "],
    "k": ["█  ", "█▄▀", "▀ ▀"],
    " ": ["   ", "   ", "   "],
]

private let largeBitmaps: [Character: [String]] = [
    "0": ["###", "#.#", "#.#", "#.#", "###"],
    "1": [".#.", "##.", ".#.", ".#.", "###"],
    "2": ["###", "..#", "###", "#..", "###"],
    "3": ["###", "..#", "###", "..#", "###"],
    "4": ["#.#", "#.#", "###", "..#", "..#"],
    "5": ["###", "#..", "###", "..#", "###"],
    "6": ["###", "#..", "###", "#.#", "###"],
    "7": ["###", "..#", "..#", "..#", "..#"],
    "8": ["###", "#.#", "###", "#.#", "###"],
    "9": ["###", "#.#", "###", "..#", "###"],
    "—": ["...", "...", "###", "...", "..."],
    "k": ["#..", "#.#", "##.", "#.#", "#.#"],
    " ": ["...", "...", "...", "...", "..."],
]

/// A count compact enough for big digits: 123456 → "123k".
func bigNumber(_ n: Int?) -> String {
    guard let n else { return "—" }
    if n >= 100_000 { return "\(n / 1000)k" }
    return String(max(0, n))
}

/// Big `digits` in `style`, each row followed by `labels[row]`, with the labels aligned in one column
/// (`figureWidth` columns reserved for the figure).
func bigFigure(_ digits: String, font: BigFont, style: CellStyle, figureWidth: Int, labels: [Line]) -> [Line] {
    let rows = font.render(digits)
    let pad = String(repeating: " ", count: max(0, figureWidth - font.width(digits)) + 2)
    return (0..<font.rows).map { r in
        [Span(rows[r], style), Span(pad)] + (r < labels.count ? labels[r] : [])
    }
}
