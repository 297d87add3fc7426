import ArgumentParser
import ClusterReaders
import ConsoleCore
import ConsoleUI
import Foundation
import MemeKit
import TerminalScreen

/// `meme-console` (default subcommand): the dashboard, or one snapshot with `--once --json`.
/// Thin wiring: flags → ConsoleSettings → ConsoleEngine (ConsoleCore) → render loop (ConsoleUI + TerminalScreen).
struct Dashboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The presenter's dashboard (the default), or one snapshot with --once --json.",
        discussion: """
            Every option falls back to the environment variable named in its help, then to the default.
            --once exits 0 when every required source answered, 1 otherwise (required: NATS always, \
            Kubernetes in cluster mode; Prometheus is shown but never required).
            """
    )

    @Option(help: "auto | cluster | local. auto: cluster when a Kubernetes API answers, else local. (env: MEME_CONSOLE_MODE)")
    var mode: String?

    @Option(name: .customLong("nats-url"), help: "NATS server URL. (env: NATS_URL; default \(MemeDefaults.natsURL))")
    var natsURL: String?

    @Option(name: .customLong("nats-monitor-url"), help: "nats-server monitor URL; when set the queue is read from /jsz as KEDA does. (env: NATS_MONITOR_URL)")
    var natsMonitorURL: String?

    @Option(name: .customLong("prometheus-url"), help: "Prometheus base URL. (env: PROMETHEUS_URL; default \(MemeDefaults.prometheusURL))")
    var prometheusURL: String?

    @Option(name: .customLong("local-scaler-url"), help: "Local mode: base URL of `meme-worker supervise` (the KEDA stand-in); its /status gives replicas, lag, desired and events. (env: LOCAL_SCALER_URL; default \(ConsoleSettings.defaultLocalScalerURL))")
    var localScalerURL: String?

    @Option(help: "JetStream stream. (env: NATS_STREAM; default \(MemeDefaults.stream))")
    var stream: String?

    @Option(help: "JetStream durable consumer. (env: NATS_CONSUMER; default \(MemeDefaults.consumer))")
    var consumer: String?

    @Option(name: .customLong("request-subject"), help: "Subject memes are requested on. (env: NATS_REQUEST_SUBJECT; default \(MemeDefaults.requestSubject))")
    var requestSubject: String?

    @Option(name: .customLong("response-subject"), help: "Subject answers arrive on (errors on <subject>.error). (env: NATS_RESPONSE_SUBJECT; default \(MemeDefaults.responseSubject))")
    var responseSubject: String?

    @Option(help: "Seconds between reads of each source while healthy; failing sources back off up to 30 s. (env: MEME_CONSOLE_INTERVAL; default 1)")
    var interval: Double?

    @Option(help: "kubeconfig file. (env: KUBECONFIG; default ~/.kube/config)")
    var kubeconfig: String?

    @Option(name: .customLong("kube-context"), help: "kubeconfig context (default: its current-context). (env: KUBE_CONTEXT)")
    var kubeContext: String?

    @Option(name: .customLong("kube-api"), help: "Plain Kubernetes API URL, e.g. a kubectl proxy at http://127.0.0.1:8001. (env: KUBE_API_URL)")
    var kubeAPI: String?

    @Flag(name: .customLong("in-cluster"), help: "Use the pod's service account (also chosen when KUBERNETES_SERVICE_HOST is set and no other source is given).")
    var inCluster = false

    @Option(help: "Namespace of meme-web / meme-worker, their HPA and ScaledObject. (env: MEME_NAMESPACE; default meme-generator)")
    var namespace: String?

    @Option(name: .customLong("cache-namespace"), help: "Namespace of redis and its VPA. (env: MEME_CACHE_NAMESPACE; default cache)")
    var cacheNamespace: String?

    @Option(name: .customLong("messaging-namespace"), help: "Namespace of the nats StatefulSet. (env: MEME_MESSAGING_NAMESPACE; default messaging)")
    var messagingNamespace: String?

    @Flag(help: "Print one snapshot and exit (after one read of every source, bounded by --timeout).")
    var once = false

    @Flag(help: "With --once: print the snapshot as JSON (the documented keys); without it the screen as text.")
    var json = false

    @Option(help: "With --once: seconds to wait for the sources.")
    var timeout: Double = 5

    @Flag(name: .customLong("no-color"), help: "Monochrome screen (bold/reverse/dim instead of colours).")
    var noColor = false

    func validate() throws {
        if let mode = mode ?? env("MEME_CONSOLE_MODE"), !["auto", "cluster", "local"].contains(mode) {
            throw ValidationError("--mode must be auto, cluster or local, not \"\(mode)\"")
        }
        if let interval = resolvedInterval(), !(interval >= 0.1 && interval <= 3600) {
            throw ValidationError("--interval must be between 0.1 and 3600 seconds, not \(interval)")
        }
        if !(timeout > 0 && timeout <= 300) { throw ValidationError("--timeout must be between 0 and 300 seconds, not \(timeout)") }
        if json && !once { throw ValidationError("--json needs --once") }
    }

    private func env(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    private func resolvedInterval() -> Double? {
        if let interval { return interval }
        guard let text = env("MEME_CONSOLE_INTERVAL") else { return nil }
        return Double(text) ?? .nan
    }

    func run() async throws {
        let settings = ConsoleSettings(
            natsURL: natsURL ?? env(MemeEnv.natsURL) ?? MemeDefaults.natsURL,
            natsMonitorURL: natsMonitorURL ?? env("NATS_MONITOR_URL"),
            prometheusURL: prometheusURL ?? env(MemeEnv.prometheusURL) ?? MemeDefaults.prometheusURL,
            stream: stream ?? env(MemeEnv.natsStream) ?? MemeDefaults.stream,
            consumer: consumer ?? env(MemeEnv.natsConsumer) ?? MemeDefaults.consumer,
            requestSubject: requestSubject ?? env(MemeEnv.requestSubject) ?? MemeDefaults.requestSubject,
            responseSubject: responseSubject ?? env(MemeEnv.responseSubject) ?? MemeDefaults.responseSubject,
            interval: resolvedInterval() ?? 1,
            appNamespace: namespace ?? env("MEME_NAMESPACE") ?? "meme-generator",
            cacheNamespace: cacheNamespace ?? env("MEME_CACHE_NAMESPACE") ?? "cache",
            messagingNamespace: messagingNamespace ?? env("MEME_MESSAGING_NAMESPACE") ?? "messaging",
            localScalerURL: localScalerURL ?? env("LOCAL_SCALER_URL") ?? ConsoleSettings.defaultLocalScalerURL)
        let (chosen, connection, why) = await chooseMode(settings)
        let engine = ConsoleEngine(settings: settings, mode: chosen, kubernetes: connection,
                                   kubernetesProblem: why.map { $0.hasPrefix("kubernetes: ") ? String($0.dropFirst(12)) : $0 })
        if let why { engine.setNotice(why) }

        if once {
            await engine.pollOnce(timeout: .milliseconds(Int(timeout * 1000)))
            let snapshot = engine.snapshot(ui: UIState())
            await engine.shutdown()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(snapshot), as: UTF8.self))
            } else {
                print(render(snapshot, size: TerminalSize(columns: 120, rows: 40), ui: UIState(), clock: wallClock()).lines.joined(separator: "\n"))
            }
            var down = [String]()
            if snapshot.sources.nats.state == .down { down.append("nats") }
            if chosen == .cluster && snapshot.sources.kubernetes.state == .down { down.append("kubernetes") }
            if !down.isEmpty {
                FileHandle.standardError.write(Data("meme-console: required source down: \(down.joined(separator: ", "))\n".utf8))
                throw ExitCode(1)
            }
            return
        }

        let terminal: Terminal
        do {
            terminal = try Terminal(colors: !noColor, handleSignals: true)
        } catch {
            throw ValidationError("cannot take over the terminal: \(error) (use --once --json without a terminal)")
        }
        engine.start()
        await DashboardLoop(terminal: terminal, engine: engine).run()
        terminal.stop()
        await engine.shutdown()
    }

    /// The mode and, for cluster mode, the connection; the third value explains an automatic choice.
    private func chooseMode(_ settings: ConsoleSettings) async -> (ConsoleMode, KubernetesConnection?, String?) {
        let requested = mode ?? env("MEME_CONSOLE_MODE") ?? "auto"
        if requested == "local" { return (.local, nil, nil) }
        let connection: KubernetesConnection
        do {
            connection = try kubernetesConnection()
        } catch {
            if requested == "cluster" {
                // Cluster mode was asked for: show the reason as the Kubernetes source's error rather than fall back.
                return (.cluster, nil, "kubernetes: \(error)")
            }
            return (.local, nil, "local mode: no cluster (\(error))")
        }
        if requested == "cluster" { return (.cluster, connection, nil) }
        if let why = await ModeSelection.probe(connection, namespace: settings.appNamespace) {
            return (.local, nil, "local mode: \(connection.origin) does not answer (\(why))")
        }
        return (.cluster, connection, nil)
    }

    private func kubernetesConnection() throws -> KubernetesConnection {
        if let url = kubeAPI ?? env("KUBE_API_URL") { return try KubernetesConnection.proxy(url) }
        let explicitConfig = kubeconfig ?? env("KUBECONFIG")
        if inCluster || (explicitConfig == nil && env("KUBERNETES_SERVICE_HOST") != nil) { return try KubernetesConnection.inCluster() }
        return try Kubeconfig.load(path: kubeconfig).connection(context: kubeContext ?? env("KUBE_CONTEXT"))
    }
}

