import ArgumentParser
import Foundation
import JetStream
import NATS
import TestServers

/// `meme-bench web`: wrk against GET / on meme-web and on nginx serving the same files (same
/// machine, same run), then wrk POSTing to /api/memes with no worker running, and meme-web's peak RSS.
///
/// Everything is real and on free loopback ports: nats-server (JetStream, file store), redis-server,
/// the built meme-web (`$MEME_BIN` or next to this binary) and nginx with a generated config.
struct BenchWeb: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web", abstract: "meme-web vs nginx on GET /, POST /api/memes rate, peak RSS (wrk).")

    @Option(help: "Seconds per wrk run.") var duration = 10
    @Option(help: "wrk threads.") var threads = 2
    @Option(help: "wrk connections.") var connections = 32
    @Option(help: "Seconds of unmeasured wrk warm-up per server before each GET run.") var warmup = 2
    @Option(help: "nginx worker_processes (a number or auto).") var nginxWorkers = "auto"
    @Option(help: "The page folder both servers serve.") var publicDir = "Sources/Web/Public"
    @Option(help: "JetStream stream meme-web publishes to.") var stream = "MEMES"
    @Option(help: "Prompt sent in every POST.") var prompt = "benchmark: one does not simply scale to zero"
    @Option(help: "Seconds meme-web sits idle before the idle memory reading, and again after the load.") var settle = 5
    @Option(parsing: .singleValue, help: "Environment for meme-web, KEY=VALUE (repeatable), e.g. MALLOC_ARENA_MAX=2.")
    var webEnv: [String] = []

    /// meme-web's memory target: the pod requests 64 Mi and its HPA targets 50 % of it (k8s/base/web).
    static let memoryRequestMiB = 64
    static let hpaMemoryTargetMiB = 32
    /// Idle must sit this far under the HPA target, so a quiet web tier scales back to one replica.
    static let idleTargetMiB = 28

    func run() async throws {
        guard duration > 0, threads > 0, connections >= threads, warmup >= 0 else {
            throw ValidationError("--duration and --threads must be positive, --connections ≥ --threads, --warmup ≥ 0")
        }
        let wrk = try ManagedProcess.locate("wrk")
        let publicPath = URL(fileURLWithPath: publicDir).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: publicPath + "/index.html") else {
            throw ValidationError("no index.html in \(publicPath) (run from the repository root or pass --public-dir)")
        }
        let work = try ManagedProcess.makeTempDirectory(prefix: "bench-web")
        defer { try? FileManager.default.removeItem(at: work) }

        var environment: [String: String] = [:]
        for pair in webEnv {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--web-env takes KEY=VALUE, not '\(pair)'") }
            environment[parts[0]] = parts[1]
        }
        let nats = try NATSServer()
        defer { nats.stop() }
        let redis = try RedisServer()
        defer { redis.stop() }
        let webPort = try FreePort.next()
        let web = try ProgramProcess("meme-web", arguments: [
            "--host", "127.0.0.1", "--port", "\(webPort)", "--nats-url", nats.url, "--nats-stream", stream,
            "--redis-url", redis.url, "--rate-limit", "0", "--address-rate-limit", "0", "--global-rate-limit", "0", "--public-dir", publicPath, "--log-level", "warning",
        ], environment: environment)
        defer { web.process.stop() }
        try web.process.waitUntil(timeout: 30) { HTTPProbe.get(port: webPort, path: "/readyz")?.status == 200 }
        let webPID = web.process.pid ?? 0
        // Idle: started and connected, no page or API request served yet.
        try await Task.sleep(for: .seconds(settle))
        guard let idle = ProcessMemory.read(pid: webPID) else { throw ValidationError("cannot read meme-web's memory from /proc") }
        let nginx = try NginxServer(root: publicPath, workers: nginxWorkers, directory: work)
        defer { nginx.stop() }

        // Same bytes from both, or the comparison means nothing.
        guard let fromWeb = HTTPProbe.get(port: webPort, path: "/"), fromWeb.status == 200,
              let fromNginx = HTTPProbe.get(port: nginx.port, path: "/"), fromNginx.status == 200,
              fromWeb.body == fromNginx.body else {
            throw ValidationError("meme-web and nginx do not serve the same GET / body")
        }
        print("nats-server \(nats.url), redis \(redis.url), meme-web :\(webPort) (pid \(web.process.pid ?? 0)), "
            + "nginx :\(nginx.port) (worker_processes \(nginxWorkers)); GET / is \(fromWeb.body.utf8.count) bytes")

        let load = Self.loadAverage()
        let wrkArgs = ["-t\(threads)", "-c\(connections)", "--latency"]
        /// wrk's result and the server's CPU seconds (user + system) during the measured run.
        func get(_ port: Int, _ pids: () -> [Int32]) throws -> (WrkResult, Double) {
            let url = "http://127.0.0.1:\(port)/"
            if warmup > 0 { _ = try Self.runWrk(wrk, wrkArgs + ["-d\(warmup)s", url]) }
            let cpu = Self.cpuSeconds(pids())
            let result = try Self.runWrk(wrk, wrkArgs + ["-d\(duration)s", url])
            return (result, Self.cpuSeconds(pids()) - cpu)
        }
        print("GET / on meme-web …")
        let (webGet, webCPU) = try get(webPort) { [webPID] }
        print("GET / on nginx …")
        let (nginxGet, nginxCPU) = try get(nginx.port) { nginx.pids }

        print("POST /api/memes on meme-web (no worker) …")
        let script = work.appendingPathComponent("post.lua")
        try Self.postScript(prompt: prompt).write(to: script, atomically: true, encoding: .utf8)
        let nc = try await NATSConnection.connect(NATSOptions(servers: [nats.url], name: "bench-web"))
        let js = JetStream(nc)
        let before = try await js.streamInfo(stream).state.messages
        let postCPUBefore = Self.cpuSeconds([webPID])
        let post = try Self.runWrk(wrk, wrkArgs + ["-d\(duration)s", "-s", script.path, "http://127.0.0.1:\(webPort)/api/memes"])
        // Requests still in flight when wrk stopped may be stored without being counted: give them a moment.
        try await Task.sleep(for: .seconds(1))
        let postCPU = Self.cpuSeconds([webPID]) - postCPUBefore
        let loaded = ProcessMemory.read(pid: webPID)
        let stored = try await js.streamInfo(stream).state.messages - before
        await nc.close()

        try await Task.sleep(for: .seconds(settle))
        guard let webPeak = Self.peakRSS(pid: webPID), let loaded, let after = ProcessMemory.read(pid: webPID) else {
            throw ValidationError("cannot read meme-web's memory from /proc")
        }
        let nginxPeak = nginx.peakRSSOfAllProcesses()
        let table = Report(
            duration: duration, threads: threads, connections: connections, nginxWorkers: nginxWorkers, load: load, stream: stream,
            webGet: webGet, nginxGet: nginxGet, post: post, webGetCPU: webCPU, nginxGetCPU: nginxCPU, postCPU: postCPU, stored: stored, webPeakKiB: webPeak, nginxPeakKiB: nginxPeak,
            idle: idle, loaded: loaded, afterLoad: after, settle: settle, webEnv: webEnv
        ).render()
        print("")
        print(table)
        if !web.process.isRunning { throw ValidationError("meme-web died during the benchmark:\n\(web.log.suffix(2000))") }
    }

    // MARK: wrk

    struct WrkResult {
        var requests: Int
        var seconds: Double
        var requestsPerSecond: Double
        var latencyP50Millis: Double?
        var latencyP99Millis: Double?
        var non2xx3xx: Int
        var socketErrors: String?
        /// From the POST script: 202 responses and any other status.
        var accepted: Int?
        var otherStatus: Int?
    }

    static func runWrk(_ wrk: String, _ arguments: [String]) throws -> WrkResult {
        let run = try CapturedRun.run(wrk, arguments)
        let text = run.output
        guard run.status == 0 else {
            throw ValidationError("wrk \(arguments.joined(separator: " ")) exited with \(run.status):\n\(text)")
        }
        guard let result = WrkOutput.parse(text) else {
            throw ValidationError("cannot read wrk's output:\n\(text)")
        }
        return result
    }

    /// Counts 202s per thread and sums them in `done` (wrk runs each thread in its own Lua state).
    static func postScript(prompt: String) throws -> String {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["prompt": prompt, "top": "WRK", "bottom": "SAYS HI"]),
                          as: UTF8.self)
        return """
        wrk.method = "POST"
        wrk.body = [==[\(body)]==]
        wrk.headers["Content-Type"] = "application/json"
        local threads = {}
        function setup(thread) table.insert(threads, thread) end
        function init(args) accepted = 0; other = 0 end
        function response(status, headers, body)
          if status == 202 then accepted = accepted + 1 else other = other + 1 end
        end
        function done(summary, latency, requests)
          local a, o = 0, 0
          for _, t in ipairs(threads) do a = a + t:get("accepted"); o = o + t:get("other") end
          io.write(string.format("STATUS accepted=%d other=%d\\n", a, o))
        end

        """
    }

    // MARK: /proc

    /// VmHWM (peak resident set) in KiB.
    static func peakRSS(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        }
        return nil
    }

    /// utime + stime of these processes, in seconds (fields 14 and 15 of /proc/<pid>/stat).
    static func cpuSeconds(_ pids: [Int32]) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for pid in pids {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command name, which may contain spaces: state is field 3.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                total += (user + system) / ticks
            }
        }
        return total
    }

    static func loadAverage() -> String {
        let raw = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return raw.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// wrk's text report → numbers.
enum WrkOutput {
    static func parse(_ text: String) -> BenchWeb.WrkResult? {
        var requests: Int?, seconds: Double?, rate: Double?, p50: Double?, p99: Double?
        var non2xx = 0, socketErrors: String?, accepted: Int?, other: Int?
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if line.hasPrefix("Requests/sec:"), words.count >= 2 {
                rate = Double(words[1])
            } else if words.count >= 4, words[1] == "requests", words[2] == "in" {
                // "123456 requests in 10.00s, 1.23GB read"
                requests = Int(words[0])
                seconds = duration(words[3].trimmingCharacters(in: CharacterSet(charactersIn: ",")))
            } else if line.hasPrefix("50%"), words.count >= 2 {
                p50 = millis(words[1])
            } else if line.hasPrefix("99%"), words.count >= 2 {
                p99 = millis(words[1])
            } else if line.hasPrefix("Non-2xx or 3xx responses:"), let last = words.last {
                non2xx = Int(last) ?? 0
            } else if line.hasPrefix("Socket errors:") {
                socketErrors = String(line.dropFirst("Socket errors:".count)).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("STATUS accepted="), words.count == 3 {
                accepted = Int(words[1].dropFirst("accepted=".count))
                other = Int(words[2].dropFirst("other=".count))
            }
        }
        guard let requests, let seconds, let rate else { return nil }
        return BenchWeb.WrkResult(
            requests: requests, seconds: seconds, requestsPerSecond: rate, latencyP50Millis: p50, latencyP99Millis: p99,
            non2xx3xx: non2xx, socketErrors: socketErrors, accepted: accepted, otherStatus: other)
    }

    /// "850.00us", "1.23ms", "2.00s", "1.5m" → milliseconds.
    static func millis(_ value: String) -> Double? {
        for (suffix, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where value.hasSuffix(suffix) {
            return Double(value.dropLast(suffix.count)).map { $0 * factor }
        }
        return nil
    }

    /// The "requests in 10.00s" figure ("10.00s", "1.00m") in seconds.
    static func duration(_ value: String) -> Double? {
        millis(value).map { $0 / 1000 }
    }
}

/// nginx on a free loopback port with a generated config: `daemon off` so the ChildProcess owns the
/// master (SIGTERM = fast shutdown), pid/log/temp paths under `directory`, no access log.
final class NginxServer: @unchecked Sendable {
    let port: Int
    private let process: ManagedProcess

    init(root: String, workers: String, directory: URL) throws {
        port = try FreePort.next()
        let dir = directory.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = """
        worker_processes \(workers);
        daemon off;
        pid \(dir.path)/nginx.pid;
        error_log \(dir.path)/error.log warn;
        events { worker_connections 1024; }
        http {
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            access_log off;
            sendfile on;
            tcp_nopush on;
            # wrk keeps its connections open; nginx's default (1000) would make it reconnect.
            keepalive_requests 1000000;
            client_body_temp_path \(dir.path)/client_body;
            proxy_temp_path \(dir.path)/proxy;
            fastcgi_temp_path \(dir.path)/fastcgi;
            uwsgi_temp_path \(dir.path)/uwsgi;
            scgi_temp_path \(dir.path)/scgi;
            server {
                listen 127.0.0.1:\(port);
                root \(root);
                index index.html;
            }
        }

        """
        let file = dir.appendingPathComponent("nginx.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        process = ManagedProcess(
            name: "nginx", executable: try ManagedProcess.locate("nginx"),
            arguments: ["-p", dir.path, "-e", "\(dir.path)/error.log", "-c", file.path], directory: dir)
        try process.start()
        let port = self.port
        try process.waitUntil(timeout: 15) { HTTPProbe.get(port: port, path: "/")?.status == 200 }
    }

    deinit { stop() }

    func stop() { process.stop() }

    /// The master and its workers.
    var pids: [Int32] {
        guard let master = process.pid else { return [] }
        var pids = [master]
        if let children = try? String(contentsOfFile: "/proc/\(master)/task/\(master)/children", encoding: .utf8) {
            pids += children.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
        }
        return pids
    }

    /// Sum of VmHWM over the master and its workers, in KiB (nil when /proc cannot be read).
    func peakRSSOfAllProcesses() -> Int? {
        let values = pids.compactMap(BenchWeb.peakRSS(pid:))
        return values.isEmpty ? nil : values.reduce(0, +)
    }
}

/// The printed table: row, figure, comparison, target, met?
struct Report {
    var duration, threads, connections: Int
    var nginxWorkers: String
    var load: String
    var stream: String
    var webGet, nginxGet, post: BenchWeb.WrkResult
    /// Server CPU seconds during each measured run.
    var webGetCPU, nginxGetCPU, postCPU: Double
    var stored: UInt64
    var webPeakKiB: Int
    var nginxPeakKiB: Int?
    /// meme-web before any request, right after the POST run, and `settle` seconds later.
    var idle, loaded, afterLoad: ProcessMemory
    var settle: Int
    var webEnv: [String]

    func render() -> String {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let ratio = webGet.requestsPerSecond / nginxGet.requestsPerSecond
        let accepted = post.accepted ?? 0
        let acceptedRate = Double(accepted) / post.seconds
        let peakMiB = Double(webPeakKiB) / 1024
        // Requests cut off when wrk stops may be stored but never counted as 202: at most one per connection.
        let storedMatches = stored >= UInt64(accepted) && stored - UInt64(accepted) <= UInt64(connections)
        func rate(_ v: Double) -> String { String(format: "%.0f/s", v) }
        func ms(_ v: Double?) -> String { v.map { String(format: "%.2f ms", $0) } ?? "–" }
        func us(_ cpu: Double, _ requests: Int) -> String {
            requests > 0 ? String(format: "%.0f µs", cpu / Double(requests) * 1e6) : "–"
        }
        func met(_ ok: Bool) -> String { ok ? "yes" : "**no**" }
        let date = ISO8601DateFormatter().string(from: Date())
        let environment: String = webEnv.isEmpty ? "" : ", environment " + webEnv.joined(separator: " ")
        let caption: String = "Web: wrk -t\(threads) -c\(connections) -d\(duration)s; nginx worker_processes \(nginxWorkers); "
            + "meme-web --rate-limit 0 --address-rate-limit 0 --global-rate-limit 0, no worker running" + environment
        var lines = [
            caption,
            "date \(date), \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(load) at start, \(build) build",
            "",
            "| row | figure | comparison | target | met? |",
            "|---|---:|---|---|---|",
            "| GET / requests/s | \(rate(webGet.requestsPerSecond)) | nginx \(rate(nginxGet.requestsPerSecond)): "
                + String(format: "%.0f %%", ratio * 100) + " of nginx | ≥ 50 % of nginx | \(met(ratio >= 0.5)) |",
            "| GET / latency p50 / p99 | \(ms(webGet.latencyP50Millis)) / \(ms(webGet.latencyP99Millis)) | "
                + "nginx \(ms(nginxGet.latencyP50Millis)) / \(ms(nginxGet.latencyP99Millis)) | – | – |",
            "| GET / server CPU per request | \(us(webGetCPU, webGet.requests)) | nginx \(us(nginxGetCPU, nginxGet.requests)) | – | – |",
            "| POST /api/memes 202s/s | \(rate(acceptedRate)) | \(accepted) × 202, \(post.otherStatus ?? 0) other"
                + (post.socketErrors.map { ", socket errors: \($0)" } ?? "") + " | ≥ 2,000/s | \(met(acceptedRate >= 2000)) |",
            "| POST latency p50 / p99 | \(ms(post.latencyP50Millis)) / \(ms(post.latencyP99Millis)) | – | – | – |",
            "| POST meme-web CPU per request | \(us(postCPU, post.requests)) | – | – | – |",
            "| messages stored in stream \(stream) | \(stored) | \(accepted) × 202 (+ ≤ \(connections) cut off by wrk's stop) "
                + "| stored = 202s | \(met(storedMatches)) |",
            "| meme-web peak RSS (VmHWM) | " + String(format: "%.1f MiB", peakMiB) + " | nginx master + workers "
                + (nginxPeakKiB.map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "–") + " | < 64 MiB | \(met(peakMiB < 64)) |",
        ]
        let target = "HPA target \(BenchWeb.hpaMemoryTargetMiB) MiB (request \(BenchWeb.memoryRequestMiB) Mi × 50 %)"
        /// "0.51 of the HPA target": the working set over the 32 MiB target.
        func ofTarget(_ kib: Int) -> String {
            String(format: "%.2f of the HPA target", Double(kib) / 1024 / Double(BenchWeb.hpaMemoryTargetMiB))
        }
        let idleOK = Double(idle.workingSetKiB) / 1024 < Double(BenchWeb.idleTargetMiB)
        let afterOK = Double(afterLoad.workingSetKiB) / 1024 < Double(BenchWeb.idleTargetMiB)
        lines += [
            "| meme-web idle RSS (connected, no request yet) | \(idle.breakdown) | \(target) | – | – |",
            "| meme-web idle working set | \(ProcessMemory.mib(idle.workingSetKiB)) | \(ofTarget(idle.workingSetKiB)); \(idle.workingSetSource) | "
                + "< \(BenchWeb.idleTargetMiB) MiB | \(met(idleOK)) |",
            "| meme-web RSS right after the POST run | \(loaded.breakdown) | working set \(ProcessMemory.mib(loaded.workingSetKiB)) | – | – |",
            "| meme-web working set \(settle) s after the load | \(ProcessMemory.mib(afterLoad.workingSetKiB)) | "
                + "\(ofTarget(afterLoad.workingSetKiB)); RSS \(afterLoad.breakdown) | "
                + "< \(BenchWeb.idleTargetMiB) MiB | \(met(afterOK)) |",
        ]
        if webGet.non2xx3xx + nginxGet.non2xx3xx > 0 {
            lines.append("")
            lines.append("non-2xx/3xx on GET: meme-web \(webGet.non2xx3xx), nginx \(nginxGet.non2xx3xx)")
        }
        return lines.joined(separator: "\n")
    }
}
