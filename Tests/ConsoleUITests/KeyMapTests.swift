import Testing
@testable import ConsoleUI

@Suite("Key map and reduce")
struct KeyMapTests {
    let idle = UIState()

    @Test(arguments: [
        (Key.character("s"), Action.submitOne), (.enter, .submitOne), (.character("b"), .burst),
        (.character("+"), .burstSizeUp), (.character("-"), .burstSizeDown),
        (.character("1"), .burstPreset(10)), (.character("2"), .burstPreset(50)), (.character("3"), .burstPreset(100)),
        (.character("4"), .burstPreset(500)), (.character("5"), .burstPreset(1000)),
        (.character("l"), .toggleSustained), (.character("]"), .rateUp), (.character("["), .rateDown),
        (.character("p"), .purge), (.character(" "), .togglePause), (.character("?"), .toggleHelp),
        (.character("q"), .quit), (.escape, .closeOverlay),
    ])
    func mainScreenKeys(_ key: Key, _ expected: Action) {
        #expect(action(for: key, in: idle) == expected)
    }

    @Test func unknownKeysDoNothing() {
        #expect(action(for: .character("x"), in: idle) == nil)
        #expect(action(for: .character("6"), in: idle) == nil)
        #expect(action(for: .other(999), in: idle) == nil)
        #expect(action(for: .resize(TerminalSize(columns: 80, rows: 24)), in: idle) == nil)
    }

    @Test func confirmDialogCapturesKeys() {
        let asking = UIState(overlay: .confirmPurge)
        #expect(action(for: .character("y"), in: asking) == .confirm)
        #expect(action(for: .character("n"), in: asking) == .cancel)
        #expect(action(for: .escape, in: asking) == .cancel)
        // A stray key must neither purge nor send load while the dialog is open.
        #expect(action(for: .character("s"), in: asking) == nil)
        #expect(action(for: .character("b"), in: asking) == nil)
        #expect(action(for: .enter, in: asking) == nil)
    }

    @Test func helpOverlayClosesOnQuestionMarkOrEscape() {
        let help = UIState(overlay: .help)
        #expect(action(for: .character("?"), in: help) == .closeOverlay)
        #expect(action(for: .escape, in: help) == .closeOverlay)
        #expect(action(for: .character("b"), in: help) == nil)
        #expect(action(for: .character("q"), in: help) == .quit)
    }

    @Test func submitAndBurstSendTheirCounts() {
        #expect(reduce(idle, .submitOne).1 == .submit(count: 1))
        #expect(reduce(idle, .burst).1 == .submit(count: UIState.defaultBurstSize))
        let (s, e) = reduce(idle, .burstPreset(1000))
        #expect(e == nil && s.burstSize == 1000)
        #expect(reduce(s, .burst).1 == .submit(count: 1000))
    }

    @Test func burstSizeStepsAndStaysInRange() {
        var s = UIState(burstSize: 50)
        s = reduce(s, .burstSizeUp).0
        #expect(s.burstSize == 100)
        s = reduce(s, .burstSizeDown).0
        s = reduce(s, .burstSizeDown).0
        #expect(s.burstSize == 20)
        for _ in 0..<20 { s = reduce(s, .burstSizeDown).0 }
        #expect(s.burstSize == 1)
        for _ in 0..<20 { s = reduce(s, .burstSizeUp).0 }
        #expect(s.burstSize == 5000)
        // A preset that is not a step still moves to the neighbouring steps.
        #expect(reduce(UIState(burstSize: 70), .burstSizeUp).0.burstSize == 100)
        #expect(reduce(UIState(burstSize: 70), .burstSizeDown).0.burstSize == 50)
    }

    @Test func sustainedLoadTogglesAndRateChangesRestartIt() {
        var (s, e) = reduce(idle, .toggleSustained)
        #expect(s.sustained && e == .startSustained(perSecond: 5))
        (s, e) = reduce(s, .rateUp)
        #expect(s.rate == 10 && e == .startSustained(perSecond: 10))
        (s, e) = reduce(s, .toggleSustained)
        #expect(!s.sustained && e == .stopSustained)
        // Changing the rate while off only changes the setting.
        (s, e) = reduce(s, .rateDown)
        #expect(s.rate == 5 && e == nil)
        for _ in 0..<20 { s = reduce(s, .rateDown).0 }
        #expect(s.rate == 0.5)
        (s, e) = reduce(UIState(rate: 200, sustained: true), .rateUp)
        #expect(s.rate == 200 && e == nil)
    }

    @Test func purgeNeedsConfirmation() {
        var (s, e) = reduce(idle, .purge)
        #expect(s.overlay == .confirmPurge && e == nil)
        (s, e) = reduce(s, .cancel)
        #expect(s.overlay == .none && e == nil)
        s = reduce(s, .purge).0
        (s, e) = reduce(s, .confirm)
        #expect(s.overlay == .none && e == .purgeQueue)
        // "confirm" without an open dialog never purges.
        #expect(reduce(idle, .confirm).1 == nil)
    }

    @Test func actKeysAskFirst() {
        #expect(action(for: .character("C"), in: idle) == .chooseAct("conflict"))
        #expect(action(for: .character("K"), in: idle) == .chooseAct("keda-only"))
        #expect(action(for: .character("H"), in: idle) == .chooseAct("harmony"))
        #expect(action(for: .character("c"), in: idle) == nil)  // lower case does nothing
        var (s, e) = reduce(idle, .chooseAct("conflict"))
        #expect(s.overlay == .confirmAct("conflict") && e == nil)
        // The dialog captures keys: a stray b neither sends a burst nor switches.
        #expect(action(for: .character("b"), in: s) == nil)
        #expect(action(for: .character("n"), in: s) == .cancel)
        (s, e) = reduce(s, .confirm)
        #expect(s.overlay == .none && e == .switchAct("conflict"))
        #expect(keyHelp.contains { $0.keys == "K / C / H" })
    }

    @Test func fullKeyFlowThroughTheMap() {
        var s = idle
        var effects: [Effect] = []
        for key: Key in [.character("3"), .character("b"), .character("p"), .character("s"), .character("y"),
                         .character(" "), .character("?"), .escape, .character("q")] {
            guard let a = action(for: key, in: s) else { continue }
            let (next, effect) = reduce(s, a)
            s = next
            if let effect { effects.append(effect) }
        }
        #expect(effects == [.submit(count: 100), .purgeQueue, .setPaused(true), .quit])
        #expect(s.paused && s.quitting && s.overlay == .none)
    }

    @Test func helpListsEveryKey() {
        let keys = keyHelp.map(\.keys).joined(separator: " ")
        for k in ["s", "b", "+", "-", "1", "5", "l", "[", "]", "p", "space", "?", "Esc", "q"] {
            #expect(keys.contains(k), "\(k) missing from help")
        }
    }
}
