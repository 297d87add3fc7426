import ArgumentParser
import Foundation
import JetStream
import MemeKit
import NATS
import Synchronization
import TestServers

/// `meme-bench worker`: one real meme-worker process against local nats-server and redis-server.
/// Cold start to /readyz, submit → response latency at a fixed rate (cache misses, then hits),
/// the part of it that is not rendering, peak RSS and CPU per meme.
struct BenchWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "meme-worker: cold start, submit→response latency and overhead, peak RSS.")

    @Option(help: "Requests per second with distinct prompts (every one rendered). Keep it under the worker's render capacity, or the figures measure queueing.")
    var missRate = 20.0
    @Option(help: "Requests per second with repeated prompts (every one a cache hit).")
    var hitRate = 100.0
    @Option(help: "Seconds of each fixed-rate run.")
    var seconds = 20.0
    @Option(help: "Worker cold starts to time.")
    var starts = 5
    @Option(help: "WORKER_CONCURRENCY for the worker.")
    var concurrency = 2
    @Flag(help: "Full-size (1024 px) images instead of small (512 px).")
    var fullSize = false

    func validate() throws {
        guard missRate > 0, hitRate > 0, seconds > 0, starts > 0, (1...64).contains(concurrency) else {
            throw ValidationError("--miss-rate, --hit-rate, --seconds, --starts must be positive; --concurrency 1...64")
        }
    }

    func run() async throws {
        let nats = try NATSServer()
        let redis = try RedisServer()
        defer { nats.stop(); redis.stop() }
        let metricsPort = try FreePort.next()
        let env = [
            "NATS_URL": nats.url, "REDIS_URL": redis.url, "METRICS_ADDR": "127.0.0.1:\(metricsPort)",
            "WORKER_CONCURRENCY": "\(concurrency)", "WORKER_NAME": "bench-worker",
            // The bench measures the offline renderer, whatever the calling shell holds.
            "HF_API_TOKEN": "", "HF_API_TOKEN_FILE": "",
        ]
        let binary = try BuiltBinary.path("meme-worker")
        print("worker \(binary)\nnats-server \(nats.url), redis-server \(redis.url)")

        // 1. Cold start: spawn → /readyz 200 (connected to NATS, stream and consumer ready).
        var coldStarts: [Double] = []
        var worker: ProgramProcess?
        for i in 0..<starts {
            let started = ContinuousClock.now
            let process = try ProgramProcess("meme-worker", environment: env)
            try await Self.waitReady(port: metricsPort, process: process, timeout: 30)
            coldStarts.append(Self.ms(ContinuousClock.now - started))
            if i < starts - 1 {
                process.process.stop()
            } else {
                worker = process
            }
        }
        guard let worker, let pid = worker.process.pid else { throw ValidationError("the worker is not running") }
        print("cold starts (ms): \(coldStarts.map { String(format: "%.0f", $0) }.joined(separator: " "))")

        let client = try await NATSConnection.connect(NATSOptions(servers: [nats.url], name: "bench-worker"))
        let js = JetStream(client)
        let book = AnswerBook()
        let listeners = try await Self.listen(client, book: book)
        defer { listeners.forEach { $0.cancel() } }
        try await client.flush()

        let run = UUID().uuidString.prefix(6)
        let small = !fullSize
        // Warm up: font maps, connections, the first allocation of everything.
        _ = try await fixedRate(js, book, rate: 20, count: 20, prompt: { "warm up \(run) \($0)" }, small: small)

        let cpu0 = Self.cpuSeconds(pid)
        let misses = try await fixedRate(js, book, rate: missRate, count: Int(missRate * seconds),
                                         prompt: { "bench miss \(run) \($0) / distinct every time" }, small: small)
        let cpu1 = Self.cpuSeconds(pid)

        // Prime ten prompts, then repeat them: every answer comes from Redis.
        let hot = 10
        _ = try await fixedRate(js, book, rate: 20, count: hot, prompt: { "bench hit \(run) \($0) / from the cache" }, small: small)
        let cpu2 = Self.cpuSeconds(pid)
        let hits = try await fixedRate(js, book, rate: hitRate, count: Int(hitRate * seconds),
                                       prompt: { "bench hit \(run) \($0 % hot) / from the cache" }, small: small)
        let cpu3 = Self.cpuSeconds(pid)
        let memory = Self.memory(pid)

        await client.close()
        worker.process.stop()
        print(report(coldStarts: coldStarts, misses: misses, hits: hits, memory: memory,
                     cpuPerMiss: (cpu1 - cpu0) / Double(max(1, misses.answered)),
                     cpuPerHit: (cpu3 - cpu2) / Double(max(1, hits.answered))))
    }

    // MARK: Load

    struct Run {
        var sent: Int
        var answered: Int
        var errors: Int
        var cached: Int
        var offeredRate: Double
        var sendSeconds: Double
        /// Submit → response, ms, sorted.
        var latency: [Double]
        /// The response's generation_ms (source time: render, or 0 for a cache hit), sorted.
        var generation: [Double]
        /// latency − generation per answer, ms, sorted.
        var overhead: [Double]
    }

    /// Sends `count` requests at `rate` per second on a fixed schedule (not waiting for answers),
    /// then waits for every answer.
    private func fixedRate(_ js: JetStream, _ book: AnswerBook, rate: Double, count: Int,
                           prompt: (Int) -> String, small: Bool) async throws -> Run {
        let clock = ContinuousClock()
        let start = clock.now
        let prefix = UUID().uuidString.prefix(8).lowercased()
        var ids: [String] = []
        ids.reserveCapacity(count)
        for i in 0..<count {
            let due = start + .milliseconds(Int64(Double(i) * 1000 / rate))
            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
            let id = "\(prefix)-\(i)"
            ids.append(id)
            let request = MemeRequest(id: id, prompt: prompt(i), smallImage: small)
            let payload = Array(try JSONEncoder().encode(request))
            book.sent(id)
            _ = try await js.publish("meme.request", payload: payload, messageID: id)
        }
        let sendSeconds = Self.ms(clock.now - start) / 1000
        let deadline = clock.now + .seconds(max(60, Double(count) / 5))
        while book.missing(ids) > 0 && clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let answers = book.take(ids)
        var latency: [Double] = [], generation: [Double] = [], overhead: [Double] = []
        var errors = 0, cached = 0
        for a in answers {
            guard a.ok else { errors += 1; continue }
            if a.cached { cached += 1 }
            latency.append(a.latencyMs)
            generation.append(a.generationMs)
            overhead.append(a.latencyMs - a.generationMs)
        }
        return Run(sent: count, answered: answers.count, errors: errors, cached: cached, offeredRate: rate, sendSeconds: sendSeconds,
                   latency: latency.sorted(), generation: generation.sorted(), overhead: overhead.sorted())
    }

    private static func listen(_ client: NATSConnection, book: AnswerBook) async throws -> [Task<Void, Never>] {
        var tasks: [Task<Void, Never>] = []
        for (subject, ok) in [("meme.response", true), ("meme.response.error", false)] {
            let sub = try await client.subscribe(subject, capacity: 100_000)
            tasks.append(Task {
                do {
                    for try await message in sub {
                        let now = ContinuousClock.now
                        let bytes = message.bytes
                        guard let id = ResponseFields.string("request_id", in: bytes) else { continue }
                        book.answered(id, at: now, ok: ok, cached: ResponseFields.literal("cached", in: bytes) == "true",
                                      generationMs: ResponseFields.literal("generation_ms", in: bytes).flatMap(Double.init) ?? 0)
                    }
                } catch {}
            })
        }
        return tasks
    }

    // MARK: Process facts

    private static func waitReady(port: Int, process: ProgramProcess, timeout: Double) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if readyzStatus(port: port) == 200 { return }
            guard process.process.isRunning else { throw ValidationError("meme-worker exited during start-up:\n\(process.log)") }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw ValidationError("meme-worker not ready within \(timeout) s:\n\(process.log)")
    }

    /// The status of GET /readyz (HTTPProbe asks the server to close, so it returns at once).
    private static func readyzStatus(port: Int) -> Int? {
        HTTPProbe.get(port: port, path: "/readyz", timeoutSeconds: 1)?.status
    }

    /// VmHWM (peak resident set) and VmRSS from /proc/<pid>/status, in MiB.
    private static func memory(_ pid: Int32) -> (peak: Double, now: Double) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (.nan, .nan) }
        func kib(_ field: String) -> Double {
            for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
                return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? .nan
            }
            return .nan
        }
        return (kib("VmHWM") / 1024, kib("VmRSS") / 1024)
    }

    /// utime + stime of the process, in seconds.
    private static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return .nan }
        // Fields after "comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func ms(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) * 1000 + Double(atto) / 1e15
    }

    // MARK: Report

    private func report(coldStarts: [Double], misses: Run, hits: Run, memory: (peak: Double, now: Double),
                        cpuPerMiss: Double, cpuPerHit: Double) -> String {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        func p(_ sorted: [Double], _ q: Double) -> String {
            guard !sorted.isEmpty else { return "—" }
            let v = sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
            return String(format: v < 10 ? "%.2f" : "%.1f", v)
        }
        func pair(_ sorted: [Double]) -> String { "\(p(sorted, 0.5)) / \(p(sorted, 0.99)) ms" }
        func met(_ ok: Bool) -> String { ok ? "met" : "**missed**" }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        func sent(_ r: Run) -> String {
            "\(r.sent) sent at \(String(format: "%.0f", r.offeredRate))/s (achieved \(String(format: "%.1f", Double(r.sent) / max(r.sendSeconds, 0.001)))/s), "
                + "\(r.answered) answered, \(r.errors) errors, \(r.cached) cached"
        }
        let overheadP50 = misses.overhead.isEmpty ? Double.infinity : misses.overhead[misses.overhead.count / 2]
        let hitP50 = hits.latency.isEmpty ? Double.infinity : hits.latency[hits.latency.count / 2]
        let cold = median(coldStarts)
        let size = fullSize ? 1024 : 512
        let lines = [
            "Worker: one meme-worker (offline renderer, WORKER_CONCURRENCY=\(concurrency)), local nats-server + redis-server, \(size) px images",
            "date \(ISO8601DateFormatter().string(from: Date())), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(build) build, "
                + "load average \(Self.loadAverage())",
            "misses: \(sent(misses))",
            "hits:   \(sent(hits))",
            "",
            "| measure | result | target |",
            "|---|---:|---|",
            "| cold start → /readyz 200, median of \(coldStarts.count) (min–max) | \(String(format: "%.0f", cold)) ms (\(String(format: "%.0f–%.0f", coldStarts.min() ?? 0, coldStarts.max() ?? 0))) | < 300 ms: \(met(cold < 300)) |",
            "| misses: submit → response p50 / p99 | \(pair(misses.latency)) | — |",
            "| misses: render (generation_ms) p50 / p99 | \(pair(misses.generation)) | — |",
            "| misses: overhead (latency − render) p50 / p99 | \(pair(misses.overhead)) | p50 < 5 ms: \(met(overheadP50 < 5)) |",
            "| hits: submit → response p50 / p99 (all overhead) | \(pair(hits.latency)) | p50 < 5 ms: \(met(hitP50 < 5)) |",
            "| peak RSS (VmHWM) after both runs | \(String(format: "%.1f", memory.peak)) MiB (now \(String(format: "%.1f", memory.now)) MiB) | < 128 MiB: \(met(memory.peak < 128)) |",
            "| worker CPU per meme: miss / hit | \(String(format: "%.1f", cpuPerMiss * 1000)) / \(String(format: "%.2f", cpuPerHit * 1000)) ms | — |",
        ]
        return lines.joined(separator: "\n")
    }

    private static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }
}

