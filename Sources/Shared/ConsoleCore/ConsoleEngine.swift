import Autoscaling
import ClusterReaders
import ConsoleUI
import CurlHTTP
import Foundation
import JetStream
import LoadEngine
import Synchronization

/// The console's data side: one poller per source (each on its own schedule, in the background),
/// the collector that turns their latest results into a `ConsoleSnapshot`, and the effects the
/// keys ask for. `snapshot` never waits for I/O, so the render loop never stalls.
public final class ConsoleEngine: Sendable {
    public let settings: ConsoleSettings
    public let mode: ConsoleMode
    public let nats: NATSSource
    public let metrics: Poller<MetricsReading>
    public let kubernetes: Poller<ClusterReading>?
    /// Local mode: meme-stack's /status (replicas, lag, desired, events from one reading).
    public let standIn: Poller<LocalScalerStatus>?
    public let pause = PauseSwitch()
    private let http: CurlHTTPClient
    private let kubeClient: CurlHTTPClient?
    private let collector = Mutex(CollectorState())
    private let noticeText = Mutex<String?>(nil)
    private let loadControl = Mutex<(any LoadControl)?>(nil)
    private let tasks = Mutex<[Task<Void, Never>]>([])
    /// The LoadEngine wrapper, which needs its own task to follow the NATS connection.
    private let loadRunner: LoadEngineControl
    /// The K / C / H keys' way to the stand-ins or the cluster.
    private let actSwitch: ActSwitch
    /// `--record`: every snapshot made here is handed to it (it writes only the changed ones).
    private let recorderBox = Mutex<SessionRecorder?>(nil)

    /// - Parameters:
    ///   - kubernetes: the cluster to read in cluster mode (ignored in local mode).
    ///   - kubernetesProblem: in cluster mode without a connection, why (shown as the source's error).
    public init(settings: ConsoleSettings, mode: ConsoleMode, kubernetes connection: KubernetesConnection?,
                kubernetesProblem: String? = nil) {
        self.settings = settings
        self.mode = mode
        let backoff = settings.backoff
        let http = CurlHTTPClient()
        self.http = http
        var queueFetch: (@Sendable () async throws -> QueueReading)?
        if let monitorURLs = settings.natsMonitorURL {
            // Read the queue from /jsz, the numbers KEDA's scaler uses; NATS itself stays the connection.
            let reader = MonitorQueueReader(monitorURLs: monitorURLs, stream: settings.stream, consumer: settings.consumer, client: http)
            queueFetch = { try await reader.read() }
        }
        nats = NATSSource(url: settings.natsURL, stream: settings.stream, consumer: settings.consumer,
                          responseSubject: settings.responseSubject, backoff: backoff, queueFetch: queueFetch)
        let source = MetricsSource(baseURL: settings.prometheusURL, client: http)
        metrics = Poller(name: "prometheus", backoff: backoff) { try await source.read() }
        if mode == .local {
            let scaler = LocalScalerSource(baseURL: settings.localScalerURL, client: http)
            standIn = Poller(name: "stand-in", backoff: backoff) { try await scaler.read() }
        } else {
            standIn = nil
        }
        if mode == .cluster, let connection {
            let client = KubernetesReader.makeClient(for: connection)
            kubeClient = client
            let reader = KubernetesReader(connection: connection, client: client,
                                          timeouts: HTTPTimeouts(connect: .seconds(2), total: .seconds(5)))
            // VPAs in the app's namespace too: the conflict act puts one on meme-web, next to its HPA.
            let kube = KubernetesSource(reader: reader, watched: settings.watched, appNamespace: settings.appNamespace,
                                        vpaNamespaces: [settings.appNamespace, settings.cacheNamespace].reduce(into: []) { if !$0.contains($1) { $0.append($1) } })
            kubernetes = Poller(name: "kubernetes", backoff: backoff) { try await kube.read() }
        } else if mode == .cluster {
            // Cluster mode was asked for but no connection could be built: say why on the status line.
            kubeClient = nil
            let problem = kubernetesProblem ?? "no Kubernetes connection"
            kubernetes = Poller(name: "kubernetes", backoff: backoff) { throw ConsoleError(problem) }
        } else {
            kubeClient = nil
            kubernetes = nil
        }
        actSwitch = ActSwitch(settings: settings, mode: mode, connection: connection, problem: kubernetesProblem, http: http,
                              kubeClient: kubeClient)
        let load = LoadEngineControl(box: nats.box, configuration: LoadConfiguration(
            requestSubject: settings.requestSubject, responseSubject: settings.responseSubject, stream: settings.stream,
            consumer: settings.consumer, idPrefix: "console-", streamBounds: settings.streamBounds), webURL: settings.webURL)
        loadRunner = load
        nats.forwardAnswers { [load] id, ok, error in load.answered(id: id, ok: ok, error: error) }
        setLoad(load)
    }

