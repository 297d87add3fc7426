import Foundation
import Testing
@testable import ConsoleRecording

/// The issue's size target: a 10-minute session at 1 s polling stays under 2 MB. The simulated
/// session is drawn every 100 ms (the dashboard's pace: ages in tenths change every draw) with three
/// bursts of 5000, staircases, answers and scaling events; docs/console.md quotes the printed figure.
@Suite("Recording size")
struct RecordingSizeTests {
    @Test func tenMinutesStayUnderTwoMegabytes() throws {
        let (text, drawn) = try simulatedRecording(seconds: 600)
        let bytes = text.utf8.count
        let whole = drawn.map { try! JSONValue(encoding: $0.1).text.utf8.count }.reduce(0, +)
        print("recording size: 10 min, \(drawn.count) snapshots drawn: \(bytes) bytes = \(String(format: "%.2f", Double(bytes) / 1_048_576)) MiB "
              + "vs target 2 MiB (\(String(format: "%.0f", Double(bytes) / 2_097_152 * 100)) % of it); every snapshot whole would be "
              + "\(String(format: "%.1f", Double(whole) / 1_048_576)) MiB (patches: \(String(format: "%.0f", Double(whole) / Double(bytes)))× smaller)")
        #expect(drawn.count > 5_000)
        #expect(bytes < 2 * 1_048_576)
        // And it reads back whole.
        let recording = try Recording(data: Data(text.utf8))
        #expect(recording.steps.count == drawn.count && recording.problem == nil)
    }
}
