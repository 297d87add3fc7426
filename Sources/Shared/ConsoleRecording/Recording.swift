import ConsoleUI
import Foundation
import MemeKit

/// Why a recording cannot be read (or read to its end): the line and what is wrong with it.
public struct RecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based; nil when the file as a whole is the problem (empty).
    public var line: Int?
    public var message: String

    public init(line: Int?, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// A recording read from its JSON Lines: the header, every snapshot in time order (as the lines'
/// patches, with whole states kept at checkpoints for seeking), and the presenter's keys. A bad
/// line ends the recording there: everything before it stays playable and `problem` says why.
public struct Recording: Sendable {
    public struct Step: Sendable {
        public var t: Double
        /// The line it came from (1-based).
        public var line: Int
        /// A whole snapshot (keyframe) or a patch of the previous step's.
        public var isWhole: Bool
        public var payload: JSONValue
    }

    public struct KeyPress: Sendable, Equatable {
        public var t: Double
        public var key: String
        public var action: String
        public var effect: String?
    }

    public let header: RecordingHeader
    public let steps: [Step]
    public let keys: [KeyPress]
    /// The "end" line's reason ("quit"); nil when the console stopped without one (killed).
    public let endReason: String?
    /// Why reading stopped before the end of the file; nil when every line was read.
    public let problem: RecordingError?
    /// Lines read (the header included).
    public let linesRead: Int
    /// The recording console's terminal at its last snapshot: the header's, or the last resize.
    public let terminal: TerminalSize
    /// (step index, whole state) at every keyframe and at least every `checkpointSteps` steps.
    let checkpoints: [(index: Int, state: JSONValue)]
    static let checkpointSteps = 300

    /// Seconds from the start to the last snapshot (or the end line).
    public let duration: Double

    /// Reads a recording. Throws when nothing can be played: an empty file, a bad or newer header,
    /// no snapshot before the first bad line.
    public init(data: Data) throws {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let truncated = !(lines.last?.isEmpty ?? true)
        if !truncated { lines.removeLast() }
        guard let first = lines.first, !(lines.count == 1 && first.allSatisfy({ $0 == 0x20 || $0 == 0x0D })) else {
            throw RecordingError(line: nil, "the file is empty: no header line (was the console stopped before it drew?)")
        }
        header = try Self.readHeader(Data(first), truncated: truncated && lines.count == 1)

        var steps: [Step] = []
        var keys: [KeyPress] = []
        var checkpoints: [(Int, JSONValue)] = []
        var state: JSONValue?
        var endReason: String?
        var endTime: Double?
        var problem: RecordingError?
        var lastTime = 0.0
        var read = 1
        var terminal = header.terminal.terminalSize
        var lastSize = terminal
        for (offset, bytes) in lines.enumerated().dropFirst() {
            let number = offset + 1
            if offset == lines.count - 1 && truncated {
                problem = RecordingError(line: number, "truncated: the line has no end (the console was stopped while writing it)")
                break
            }
            do {
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { throw RecordingError(line: number, "empty line") }
                if endReason != nil { throw RecordingError(line: number, "a line after the end line") }
                let value: JSONValue
                do { value = try JSONValue(parsing: Data(bytes)) } catch {
                    throw RecordingError(line: number, "not JSON: \(Self.preview(bytes))")
                }
                guard case .object = value, let type = value["type"]?.stringValue else {
                    throw RecordingError(line: number, "not a recording line (no \"type\"): \(Self.preview(bytes))")
                }
                if type == "header" { throw RecordingError(line: number, "a second header (two recordings in one file?)") }
                guard let t = value["t"]?.numberValue, t.isFinite, t >= 0 else {
                    throw RecordingError(line: number, "\(type) line without a time \"t\" (seconds, ≥ 0)")
                }
                guard t >= lastTime else {
                    throw RecordingError(line: number, "time goes backwards (\(t) s after \(lastTime) s)")
                }
                switch type {
                case "snapshot":
                    guard let whole = value["snapshot"], case .object = whole else {
                        throw RecordingError(line: number, "snapshot line without a \"snapshot\" object")
                    }
                    try Self.check(whole, line: number)
                    state = whole.canonical
                    checkpoints.append((steps.count, state!))
                    steps.append(Step(t: t, line: number, isWhole: true, payload: state!))
                    terminal = lastSize
                case "delta":
                    guard let patch = value["patch"], case .object = patch else {
                        throw RecordingError(line: number, "delta line without a \"patch\" object")
                    }
                    guard let before = state else { throw RecordingError(line: number, "a delta before any whole snapshot") }
                    do { state = try SnapshotPatch.apply(patch, to: before) } catch {
                        throw RecordingError(line: number, "the patch does not fit the snapshot before it: \(error)")
                    }
                    if steps.count - (checkpoints.last?.0 ?? 0) >= Self.checkpointSteps { checkpoints.append((steps.count, state!)) }
                    steps.append(Step(t: t, line: number, isWhole: false, payload: patch))
                    terminal = lastSize
                case "key":
                    guard let key = value["key"]?.stringValue, let action = value["action"]?.stringValue else {
                        throw RecordingError(line: number, "key line without \"key\" and \"action\"")
                    }
                    keys.append(KeyPress(t: t, key: key, action: action, effect: value["effect"]?.stringValue))
                case "resize":
                    guard let columns = value["columns"]?.intValue, let rows = value["rows"]?.intValue, columns >= 0, rows >= 0 else {
                        throw RecordingError(line: number, "resize line without \"columns\" and \"rows\"")
                    }
                    lastSize = TerminalSize(columns: columns, rows: rows)
                case "end":
                    endReason = value["reason"]?.stringValue ?? "end"
                    endTime = t
                default:
                    throw RecordingError(line: number, "unknown line type \"\(type)\" in a version \(header.version) recording")
                }
                lastTime = t
                read = number
            } catch let error as RecordingError {
                problem = error
                break
            }
        }
        // The last state must be a snapshot this console can show (a patch may fit and still break the schema).
        if let state, problem == nil {
            do { _ = try state.decode(ConsoleSnapshot.self) } catch {
                problem = RecordingError(line: steps.last?.line, "the snapshot there cannot be read: \(error)")
            }
        }
        guard !steps.isEmpty else {
            throw problem ?? RecordingError(line: nil, "no snapshot recorded after the header (\(lines.count) line\(lines.count == 1 ? "" : "s"))")
        }
        self.steps = steps
        self.keys = keys
        self.checkpoints = checkpoints
        self.endReason = endReason
        self.problem = problem
        self.linesRead = read
        self.terminal = terminal
        self.duration = max(endTime ?? 0, steps.last!.t)
    }

    /// The header line: a recording of a version this console reads.
    private static func readHeader(_ bytes: Data, truncated: Bool) throws -> RecordingHeader {
        if truncated { throw RecordingError(line: 1, "truncated header: the line has no end") }
        guard let value = try? JSONValue(parsing: bytes), case .object = value else {
            throw RecordingError(line: 1, "not a meme-console recording (the first line is not a JSON header): \(preview(bytes))")
        }
        guard value["format"]?.stringValue == RecordingHeader.formatName else {
            throw RecordingError(line: 1, "not a meme-console recording (the header's \"format\" is not \"\(RecordingHeader.formatName)\")")
        }
        guard let version = value["version"]?.intValue else { throw RecordingError(line: 1, "the header has no \"version\"") }
        guard version <= RecordingHeader.currentVersion else {
            throw RecordingError(line: 1, "recording format version \(version) is newer than this meme-console reads "
                                 + "(version \(RecordingHeader.currentVersion)): replay it with a newer meme-console")
        }
        guard version >= 1 else { throw RecordingError(line: 1, "recording format version \(version) does not exist") }
        do {
            return try value.decode(RecordingHeader.self)
        } catch {
            throw RecordingError(line: 1, "the header is incomplete: \(error)")
        }
    }

    /// A whole snapshot must decode: a corrupt one is found while reading, not while playing.
    private static func check(_ snapshot: JSONValue, line: Int) throws {
        do { _ = try snapshot.decode(ConsoleSnapshot.self) } catch {
            throw RecordingError(line: line, "the snapshot cannot be read: \(error)")
        }
    }

    private static func preview(_ bytes: some Collection<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(60), as: UTF8.self).unicodeScalars.map { $0.value < 0x20 ? "?" : String($0) }.joined()
        return "'" + text + (bytes.count > 60 ? "…'" : "'")
    }

    /// When the first snapshot was drawn.
    public var firstTime: Double { steps[0].t }

    /// The index of the step shown at `t`: the last one at or before it (the first before the first).
    public func stepIndex(at t: Double) -> Int {
        var (low, high) = (0, steps.count - 1)
        while low < high {
            let mid = (low + high + 1) / 2
            if steps[mid].t <= t { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The whole state at step `index`, from the nearest checkpoint before it.
    public func state(at index: Int) throws -> JSONValue {
        let start = checkpoints.last { $0.index <= index }!
        return try advance(start.state, from: start.index, to: index)
    }

    /// `state` (the state at step `from`) moved on to step `to` (≥ from).
    func advance(_ state: JSONValue, from: Int, to: Int) throws -> JSONValue {
        var state = state
        guard to > from else { return state }
        for i in (from + 1)...to {
            state = steps[i].isWhole ? steps[i].payload : try SnapshotPatch.apply(steps[i].payload, to: state)
        }
        return state
    }

    /// The key pressed at most `within` seconds before `t`, as the badge shows it ("b burst").
    public func recentKey(at t: Double, within: Double = 2) -> KeyPress? {
        keys.last { $0.t <= t && t - $0.t <= within }
    }

    /// One line on what was read: "612.4 s, 5630 snapshots, 14 keys; ended: quit".
    public var summary: String {
        let end = endReason.map { "ended: \($0)" } ?? "no end line (the console was stopped or killed)"
        return "\(String(format: "%.1f", duration)) s, \(steps.count) snapshots, \(keys.count) keys; \(end)"
    }
}

/// Plays a recording forward cheaply: the state of the step shown last is kept, so the next one
/// costs one patch; a jump back starts from the nearest checkpoint.
public struct RecordingCursor: Sendable {
    public let recording: Recording
    public private(set) var index = -1
    private var state: JSONValue = .null
    private var snapshot: ConsoleSnapshot?

    public init(_ recording: Recording) { self.recording = recording }

    /// The snapshot shown at `t` seconds into the recording.
    public mutating func snapshot(at t: Double) throws -> ConsoleSnapshot {
        try snapshot(step: recording.stepIndex(at: t))
    }

    public mutating func snapshot(step target: Int) throws -> ConsoleSnapshot {
        if target == index, let snapshot { return snapshot }
        let nearest = recording.checkpoints.last { $0.index <= target }!
        if index >= 0, target > index, index >= nearest.index {
            state = try recording.advance(state, from: index, to: target)
        } else {
            state = try recording.advance(nearest.state, from: nearest.index, to: target)
        }
        index = target
        do {
            let decoded = try state.decode(ConsoleSnapshot.self)
            snapshot = decoded
            return decoded
        } catch {
            snapshot = nil
            throw RecordingError(line: recording.steps[target].line, "the snapshot there cannot be read: \(error)")
        }
    }
}