/// Send and receive times by request id, shared between the sender and the listeners.
private final class AnswerBook: Sendable {
    struct Answer {
        var latencyMs: Double
        var ok: Bool
        var cached: Bool
        var generationMs: Double
    }

    private struct State {
        var sentAt: [String: ContinuousClock.Instant] = [:]
        var answers: [String: Answer] = [:]
    }

    private let state = Mutex(State())

    func sent(_ id: String) {
        let now = ContinuousClock.now
        state.withLock { $0.sentAt[id] = now }
    }

    /// Keeps the first answer per id (a redelivery could answer twice).
    func answered(_ id: String, at time: ContinuousClock.Instant, ok: Bool, cached: Bool, generationMs: Double) {
        state.withLock { s in
            guard s.answers[id] == nil, let sent = s.sentAt[id] else { return }
            let (sec, atto) = (time - sent).components
            s.answers[id] = Answer(latencyMs: Double(sec) * 1000 + Double(atto) / 1e15, ok: ok, cached: cached, generationMs: generationMs)
        }
    }

    func missing(_ ids: [String]) -> Int { state.withLock { s in ids.filter { s.answers[$0] == nil }.count } }

    func take(_ ids: [String]) -> [Answer] {
        state.withLock { s in
            ids.compactMap { id in
                defer { s.answers[id] = nil; s.sentAt[id] = nil }
                return s.answers[id]
            }
        }
    }
}

