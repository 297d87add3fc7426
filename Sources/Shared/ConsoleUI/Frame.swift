// A frame is what the writer puts on the terminal: a grid of cells, each holding one grapheme
// and a style made of colour roles, never terminal codes, so render stays pure and testable.

/// A terminal size in columns × rows.
public struct TerminalSize: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    public var description: String { "\(columns)×\(rows)" }
}

/// What a colour means; the writer maps roles to colours, or to bold/reverse on a monochrome terminal.
public enum ColorRole: UInt8, Sendable, CaseIterable, Hashable {
    case normal, ok, warn, bad, dim, accent
}

public struct CellStyle: Sendable, Hashable {
    public var foreground: ColorRole
    public var background: ColorRole
    public var bold: Bool
    public var reverse: Bool

    public init(_ foreground: ColorRole = .normal, background: ColorRole = .normal, bold: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
    }

    public static let plain = CellStyle()
    static let dim = CellStyle(.dim)
    static let ok = CellStyle(.ok)
    static let warn = CellStyle(.warn, bold: true)
    static let bad = CellStyle(.bad, bold: true)
    static let accent = CellStyle(.accent, bold: true)
    static let strong = CellStyle(bold: true)
    static let key = CellStyle(.accent, bold: true, reverse: true)
}

/// One terminal column. A wide grapheme occupies its cell (width 2) and the next one (width 0, empty text).
public struct Cell: Sendable, Hashable {
    public var text: String
    public var width: Int
    public var style: CellStyle

    public init(text: String, width: Int, style: CellStyle) {
        self.text = text
        self.width = width
        self.style = style
    }

    public static let blank = Cell(text: " ", width: 1, style: .plain)
    static let continuation = Cell(text: "", width: 0, style: .plain)
}

/// A rendered screen. Writes are clipped: nothing ever lands outside the grid.
public struct Frame: Sendable, Equatable {
    public let size: TerminalSize
    public private(set) var cells: [Cell]

    public init(size: TerminalSize) {
        self.size = size
        cells = Array(repeating: .blank, count: size.columns * size.rows)
    }

    public subscript(row: Int, column: Int) -> Cell {
        cells[row * size.columns + column]
    }

    /// The frame as plain text, one string per row, trailing spaces trimmed (for tests and golden files).
    public var lines: [String] {
        (0..<size.rows).map { row in
            var line = ""
            for col in 0..<size.columns { line += self[row, col].text }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    /// Writes `text` at (row, column), clipped to `limit` columns (default: to the right edge).
    /// Returns the column after the last one written. A wide grapheme that would straddle the edge
    /// becomes a space.
    @discardableResult
    mutating func put(_ text: String, row: Int, column: Int, limit: Int? = nil, style: CellStyle = .plain) -> Int {
        guard row >= 0, row < size.rows else { return column }
        let end = min(size.columns, limit.map { column + max(0, $0) } ?? size.columns)
        var col = column
        for ch in text {
            let w = displayWidth(ch)
            if w == 0 { continue }
            if col + w > end {
                if col < end, col >= 0 { set(row, col, Cell(text: " ", width: 1, style: style)) }
                return end
            }
            if col >= 0 {
                set(row, col, Cell(text: String(ch), width: w, style: style))
                if w == 2 { set(row, col + 1, Cell(text: "", width: 0, style: style)) }
            }
            col += w
        }
        return col
    }

    /// Fills a rectangle with blanks of `style`.
    mutating func fill(row: Int, column: Int, width: Int, height: Int, style: CellStyle = .plain) {
        for r in max(0, row)..<max(max(0, row), min(size.rows, row + height)) {
            for c in max(0, column)..<max(max(0, column), min(size.columns, column + width)) {
                set(r, c, Cell(text: " ", width: 1, style: style))
            }
        }
    }

    /// Sets one cell, repairing any wide grapheme it cuts in half.
    private mutating func set(_ row: Int, _ col: Int, _ cell: Cell) {
        guard row >= 0, row < size.rows, col >= 0, col < size.columns else { return }
        let i = row * size.columns + col
        let old = cells[i]
        if old.width == 0, col > 0, cell.width != 0 {
            // Overwriting the right half of a wide grapheme: blank its left half.
            cells[i - 1] = Cell(text: " ", width: 1, style: cells[i - 1].style)
        }
        if old.width == 2, col + 1 < size.columns, cell.width != 2 {
            cells[i + 1] = Cell(text: " ", width: 1, style: cells[i + 1].style)
        }
        if cell.width == 2 && col + 1 >= size.columns {
            cells[i] = Cell(text: " ", width: 1, style: cell.style)
            return
        }
        cells[i] = cell
    }
}
