import ConsoleUI
import Testing
@testable import ConsoleRecording

@Suite("Replay state")
struct ReplayStateTests {
    @Test func playsAtItsSpeedAndStopsAtTheEnd() {
        var s = ReplayState(first: 0.1, duration: 100, speed: 4)
        s.advance(wallSeconds: 2)
        #expect(s.position == 8.1)
        s.advance(wallSeconds: 100)
        #expect(s.position == 100 && s.atEnd && s.stopped)
        s.advance(wallSeconds: 1)
        #expect(s.position == 100)
    }

    @Test func pauseHoldsThePosition() {
        var s = ReplayState(first: 0, duration: 60, from: 10)
        s.apply(.setPaused(true))
        s.advance(wallSeconds: 5)
        #expect(s.position == 10 && s.stopped)
        s.apply(.setPaused(false))
        s.advance(wallSeconds: 5)
        #expect(s.position == 15)
    }

    @Test func seekStaysInsideTheRecording() {
        var s = ReplayState(first: 0.3, duration: 60, from: 5)
        s.apply(.seek(seconds: -10))
        #expect(s.position == 0.3)
        s.apply(.seek(seconds: 10))
        #expect(s.position == 10.3)
        for _ in 0..<9 { s.apply(.seek(seconds: 10)) }
        #expect(s.position == 60 && s.atEnd)
    }

    @Test func playAtTheEndStartsAgain() {
        var s = ReplayState(first: 0.2, duration: 30, from: 30)
        #expect(s.atEnd)
        s.apply(.setPaused(false))
        #expect(s.position == 0.2 && !s.stopped)
    }

    @Test func speedStepsAndBounds() {
        var s = ReplayState(first: 0, duration: 10)
        for expected in [2.0, 4, 8, 16, 16] {
            s.apply(.changeSpeed(faster: true))
            #expect(s.speed == expected)
        }
        var slow = ReplayState(first: 0, duration: 10, speed: 3)  // off the steps: the next one down
        slow.apply(.changeSpeed(faster: false))
        #expect(slow.speed == 2)
        for _ in 0..<9 { slow.apply(.changeSpeed(faster: false)) }
        #expect(slow.speed == 0.25)
        #expect(ReplayState(first: 0, duration: 10, speed: 1000).speed == 64)
    }

    @Test func liveEffectsChangeNothing() {
        var s = ReplayState(first: 0, duration: 10, from: 3)
        let before = s
        for effect in [Effect.submit(count: 50), .startSustained(perSecond: 5), .stopSustained, .purgeQueue, .quit] { s.apply(effect) }
        #expect(s == before)
    }

    @Test func keysMapToReplayEffects() {
        let ui = UIState()
        let pairs: [(Key, Effect)] = [(.left, .seek(seconds: -10)), (.right, .seek(seconds: 10)), (.character("+"), .changeSpeed(faster: true)),
                                      (.character("-"), .changeSpeed(faster: false)), (.character(" "), .setPaused(true))]
        for (key, effect) in pairs {
            let action = replayAction(for: key, in: ui)!
            #expect(reduce(ui, action).1 == effect)
        }
        // Nothing reaches the sources from a replay.
        for key in [Key.character("b"), .character("s"), .enter, .character("p"), .character("l"), .character("5")] {
            #expect(replayAction(for: key, in: ui) == nil)
        }
        #expect(replayAction(for: .character("q"), in: ui) == .quit)
        #expect(replayAction(for: .character("?"), in: ui) == .toggleHelp)
        #expect(replayAction(for: .left, in: UIState(overlay: .help)) == nil)
    }
}