    /// Records every snapshot from now on (`meme-console --record`); a recording that fails says so in the notice.
    public func record(to recorder: SessionRecorder) {
        recorder.onProblem { [weak self] problem in self?.setNotice("recording stopped: \(problem)") }
        recorderBox.withLock { $0 = recorder }
    }

    public var recorder: SessionRecorder? { recorderBox.withLock { $0 } }

    /// Replaces the load generator (the default is the LoadEngine module's, through `LoadEngineControl`).
    public func setLoad(_ load: any LoadControl) { loadControl.withLock { $0 = load } }

    /// Starts every poller and the NATS connection in the background.
    public func start() {
        let backoff = settings.backoff
        var list: [Task<Void, Never>] = [
            Task { await self.nats.run(backoff: backoff) },
            Task { await self.nats.queue.run(pause: self.pause) },
            Task { await self.metrics.run(pause: self.pause) },
        ]
        if let kubernetes { list.append(Task { await kubernetes.run(pause: self.pause) }) }
        if let standIn { list.append(Task { await standIn.run(pause: self.pause) }) }
        list.append(Task { await self.loadRunner.run() })
        tasks.withLock { $0 += list }
    }

    /// One round for `--once`: connect to NATS, then read every source once, all within `timeout`.
    /// The connection stays up (so the snapshot shows it) until `shutdown`.
    public func pollOnce(timeout: Duration) async {
        let listener = Task { await self.nats.run(backoff: self.settings.backoff) }
        tasks.withLock { $0.append(listener) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let deadline = ContinuousClock.now + timeout
                // The queue read needs the connection: wait for it (bounded), then read.
                while self.nats.box.connection == nil, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                await self.nats.queue.pollOnce()
            }
            group.addTask { await self.metrics.pollOnce() }
            if let kubernetes = self.kubernetes { group.addTask { await kubernetes.pollOnce() } }
            if let standIn = self.standIn { group.addTask { await standIn.pollOnce() } }
            group.addTask { try? await Task.sleep(for: timeout) }
            // Everything but the timer finishing ends the round early; the timer ends it at the latest.
            var remaining = 3 + (self.kubernetes == nil ? 0 : 1) + (self.standIn == nil ? 0 : 1)
            while remaining > 1, await group.next() != nil { remaining -= 1 }
            group.cancelAll()
        }
    }

    /// The snapshot for the current UI state, from the latest readings (never waits for I/O).
    public func snapshot(ui: UIState, now: Double = Date().timeIntervalSince1970) -> ConsoleSnapshot {
        var load = loadControl.withLock { $0 }?.stats() ?? LoadStats()
        load.burstSize = ui.burstSize
        let inputs = CollectorInputs(
            mode: mode, nats: nats.queue.current, natsLink: nats.box.link, metrics: metrics.current, kubernetes: kubernetes?.current,
            standIn: standIn?.current, watched: settings.watched, recent: nats.recent, answers: nats.answerRates(now: now), load: load,
            paused: ui.paused, resumedAt: pause.resumedAt, notice: noticeText.withLock { $0 },
            staleAfter: settings.staleAfter, downAfter: settings.downAfter)
        let snapshot = collector.withLock { assemble(inputs, state: &$0, now: now) }
        recorder?.record(snapshot, at: now)
        return snapshot
    }

    public var notice: String? { noticeText.withLock { $0 } }
    public func setNotice(_ text: String?) { noticeText.withLock { $0 = text } }

    /// Performs what a key asked for, without waiting for any I/O. False when it could not start
    /// (the notice says why), so the caller can undo its UI state (e.g. sustained load shown as on).
    @discardableResult
    public func perform(_ effect: Effect) -> Bool {
        let load = loadControl.withLock { $0 }
        do {
            switch effect {
            case .submit(let count):
                guard let load else { throw ConsoleError("no load generator") }
                try load.submit(count: count)
                setNotice(count == 1 ? "1 meme submitted" : "burst of \(count) sent")
            case .startSustained(let rate):
                guard let load else { throw ConsoleError("no load generator") }
                try load.startSustained(perSecond: rate)
                setNotice("sustained load ON \(Format.rate(rate))/s")
            case .stopSustained:
                load?.stopSustained()
                setNotice("sustained load off")
            case .startWebTraffic(let rate):
                guard let load else { throw ConsoleError("no load generator") }
                try load.startWebTraffic(perSecond: rate)
                setNotice("web traffic ON: \(Format.rate(rate)) page loads through meme-web")
            case .stopWebTraffic:
                load?.stopWebTraffic()
                setNotice("web traffic off")
            case .purgeQueue:
                let connection = try nats.box.require()
                let stream = settings.stream
                setNotice("purging \(stream)…")
                let task = Task {
                    do {
                        let purged = try await JetStream(connection, timeout: .seconds(5), retryWindow: .zero).purgeStream(stream)
                        load?.queuePurged()
                        self.setNotice(Self.purgedNotice(purged, stream: stream))
                    } catch let error as JetStreamError {
                        self.setNotice("purge failed: \(jetStreamProblem(error, stream: stream, consumer: self.settings.consumer))")
                    } catch {
                        self.setNotice("purge failed: \(describe(error))")
                    }
                }
                tasks.withLock { $0.append(task) }
            case .switchAct(let name):
                let act = try DemoAct.named(name)
                let switcher = actSwitch
                setNotice("switching to act \(name)…")
                let task = Task {
                    do throws(ConsoleError) { self.setNotice(try await switcher.run(act)) } catch { self.setNotice(error.message) }
                }
                tasks.withLock { $0.append(task) }
            case .setPaused(let paused):
                pause.set(paused)
                setNotice(paused ? "paused: sources not refreshed (space resumes)" : "resumed")
            case .quit, .seek, .changeSpeed:
                // Quit is the loop's; seek and speed are the replay's.
                break
            }
            return true
        } catch {
            setNotice("cannot \(Self.verb(effect)): \(describe(error))")
            return false
        }
    }

    /// "purged 1 message from MEMES", "purged 12 messages from MEMES".
    static func purgedNotice(_ count: UInt64, stream: String) -> String {
        "purged \(count) message\(count == 1 ? "" : "s") from \(stream)"
    }

    private static func verb(_ effect: Effect) -> String {
        switch effect {
        case .submit: "submit"
        case .startSustained: "start load"
        case .stopSustained: "stop load"
        case .startWebTraffic: "start web traffic"
        case .stopWebTraffic: "stop web traffic"
        case .purgeQueue: "purge"
        case .switchAct: "switch act"
        case .setPaused: "pause"
        case .quit: "quit"
        case .seek: "seek"
        case .changeSpeed: "change speed"
        }
    }

    /// Stops polling and load, closes the connection.
    public func shutdown() async {
        let load = loadControl.withLock { $0 }
        await load?.shutdown()
        await loadRunner.shutdown()
        let all = tasks.withLock { t in defer { t = [] }; return t }
        for task in all { task.cancel() }
        for task in all { await task.value }
        await http.shutdown()
        await kubeClient?.shutdown()
    }
}

enum Format {
    static func rate(_ r: Double) -> String { r == r.rounded() ? String(Int(r)) : String(r) }
}