/// Reads a few small fields of a response without decoding its ~100–700 KB base64 image, so the
/// bench process spends little CPU next to the worker it measures (both share the machine).
private enum ResponseFields {
    /// The value of `"key":"…"` (no escapes expected in ids).
    static func string(_ key: String, in bytes: [UInt8]) -> String? {
        guard var i = valueStart(key, in: bytes), i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        guard let end = bytes[i...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: bytes[i..<end], as: UTF8.self)
    }

    /// The raw text of a number or literal value, e.g. `12.0` or `true`.
    static func literal(_ key: String, in bytes: [UInt8]) -> String? {
        guard let i = valueStart(key, in: bytes) else { return nil }
        let end = bytes[i...].firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") } ?? bytes.endIndex
        return String(decoding: bytes[i..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// Index just after `"key":` (and spaces). Skips over string values while searching, so a key
    /// name inside the prompt or the image cannot match.
    private static func valueStart(_ key: String, in bytes: [UInt8]) -> Int? {
        let needle = Array("\"\(key)\"".utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\"") {
                if bytes.count - i >= needle.count, bytes[i..<i + needle.count].elementsEqual(needle) {
                    var j = i + needle.count
                    while j < bytes.count, bytes[j] == UInt8(ascii: " ") { j += 1 }
                    if j < bytes.count, bytes[j] == UInt8(ascii: ":") {
                        j += 1
                        while j < bytes.count, bytes[j] == UInt8(ascii: " ") { j += 1 }
                        return j
                    }
                }
                // Not the key: skip this whole string (honouring escapes).
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
                }
            }
            i += 1
        }
        return nil
    }
}
