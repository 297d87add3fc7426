import ConsoleUI
import Foundation
import MemeKit

extension Recording {
    /// The replay's screen at `t`: the recorded snapshot through the console's own render, the
    /// recorded time of day in the header, the REPLAY badge (with speed and pause when `state` is
    /// given: the interactive replay) and, for two seconds after one, the key the presenter pressed.
    public func frame(_ snapshot: ConsoleSnapshot, at t: Double, size: TerminalSize, ui: UIState = UIState(),
                      state: ReplayState? = nil) -> Frame {
        let key = recentKey(at: t).map { $0.key + " " + $0.action }
        var badge = ReplayBadge(position: t, duration: duration, key: key)
        if let state {
            badge.speed = state.speed
            badge.paused = state.paused
        }
        // The presenter's load settings as recorded (the load panel shows them), the replay's own overlay.
        var shown = ui
        shown.burstSize = snapshot.load.burstSize
        shown.sustained = snapshot.load.sustainedRate != nil
        shown.rate = snapshot.load.sustainedRate ?? ui.rate
        return render(snapshot, size: size, ui: shown, clock: header.clock(at: t), replay: badge)
    }
}

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
