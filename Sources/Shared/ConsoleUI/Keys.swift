// Keys → actions → (new UI state, effect). All pure: the app reads a key from the terminal, asks
// `action(for:in:)`, then `reduce`, stores the new state and performs the effect (send load, purge…).

/// A key as the terminal reports it.
public enum Key: Sendable, Equatable, Hashable {
    case character(Character)
    case enter
    case escape
    case backspace
    case up, down, left, right
    /// The terminal was resized to this size.
    case resize(TerminalSize)
    /// Any other key code the terminal reported.
    case other(Int32)
}

/// What the presenter asked for.
public enum Action: Sendable, Equatable {
    case submitOne
    case burst
    case burstSizeUp
    case burstSizeDown
    case burstPreset(Int)
    case toggleSustained
    case toggleWebTraffic
    case rateUp
    case rateDown
    case purge
    /// K / C / H: ask to switch to that act (keda-only, conflict, harmony).
    case chooseAct(String)
    case confirm
    case cancel
    case togglePause
    case toggleHelp
    case closeOverlay
    case quit
    // Replay only (`replayAction(for:in:)`).
    case seekBackward
    case seekForward
    case speedUp
    case speedDown
}

/// What the app must do after a key; the UI state change is already done by `reduce`.
public enum Effect: Sendable, Equatable {
    /// Publish `count` meme requests now (1 for a single submit, N for a burst).
    case submit(count: Int)
    /// Start sustained load, or change its rate while it runs.
    case startSustained(perSecond: Double)
    case stopSustained
    /// Start page loads through meme-web at this rate (moves the HPA on the web tier), or stop them.
    case startWebTraffic(perSecond: Double)
    case stopWebTraffic
    /// Delete every message in the queue's stream (only after the presenter confirmed).
    case purgeQueue
    /// Switch the demo to this act (`DemoAct` raw value; only after the presenter confirmed).
    case switchAct(String)
    /// Stop or resume refreshing the data sources (in a replay: stop or resume playing).
    case setPaused(Bool)
    case quit
    /// Replay: move by this many seconds of the recording (negative: back).
    case seek(seconds: Double)
    /// Replay: the next playback speed up or down.
    case changeSpeed(faster: Bool)
}

public enum Overlay: Sendable, Equatable {
    case none
    case help
    case confirmPurge
    /// "Switch to act <name>?" (y / n).
    case confirmAct(String)
}

