import ConsoleUI
import Foundation
import MemeKit

/// asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a header line, then one
/// `[time, "o", data]` line per frame, `data` being the escape codes that draw it (ANSIFrames).
public enum Asciicast {
    /// The header line: version 2, the terminal size, when it was recorded.
    public static func header(size: TerminalSize, timestamp: Int, title: String) -> String {
        JSONValue.orderedObject([
            ("version", .int(2)), ("width", .int(size.columns)), ("height", .int(size.rows)), ("timestamp", .int(timestamp)),
            ("title", .string(title)), ("env", .object(["TERM": .string("xterm-256color")])),
        ])
    }

    /// One output event.
    public static func event(at time: Double, _ data: String) -> String {
        var out = "[" + JSONValue.double((time * 1000).rounded() / 1000).text + ","
        JSONValue.writeString("o", to: &out)
        out += ","
        JSONValue.writeString(data, to: &out)
        return out + "]"
    }

    /// Renders every recorded snapshot at `size` and hands each line (header first, no newline) to
    /// `emit`. Event times are the snapshots' `t`, strictly increasing; a frame that draws nothing new
    /// is left out. Returns the number of frames and the last event's time.
    @discardableResult
    public static func write(_ recording: Recording, size: TerminalSize, title: String? = nil,
                             emit: (String) throws -> Void) throws -> (frames: Int, duration: Double) {
        try emit(header(size: size, timestamp: Int(recording.header.start), title: title ?? "meme-console replay, recorded \(recording.header.startedAt)"))
        var cursor = RecordingCursor(recording)
        var previous: Frame?
        var lastTime = -1.0
        var frames = 0
        for (i, step) in recording.steps.enumerated() {
            let snapshot = try cursor.snapshot(step: i)
            let frame = recording.frame(snapshot, at: step.t, size: size)
            let data = ANSIFrames.update(from: previous, to: frame)
            previous = frame
            guard !data.isEmpty else { continue }
            let time = max(step.t, lastTime + 0.001)
            try emit(event(at: time, data))
            lastTime = (time * 1000).rounded() / 1000
            frames += 1
        }
        return (frames, lastTime)
    }
}
