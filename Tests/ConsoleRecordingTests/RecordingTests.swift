import ConsoleUI
import Foundation
import MemeKit
import Testing
@testable import ConsoleRecording

/// Writes `seconds` of a simulated session (every 100 ms) the way the recorder does, with a few keys.
func simulatedRecording(seconds: Double, keyframeSeconds: Double = 60) throws -> (text: String, snapshots: [(Double, ConsoleSnapshot)]) {
    let header = RecordingHeader(mode: .local, sources: ["nats": "nats://127.0.0.1:4222"], terminal: TerminalSize(columns: 120, rows: 40),
                                 start: 1_764_660_000, utcOffsetSeconds: 3600, intervalSeconds: 1, keyframeSeconds: keyframeSeconds,
                                 recorder: "meme-console test")
    var encoder = RecordingEncoder(header: header)
    var lines = [encoder.headerLine]
    var session = SimulatedSession()
    var drawn: [(Double, ConsoleSnapshot)] = []
    var last: ConsoleSnapshot?
    for tick in 1...Int(seconds * 10) {
        let t = Double(tick) / 10
        let snapshot = session.next()
        if tick % 1800 == 590 {
            lines.append(encoder.keyLine(.character("b"), action: .burst, effect: .submit(count: 5000), at: t - 0.05))
        }
        guard snapshot != last, let line = try encoder.snapshotLine(snapshot, at: t) else { continue }
        last = snapshot
        lines.append(line)
        drawn.append((t, snapshot))
    }
    lines.append(encoder.endLine(reason: "quit", at: seconds))
    return (lines.joined(separator: "\n") + "\n", drawn)
}

@Suite("Recording: write, read, seek")
struct RecordingTests {
    @Test func everySnapshotComesBackInOrder() throws {
        let (text, drawn) = try simulatedRecording(seconds: 150, keyframeSeconds: 30)
        let recording = try Recording(data: Data(text.utf8))
        #expect(recording.problem == nil)
        #expect(recording.endReason == "quit")
        #expect(recording.steps.count == drawn.count)
        #expect(recording.steps.filter(\.isWhole).count == 5)  // t ≈ 0, 30, 60, 90, 120
        var cursor = RecordingCursor(recording)
        for (i, (t, snapshot)) in drawn.enumerated() {
            #expect(recording.steps[i].t == t)
            #expect(try cursor.snapshot(at: t) == snapshot, "step \(i) at \(t) s")
        }
    }

    @Test func seeksAnywhereInAnyOrder() throws {
        let (text, drawn) = try simulatedRecording(seconds: 100, keyframeSeconds: 60)
        let recording = try Recording(data: Data(text.utf8))
        var cursor = RecordingCursor(recording)
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<60 {
            let i = Int.random(in: 0..<drawn.count, using: &rng)
            // Between two snapshots the earlier one is shown.
            let t = drawn[i].0 + 0.05
            #expect(try cursor.snapshot(at: t) == drawn[i].1)
        }
        #expect(try cursor.snapshot(at: 0) == drawn[0].1)  // before the first: the first
        #expect(try cursor.snapshot(at: 1e9) == drawn.last!.1)
    }

    @Test func headerAndKeysAreRead() throws {
        let (text, _) = try simulatedRecording(seconds: 70)
        let recording = try Recording(data: Data(text.utf8))
        #expect(recording.header.mode == .local)
        #expect(recording.header.terminal == .init(TerminalSize(columns: 120, rows: 40)))
        #expect(recording.header.startedAt == "2025-12-02T07:20:00Z")
        #expect(recording.header.clock(at: 61.5) == "08:21:01")  // UTC+1
        #expect(recording.keys == [Recording.KeyPress(t: 58.95, key: "b", action: "burst", effect: "submit 5000")])
        #expect(recording.recentKey(at: 60)?.key == "b")
        #expect(recording.recentKey(at: 62) == nil)
        #expect(recording.duration == 70)
    }

    @Test func linesAreReadableJSONWithTypeAndTimeFirst() throws {
        let (text, _) = try simulatedRecording(seconds: 3)
        let lines = text.split(separator: "\n")
        #expect(lines[0].hasPrefix(#"{"type":"header","format":"meme-console-recording","version":1,"mode":"local""#))
        #expect(lines[1].hasPrefix(#"{"t":0.1,"type":"snapshot","snapshot":{"#))
        #expect(lines[2].hasPrefix(#"{"t":0.2,"type":"delta","patch":{"#))
        #expect(lines.last == #"{"t":3,"type":"end","reason":"quit"}"#)
        for line in lines { #expect(!line.contains("\u{1B}")) }
    }

    @Test func unchangedSnapshotsAreNotWritten() throws {
        let header = RecordingHeader(mode: .local, sources: [:], terminal: TerminalSize(columns: 80, rows: 24), start: 0, utcOffsetSeconds: 0,
                                     intervalSeconds: 1, recorder: "test")
        var encoder = RecordingEncoder(header: header)
        var session = SimulatedSession()
        let s = session.next()
        #expect(try encoder.snapshotLine(s, at: 1) != nil)
        #expect(try encoder.snapshotLine(s, at: 2) == nil)
    }

    @Test func controlCharactersInPromptsStayInTheirLine() throws {
        var session = SimulatedSession()
        var s = session.next()
        s.recent = [RecentMeme(id: "x", prompt: "line\nbreak\u{1B}[2J\u{2028}end", ok: true)]
        let header = RecordingHeader(mode: .local, sources: [:], terminal: TerminalSize(columns: 80, rows: 24), start: 0, utcOffsetSeconds: 0,
                                     intervalSeconds: 1, recorder: "test")
        var encoder = RecordingEncoder(header: header)
        let line = try #require(try encoder.snapshotLine(s, at: 1))
        #expect(!line.contains("\n") && !line.contains("\u{2028}"))
        let recording = try Recording(data: Data((encoder.headerLine + "\n" + line + "\n").utf8))
        var cursor = RecordingCursor(recording)
        #expect(try cursor.snapshot(at: 1).recent[0].prompt == "line\nbreak\u{1B}[2J\u{2028}end")
    }
}
