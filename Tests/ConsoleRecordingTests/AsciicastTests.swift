import Foundation
import MemeKit
import Testing
@testable import ConsoleRecording
@testable import ConsoleUI

@Suite("asciicast v2 and ANSI frames")
struct AsciicastTests {
    @Test func castHasTheV2HeaderAndIncreasingOutputEvents() throws {
        let (text, _) = try simulatedRecording(seconds: 30)
        let recording = try Recording(data: Data(text.utf8))
        var lines: [String] = []
        let written = try Asciicast.write(recording, size: TerminalSize(columns: 100, rows: 30)) { lines.append($0) }
        let header = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(header["version"] as? Int == 2)
        #expect(header["width"] as? Int == 100 && header["height"] as? Int == 30)
        #expect(header["timestamp"] as? Int == 1_764_660_000)
        #expect((header["env"] as? [String: String])?["TERM"] == "xterm-256color")
        var last = -1.0
        for line in lines.dropFirst() {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
            #expect(event.count == 3)
            let time = try #require((event[0] as? NSNumber)?.doubleValue)
            #expect(time > last)
            last = time
            #expect(event[1] as? String == "o")
            #expect(!(event[2] as? String ?? "").isEmpty)
        }
        #expect(written.frames == lines.count - 1)
        #expect(written.frames > 250)  // one per 100 ms: the ages and the clock change
    }

    @Test func playingTheEventsGivesEveryFrameInOrder() throws {
        let (text, _) = try simulatedRecording(seconds: 12)
        let recording = try Recording(data: Data(text.utf8))
        let size = TerminalSize(columns: 100, rows: 30)
        var screen = Screen(size)
        var cursor = RecordingCursor(recording)
        var lines: [String] = []
        try Asciicast.write(recording, size: size) { lines.append($0) }
        // Event k is step k (every step changed the screen here): after it, the screen is that frame.
        for (k, line) in lines.dropFirst().enumerated() {
            let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [Any]
            screen.play(event[2] as! String)
            let t = recording.steps[k].t
            let frame = recording.frame(try cursor.snapshot(step: k), at: t, size: size)
            #expect(screen.lines == frame.lines, "frame \(k) at \(t) s")
        }
    }

    @Test func unchangedFrameSendsNothingAndWideCharactersStayWhole() {
        var frame = Frame(size: TerminalSize(columns: 12, rows: 2))
        frame.put("a猫b😀c", row: 0, column: 0)
        #expect(ANSIFrames.update(from: frame, to: frame) == "")
        var next = frame
        next.put("犬", row: 0, column: 1)
        var screen = Screen(frame.size)
        screen.play(ANSIFrames.update(from: nil, to: frame))
        screen.play(ANSIFrames.update(from: frame, to: next))
        #expect(screen.lines == next.lines)
        #expect(screen.lines[0] == "a犬b😀c")
    }

    @Test func stylesBecomeSGR() {
        #expect(ANSIFrames.sgr(CellStyle(.accent, bold: true, reverse: true)) == "\u{1B}[0;1;7;36m")
        #expect(ANSIFrames.sgr(CellStyle(.dim)) == "\u{1B}[0;2;90m")
        #expect(ANSIFrames.sgr(.plain) == "\u{1B}[0m")
    }
}

/// Just enough of a terminal to check ANSIFrames: cursor moves (CSI H), clear (CSI 2J), SGR ignored, text.
struct Screen {
    var cells: [[String]]
    var row = 0, column = 0

    init(_ size: TerminalSize) { cells = Array(repeating: Array(repeating: " ", count: size.columns), count: size.rows) }

    mutating func play(_ data: String) {
        var chars = Array(data)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\u{1B}" {
                guard chars.first == "[" else { continue }
                chars = chars.dropFirst()
                var params = ""
                while let p = chars.first, !p.isLetter { params.append(p); chars = chars.dropFirst() }
                let command = chars.first
                chars = chars.dropFirst()
                switch command {
                case "H":
                    let parts = params.split(separator: ";").compactMap { Int($0) }
                    (row, column) = (parts.first.map { $0 - 1 } ?? 0, parts.count > 1 ? parts[1] - 1 : 0)
                case "J":
                    for r in cells.indices { for col in cells[r].indices { cells[r][col] = " " } }
                default: break
                }
                continue
            }
            let w = displayWidth(c)
            guard row < cells.count, column < cells[row].count else { continue }
            cells[row][column] = String(c)
            if w == 2, column + 1 < cells[row].count { cells[row][column + 1] = "" }
            column += w
        }
    }

    var lines: [String] {
        cells.map { r in
            var line = r.joined()
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
