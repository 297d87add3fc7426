import Foundation
import MemeKit
import Testing
@testable import ConsoleRecording

/// Truncated, corrupt, empty and future-version recordings: a clear error naming the line, and
/// everything before a bad line still plays.
@Suite("Bad recordings")
struct BadRecordingTests {
    let good: [String]

    init() throws {
        good = try simulatedRecording(seconds: 20).text.split(separator: "\n").map(String.init)
    }

    func read(_ lines: [String], newline: Bool = true) throws -> Recording {
        try Recording(data: Data((lines.joined(separator: "\n") + (newline ? "\n" : "")).utf8))
    }

    func error(_ body: () throws -> Recording) -> RecordingError? {
        do { _ = try body(); return nil } catch let e as RecordingError { return e } catch { return nil }
    }

    @Test func emptyFile() {
        let e = error { try Recording(data: Data()) }
        #expect(e?.line == nil)
        #expect(e?.message.contains("empty") == true)
        #expect(error { try Recording(data: Data("\n".utf8)) }?.message.contains("empty") == true)
    }

    @Test func truncatedLastLinePlaysUpToIt() throws {
        var lines = Array(good.dropLast())  // killed: no end line
        let cut = lines.count
        lines[cut - 1] = String(lines[cut - 1].prefix(25))
        let recording = try read(lines, newline: false)
        #expect(recording.problem?.line == cut)
        #expect(recording.problem?.message.contains("truncated") == true)
        #expect(recording.steps.count == cut - 2)
        #expect(recording.endReason == nil)
        var cursor = RecordingCursor(recording)
        _ = try cursor.snapshot(at: recording.duration)
    }

    @Test func killedBetweenLinesIsNoProblem() throws {
        let recording = try read(Array(good.dropLast()))
        #expect(recording.problem == nil)
        #expect(recording.endReason == nil)
        #expect(recording.summary.contains("no end line"))
    }

    @Test func corruptLineInTheMiddle() throws {
        var lines = good
        lines[100] = "{\"t\":10.1,\"type\":\"delta\",\"patch\":{\"queue\":{\"lag\":"
        let recording = try read(lines)
        #expect(recording.problem == RecordingError(line: 101, "not JSON: '{\"t\":10.1,\"type\":\"delta\",\"patch\":{\"queue\":{\"lag\":'"))
        #expect(recording.steps.count == 99)  // lines 2…100
        #expect(recording.steps.last!.line == 100)
        var cursor = RecordingCursor(recording)
        _ = try cursor.snapshot(at: 1e9)
    }

    @Test func futureVersion() {
        var lines = good
        lines[0] = lines[0].replacingOccurrences(of: "\"version\":1", with: "\"version\":2")
        let e = error { try read(lines) }
        #expect(e?.line == 1)
        #expect(e?.message.contains("version 2 is newer than this meme-console reads (version 1)") == true)
    }

    @Test func notARecording() {
        #expect(error { try read(["{\"hello\":1}", good[1]]) }?.message.contains("not a meme-console recording") == true)
        #expect(error { try read(["PNG garbage", good[1]]) }?.line == 1)
        #expect(error { try read([good[0]]) }?.message.contains("no snapshot") == true)
    }

    @Test func badLinesEachNamed() throws {
        let cases: [(String, String)] = [
            (#"{"t":5,"type":"warp"}"#, "unknown line type \"warp\""),
            (#"{"type":"delta","patch":{}}"#, "without a time"),
            (#"{"t":0.01,"type":"delta","patch":{}}"#, "time goes backwards"),
            (#"{"t":9,"type":"delta","patch":{"workloads":{"-":9}}}"#, "does not fit"),
            (#"{"t":9,"type":"snapshot","snapshot":{"mode":"local"}}"#, "cannot be read"),
            (#"[1,2]"#, "no \"type\""),
            ("", "empty line"),
            (good[0], "a second header"),
        ]
        for (bad, why) in cases {
            var lines = good
            lines.insert(bad, at: 50)
            let recording = try read(lines)
            #expect(recording.problem?.line == 51, "\(bad)")
            #expect(recording.problem?.message.contains(why) == true, "\(bad): \(recording.problem?.message ?? "no problem")")
            #expect(recording.steps.count == 49)
        }
    }

    @Test func deltaBeforeAnySnapshot() {
        let e = error { try read([good[0], good[2]]) }
        #expect(e?.line == 2)
        #expect(e?.message.contains("before any whole snapshot") == true)
    }
}
