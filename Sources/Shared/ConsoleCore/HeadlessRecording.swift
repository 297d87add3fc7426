import ConsoleUI
import Foundation

/// `meme-console --record FILE --headless`: the dashboard's data side without a terminal, taking a
/// snapshot at the render loop's pace (every 100 ms; the recorder keeps the changed ones) until
/// `duration` seconds have passed or `interrupted` says stop.
public enum HeadlessRecording {
    public static func run(_ engine: ConsoleEngine, duration: Double?, interrupted: @escaping @Sendable () -> Bool) async {
        engine.start()
        let start = ContinuousClock.now
        while !interrupted() {
            if let duration, ContinuousClock.now - start >= .milliseconds(Int(duration * 1000)) { break }
            _ = engine.snapshot(ui: UIState())
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
