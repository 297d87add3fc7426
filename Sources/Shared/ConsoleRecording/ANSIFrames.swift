import ConsoleUI

/// Frames as the escape codes a terminal plays: the asciicast's "o" events. Like the ncurses
/// writer it sends only what changed since the previous frame (runs of changed cells), so a
/// 10-minute cast stays a few MB; colour roles map to the 16 ANSI colours.
public enum ANSIFrames {
    /// The codes that turn a terminal showing `previous` into `frame`; nil `previous` (or another
    /// size) clears the screen first and draws everything. "" when nothing changed.
    public static func update(from previous: Frame?, to frame: Frame) -> String {
        let size = frame.size
        let full = previous?.size != size
        var out = full ? "\u{1B}[0m\u{1B}[?25l\u{1B}[2J" : ""
        var style: CellStyle?  // what the terminal has now; nil: unknown
        for row in 0..<size.rows {
            var column = 0
            while column < size.columns {
                guard full || changed(previous!, frame, row, column) else { column += 1; continue }
                // A run: changed cells, joined across gaps of up to 3 unchanged ones (a jump costs about as much).
                var end = column + 1
                var gap = 0
                while end < size.columns, gap <= 3 {
                    if full || changed(previous!, frame, row, end) { gap = 0 } else { gap += 1 }
                    end += 1
                }
                end -= gap
                var start = column
                // Never start on the right half of a wide grapheme.
                if frame[row, start].width == 0, start > 0 { start -= 1 }
                out += "\u{1B}[\(row + 1);\(start + 1)H"
                for c in start..<end {
                    let cell = frame[row, c]
                    guard cell.width > 0 else { continue }
                    if style != cell.style {
                        out += sgr(cell.style)
                        style = cell.style
                    }
                    out += cell.text
                }
                column = end
            }
        }
        if style != nil { out += "\u{1B}[0m" }
        return out
    }

    /// A cell differs, or the wide grapheme it is part of does.
    private static func changed(_ a: Frame, _ b: Frame, _ row: Int, _ column: Int) -> Bool {
        if a[row, column] != b[row, column] { return true }
        if b[row, column].width == 2, column + 1 < b.size.columns, a[row, column + 1] != b[row, column + 1] { return true }
        return false
    }

    /// SGR for a style: reset, then bold/dim/reverse and the colours (terminal default for `.normal`).
    static func sgr(_ s: CellStyle) -> String {
        var codes = ["0"]
        if s.bold { codes.append("1") }
        if s.foreground == .dim { codes.append("2") }
        if s.reverse { codes.append("7") }
        // Dim text is bright black (grey): plain black would vanish on a dark terminal.
        if s.foreground == .dim { codes.append("90") } else if let fg = color(s.foreground) { codes.append(String(30 + fg)) }
        if let bg = color(s.background) { codes.append(String(40 + bg)) }
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }

    /// The ANSI colour number of a role; nil keeps the terminal's default.
    private static func color(_ role: ColorRole) -> Int? {
        switch role {
        case .normal: nil
        case .ok: 2      // green
        case .warn: 3    // yellow
        case .bad: 1     // red
        case .dim: 0     // black (as a background)
        case .accent: 6  // cyan
        }
    }
}
