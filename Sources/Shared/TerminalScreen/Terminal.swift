// The ncurses writer: owns the terminal from start to stop, draws frames with minimal updates and
// reads keys. Every ncurses call of the project is in this file. ncurses is not thread-safe, so
// every call holds one lock; `readKey` waits at most its timeout, so a draw is never held up long.
@preconcurrency import CNcurses
import ConsoleUI
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the terminal could not be taken over.
public struct TerminalError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
}

/// The console's terminal. Create one, `draw` frames and `readKey` from one loop (ideally a
/// dedicated thread: `readKey` blocks up to its timeout), then `stop` to give the terminal back.
public final class Terminal: @unchecked Sendable {
    private let lock = Mutex(())
    // All state below is touched only while `lock` is held.
    private var screen: OpaquePointer?
    private var window: UnsafeMutablePointer<WINDOW>?
    /// Where ncurses writes; asked for the size when no key comes (see `readKey`).
    private var outputDescriptor: Int32 = STDOUT_FILENO
    /// Streams opened for descriptors other than stdin/stdout, closed by `stop`.
    private var files: [UnsafeMutablePointer<FILE>] = []
    private var lastFrame: Frame?
    private var stopped = false
    private var colorMode = false
    private var signalSources: [DispatchSourceSignal] = []

    /// True when the terminal shows colours; otherwise roles map to bold/reverse/dim.
    public var hasColors: Bool { lock.withLock { _ in colorMode } }

