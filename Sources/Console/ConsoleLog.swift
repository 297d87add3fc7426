import Foundation
import Logging
import Synchronization

/// Where the dashboard's log lines go while it owns the terminal: a line written to stdout or stderr
/// would land in the middle of the screen (a NATS reconnect during the failure act did exactly that).
/// `<DEMO_DIR>/logs/meme-console.log` under `./demo.sh`, else `meme-console.log` in the temp folder.
enum ConsoleLog {
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["DEMO_DIR"], !dir.isEmpty { return dir + "/logs/meme-console.log" }
        return (environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp") + "/meme-console.log"
    }

    /// Sends every logger made from now on to the file (appending). When it cannot be opened, log lines
    /// are dropped rather than drawn over the screen.
    static func toFile(_ path: String = path()) {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let file = try? FileHandle(forWritingTo: url)
        _ = try? file?.seekToEnd()
        let sink = LogFile(file)
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink) }
    }
}

/// One open log file shared by every handler, written a whole line at a time.
final class LogFile: Sendable {
    private let file: Mutex<FileHandle?>
    init(_ file: FileHandle?) { self.file = Mutex(file) }
    func write(_ line: String) { file.withLock { try? $0?.write(contentsOf: Data(line.utf8)) } }
}

/// swift-log's stream format (time, level, label, message, metadata), into a `LogFile`.
struct FileLogHandler: LogHandler {
    let label: String
    let sink: LogFile
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(Date().ISO8601Format()) \(event.level) \(label): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n")
    }
}
