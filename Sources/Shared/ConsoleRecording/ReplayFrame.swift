import ConsoleUI

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
