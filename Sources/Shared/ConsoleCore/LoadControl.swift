import ConsoleUI

/// What the dashboard needs from a load generator; `LoadEngineControl` puts the LoadEngine module behind it.
/// Every call returns at once: publishing happens in the background.
public protocol LoadControl: Sendable {
    /// Publishes `count` meme requests (1 for a submit, N for a burst).
    func submit(count: Int) throws
    /// Starts sustained load, or changes its rate while it runs.
    func startSustained(perSecond rate: Double) throws
    func stopSustained()
    /// The counters so far (`burstSize` is the app's, filled in by the caller).
    func stats() -> LoadStats
    /// Stops publishing and waits for work in progress to end.
    func shutdown() async
    /// The queue was purged: requests still waiting will never be answered.
    func queuePurged()
    /// Page loads through meme-web at `rate` per second (the HPA's load), or a new rate.
    func startWebTraffic(perSecond rate: Double) throws
    func stopWebTraffic()
}

extension LoadControl {
    public func queuePurged() {}
    public func startWebTraffic(perSecond rate: Double) throws { throw ConsoleError("this console makes no web traffic") }
    public func stopWebTraffic() {}
}
