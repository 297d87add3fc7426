import ConsoleUI

/// Where a replay is and how it moves: a plain value changed by the wall clock (`advance`) and by
/// the keys' effects (`apply`), so the replay loop holds no logic of its own.
public struct ReplayState: Sendable, Equatable {
    /// Speeds +/- step through.
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16]
    public static let speedRange: ClosedRange<Double> = 0.05...64

    /// Seconds since the recording started (the header's `start`).
    public private(set) var position: Double
    /// Where the recording's first snapshot is: seeking back stops there.
    public let first: Double
    public let duration: Double
    public private(set) var speed: Double
    public private(set) var paused: Bool

    public init(first: Double, duration: Double, from: Double? = nil, speed: Double = 1, paused: Bool = false) {
        self.first = first
        self.duration = max(first, duration)
        self.position = min(max(from ?? first, first), max(first, duration))
        self.speed = min(max(speed, Self.speedRange.lowerBound), Self.speedRange.upperBound)
        self.paused = paused
    }

    /// At the last snapshot: the replay stays there until a seek or play.
    public var atEnd: Bool { position >= duration }

    /// `seconds` of wall time went by.
    public mutating func advance(wallSeconds: Double) {
        guard !paused, !atEnd, wallSeconds > 0 else { return }
        position = min(duration, position + wallSeconds * speed)
    }

    /// What a key asked for; effects that are not the replay's (a burst…) change nothing.
    public mutating func apply(_ effect: Effect) {
        switch effect {
        case .seek(let seconds):
            position = min(duration, max(first, position + seconds))
        case .changeSpeed(let faster):
            speed = faster
                ? Self.speeds.first { $0 > speed } ?? Self.speeds.last!
                : Self.speeds.last { $0 < speed } ?? Self.speeds.first!
        case .setPaused(let paused):
            // Play at the end starts again from the beginning.
            if !paused && atEnd { position = first }
            self.paused = paused
        case .submit, .startSustained, .stopSustained, .startWebTraffic, .stopWebTraffic, .purgeQueue, .switchAct, .quit:
            break
        }
    }

    /// Paused, or stopped at the end (what the key bar offers to undo with space).
    public var stopped: Bool { paused || atEnd }

    public func badge(key: String? = nil) -> ReplayBadge {
        ReplayBadge(position: position, duration: duration, speed: speed, paused: paused, key: key)
    }
}
