/// The next thing each autoscaler will do, when, and the rule behind it — what the room asks while
/// nothing moves ("why is it not scaling down?"). Pure: the callers bring the clock and what they read.
public struct Countdown: Sendable, Equatable {
    /// How sure the time is: `exact` (from the autoscaler's own state), `earliest` (not before; the
    /// API does not publish all it depends on), `latest` (at most).
    public enum Bound: String, Sendable, Equatable { case exact, earliest, latest }

    /// "scale-down allowed", "scale to zero", "eviction", "updater check".
    public var action: String
    /// Seconds from now; nil when unknown (the rule says why).
    public var seconds: Double?
    public var bound: Bound
    /// "scaleDown stabilizationWindowSeconds 300: …".
    public var rule: String

    public init(action: String, seconds: Double?, bound: Bound, rule: String) {
        self.action = action
        self.seconds = seconds.map { max(0, $0) }
        self.bound = bound
        self.rule = rule
    }
}

public enum Countdowns {
    // MARK: HPA

    /// From the recommendations the HPA has seen (the local stand-in keeps them): when the metrics ask
    /// for `raw` replicas, fewer than the `desired` the window holds, the seconds until every higher
    /// recommendation is older than the window (if the metrics stay as they are). Nil when nothing is held.
    public static func hpaScaleDown(raw: Int, desired: Int, history: [HPA.Recommendation], windowSeconds: Int,
                                    nowSeconds: Double) -> Countdown? {
        guard raw < desired else { return nil }
        let higher = history.filter { $0.replicas > raw && nowSeconds - $0.atSeconds <= Double(windowSeconds) }
        guard let newest = higher.max(by: { $0.atSeconds < $1.atSeconds }) else { return nil }
        let highest = higher.map(\.replicas).max() ?? desired
        return Countdown(action: "scale-down allowed", seconds: newest.atSeconds + Double(windowSeconds) - nowSeconds, bound: .exact,
                         rule: "scaleDown window \(windowSeconds) s: recommendations up to \(highest) hold \(desired) (metrics ask \(raw))")
    }

    /// The same when the HPA itself says how long the window still holds (the local stand-in's
    /// `scale_down_in_seconds`, worked out by the function above from its recommendations).
    public static func hpaScaleDown(heldSeconds: Double, desired: Int) -> Countdown {
        Countdown(action: "scale-down allowed", seconds: heldSeconds, bound: .exact,
                  rule: "scaleDown window: a higher recommendation in it holds \(desired)")
    }

    /// From an HPA object's status (a cluster): the API does not publish the recommendations, only
    /// `lastScaleTime` and the AbleToScale condition, whose reason is `ScaleDownStabilized` while the
    /// window holds a scale-down back. The last scale's own recommendation is in the window until
    /// lastScaleTime + window: not before then (earliest). Past that, a later recommendation holds
    /// it: at most one window. Nil when no scale-down is held.
    public static func hpaScaleDown(ableToScaleReason: String?, lastScaleSeconds: Double?, windowSeconds: Int,
                                    nowSeconds: Double) -> Countdown? {
        guard ableToScaleReason == "ScaleDownStabilized" else { return nil }
        let window = Double(windowSeconds)
        if let last = lastScaleSeconds, last + window > nowSeconds {
            return Countdown(action: "scale-down allowed", seconds: last + window - nowSeconds, bound: .earliest,
                             rule: "lastScaleTime + scaleDown window \(windowSeconds) s (ScaleDownStabilized; recommendations not published)")
        }
        return Countdown(action: "scale-down allowed", seconds: window, bound: .latest,
                         rule: "scaleDown window \(windowSeconds) s: a newer recommendation holds it (ScaleDownStabilized)")
    }

    // MARK: KEDA

    /// KEDA scales to zero once the scaler has been inactive for cooldownPeriod, counted from the
    /// last time it was active (`status.lastActiveTime` in a cluster). Nil when that is not pending:
    /// active, minReplicaCount above zero, or already at zero.
    public static func kedaScaleToZero(active: Bool, minReplicaCount: Int, currentReplicas: Int?, cooldownPeriodSeconds: Int,
                                       lastActiveSeconds: Double?, nowSeconds: Double) -> Countdown? {
        guard !active, minReplicaCount == 0, currentReplicas != 0 else { return nil }
        guard let last = lastActiveSeconds else {
            return Countdown(action: "scale to zero", seconds: nil, bound: .exact,
                             rule: "cooldownPeriod \(cooldownPeriodSeconds) s since last active (lastActiveTime not reported)")
        }
        return kedaScaleToZero(inSeconds: last + Double(cooldownPeriodSeconds) - nowSeconds, cooldownPeriodSeconds: cooldownPeriodSeconds)
    }

    /// The same when the scaler itself says how long is left (the local stand-in's `scale_to_zero_in_seconds`).
    public static func kedaScaleToZero(inSeconds: Double, cooldownPeriodSeconds: Int) -> Countdown {
        Countdown(action: "scale to zero", seconds: inSeconds, bound: .exact,
                  rule: "cooldownPeriod \(cooldownPeriodSeconds) s since last active")
    }

    // MARK: VPA

    /// The VPA updater's next pass (every `updaterIntervalSeconds`, 60 by default: --updater-interval),
    /// and whether it will evict there (a request outside [lowerBound, upperBound]). `nextCheckSeconds`
    /// when the caller knows the updater's phase (the local stand-in); a cluster does not publish it:
    /// at most one interval. Nil in modes where the updater leaves running pods alone (Off, Initial).
    public static func vpaUpdater(mode: VPA.UpdateMode, wouldEvict: Bool, nextCheckSeconds: Double?,
                                  updaterIntervalSeconds: Double = 60) -> Countdown? {
        guard mode.updatesRunningPods else { return nil }
        let action = wouldEvict ? "eviction" : "updater check"
        let why = wouldEvict ? "a request outside [lowerBound, upperBound]: evicts" : "requests within bounds"
        let interval = Int(updaterIntervalSeconds)
        if let next = nextCheckSeconds {
            return Countdown(action: action, seconds: next, bound: .exact, rule: "updater every \(interval) s; " + why)
        }
        return Countdown(action: action, seconds: updaterIntervalSeconds, bound: .latest,
                         rule: "updater every \(interval) s, phase not published; " + why)
    }
}
