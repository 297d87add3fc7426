import ConsoleUI
import MemeKit

// The lines of a recording (JSON Lines, one object per line, `t` = seconds since the header's `start`):
//   {"type":"header", "format":"meme-console-recording", "version":1, "mode", "sources", "terminal", …}
//   {"t":0.104,"type":"snapshot","snapshot":{…}}     a whole snapshot (the `--once --json` object)
//   {"t":0.205,"type":"delta","patch":{…}}           the change since the previous snapshot (SnapshotPatch)
//   {"t":12.5,"type":"key","key":"b","action":"burst","effect":"submit 50"}
//   {"t":30.1,"type":"resize","columns":100,"rows":30}
//   {"t":612.4,"type":"end","reason":"quit"}         absent when the console was killed

/// Turns what the console draws into recording lines (without the newline). A value type: the
/// recorder owns one and feeds it in order.
public struct RecordingEncoder: Sendable {
    public let header: RecordingHeader
    private var last: JSONValue?
    private var lastKeyframe = -Double.infinity

    public init(header: RecordingHeader) { self.header = header }

    public var headerLine: String {
        // The header's own Codable keys, in a fixed order for people reading the file.
        let h = header
        return JSONValue.orderedObject([
            ("type", .string("header")), ("format", .string(h.format)), ("version", .int(h.version)), ("mode", .string(h.mode.rawValue)),
            ("sources", .object(h.sources.mapValues { .string($0) })),
            ("terminal", .object(["columns": .int(h.terminal.columns), "rows": .int(h.terminal.rows)])),
            ("started_at", .string(h.startedAt)), ("start", .double(h.start)), ("utc_offset_s", .int(h.utcOffsetSeconds)),
            ("interval_s", .double(h.intervalSeconds)), ("keyframe_s", .double(h.keyframeSeconds)), ("recorder", .string(h.recorder)),
        ])
    }

    /// The line for a snapshot drawn `t` seconds in: whole at the first and every `keyframeSeconds`,
    /// a patch otherwise; nil when nothing changed since the last one.
    public mutating func snapshotLine(_ snapshot: ConsoleSnapshot, at t: Double) throws -> String? {
        let value = try JSONValue(encoding: snapshot)
        let time = Self.time(t)
        guard let last, t - lastKeyframe < header.keyframeSeconds else {
            self.last = value
            lastKeyframe = t
            return JSONValue.orderedObject([("t", time), ("type", .string("snapshot")), ("snapshot", value)])
        }
        guard let patch = SnapshotPatch.diff(last, value) else { return nil }
        self.last = value
        return JSONValue.orderedObject([("t", time), ("type", .string("delta")), ("patch", patch)])
    }

    public func keyLine(_ key: Key, action: Action, effect: Effect?, at t: Double) -> String {
        JSONValue.orderedObject([("t", Self.time(t)), ("type", .string("key")), ("key", .string(Self.name(key))),
                                 ("action", .string(Self.name(action))), ("effect", effect.map { .string(Self.name($0)) } ?? .null)])
    }

    public func resizeLine(_ size: TerminalSize, at t: Double) -> String {
        JSONValue.orderedObject([("t", Self.time(t)), ("type", .string("resize")), ("columns", .int(size.columns)), ("rows", .int(size.rows))])
    }

    public func endLine(reason: String, at t: Double) -> String {
        JSONValue.orderedObject([("t", Self.time(t)), ("type", .string("end")), ("reason", .string(reason))])
    }

    /// Milliseconds are plenty: the console draws at most every 100 ms.
    static func time(_ t: Double) -> JSONValue { .double((max(0, t) * 1000).rounded() / 1000) }

    // MARK: - Names (what a person reads in the file and the replay's badge shows)

    public static func name(_ key: Key) -> String {
        switch key {
        case .character(" "): "space"
        case .character(let c): String(c).unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F } ? String(c) : "other"
        case .enter: "enter"
        case .escape: "esc"
        case .backspace: "backspace"
        case .up: "up"
        case .down: "down"
        case .left: "left"
        case .right: "right"
        case .resize: "resize"
        case .other(let code): "code \(code)"
        }
    }

    public static func name(_ action: Action) -> String {
        switch action {
        case .submitOne: "submit"
        case .burst: "burst"
        case .burstSizeUp: "burst size up"
        case .burstSizeDown: "burst size down"
        case .burstPreset(let n): "burst size \(n)"
        case .toggleSustained: "sustained load"
        case .toggleWebTraffic: "web traffic"
        case .rateUp: "rate up"
        case .rateDown: "rate down"
        case .purge: "purge?"
        case .chooseAct(let name): "act \(name)?"
        case .confirm: "confirm"
        case .cancel: "cancel"
        case .togglePause: "pause"
        case .toggleHelp: "help"
        case .closeOverlay: "close"
        case .quit: "quit"
        case .seekBackward: "seek back"
        case .seekForward: "seek forward"
        case .speedUp: "faster"
        case .speedDown: "slower"
        }
    }

    public static func name(_ effect: Effect) -> String {
        switch effect {
        case .submit(let count): "submit \(count)"
        case .startSustained(let rate): "sustained \(ReplayBadge.speed(rate))/s"
        case .stopSustained: "sustained off"
        case .startWebTraffic(let rate): "web traffic \(ReplayBadge.speed(rate))/s"
        case .stopWebTraffic: "web traffic off"
        case .purgeQueue: "purge"
        case .switchAct(let name): "act \(name)"
        case .setPaused(let paused): paused ? "pause" : "resume"
        case .quit: "quit"
        case .seek(let seconds): "seek \(ReplayBadge.speed(seconds)) s"
        case .changeSpeed(let faster): faster ? "faster" : "slower"
        }
    }
}
