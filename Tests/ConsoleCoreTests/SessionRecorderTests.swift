import ConsoleRecording
import ConsoleUI
import Foundation
import Testing
@testable import ConsoleCore

/// The recorder's file, plain and gzip: what it writes reads back (the system test kills a real console).
@Suite("Session recorder")
struct SessionRecorderTests {
    func snapshot(lag: Int, notice: String? = nil) -> ConsoleSnapshot {
        ConsoleSnapshot(sources: SourceStatuses(nats: .ok, prometheus: .ok, kubernetes: .disabled, standIn: .ok), mode: .local,
                        queue: QueueStats(stream: "MEMES", consumer: "meme-generator", pending: lag, ackPending: 0, redelivered: 0, lag: lag),
                        notice: notice)
    }

    @Test(arguments: ["plain.jsonl", "packed.jsonl.gz", "named.rec"])
    func writesWhatReadsBack(_ name: String) throws {
        let path = NSTemporaryDirectory() + "recorder-\(UUID().uuidString)-" + name
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try SessionRecorder(path: path)
        let settings = ConsoleSettings(natsURL: "nats://user:secret@127.0.0.1:4222")
        let header = RecordingHeader.live(settings: settings, mode: .local, terminal: TerminalSize(columns: 100, rows: 30), start: 1000,
                                          recorder: "test")
        try recorder.start(header)
        for (i, lag) in [0, 0, 5, 9, 9, 3].enumerated() {
            recorder.record(snapshot(lag: lag), at: 1000 + Double(i) * 0.1 + 0.1)
        }
        recorder.record(key: .character("b"), action: .burst, effect: .submit(count: 50), at: 1000.65)
        recorder.resized(TerminalSize(columns: 120, rows: 40), at: 1000.5)  // a call from behind: written at 0.65, never back in time
        recorder.finish(reason: "quit", at: 1001)
        #expect(recorder.problem == nil)
        #expect(recorder.written.lines == 8)  // header, 4 changed snapshots, key, resize, end

        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect((bytes.prefix(2) == Data([0x1F, 0x8B])) == SessionRecorder.compresses(path))
        let (recording, damage) = try Recording.read(path: path)
        #expect(damage == nil && recording.problem == nil)
        #expect(recording.header.sources["nats"] == "nats://***@127.0.0.1:4222")  // never the password
        #expect(recording.steps.map(\.t) == [0.1, 0.3, 0.4, 0.6])
        #expect(recording.keys.map(\.effect) == ["submit 50"])
        #expect(recording.keys.map(\.t) == [0.65])
        #expect(recording.terminal == TerminalSize(columns: 100, rows: 30))  // no snapshot after the resize
        #expect(recording.endReason == "quit" && recording.duration == 1)
        var cursor = RecordingCursor(recording)
        #expect(try cursor.snapshot(at: 0.45).queue?.lag == 9)
    }

    @Test func aBadPathFailsAtOnce() {
        #expect(throws: ConsoleError.self) { try SessionRecorder(path: "/nonexistent-dir/talk.jsonl") }
    }
}
