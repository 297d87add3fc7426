import ArgumentParser
import ClusterReaders
import ConsoleCore
import ConsoleRecording
import ConsoleUI
import Foundation
import MemeKit
import SettingsFlags
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
            Kubernetes in cluster mode; Prometheus is shown but never required). Deprecated spellings \
            (--stream, --consumer, --request-subject, --response-subject, --kube-api) still work; see --help-hidden.

            --record FILE writes every snapshot the screen draws and every key to FILE (JSON Lines, \
            gzip-compressed unless FILE ends in .jsonl; `meme-console replay FILE` plays it back, docs/console.md has the format). With --headless it \
            records without a terminal until Ctrl-C, SIGTERM or --duration; with --once it records that one snapshot.
            """
    )

    @OptionGroup var queue: QueueFlags
    @Option(name: .setting(MemeEnv.consoleMode), help: .setting(MemeEnv.consoleMode)) var mode: String?
    @Option(name: .setting(MemeEnv.natsMonitorURL), help: .setting(MemeEnv.natsMonitorURL)) var natsMonitorURL: String?
    @Option(name: .setting(MemeEnv.prometheusURL), help: .setting(MemeEnv.prometheusURL)) var prometheusURL: String?
    @Option(name: .setting(MemeEnv.localScalerURL), help: .setting(MemeEnv.localScalerURL)) var localScalerURL: String?
    @Option(name: .setting(MemeEnv.consoleWebURL), help: .setting(MemeEnv.consoleWebURL)) var webURL: String?
    @Option(name: .setting(MemeEnv.consoleInterval), help: .setting(MemeEnv.consoleInterval)) var interval: String?
    @Option(name: .setting(MemeEnv.kubeconfig), help: .setting(MemeEnv.kubeconfig)) var kubeconfig: String?
    @Option(name: .setting(MemeEnv.kubeContext), help: .setting(MemeEnv.kubeContext)) var kubeContext: String?
    @Option(name: .setting(MemeEnv.kubeAPIURL), help: .setting(MemeEnv.kubeAPIURL)) var kubeAPIURL: String?
    @Option(name: .deprecated(MemeEnv.kubeAPIURL), help: .deprecated(MemeEnv.kubeAPIURL)) var kubeAPI: String?
    @Flag(name: .customLong("in-cluster"), help: "Use the pod's service account (also chosen when KUBERNETES_SERVICE_HOST is set and no other source is given).")
    var inCluster = false
    @Option(name: .setting(MemeEnv.namespace), help: .setting(MemeEnv.namespace)) var namespace: String?
    @Option(name: .setting(MemeEnv.cacheNamespace), help: .setting(MemeEnv.cacheNamespace)) var cacheNamespace: String?
    @Option(name: .setting(MemeEnv.messagingNamespace), help: .setting(MemeEnv.messagingNamespace)) var messagingNamespace: String?

    @Flag(name: .customLong("allow-changes"), help: "Cluster mode: the act keys (K / C / H) may write VPAs (needs the Role meme-console-acts).")
    var allowChanges = false

    @Flag(help: "Print one snapshot and exit (after one read of every source, bounded by --timeout).")
    var once = false

    @Flag(help: "With --once: print the snapshot as JSON (the documented keys); without it the screen as text.")
    var json = false

    @Option(help: "With --once: seconds to wait for the sources.")
    var timeout: Double = 5

    @Flag(name: .customLong("no-color"), help: "Monochrome screen (bold/reverse/dim instead of colours).")
    var noColor = false

    @Option(help: ArgumentHelp("Record every snapshot drawn and every key to this file: JSON Lines, gzip unless the name ends in .jsonl "
                               + "(play it with `meme-console replay`).", valueName: "file"))
    var record: String?

    @Flag(help: "With --record: record without a terminal, until Ctrl-C or SIGTERM (or --duration).")
    var headless = false

    @Option(help: ArgumentHelp("With --headless: stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        if !(timeout > 0 && timeout <= 300) { throw ValidationError("--timeout must be between 0 and 300 seconds, not \(timeout)") }
        if json && !once { throw ValidationError("--json needs --once") }
        if headless && record == nil { throw ValidationError("--headless needs --record FILE") }
        if headless && once { throw ValidationError("--headless and --once do not go together (--once --record FILE records one snapshot)") }
        if let duration, !(duration > 0 && duration <= 86_400) { throw ValidationError("--duration must be from 0 to 86400 seconds, not \(duration)") }
        if duration != nil && !headless { throw ValidationError("--duration needs --headless") }
    }

    func settings() throws -> ConsoleSettings {
        var t = SettingsFlagTable()
        try queue.add(to: &t)
        for (variable, value) in [
            (MemeEnv.consoleMode, mode), (MemeEnv.natsMonitorURL, natsMonitorURL), (MemeEnv.prometheusURL, prometheusURL),
            (MemeEnv.localScalerURL, localScalerURL), (MemeEnv.consoleWebURL, webURL), (MemeEnv.consoleInterval, interval), (MemeEnv.kubeconfig, kubeconfig),
            (MemeEnv.kubeContext, kubeContext), (MemeEnv.kubeAPIURL, kubeAPIURL), (MemeEnv.namespace, namespace),
            (MemeEnv.cacheNamespace, cacheNamespace), (MemeEnv.messagingNamespace, messagingNamespace),
        ] { t.set(variable, value) }
        try t.set(deprecated: MemeEnv.kubeAPIURL, kubeAPI)
        t.warn(as: "meme-console")
        do {
            var settings = try ConsoleSettings.resolve(t.reader, inCluster: inCluster)
            settings.allowChanges = allowChanges
            return settings
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let settings = try settings()
        // The dashboard draws on this terminal: log lines go to a file, not over the screen.
        if !once && !headless { ConsoleLog.toFile() }
        // The file is created before anything else, so a bad path stops the console at once.
        let recorder = try record.map { path in
            do { return try SessionRecorder(path: path) } catch { throw ValidationError("\(error)") }
        }
        let choice = await ModeSelection.choose(settings)
        let engine = ConsoleEngine(settings: settings, mode: choice.mode, kubernetes: choice.connection,
                                   kubernetesProblem: choice.kubernetesProblem)
        if let notice = choice.notice { engine.setNotice(notice) }
        /// Starts the recording (the header names the terminal's size: 120×40 without one, as --once's text).
        func startRecording(_ size: TerminalSize = TerminalSize(columns: 120, rows: 40)) throws {
            guard let recorder else { return }
            try recorder.start(.live(settings: settings, mode: choice.mode, terminal: size,
                                     recorder: "meme-console \(ConsoleCommand.configuration.version)"))
            engine.record(to: recorder)
        }

        if headless, let recorder {
            try startRecording()
            let interrupt = Interrupt()
            FileHandle.standardError.write(Data("meme-console: recording to \(recorder.path) without a terminal (Ctrl-C stops)\n".utf8))
            await HeadlessRecording.run(engine, duration: duration, interrupted: interrupt.check)
            recorder.finish(reason: interrupt.isSet ? "interrupted" : "duration")
            await engine.shutdown()
            let written = recorder.written
            FileHandle.standardError.write(Data("meme-console: recorded \(written.lines) lines, \(written.bytes) bytes to \(recorder.path)\n".utf8))
            if let problem = recorder.problem { throw ValidationError("recording stopped: \(problem)") }
            return
        }

        if once {
            try startRecording()
            let report = await OnceReport.take(engine, timeout: .milliseconds(Int(timeout * 1000)))
            recorder?.finish(reason: "once")
            print(json ? try report.json() : report.text(clock: wallClock()))
            if !report.requiredDown.isEmpty {
                FileHandle.standardError.write(Data("meme-console: required source down: \(report.requiredDown.joined(separator: ", "))\n".utf8))
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
        do {
            try startRecording(terminal.size)
        } catch {
            terminal.stop()
            throw ValidationError("\(error)")
        }
        if let recorder { engine.setNotice((choice.notice.map { $0 + "; " } ?? "") + "recording to \(recorder.path)") }
        engine.start()
        await DashboardLoop(terminal: terminal, engine: engine).run()
        terminal.stop()
        recorder?.finish(reason: "quit")
        await engine.shutdown()
    }
}

func wallClock() -> String {
    var t = time(nil)
    var parts = tm()
    localtime_r(&t, &parts)
    return String(format: "%02d:%02d:%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
}