    /// Takes over the process's terminal (stdin/stdout): UTF-8 locale from the environment, no
    /// echo, no line buffering, keypad keys, hidden cursor, colours if the terminal has them.
    /// - Parameters:
    ///   - colors: use colours when available (false forces the monochrome mapping).
    ///   - handleSignals: on SIGINT/SIGTERM/SIGHUP restore the terminal, then exit(128+signal).
    public convenience init(colors: Bool = true, handleSignals: Bool = true) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(message: "meme-console needs a terminal on stdin and stdout (use --once --json otherwise)")
        }
        try self.init(input: STDIN_FILENO, output: STDOUT_FILENO, colors: colors, handleSignals: handleSignals)
    }

    /// Takes over the terminal on the given descriptors (a pseudo-terminal in tests).
    /// - Parameter terminalType: the terminfo entry to use; nil means $TERM.
    public init(
        input: Int32, output: Int32, terminalType: String? = nil, colors: Bool = true, handleSignals: Bool = false
    ) throws {
        setlocale(LC_ALL, "")
        // Wide characters need a UTF-8 character type; without LANG the C locale would garble them.
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
        var outFile: UnsafeMutablePointer<FILE>?
        var inFile: UnsafeMutablePointer<FILE>?
        let screen: OpaquePointer? = if let terminalType {
            cn_newterm(terminalType, output, input, &outFile, &inFile)
        } else {
            cn_newterm(nil, output, input, &outFile, &inFile)
        }
        guard let screen else {
            let term = terminalType ?? getenv("TERM").map { String(cString: $0) } ?? "unset"
            throw TerminalError(message: "cannot initialise the terminal (TERM=\(term)); try TERM=xterm-256color")
        }
        self.screen = screen
        self.files = [outFile, inFile].compactMap { $0 }
        if let outFile { outputDescriptor = cn_file_descriptor(outFile) }
        let window = cn_stdscr()!
        self.window = window
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        curs_set(0)
        set_escdelay(25)  // Esc closes overlays: do not wait a second for an escape sequence
        if colors && has_colors() {
            start_color()
            let defaults = use_default_colors() == Int32(CN_OK)
            colorMode = Self.initPairs(defaultBackground: defaults)
        }
        if handleSignals { installSignalHandlers() }
    }

    deinit { stop() }

    /// The terminal's current size.
    public var size: TerminalSize {
        lock.withLock { _ in currentSize() }
    }

    /// Gives the terminal back (endwin). Safe to call more than once.
    public func stop() {
        lock.withLock { _ in
            guard !stopped else { return }
            stopped = true
            curs_set(1)
            endwin()
            if let screen { delscreen(screen) }
            for file in files { fclose(file) }
            files = []
            screen = nil
            window = nil
            // Ctrl-C behaves normally again once the screen is given back.
            if !signalSources.isEmpty {
                for source in signalSources { source.cancel() }
                signalSources = []
                for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
            }
        }
    }

    /// Draws `frame`, writing only the cells that changed since the last draw. A frame of another
    /// size than the terminal is clipped; after a resize the whole screen is repainted.
    public func draw(_ frame: Frame) {
        lock.withLock { _ in
            guard !stopped, let window else { return }
            let size = currentSize()
            let previous = lastFrame?.size == frame.size ? lastFrame : nil
            if previous == nil { werase(window) }
            let rows = min(size.rows, frame.size.rows), columns = min(size.columns, frame.size.columns)
            for row in 0..<rows {
                for col in 0..<columns {
                    let cell = frame[row, col]
                    guard cell.width > 0 else { continue }
                    if let previous, previous[row, col] == cell,
                       cell.width == 1 || (col + 1 < columns && previous[row, col + 1] == frame[row, col + 1]) {
                        continue
                    }
                    // A cell whose grapheme fits only partly before the edge is left blank.
                    if cell.width == 2 && col + 1 >= columns { continue }
                    put(cell, row: row, column: col, window: window)
                }
            }
            lastFrame = frame
            wnoutrefresh(window)
            doupdate()
        }
    }

    /// Waits up to `timeoutMilliseconds` for a key; nil if none came. A resize arrives as `.resize`
    /// with the new size (and forces a full repaint on the next draw).
    public func readKey(timeoutMilliseconds: Int32 = 100) -> Key? {
        lock.withLock { _ -> Key? in
            guard !stopped, let window else { return nil }
            wtimeout(window, timeoutMilliseconds)
            var value: wint_t = 0
            let kind = cn_get_key(window, &value)
            switch kind {
            case Int32(CN_KEY_CODE_YES):
                return decodeKeyCode(Int32(value))
            case Int32(CN_OK):
                return Self.decodeCharacter(UInt32(value))
            default:
                // No key: a resize whose SIGWINCH did not reach ncurses still shows up here.
                if cn_poll_resize(outputDescriptor) == 1 {
                    lastFrame = nil
                    return .resize(currentSize())
                }
                return nil
            }
        }
    }

    // MARK: - Internals (called with the lock held)

    private func currentSize() -> TerminalSize {
        guard let window else { return TerminalSize(columns: 0, rows: 0) }
        var rows: Int32 = 0, cols: Int32 = 0
        cn_getmaxyx(window, &rows, &cols)
        return TerminalSize(columns: Int(cols), rows: Int(rows))
    }

    private func decodeKeyCode(_ code: Int32) -> Key {
        switch code {
        case Int32(CN_KEY_RESIZE):
            lastFrame = nil
            return .resize(currentSize())
        case Int32(CN_KEY_ENTER): return .enter
        case Int32(CN_KEY_BACKSPACE): return .backspace
        case Int32(CN_KEY_UP): return .up
        case Int32(CN_KEY_DOWN): return .down
        case Int32(CN_KEY_LEFT): return .left
        case Int32(CN_KEY_RIGHT): return .right
        default: return .other(code)
        }
    }

    static func decodeCharacter(_ value: UInt32) -> Key {
        switch value {
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard let scalar = Unicode.Scalar(value) else { return .other(Int32(bitPattern: value)) }
            return .character(Character(scalar))
        }
    }

    /// Writes one cell. ncurses measures with the C library's wcwidth, which may disagree with
    /// ConsoleUI's (emoji sequences, flags); then the cell degrades to something of the right width
    /// so the rest of the row stays aligned.
    private func put(_ cell: Cell, row: Int, column: Int, window: UnsafeMutablePointer<WINDOW>) {
        var scalars = Array(cell.text.unicodeScalars)
        let first = scalars.first.map { wchar_t(bitPattern: $0.value) } ?? 0x20
        let (attrs, pair) = style(cell.style)
        var text: [wchar_t]
        if cn_wcwidth(first) == cell.width {
            // The first scalar plus the zero-width ones that follow it (accents, VS16), as setcchar allows.
            scalars.removeFirst()
            text = [first] + scalars.prefix { cn_wcwidth(wchar_t(bitPattern: $0.value)) == 0 }.prefix(4)
                .map { wchar_t(bitPattern: $0.value) }
        } else {
            text = [wchar_t(0x3F)]  // "?"
            if cell.width == 2 {
                _ = [wchar_t(0x20), 0].withUnsafeBufferPointer {
                    cn_put_cell(window, Int32(row), Int32(column + 1), $0.baseAddress, attrs, pair)
                }
            }
        }
        text.append(0)
        let result = text.withUnsafeBufferPointer {
            cn_put_cell(window, Int32(row), Int32(column), $0.baseAddress, attrs, pair)
        }
        if result == Int32(CN_ERR) {
            // setcchar rejected the text (e.g. a spacing character after the first): keep the column filled.
            _ = [wchar_t(0x3F), 0].withUnsafeBufferPointer {
                cn_put_cell(window, Int32(row), Int32(column), $0.baseAddress, attrs, pair)
            }
        }
    }

    /// Colour roles → attributes and colour pair; without colours the roles become bold/reverse/dim.
    private func style(_ s: CellStyle) -> (attr_t, Int16) {
        var attrs = cn_a_normal()
        if s.bold { attrs |= cn_a_bold() }
        if s.reverse { attrs |= cn_a_reverse() }
        if colorMode {
            if s.foreground == .dim { attrs |= cn_a_dim() }
            return (attrs, Self.pairNumber(s.foreground, s.background))
        }
        switch s.foreground {
        case .normal, .ok: break
        case .accent, .warn: attrs |= cn_a_bold()
        case .bad: attrs |= cn_a_bold() | cn_a_underline()
        case .dim: attrs |= cn_a_dim()
        }
        if s.background != .normal { attrs |= cn_a_reverse() }
        return (attrs, 0)
    }

    private static let roles = ColorRole.allCases

    static func pairNumber(_ fg: ColorRole, _ bg: ColorRole) -> Int16 {
        Int16(Int(fg.rawValue) * roles.count + Int(bg.rawValue) + 1)
    }

    /// One colour pair per (foreground, background) role combination. False if the terminal has too few pairs.
    private static func initPairs(defaultBackground: Bool) -> Bool {
        guard cn_color_pairs() > roles.count * roles.count else { return false }
        let grey: Int16 = cn_colors() >= 16 ? 8 : Int16(COLOR_WHITE)
        func color(_ role: ColorRole, background: Bool) -> Int16 {
            switch role {
            case .normal: return defaultBackground ? -1 : Int16(background ? COLOR_BLACK : COLOR_WHITE)
            case .ok: return Int16(COLOR_GREEN)
            case .warn: return Int16(COLOR_YELLOW)
            case .bad: return Int16(COLOR_RED)
            case .dim: return background ? Int16(COLOR_BLACK) : grey
            case .accent: return Int16(COLOR_CYAN)
            }
        }
        for fg in roles {
            for bg in roles {
                init_pair(pairNumber(fg, bg), color(fg, background: false), color(bg, background: true))
            }
        }
        return true
    }

    private func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.stop()
                exit(128 + sig)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}
