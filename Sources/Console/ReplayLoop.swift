import ConsoleRecording
import ConsoleUI
import Foundation
import TerminalScreen

/// The replay's loop on a dedicated thread, like DashboardLoop: the wall clock moves `ReplayState`,
/// the cursor gives the snapshot at its position, keys go through the replay key map and `reduce`
/// into ReplayState; a frame is rendered only when something it shows changed.
struct ReplayLoop: Sendable {
    let terminal: Terminal
    let recording: Recording
    let start: ReplayState

    func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                loop()
                done.resume()
            }
            thread.name = "meme-console-replay"
            thread.start()
        }
    }

    private func loop() {
        var replay = start
        var cursor = RecordingCursor(recording)
        var ui = UIState()
        var size = terminal.size
        var shown: Shown?
        var problem: String?
        var snapshot: ConsoleSnapshot?
        var tick = ContinuousClock.now
        while !ui.quitting {
            let now = ContinuousClock.now
            let elapsed = now - tick
            replay.advance(wallSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            tick = now
            ui.paused = replay.stopped
            do {
                snapshot = try cursor.snapshot(at: replay.position)
            } catch {
                problem = "\(error)"  // keep showing the last good snapshot
            }
            let key = recording.recentKey(at: replay.position)
            let current = Shown(step: cursor.index, size: size, ui: ui, second: Int(replay.position), speed: replay.speed,
                                paused: replay.paused, atEnd: replay.atEnd, key: key?.t, problem: problem)
            if var s = snapshot, current != shown {
                if replay.atEnd || problem != nil { s.notice = endNotice(problem) }
                terminal.draw(recording.frame(s, at: replay.position, size: size, ui: ui, state: replay))
                shown = current
            }
            guard let pressed = terminal.readKey(timeoutMilliseconds: 50) else { continue }
            if case .resize(let newSize) = pressed {
                size = newSize
                continue
            }
            guard let action = replayAction(for: pressed, in: ui) else { continue }
            let (next, effect) = reduce(ui, action)
            ui = next
            if let effect { replay.apply(effect) }
        }
    }

    /// What the notice line says once the recording has run out.
    private func endNotice(_ problem: String?) -> String {
        if let problem { return "replay stopped: \(problem)" }
        if let bad = recording.problem { return "end of the readable recording: \(bad)" }
        return "end of the recording (" + (recording.endReason.map { "the console ended: \($0)" } ?? "no end line: the console was stopped") + "); space plays it again"
    }

    /// Everything a frame depends on, to skip rendering when none of it changed.
    private struct Shown: Equatable {
        var step: Int
        var size: TerminalSize
        var ui: UIState
        var second: Int
        var speed: Double
        var paused: Bool
        var atEnd: Bool
        var key: Double?
        var problem: String?
    }
}