func wallClock() -> String {
    var t = time(nil)
    var parts = tm()
    localtime_r(&t, &parts)
    return String(format: "%02d:%02d:%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
}

/// The render loop on a dedicated thread (Terminal.readKey blocks up to its timeout while holding
/// the terminal's lock): read a key (≤ 100 ms) → reduce → perform the effect (never waits for I/O),
/// then redraw only when the snapshot, the size or the UI state changed.
struct DashboardLoop: Sendable {
    let terminal: Terminal
    let engine: ConsoleEngine

    func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                loop()
                done.resume()
            }
            thread.name = "meme-console-ui"
            thread.start()
        }
    }

    private func loop() {
        var ui = UIState()
        var size = terminal.size
        var last: (ConsoleSnapshot, TerminalSize, UIState, String)?
        while !ui.quitting {
            let now = wallClock()
            let snapshot = engine.snapshot(ui: ui)
            if last == nil || last!.0 != snapshot || last!.1 != size || last!.2 != ui || last!.3 != now {
                terminal.draw(render(snapshot, size: size, ui: ui, clock: now))
                last = (snapshot, size, ui, now)
            }
            guard let key = terminal.readKey(timeoutMilliseconds: 100) else { continue }
            if case .resize(let newSize) = key {
                size = newSize
                continue
            }
            guard let action = action(for: key, in: ui) else { continue }
            let (next, effect) = reduce(ui, action)
            ui = next
            if let effect, !engine.perform(effect), case .startSustained = effect { ui.sustained = false }
        }
    }
}
