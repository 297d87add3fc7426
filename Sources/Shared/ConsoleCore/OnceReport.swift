import ConsoleUI
import Foundation

/// `meme-console --once`: one snapshot, as JSON or as the 120×40 screen, and whether every
/// required source answered (NATS always, Kubernetes in cluster mode; Prometheus never).
public struct OnceReport: Sendable {
    public var snapshot: ConsoleSnapshot

    public init(snapshot: ConsoleSnapshot) { self.snapshot = snapshot }

    /// Reads every source once (in parallel, within `timeout`), then shuts the engine down.
    public static func take(_ engine: ConsoleEngine, timeout: Duration) async -> OnceReport {
        await engine.pollOnce(timeout: timeout)
        let snapshot = engine.snapshot(ui: UIState())
        await engine.shutdown()
        return OnceReport(snapshot: snapshot)
    }

    /// The required sources that are down, e.g. ["nats"]; empty means exit status 0.
    public var requiredDown: [String] {
        var down = [String]()
        if snapshot.sources.nats.state == .down { down.append("nats") }
        if snapshot.mode == .cluster && snapshot.sources.kubernetes.state == .down { down.append("kubernetes") }
        return down
    }

    /// The documented JSON keys, sorted, slashes unescaped.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(snapshot), as: UTF8.self)
    }

    /// The screen as text, as a 120×40 terminal would show it.
    public func text(clock: String) -> String {
        render(snapshot, size: TerminalSize(columns: 120, rows: 40), ui: UIState(), clock: clock).lines.joined(separator: "\n")
    }
}
