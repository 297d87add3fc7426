import Foundation
import MemeKit
import Gzip
import Testing
@testable import ConsoleRecording

/// The issue's size target: a 10-minute session at 1 s polling stays under 2 MB. The simulated
/// session is drawn every 100 ms (the dashboard's pace: ages in tenths change every draw) with three
/// bursts of 5000, staircases, every answer in the recent list (uuid ids) and scaling events;
/// docs/console.md quotes the printed figures: plain JSON Lines, and gzip (`--record FILE.gz`,
/// each line its own flushed piece, as the recorder writes it).
@Suite("Recording size")
struct RecordingSizeTests {
    @Test func tenMinutesStayUnderTwoMegabytes() throws {
        let (text, drawn) = try simulatedRecording(seconds: 600)
        let bytes = text.utf8.count
        let whole = drawn.map { try! JSONValue(encoding: $0.1).text.utf8.count }.reduce(0, +)
        let writer = try GzipWriter()
        let gzip = try text.split(separator: "\n").map { try writer.append(Array(($0 + "\n").utf8)).count }.reduce(0, +)
        func mb(_ n: Int) -> String { String(format: "%.2f MB", Double(n) / 1e6) }
        print("recording size, 10 min, \(drawn.count) snapshots drawn (target < 2 MB): plain \(mb(bytes)) "
              + "(\(String(format: "%.0f", Double(bytes) / 2e6 * 100)) % of it), gzip \(mb(gzip)) "
              + "(\(String(format: "%.0f", Double(gzip) / 2e6 * 100)) %); every snapshot whole would be \(mb(whole))")
        #expect(drawn.count > 5_000)
        #expect(gzip < 2_000_000)
        // And it reads back whole.
        let recording = try Recording(data: Data(text.utf8))
        #expect(recording.steps.count == drawn.count && recording.problem == nil)
    }
}
