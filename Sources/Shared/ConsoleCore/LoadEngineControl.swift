import ConsoleUI
import Foundation
import LoadEngine
import NATS
import Synchronization

/// The LoadEngine module behind the dashboard's keys. The engine needs a connected NATSConnection,
/// which the console gets asynchronously (and replaces if it closes for good), so `run` starts an
/// engine once NATS is up and restarts it on a new connection; keys pressed before that get a clear
/// "not ready" error in the notice line. The engine does not subscribe to answers itself: NATSSource
/// already does on the same connection and hands them to `answered(id:ok:error:)`.
public final class LoadEngineControl: LoadControl {
    private let box: NATSLinkBox
    private let configuration: LoadConfiguration
    private let state = Mutex<(engine: LoadEngine?, failure: String?, stopped: Bool)>((nil, nil, false))
    /// Page loads through meme-web (the `w` key); nil when the web URL is not usable (said when pressed).
    private let web: Result<WebTraffic, LoadError>

    public init(box: NATSLinkBox, configuration: LoadConfiguration, webURL: String = "http://127.0.0.1:8080") {
        self.box = box
        web = Result { () throws(LoadError) in try WebTraffic(baseURL: webURL) }
        var configuration = configuration
        configuration.listensForAnswers = false
        self.configuration = configuration
    }

    private var engine: LoadEngine? { state.withLock { $0.engine } }

    /// Keeps an engine on the console's current NATS connection until cancelled.
    public func run() async {
        while !Task.isCancelled {
            if let connection = box.connection, box.link.connected, engine?.connection !== connection {
                let old = state.withLock { s in defer { s.engine = nil }; return s.engine }
                await old?.shutdown()
                do {
                    let started = try await LoadEngine.start(connection: connection, configuration: configuration)
                    let keep = state.withLock { s -> Bool in
                        guard !s.stopped else { return false }
                        s.engine = started
                        s.failure = nil
                        return true
                    }
                    if !keep { await started.shutdown() }
                } catch {
                    state.withLock { $0.failure = "load engine: \(describe(error))" }
                }
            }
            try? await Task.sleep(for: .milliseconds(engine == nil ? 200 : 1000))
        }
    }

    private func ready() throws -> LoadEngine {
        let (engine, failure) = state.withLock { ($0.engine, $0.failure) }
        guard let engine else {
            throw ConsoleError(failure ?? "not ready yet: waiting for NATS" + (box.link.reason.map { " (\($0))" } ?? ""))
        }
        return engine
    }

    public func submit(count: Int) throws { try ready().submit(count) }

    public func startSustained(perSecond rate: Double) throws { try ready().startSustained(perSecond: rate) }

    public func stopSustained() { engine?.stopSustained() }

    public func startWebTraffic(perSecond rate: Double) throws { try web.get().start(perSecond: rate) }

    public func stopWebTraffic() { try? web.get().stop() }

    /// One answer from the console's subscription, for the engine's ledger (dropped while no engine runs).
    public func answered(id: String, ok: Bool, error: String?) { engine?.answered(id: id, ok: ok, error: error) }

    public func stats() -> LoadStats {
        let w = (try? web.get().snapshot).flatMap { $0.sent > 0 || $0.ratePerSecond != nil ? $0 : nil }
        let webStats = w.map { WebTrafficStats(sent: $0.sent, ok: $0.ok, failed: $0.failed, rate: $0.ratePerSecond, lastError: $0.lastError) }
        guard let s = engine?.snapshot else { return LoadStats(web: webStats) }
        return LoadStats(sent: s.sent, acked: s.acked, answered: s.answered, errors: s.errors, inFlight: s.inFlight,
                         p50Milliseconds: s.latency.p50, p95Milliseconds: s.latency.p95, sustainedRate: s.sustainedRate, web: webStats)
    }

    public func shutdown() async {
        let engine = state.withLock { s in defer { s.engine = nil; s.stopped = true }; return s.engine }
        await engine?.shutdown()
        await (try? web.get())?.shutdown()
    }
}
