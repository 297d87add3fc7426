import ConsoleUI
import Foundation

/// The first line of a recording: what was recorded, where from, and when.
public struct RecordingHeader: Codable, Sendable, Equatable {
    /// "meme-console-recording": tells a recording from any other JSON Lines file.
    public static let formatName = "meme-console-recording"
    /// The format this console writes and the newest it reads. A later version is refused with a
    /// clear error (its lines may mean something this console does not know).
    public static let currentVersion = 1

    public var type = "header"
    public var format = RecordingHeader.formatName
    public var version = RecordingHeader.currentVersion
    public var mode: ConsoleMode
    /// Where each source was read ("nats", "prometheus", "stand_in", "kubernetes"…), credentials removed.
    public var sources: [String: String]
    /// The recording console's terminal when it started (resizes are "resize" lines).
    public var terminal: Size
    /// RFC 3339, UTC.
    public var startedAt: String
    /// Unix seconds at the start; every line's `t` counts from here.
    public var start: Double
    /// The recording machine's offset from UTC, so a replay shows the time of day the presenter saw.
    public var utcOffsetSeconds: Int
    /// The console's polling interval.
    public var intervalSeconds: Double
    /// A whole snapshot is written at least this often, so a replay can seek without reading from the start.
    public var keyframeSeconds: Double
    /// "meme-console 0.1.0".
    public var recorder: String

    public struct Size: Codable, Sendable, Equatable {
        public var columns: Int
        public var rows: Int
        public init(_ size: TerminalSize) { (columns, rows) = (size.columns, size.rows) }
        public var terminalSize: TerminalSize { TerminalSize(columns: columns, rows: rows) }
    }

    public init(mode: ConsoleMode, sources: [String: String], terminal: TerminalSize, start: Double, utcOffsetSeconds: Int,
                intervalSeconds: Double, keyframeSeconds: Double = 60, recorder: String) {
        self.mode = mode
        self.sources = sources
        self.terminal = Size(terminal)
        self.start = start
        self.startedAt = rfc3339(start)
        self.utcOffsetSeconds = utcOffsetSeconds
        self.intervalSeconds = intervalSeconds
        self.keyframeSeconds = keyframeSeconds
        self.recorder = recorder
    }

    enum CodingKeys: String, CodingKey {
        case type, format, version, mode, sources, terminal, start, recorder
        case startedAt = "started_at"
        case utcOffsetSeconds = "utc_offset_s"
        case intervalSeconds = "interval_s"
        case keyframeSeconds = "keyframe_s"
    }

    /// The time of day `t` seconds into the recording, as the recording machine showed it ("23:45:12").
    public func clock(at t: Double) -> String {
        let seconds = Int((start + t).rounded(.down)) + utcOffsetSeconds
        let day = ((seconds % 86_400) + 86_400) % 86_400
        return [day / 3600, day / 60 % 60, day % 60].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
    }
}

/// "2026-11-28T23:41:07Z".
func rfc3339(_ seconds: Double) -> String {
    ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
}
