import CurlHTTP
import Foundation
import Synchronization

/// Traffic on the web tier the way an audience makes it: page loads, the page's scripts and styles,
/// the wall, the recent-memes list, at a steady rate. It costs meme-web CPU (and nothing of the
/// workers), which is what the HPA on meme-web scales on: the console's `w` key and
/// `meme-console load --web-traffic RATE` use it to make the HPA act on stage.
public final class WebTraffic: Sendable {
    /// What one run of traffic has done so far.
    public struct Snapshot: Sendable, Equatable {
        public var sent = 0
        public var ok = 0
        /// Answers other than 2xx/3xx and requests that got no answer.
        public var failed = 0
        /// The rate asked for while running; nil when stopped.
        public var ratePerSecond: Double?
        public var lastError: String?
        public init() {}
    }

    /// Paths in the order a visitor's browser asks for them. Not the recent-memes list: a page asks
    /// for it once, and meme-web limits it per address (2/s), which one machine's traffic would hit.
    public static let paths = ["/", "/assets/style.css", "/assets/app.js", "/assets/api.js", "/assets/live.js",
                               "/wall", "/assets/wall.js", "/api/wall"]
    public static let maxRate = 5_000.0

    public let baseURL: String
    private let client: CurlHTTPClient
    private let state = Mutex<(snapshot: Snapshot, run: Task<Void, Never>?)>((Snapshot(), nil))
    private let inFlight = Atomic<Int>(0)
    private let maxInFlight: Int

    /// `baseURL`: meme-web (or the stack's port in front of it), e.g. `http://127.0.0.1:8080`.
    public init(baseURL: String, maxInFlight: Int = 32) throws(LoadError) {
        let lower = baseURL.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), baseURL.count > 8 else {
            throw LoadError("web URL '\(baseURL)' must start with http:// or https://")
        }
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.maxInFlight = maxInFlight
        var configuration = HTTPClientConfiguration()
        configuration.maxConcurrentTransfers = maxInFlight
        configuration.timeouts = HTTPTimeouts(connect: .seconds(2), total: .seconds(10))
        client = CurlHTTPClient(configuration: configuration)
    }

    public var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Starts traffic at `perSecond`, or changes the rate of the traffic running.
    public func start(perSecond rate: Double) throws(LoadError) {
        guard rate.isFinite, rate > 0, rate <= Self.maxRate else {
            throw LoadError("web traffic rate must be above 0 and at most \(Int(Self.maxRate)) per second, not \(rate)")
        }
        let task = Task { [self] in await pace(rate) }
        let old = state.withLock { s -> Task<Void, Never>? in
            defer { s.run = task; s.snapshot.ratePerSecond = rate }
            return s.run
        }
        old?.cancel()
    }

    public func stop() {
        let old = state.withLock { s -> Task<Void, Never>? in
            defer { s.run = nil; s.snapshot.ratePerSecond = nil }
            return s.run
        }
        old?.cancel()
    }

    /// Runs `rate` page loads a second for `seconds` (or until `interrupted`), calling `progress`
    /// about once a second; returns the counts. What `meme-console load --web-traffic` does.
    public func run(perSecond rate: Double, seconds: Double, interrupted: () -> Bool = { false },
                    progress: (Snapshot) -> Void = { _ in }) async throws(LoadError) -> Snapshot {
        guard seconds.isFinite, seconds > 0, seconds <= 86_400 else {
            throw LoadError("--duration must be above 0 and at most 86400 seconds, not \(seconds)")
        }
        try start(perSecond: rate)
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(seconds * 1000))
        while clock.now < end && !interrupted() {
            try? await Task.sleep(for: .seconds(1))
            progress(snapshot)
        }
        await shutdown()
        return snapshot
    }

    /// One line for a progress display or a summary.
    public static func describe(_ s: Snapshot) -> String {
        "web traffic: \(s.sent) sent, \(s.ok) ok, \(s.failed) failed" + (s.lastError.map { " (last: \($0))" } ?? "")
    }

    /// Stops and waits for requests in flight.
    public func shutdown() async {
        stop()
        await client.shutdown()
    }

    /// Sends `rate` requests a second, spread evenly, cycling through `paths`, until cancelled.
    /// When `maxInFlight` requests are waiting for answers no more are sent: a slow meme-web gets
    /// fewer requests than asked for (`sent` says how many), never an unbounded pile of them.
    private func pace(_ rate: Double) async {
        let clock = ContinuousClock()
        let start = clock.now
        var issued = 0
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                let due = Int((clock.now - start).seconds * rate)
                while issued < due && !Task.isCancelled {
                    guard inFlight.load(ordering: .relaxed) < maxInFlight else {
                        issued = due
                        break
                    }
                    inFlight.add(1, ordering: .relaxed)
                    let path = Self.paths[issued % Self.paths.count]
                    issued += 1
                    state.withLock { $0.snapshot.sent += 1 }
                    group.addTask { [self] in await request(path) }
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
            group.cancelAll()
        }
    }

    private func request(_ path: String) async {
        defer { inFlight.subtract(1, ordering: .relaxed) }
        do {
            // A new connection per page load, as many phones make them: with one kept-alive connection all
            // the traffic would stay on the process it first reached, whatever the web tier's size.
            let response = try await client.send(HTTPRequest(url: baseURL + path, headers: [("Connection", "close")]))
            let good = (200..<400).contains(response.status)
            state.withLock {
                if good { $0.snapshot.ok += 1 } else {
                    $0.snapshot.failed += 1
                    $0.snapshot.lastError = "\(path): HTTP \(response.status)"
                }
            }
        } catch {
            if error.kind == .cancelled { return }
            state.withLock {
                $0.snapshot.failed += 1
                $0.snapshot.lastError = "\(path): \(error.message)"
            }
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
