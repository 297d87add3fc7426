import ArgumentParser
import Dispatch
import Foundation
import LoadEngine
import MemeKit
import NATS
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
            """
    )

    enum Via: String, ExpressibleByArgument, CaseIterable {
        case nats, web
    }

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
    var via: Via = .nats

    @Option(help: ArgumentHelp("Prompts, one per line (blank lines and #comments skipped); default: built-in list.", valueName: "file"))
    var prompts: String?

    @Option(name: .customLong("nats-url"), help: ArgumentHelp("NATS server (env NATS_URL; default \(MemeDefaults.natsURL)). Answers are read here in both modes.", valueName: "url"))
    var natsURL: String?

    @Option(name: .customLong("web-url"), help: ArgumentHelp("meme-web base URL for --via web.", valueName: "url"))
    var webURL = "http://127.0.0.1:\(MemeDefaults.webPort)"

    @Option(help: ArgumentHelp("Seconds to wait for answers after the last request went out.", valueName: "seconds"))
    var timeout = 120.0

    @Flag var size: ImageSize = .small

    @Flag(help: "Ask for fast mode (fast_mode: true).")
    var fast = false

    @Flag(help: "Print the summary as one JSON object instead of text (progress still goes to stderr).")
    var json = false

    @Option(name: .customLong("id-prefix"), help: ArgumentHelp("Prefix of the request ids, to find them in logs.", valueName: "text"))
    var idPrefix = "load-"

    func validate() throws {
        guard (1...LoadEngine.maxBurst).contains(count) else {
            throw ValidationError("--count must be 1…\(LoadEngine.maxBurst), not \(count)")
        }
        if let rate, !(rate.isFinite && rate > 0 && rate <= LoadEngine.maxRate) {
            throw ValidationError("--rate must be above 0 and at most \(Int(LoadEngine.maxRate)) per second, not \(rate)")
        }
        guard (1...10_000).contains(concurrency) else {
            throw ValidationError("--concurrency must be 1…10000, not \(concurrency)")
        }
        guard timeout.isFinite, timeout > 0, timeout <= 86_400 else {
            throw ValidationError("--timeout must be above 0 and at most 86400 seconds, not \(timeout)")
        }
        do {
            _ = try NATSServerAddress(parsing: resolvedNATSURL)
        } catch {
            throw ValidationError("--nats-url '\(SettingsReader.redacted(resolvedNATSURL))' is not a NATS URL: \(error.message)")
        }
        do {
            try engineConfiguration(prompts: .builtIn).validate()
        } catch {
            throw ValidationError(error.message)
        }
        if let prompts {
            do { _ = try PromptList.load(file: prompts) } catch { throw ValidationError("--prompts: \(error.message)") }
        }
    }

    var resolvedNATSURL: String {
        natsURL ?? SettingsReader().string(MemeEnv.natsURL, default: MemeDefaults.natsURL)
    }

    func engineConfiguration(prompts list: PromptList) -> LoadConfiguration {
        let env = SettingsReader()
        return LoadConfiguration(
            transport: via == .web ? .web(baseURL: webURL) : .nats, prompts: list, maxConcurrentPublishes: concurrency,
            smallImage: size == .small, fastMode: fast ? true : nil,
            requestSubject: env.string(MemeEnv.requestSubject, default: MemeDefaults.requestSubject),
            responseSubject: env.string(MemeEnv.responseSubject, default: MemeDefaults.responseSubject),
            stream: env.string(MemeEnv.natsStream, default: MemeDefaults.stream),
            consumer: env.string(MemeEnv.natsConsumer, default: MemeDefaults.consumer), idPrefix: idPrefix)
    }

    func run() async throws {
        let list = try prompts.map { try PromptList.load(file: $0) } ?? .builtIn
        let url = resolvedNATSURL
        let connection: NATSConnection
        do {
            connection = try await NATSConnection.connect(NATSOptions(servers: [url], name: "meme-console-load"))
        } catch {
            throw LoadFailure("cannot connect to NATS at \(SettingsReader.redacted(url)): \(error)")
        }
        let engine: LoadEngine
        do {
            engine = try await LoadEngine.start(connection: connection, configuration: engineConfiguration(prompts: list))
        } catch {
            await connection.close()
            throw LoadFailure("\(error)")
        }
        let interrupted = Interrupt()
        let target = via == .web ? webURL : SettingsReader.redacted(url)
        let mode = rate.map { "\(Self.number($0))/s" } ?? "burst, \(concurrency) in flight at most"
        log("meme-console load: \(count) requests via \(via.rawValue) (\(target)), \(mode), prompts: \(list.source)")

        if let rate {
            try engine.startSustained(perSecond: rate, total: count)
        } else {
            try engine.submit(count)
        }
        let printer = ProgressPrinter(count: count)
        // Sending: until everything is queued, published and acked (or failed).
        while !interrupted.isSet {
            let s = engine.snapshot
            if !engine.isSustained && s.queued == 0 && s.publishing == 0 { break }
            printer.show(s)
            try? await Task.sleep(for: .milliseconds(100))
        }
        // Answers: until all are in or the timeout passes.
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while !interrupted.isSet && !engine.snapshot.isIdle && ContinuousClock.now < deadline {
            printer.show(engine.snapshot)
            try? await Task.sleep(for: .milliseconds(100))
        }
        printer.show(engine.snapshot, force: true)
        printer.finish()
        if interrupted.isSet { engine.stop() }

        let final = engine.snapshot
        let unanswered = engine.unansweredIDs(limit: 10)
        let errorIDs = final.recent.filter { !$0.ok && $0.latencyMilliseconds != nil }.map(\.id)
        await engine.shutdown()
        await connection.close()

        if json {
            print(Summary(snapshot: final, unanswered: unanswered, interrupted: interrupted.isSet).json)
        } else {
            print(Self.summary(final, via: via))
        }
        var problems: [String] = []
        let missing = final.inFlight + final.publishErrors
        if missing > 0 {
            let why = interrupted.isSet ? "before the interrupt" : "within \(Self.number(timeout)) s"
            problems.append("\(missing) of \(final.sent) requests were not answered \(why)"
                + (final.publishErrors > 0 ? " (\(final.publishErrors) failed to publish)" : "")
                + ": " + unanswered.joined(separator: ", ") + (missing > unanswered.count ? ", …" : ""))
        }
        if final.answerErrors > 0 {
            problems.append("\(final.answerErrors) requests were answered with an error"
                + (errorIDs.isEmpty ? "" : ": " + errorIDs.prefix(10).joined(separator: ", "))
                + (final.lastError.map { " (last: \($0))" } ?? ""))
        }
        if final.sent < count && !interrupted.isSet {
            problems.append("only \(final.sent) of \(count) requests were sent")
        }
        if !problems.isEmpty {
            for line in problems { log("meme-console load: \(line)") }
            throw ExitCode(interrupted.isSet ? 130 : 1)
        }
        if interrupted.isSet { throw ExitCode(130) }
    }

    static func summary(_ s: LoadSnapshot, via: Via) -> String {
        let l = s.latency
        var lines = [
            "sent        \(s.sent)",
            "stored      \(s.stored)" + (via == .web ? " (accepted by meme-web)" : "") + "   duplicates \(s.duplicates)",
            "answered    \(s.answered)   errors \(s.errors) (publish \(s.publishErrors), answer \(s.answerErrors))   unanswered \(s.inFlight)",
            "latency     p50 \(ms(l.p50))  p95 \(ms(l.p95))  p99 \(ms(l.p99))  max \(ms(l.max))",
        ]
        lines.append(
            "throughput  " + (s.answersPerSecond.map { "\(number($0)) answers/s over \(number(s.answeringSeconds)) s" } ?? "no answers")
                + (s.publishesPerSecond.map { "; published \(number($0))/s" } ?? ""))
        if s.rateLimited > 0 {
            lines.append("rate limit  meme-web answered 429 \(s.rateLimited) times; each request waited for its Retry-After and was sent again (429s are not answers)")
        }
        if let error = s.lastError { lines.append("last error  \(error)") }
        return lines.joined(separator: "\n")
    }

    static func ms(_ value: Double?) -> String { value.map { "\(number($0)) ms" } ?? "–" }

    static func number(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }
}

/// A failure of the load run itself (not of a request); printed as the error.
struct LoadFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

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
        let line = "sent \(s.sent)/\(count) stored \(s.stored) answered \(s.answered) errors \(s.errors)"
            + " in-flight \(s.inFlight) p50 \(Load.ms(s.latency.p50)) p95 \(Load.ms(s.latency.p95))"
            + (s.rateLimited > 0 ? " 429s \(s.rateLimited)" : "")
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

/// Ctrl-C (or SIGTERM) ends the run early with a summary instead of killing it.
private final class Interrupt {
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
}

/// `--json` output.
private struct Summary: Encodable {
    var snapshot: LoadSnapshot
    var unanswered: [String]
    var interrupted: Bool

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