/// The console's interactive state, changed only through `reduce`.
public struct UIState: Sendable, Equatable {
    public static let defaultBurstSize = 50
    public static let defaultRate = 5.0
    /// Burst sizes `+`/`-` step through.
    public static let burstSteps = [1, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
    /// Sustained rates (requests per second) `]`/`[` step through.
    public static let rateSteps: [Double] = [0.5, 1, 2, 5, 10, 20, 50, 100, 200]
    /// Page loads per second the `w` key sends through meme-web: far above what one process at
    /// 10m CPU serves within its HPA target, so the web tier visibly scales out.
    public static let webTrafficRate = 100.0
    /// Presets on the number keys 1…5.
    public static let burstPresets: [Character: Int] = ["1": 10, "2": 50, "3": 100, "4": 500, "5": 1000]
    /// The talk's acts on capital letters (a slip of the finger should not switch one): each asks first.
    public static let actKeys: [Character: String] = ["K": "keda-only", "C": "conflict", "H": "harmony"]

    public var burstSize: Int
    public var rate: Double
    public var sustained: Bool
    public var webTraffic: Bool
    public var paused: Bool
    public var overlay: Overlay
    public var quitting: Bool

    public init(
        burstSize: Int = UIState.defaultBurstSize, rate: Double = UIState.defaultRate, sustained: Bool = false,
        webTraffic: Bool = false, paused: Bool = false, overlay: Overlay = .none, quitting: Bool = false
    ) {
        self.webTraffic = webTraffic
        self.burstSize = burstSize
        self.rate = rate
        self.sustained = sustained
        self.paused = paused
        self.overlay = overlay
        self.quitting = quitting
    }
}

/// The key map. Overlays capture keys: the confirm dialog only answers y/n/Esc (and q), help closes on ?/Esc.
public func action(for key: Key, in state: UIState) -> Action? {
    switch state.overlay {
    case .confirmPurge, .confirmAct:
        switch key {
        case .character("y"), .character("Y"): return .confirm
        case .character("n"), .character("N"), .escape: return .cancel
        case .character("q"): return .quit
        default: return nil
        }
    case .help:
        switch key {
        case .character("?"), .escape, .enter, .character("h"): return .closeOverlay
        case .character("q"): return .quit
        default: return nil
        }
    case .none:
        break
    }
    switch key {
    case .character("s"), .enter: return .submitOne
    case .character("b"): return .burst
    case .character("+"), .character("="), .up: return .burstSizeUp
    case .character("-"), .character("_"), .down: return .burstSizeDown
    case .character(let c) where UIState.burstPresets[c] != nil: return .burstPreset(UIState.burstPresets[c]!)
    case .character("l"): return .toggleSustained
    case .character("w"): return .toggleWebTraffic
    case .character("]"), .right: return .rateUp
    case .character("["), .left: return .rateDown
    case .character("p"): return .purge
    case .character(let c) where UIState.actKeys[c] != nil: return .chooseAct(UIState.actKeys[c]!)
    case .character(" "): return .togglePause
    case .character("?"), .character("h"): return .toggleHelp
    case .character("q"), .character("Q"): return .quit
    case .escape: return .closeOverlay
    default: return nil
    }
}

/// The replay's key map (`meme-console replay`): nothing reaches the sources, so only playback keys
/// act: space pauses, ←/→ seek, +/- change the speed; help and quit as live.
public func replayAction(for key: Key, in state: UIState) -> Action? {
    if state.overlay != .none {
        switch key {
        case .character("?"), .escape, .enter, .character("h"): return .closeOverlay
        case .character("q"), .character("Q"): return .quit
        default: return nil
        }
    }
    switch key {
    case .character(" "): return .togglePause
    case .left, .character(","): return .seekBackward
    case .right, .character("."): return .seekForward
    case .character("+"), .character("="), .up: return .speedUp
    case .character("-"), .character("_"), .down: return .speedDown
    case .character("?"), .character("h"): return .toggleHelp
    case .character("q"), .character("Q"): return .quit
    case .escape: return .closeOverlay
    default: return nil
    }
}

/// Seconds ←/→ move a replay.
public let replaySeekSeconds = 10.0

/// Applies an action: the new state and what the app must do, if anything.
public func reduce(_ state: UIState, _ action: Action) -> (UIState, Effect?) {
    var s = state
    switch action {
    case .submitOne:
        return (s, .submit(count: 1))
    case .burst:
        return (s, .submit(count: s.burstSize))
    case .burstSizeUp:
        s.burstSize = UIState.burstSteps.first(where: { $0 > s.burstSize }) ?? UIState.burstSteps.last!
        return (s, nil)
    case .burstSizeDown:
        s.burstSize = UIState.burstSteps.last(where: { $0 < s.burstSize }) ?? UIState.burstSteps.first!
        return (s, nil)
    case .burstPreset(let n):
        s.burstSize = n
        return (s, nil)
    case .toggleSustained:
        s.sustained.toggle()
        return (s, s.sustained ? .startSustained(perSecond: s.rate) : .stopSustained)
    case .toggleWebTraffic:
        s.webTraffic.toggle()
        return (s, s.webTraffic ? .startWebTraffic(perSecond: UIState.webTrafficRate) : .stopWebTraffic)
    case .rateUp, .rateDown:
        let up = action == .rateUp
        s.rate = up
            ? UIState.rateSteps.first(where: { $0 > s.rate }) ?? UIState.rateSteps.last!
            : UIState.rateSteps.last(where: { $0 < s.rate }) ?? UIState.rateSteps.first!
        return (s, s.sustained && s.rate != state.rate ? .startSustained(perSecond: s.rate) : nil)
    case .purge:
        s.overlay = .confirmPurge
        return (s, nil)
    case .chooseAct(let name):
        s.overlay = .confirmAct(name)
        return (s, nil)
    case .confirm:
        switch s.overlay {
        case .confirmPurge:
            s.overlay = .none
            return (s, .purgeQueue)
        case .confirmAct(let name):
            s.overlay = .none
            return (s, .switchAct(name))
        case .none, .help:
            return (s, nil)
        }
    case .cancel, .closeOverlay:
        s.overlay = .none
        return (s, nil)
    case .togglePause:
        s.paused.toggle()
        return (s, .setPaused(s.paused))
    case .toggleHelp:
        s.overlay = s.overlay == .help ? .none : .help
        return (s, nil)
    case .quit:
        s.quitting = true
        return (s, .quit)
    case .seekBackward:
        return (s, .seek(seconds: -replaySeekSeconds))
    case .seekForward:
        return (s, .seek(seconds: replaySeekSeconds))
    case .speedUp, .speedDown:
        return (s, .changeSpeed(faster: action == .speedUp))
    }
}

/// The key reference shown by the help overlay and in docs/console.md: (keys, what they do).
public let keyHelp: [(keys: String, meaning: String)] = [
    ("s, Enter", "submit one meme"),
    ("b", "send a burst of N memes"),
    ("+ / -", "burst size N up / down"),
    ("1 2 3 4 5", "N = 10, 50, 100, 500, 1000"),
    ("l", "sustained load on / off"),
    ("[ / ]", "sustained rate down / up"),
    ("w", "web traffic on / off: page loads through meme-web (the HPA scales the web tier)"),
    ("p", "purge the queue (asks y / n)"),
    ("K / C / H", "act: keda-only / conflict / harmony (asks y / n)"),
    ("space", "pause / resume refresh"),
    ("?", "this help"),
    ("Esc", "close help or dialog"),
    ("q", "quit"),
]

/// The replay's key reference (help overlay and docs/console.md).
public let replayKeyHelp: [(keys: String, meaning: String)] = [
    ("space", "pause / play (at the end: play again)"),
    ("← / →", "back / forward 10 s"),
    ("+ / -", "faster / slower (¼× … 16×)"),
    ("?", "this help"),
    ("Esc", "close help"),
    ("q", "quit"),
]
