import ConsoleRecording
import ConsoleUI
import Foundation
import Gzip

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

extension Recording {
    /// Reads the recording at `path`, plain or gzip (`--record FILE.gz`); errors name the file (and
    /// the line). A gzip stream cut short reads up to its last flushed line; a damaged one up to the damage.
    public static func read(path: String) throws -> (recording: Recording, gzipDamage: String?) {
        var data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConsoleError("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        var damage: String?
        if Gzip.isGzip(data) {
            (data, _, damage) = try Gzip.decompress(data)
        }
        do {
            return (try Recording(data: data), damage)
        } catch let error as RecordingError {
            throw ConsoleError("\(path) \(error)" + (damage.map { " (\($0))" } ?? ""))
        }
    }
}
