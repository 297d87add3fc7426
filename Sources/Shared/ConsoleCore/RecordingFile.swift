import ConsoleRecording
import Foundation
import Gzip

extension Recording {
    /// Reads the recording at `path`, plain or gzip (told by its first bytes); errors name the file (and
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
