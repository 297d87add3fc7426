import ConsoleRecording
import ConsoleUI
import Dispatch
import Foundation
import Gzip
import MemeKit
import Synchronization

/// `meme-console --record FILE`: appends every snapshot the console draws and every key the
/// presenter presses to a recording (ConsoleRecording's JSON Lines). The caller's thread only
/// compares and enqueues; encoding and writing happen on the recorder's own queue, so a slow disk
/// never holds up the screen. Each line goes out in one write(2) with its newline, so a killed
/// console leaves only complete lines (at worst the one being written is cut, and replay stops
/// before it). Unless the name ends in `.jsonl` the file is gzip, each line flushed on its own
/// (GzipWriter), so a killed console's file still reads to its last line: 4× smaller, and what keeps
/// a busy 10-minute talk under 2 MB. A write error stops the recording, never the console:
/// `problem` says why.
public final class SessionRecorder: Sendable {
    public let path: String
    private let queue = DispatchQueue(label: "meme-console-recorder")
    private let state = Mutex(State())

    private struct State: @unchecked Sendable {
        // AppendFile is touched only on `queue` (and in finish, after the queue drained).
        var file: AppendFile?
        var encoder: RecordingEncoder?
        var start = 0.0
        var last: ConsoleSnapshot?
        var problem: String?
        var onProblem: (@Sendable (String) -> Void)?
        var lines = 0
        var bytes = 0
        /// The last line's time: lines never go back in time (the reader refuses that), whatever thread calls.
        var lastT = 0.0

        mutating func time(_ now: Double) -> Double {
            lastT = max(lastT, now - start)
            return lastT
        }
    }

    /// Creates (or empties) the file now, so a bad path fails before the terminal is taken.
    public init(path: String) throws {
        self.path = path
        let file = try AppendFile(path: path, gzip: Self.compresses(path))
        state.withLock { $0.file = file }
    }

    /// Plain JSON Lines for a `.jsonl` name, gzip for any other (`talk.jsonl.gz`, `talk.rec`).
    public static func compresses(_ path: String) -> Bool { !path.hasSuffix(".jsonl") }

    /// Writes the header line; `record` before `start` is ignored.
    public func start(_ header: RecordingHeader) throws {
        let encoder = RecordingEncoder(header: header)
        try state.withLock { s in
            guard let file = s.file else { throw ConsoleError("recording to \(path) already finished") }
            try file.append(encoder.headerLine + "\n")
            s.encoder = encoder
            s.start = header.start
            s.lines = 1
        }
    }

    /// Called where the console is told what went wrong ("recording stopped: …").
    public func onProblem(_ handler: @escaping @Sendable (String) -> Void) { state.withLock { $0.onProblem = handler } }

    public var problem: String? { state.withLock { $0.problem } }
    /// Lines and bytes written so far.
    public var written: (lines: Int, bytes: Int) { state.withLock { ($0.lines, $0.bytes) } }

    /// A snapshot drawn at `now` (unix seconds); the same snapshot again is not written.
    public func record(_ snapshot: ConsoleSnapshot, at now: Double) {
        let t: Double? = state.withLock { s in
            guard s.encoder != nil, s.problem == nil, s.last != snapshot else { return nil }
            s.last = snapshot
            return s.time(now)
        }
        guard let t else { return }
        enqueue { encoder in try encoder.snapshotLine(snapshot, at: t) }
    }

    /// A key the presenter pressed, what it meant and what it did.
    public func record(key: Key, action: Action, effect: Effect?, at now: Double = Date().timeIntervalSince1970) {
        let t = state.withLock { $0.time(now) }
        enqueue { encoder in encoder.keyLine(key, action: action, effect: effect, at: t) }
    }

    public func resized(_ size: TerminalSize, at now: Double = Date().timeIntervalSince1970) {
        let t = state.withLock { $0.time(now) }
        enqueue { encoder in encoder.resizeLine(size, at: t) }
    }

    /// Writes what is queued and the end line, flushes to disk and closes the file.
    public func finish(reason: String, at now: Double = Date().timeIntervalSince1970) {
        let t = state.withLock { $0.time(now) }
        enqueue { encoder in encoder.endLine(reason: reason, at: t) }
        queue.sync {}
        state.withLock { s in
            try? s.file?.finish()
            s.file = nil
            s.encoder = nil
        }
    }

    private func enqueue(_ line: @escaping @Sendable (inout RecordingEncoder) throws -> String?) {
        queue.async { [self] in
            let failed: (String, (@Sendable (String) -> Void)?)? = state.withLock { s in
                guard var encoder = s.encoder, let file = s.file, s.problem == nil else { return nil }
                do {
                    guard let text = try line(&encoder) else { return nil }
                    s.encoder = encoder
                    try file.append(text + "\n")
                    s.lines += 1
                    s.bytes += text.utf8.count + 1
                    return nil
                } catch {
                    s.problem = "\(error)"
                    return (s.problem!, s.onProblem)
                }
            }
            if let (problem, handler) = failed { handler?(problem) }
        }
    }
}

/// A file opened for appending, owned by one recorder: each `append` is one write(2) (retried on
/// a short write), so lines never interleave or tear while the process lives; with `gzip`, each
/// append is its compressed, flushed piece of one gzip stream.
final class AppendFile {
    private let descriptor: Int32
    private let gzip: GzipWriter?
    let path: String

    init(path: String, gzip: Bool) throws {
        self.path = path
        do {
            self.gzip = gzip ? try GzipWriter() : nil
        } catch {
            throw ConsoleError("cannot write the recording \(path): \(error)")
        }
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw ConsoleError("cannot write the recording \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(descriptor) }

    func append(_ text: String) throws {
        if let gzip {
            try put(try gzip.append(Array(text.utf8)))
        } else {
            try put(Array(text.utf8))
        }
    }

    /// The gzip trailer, if any, then to disk.
    func finish() throws {
        if let gzip { try put(try gzip.finish()) }
        try sync()
    }

    private func put(_ data: [UInt8]) throws {
        var bytes = data[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConsoleError("cannot write the recording \(path): \(String(cString: strerror(errno)))")
            }
            bytes = bytes.dropFirst(n)
        }
    }

    func sync() throws {
        if fsync(descriptor) != 0 { throw ConsoleError("cannot flush the recording \(path): \(String(cString: strerror(errno)))") }
    }
}
