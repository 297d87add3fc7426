import Foundation
import Synchronization

/// The presenter's pause switch, shared by every poller (space bar).
public final class PauseSwitch: Sendable {
    private let state = Mutex<(paused: Bool, resumedAt: Double?)>((false, nil))
    public init() {}
    public var isPaused: Bool { state.withLock { $0.paused } }
    /// When the last pause ended: data does not count as stale for time spent paused.
    public var resumedAt: Double? { state.withLock { $0.resumedAt } }
    public func set(_ paused: Bool, now: Double = Date().timeIntervalSince1970) {
        state.withLock {
            if $0.paused && !paused { $0.resumedAt = now }
            $0.paused = paused
        }
    }
}

/// Polls one source on its own schedule and keeps its latest reading. A failing source backs off
/// (`Backoff`) and keeps its last good value; nothing here ever blocks the render loop, which only
/// reads `current`.
public final class Poller<Value: Sendable>: Sendable {
    public let name: String
    public let backoff: Backoff
    private let fetch: @Sendable () async throws -> Value
    private let reading = Mutex(SourceReading<Value>())

    public init(name: String, backoff: Backoff, fetch: @escaping @Sendable () async throws -> Value) {
        self.name = name
        self.backoff = backoff
        self.fetch = fetch
    }

    public var current: SourceReading<Value> { reading.withLock { $0 } }

    /// One read; records the value or the error.
    public func pollOnce() async {
        do {
            let value = try await fetch()
            let now = Date().timeIntervalSince1970
            reading.withLock { $0.succeeded(value, at: now) }
        } catch {
            let message = describe(error)
            reading.withLock { $0.failed(message) }
        }
    }

    /// Polls until the task is cancelled, skipping reads while paused.
    public func run(pause: PauseSwitch) async {
        while !Task.isCancelled {
            if !pause.isPaused { await pollOnce() }
            let failures = reading.withLock { $0.consecutiveFailures }
            let wait = backoff.delay(afterFailures: failures, random: Double.random(in: 0..<1))
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }
}

/// An error as one line for the status line (the readers' errors already carry clear messages).
func describe(_ error: any Error) -> String {
    let text = String(describing: error)
    let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    return line.count > 200 ? String(line.prefix(199)) + "…" : line
}
