import ConsoleCore
import ConsoleUI
import Foundation
import TerminalScreen

/// The render loop on a dedicated thread (Terminal.readKey blocks up to its timeout while holding
/// the terminal's lock): read a key (≤ 100 ms) → reduce → perform the effect (never waits for I/O),
/// then redraw only when the snapshot, the size or the UI state changed.
struct DashboardLoop: Sendable {
    let terminal: Terminal
    let engine: ConsoleEngine

    func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                loop()
                done.resume()
            }
            thread.name = "meme-console-ui"
            thread.start()
        }
    }

    private func loop() {
        var ui = UIState()
        var size = terminal.size
        var last: (ConsoleSnapshot, TerminalSize, UIState, String)?
        while !ui.quitting {
            let now = wallClock()
            let snapshot = engine.snapshot(ui: ui)
            if last == nil || last!.0 != snapshot || last!.1 != size || last!.2 != ui || last!.3 != now {
                terminal.draw(render(snapshot, size: size, ui: ui, clock: now))
                last = (snapshot, size, ui, now)
            }
            guard let key = terminal.readKey(timeoutMilliseconds: 100) else { continue }
            if case .resize(let newSize) = key {
                size = newSize
                engine.recorder?.resized(newSize)
                continue
            }
            guard let action = action(for: key, in: ui) else { continue }
            let (next, effect) = reduce(ui, action)
            engine.recorder?.record(key: key, action: action, effect: effect)
            ui = next
            if let effect, !engine.perform(effect) {
                if case .startSustained = effect { ui.sustained = false }
                if case .startWebTraffic = effect { ui.webTraffic = false }
            }
        }
    }
}
