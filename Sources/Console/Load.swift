import ArgumentParser
import Dispatch
import Foundation
import LoadEngine
import MemeKit
import NATS
import SettingsFlags
import Synchronization

/// `meme-console load`: the headless load tool (what the console's burst and sustained keys do, for scripts).
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Send meme requests (a burst, or a steady rate) and report acks, answers and latency.",
        discussion: """
            Every request gets an id (Nats-Msg-Id on the JetStream publish) and is matched with its answer on \
            meme.response / meme.response.error. Exits 0 when every request was answered with a meme; 1 when \
            some were not answered within --timeout, failed to publish or were answered with an error (the \
            first 10 ids are printed).

            --via web goes through meme-web's rate limits like the audience does. A 429 is neither an answer nor \
            an error: the run waits for its Retry-After, sends the request again, and the summary counts the 429s.

            Examples:
              meme-console load --count 1000                      # a burst, as fast as acks allow
              meme-console load --count 600 --rate 20             # 20 per second for 30 s
              meme-console load --count 60 --via web --web-url http://127.0.0.1:8080
              meme-console load --count 200 --prompts prompts.txt --large --timeout 300
              meme-console load --web-traffic 100 --duration 60  # page loads through meme-web (the HPA's load)
            """
    )

    enum ImageSize: String, EnumerableFlag {
        case small, large
        static func help(for value: ImageSize) -> ArgumentHelp? {
            value == .small ? "Ask for 512 px images (small_image: true; default)." : "Ask for 1024 px images."
        }
    }

    @Option(help: "How many requests to send (1…\(LoadEngine.maxBurst)).")
    var count = 100

    @Option(help: "Requests per second; without it the whole count goes out as one burst.")
    var rate: Double?

    @Option(help: "Publishes (or POSTs) waiting for their ack at most.")
    var concurrency = 256

    @Option(help: "nats: JetStream publish on the request subject; web: POST /api/memes on meme-web.")
    var via: LoadSettings.Via = .nats

    @Option(help: ArgumentHelp("Prompts, one per line (blank lines and #comments skipped); default: built-in list.", valueName: "file"))
    var prompts: String?

    /// Answers are read from NATS in both modes.
    @OptionGroup var queue: QueueFlags

    @Option(name: .customLong("web-url"), help: ArgumentHelp("meme-web base URL for --via web.", valueName: "url"))
    var webURL = LoadSettings().webURL

    @Option(help: ArgumentHelp("Seconds to wait for answers after the last request went out.", valueName: "seconds"))
    var timeout = 120.0

    @Option(name: .customLong("publish-timeout"), help: ArgumentHelp("Seconds one publish (or POST) waits for its ack.", valueName: "seconds"))
    var publishTimeout = 5.0

    @Flag var size: ImageSize = .small

    @Flag(help: "Ask for fast mode (fast_mode: true).")
    var fast = false

    @Flag(help: "Print the summary as one JSON object instead of text (progress still goes to stderr).")
    var json = false

    @Option(name: .customLong("id-prefix"), help: ArgumentHelp("Prefix of the request ids, to find them in logs.", valueName: "text"))
    var idPrefix = "load-"

    @Option(name: .customLong("web-traffic"), help: ArgumentHelp(
        "Instead of memes: this many page loads a second (the page, its scripts, the wall, the recent list) through --web-url, for --duration seconds; exits 1 if any failed.",
        valueName: "rate"))
    var webTraffic: Double?

    @Option(help: ArgumentHelp("Seconds of --web-traffic.", valueName: "seconds"))
    var duration = 60.0

    func settings(warn: Bool = false) throws -> LoadSettings {
        var s = LoadSettings()
        (s.count, s.rate, s.concurrency, s.via, s.promptsFile) = (count, rate, concurrency, via, prompts)
        (s.webURL, s.timeoutSeconds, s.smallImage, s.fastMode, s.idPrefix) = (webURL, timeout, size == .small, fast, idPrefix)
        s.publishTimeoutSeconds = publishTimeout
        var table = SettingsFlagTable()
        try queue.add(to: &table)
        if warn { table.warn(as: "meme-console load") }
        do {
            return try LoadSettings.resolve(table.reader, run: s)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws { _ = try settings() }

    func run() async throws {
        if let webTraffic { return try await runWebTraffic(rate: webTraffic) }
        let settings = try settings(warn: true)
        let list = try settings.promptsFile.map { try PromptList.load(file: $0) } ?? .builtIn
        let connection: NATSConnection
        do {
            connection = try await NATSConnection.connect(NATSOptions(servers: settings.queue.servers, name: "meme-console-load"))
        } catch {
            throw LoadError("cannot connect to NATS at \(SettingsReader.redacted(settings.queue.natsURL)): \(error)", underlying: error)
        }
        let engine: LoadEngine
        do {
            engine = try await LoadEngine.start(connection: connection, configuration: settings.configuration(prompts: list))
        } catch {
            await connection.close()
            throw error
        }
        let interrupted = Interrupt()
        log("meme-console load: \(count) requests via \(via.rawValue) (\(settings.target)), \(settings.pace), prompts: \(list.source)")

        let printer = ProgressPrinter(count: count)
        let report = try await engine.run(settings, interrupted: { interrupted.isSet }, progress: { printer.show($0) })
        printer.show(report.snapshot, force: true)
        printer.finish()
        await engine.shutdown()
        await connection.close()

        print(json ? try report.json() : report.summary)
        for line in report.problems { log("meme-console load: \(line)") }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

extension Load {
    /// `--web-traffic RATE`: page loads only, no memes.
    func runWebTraffic(rate: Double) async throws {
        let traffic = try WebTraffic(baseURL: webURL)
        let interrupted = Interrupt()
        log("meme-console load: \(rate) page loads/s through \(webURL) for \(duration) s")
        let s = try await traffic.run(perSecond: rate, seconds: duration, interrupted: { interrupted.isSet }) { log(WebTraffic.describe($0)) }
        if json {
            let object: [String: Any] = ["web_traffic": ["sent": s.sent, "ok": s.ok, "failed": s.failed, "rate": rate,
                                                         "last_error": s.lastError as Any]]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(WebTraffic.describe(s))
        }
        if s.failed > 0 || s.ok == 0 { throw ExitCode(1) }
    }
}

extension LoadSettings.Via: ExpressibleByArgument {}

private func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// The progress line, once a second: rewritten in place on a terminal, one line each otherwise.
private final class ProgressPrinter {
    let count: Int
    let terminal = isatty(STDERR_FILENO) == 1
    var last: ContinuousClock.Instant?
    var wroteInPlace = false

    init(count: Int) { self.count = count }

    func show(_ s: LoadSnapshot, force: Bool = false) {
        let now = ContinuousClock.now
        if !force, let last, now - last < .seconds(1) { return }
        last = now
        let line = LoadReport.progress(s, count: count)
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            wroteInPlace = true
        } else {
            log(line)
        }
    }

    func finish() {
        if wroteInPlace { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Ctrl-C (or SIGTERM) ends the run early with a summary instead of killing it (also ends a headless recording).
final class Interrupt {
    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .relaxed) }
        var isSet: Bool { value.load(ordering: .relaxed) }
    }

    private let flag = Flag()
    /// Kept so the handlers stay installed for the whole run.
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [flag] in flag.set() }
            source.resume()
            sources.append(source)
        }
    }

    var isSet: Bool { flag.isSet }
    /// `isSet` for another task.
    var check: @Sendable () -> Bool { { [flag] in flag.isSet } }
}
