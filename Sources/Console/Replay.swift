import ArgumentParser
import ConsoleCore
import ConsoleRecording
import ConsoleUI
import Foundation
import TerminalScreen

/// `meme-console replay FILE`: a recording (`meme-console --record FILE`) played back on the same
/// dashboard with nothing running; `--once` prints one moment, `--asciicast` writes a cast.
/// Thin wiring: Recording (ConsoleRecording) → ReplayLoop (ConsoleUI + TerminalScreen).
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Play a recording (meme-console --record FILE) back on the dashboard, with no source running.",
        discussion: """
            Keys: space pause / play, ← / → back / forward 10 s, + / - speed (¼× … 16×), ? help, q quit. \
            The header says REPLAY with the position and speed, and shows the recorded time of day.

            A truncated or corrupt recording plays up to its last good line; the line and what is wrong \
            with it are printed first. An empty file, a file that is not a recording or one written by a \
            newer meme-console is refused with the reason (exit 1).

            Examples:
              meme-console replay talk.jsonl --speed 4 --from 60
              meme-console replay talk.jsonl --once --json --at 95        # the snapshot 95 s in
              meme-console replay talk.jsonl --asciicast talk.cast --size 120x40
            """
    )

    @Argument(help: ArgumentHelp("The recording (written by meme-console --record).", valueName: "file"))
    var file: String

    @Option(help: "Playback speed, 0.05 to 64 (+ and - step through 0.25, 0.5, 1, 2, 4, 8, 16).")
    var speed = 1.0

    @Option(help: ArgumentHelp("Start this many seconds into the recording.", valueName: "seconds"))
    var from: Double?

    @Flag(help: "Print the screen at --at (default: the end) and exit.")
    var once = false

    @Flag(help: "With --once: the snapshot as JSON (the keys of meme-console --once --json).")
    var json = false

    @Option(help: ArgumentHelp("With --once: seconds into the recording.", valueName: "seconds"))
    var at: Double?

    @Option(help: ArgumentHelp("Write every frame to this asciicast v2 file (asciinema) instead of playing.", valueName: "out.cast"))
    var asciicast: String?

    @Option(help: ArgumentHelp("With --once or --asciicast: the terminal size (default: the recording console's at its end).",
                               valueName: "COLUMNSxROWS"))
    var size: String?

    @Flag(name: .customLong("no-color"), help: "Monochrome screen (bold/reverse/dim instead of colours).")
    var noColor = false

    func validate() throws {
        if !ReplayState.speedRange.contains(speed) { throw ValidationError("--speed must be from 0.05 to 64, not \(speed)") }
        if let from, !(from >= 0) { throw ValidationError("--from must be 0 or more seconds, not \(from)") }
        if let at, !(at >= 0) { throw ValidationError("--at must be 0 or more seconds, not \(at)") }
        if json && !once { throw ValidationError("--json needs --once") }
        if at != nil && !once { throw ValidationError("--at needs --once (to start playing there: --from)") }
        if once && asciicast != nil { throw ValidationError("--once and --asciicast do not go together") }
        if size != nil && !once && asciicast == nil { throw ValidationError("--size needs --once or --asciicast (playing uses the terminal's size)") }
        _ = try terminalSize()
    }

    /// "120x40" (or 120×40), within what a terminal can be.
    func terminalSize() throws -> TerminalSize? {
        guard let size else { return nil }
        let parts = size.lowercased().split(whereSeparator: { $0 == "x" || $0 == "×" })
        guard parts.count == 2, let columns = Int(parts[0]), let rows = Int(parts[1]), (20...1000).contains(columns), (5...500).contains(rows) else {
            throw ValidationError("--size must be COLUMNSxROWS (20–1000 × 5–500), e.g. 120x40, not '\(size)'")
        }
        return TerminalSize(columns: columns, rows: rows)
    }

    func run() async throws {
        let recording: Recording
        do {
            let read = try Recording.read(path: file)
            recording = read.recording
            if let damage = read.gzipDamage { warn("\(file): \(damage); reading what comes before it") }
        } catch {
            throw failure("\(error)")
        }
        if let problem = recording.problem {
            warn("\(file) \(problem); replaying what comes before it (\(recording.linesRead) lines, \(ReplayBadge.clock(recording.duration)))")
        }
        let size = try terminalSize() ?? recording.terminal

        if once {
            let t = at ?? recording.duration
            guard t <= recording.duration else {
                throw failure("--at \(ReplayBadge.speed(t)) is past the end of the recording (\(String(format: "%.1f", recording.duration)) s"
                     + (recording.problem.map { ", which stops before \($0.line.map { "line \($0)" } ?? "a bad line")" } ?? "") + ")")
            }
            var cursor = RecordingCursor(recording)
            let snapshot: ConsoleSnapshot
            do { snapshot = try cursor.snapshot(at: t) } catch { throw failure("\(file) \(error)") }
            print(json ? try OnceReport(snapshot: snapshot).json() : recording.frame(snapshot, at: t, size: size).lines.joined(separator: "\n"))
            return
        }

        if let asciicast {
            guard FileManager.default.createFile(atPath: asciicast, contents: nil), let out = FileHandle(forWritingAtPath: asciicast) else {
                throw failure("cannot write \(asciicast)")
            }
            defer { try? out.close() }
            let written: (frames: Int, duration: Double)
            do {
                written = try Asciicast.write(recording, size: size) { line in try out.write(contentsOf: Data((line + "\n").utf8)) }
            } catch {
                throw failure("cannot write \(asciicast): \(error)")
            }
            warn("wrote \(asciicast): asciicast v2, \(size), \(written.frames) frames, \(ReplayBadge.clock(written.duration))")
            return
        }

        let terminal: Terminal
        do {
            terminal = try Terminal(colors: !noColor, handleSignals: true)
        } catch {
            throw ValidationError("cannot take over the terminal: \(error) (use --once or --asciicast without a terminal)")
        }
        let state = ReplayState(first: recording.firstTime, duration: recording.duration, from: from, speed: speed)
        await ReplayLoop(terminal: terminal, recording: recording, start: state).run()
        terminal.stop()
    }

    private func warn(_ line: String) {
        FileHandle.standardError.write(Data("meme-console replay: \(line)\n".utf8))
    }

    /// Says why on stderr; thrown, it exits 1.
    private func failure(_ line: String) -> ExitCode {
        warn(line)
        return ExitCode(1)
    }
}
