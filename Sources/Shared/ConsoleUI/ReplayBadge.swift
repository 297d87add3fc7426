// What the header and key bar show while a recording is replayed (`meme-console replay`): the
// screen must never pass for a live one, so the badge replaces "● live" and says where in the
// recording it is.

/// The replay's position for `render(_:size:ui:clock:replay:)`.
public struct ReplayBadge: Sendable, Equatable {
    /// Seconds since the recording started.
    public var position: Double
    /// Seconds the recording lasts.
    public var duration: Double
    /// Playback speed; nil when there is none to show (a still: `--once`, an asciicast frame).
    public var speed: Double?
    public var paused: Bool
    /// The presenter's key just before this moment ("b burst"), shown for a moment after it was pressed.
    public var key: String?

    public init(position: Double, duration: Double, speed: Double? = nil, paused: Bool = false, key: String? = nil) {
        self.position = position
        self.duration = duration
        self.speed = speed
        self.paused = paused
        self.key = key
    }

    /// The badge at the right of the header, longest variant first: " ▶ REPLAY ×4  2:31 / 10:00 ".
    func variants() -> [String] {
        let mark = paused ? "‖" : (position >= duration ? "■" : "▶")
        let speedText = speed.map { " ×" + Self.speed($0) } ?? ""
        let place = Self.clock(position) + " / " + Self.clock(duration)
        return [
            " \(mark) REPLAY\(speedText)  \(place) ",
            " \(mark) REPLAY\(speedText) \(Self.clock(position)) ",
            " REPLAY\(speedText) ",
            " REPLAY ",
        ]
    }

    /// "0.25", "0.5", "1", "16" (two decimals at most).
    public static func speed(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// "2:31", "1:02:03".
    public static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.isFinite ? seconds.rounded(.down) : 0))
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60)
        return h > 0 ? "\(h):" + pad2(m) + ":" + pad2(sec) : "\(m):" + pad2(sec)
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
