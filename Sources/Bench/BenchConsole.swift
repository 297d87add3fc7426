import ArgumentParser
import ConsoleCore
import ConsoleRecording
import ConsoleUI
import Foundation
import Gzip
import JetStream
import NATS
import TestServers

/// `meme-bench console`: the console's costs on one local nats-server — CPU while idle-polling
/// (pollers + the render loop's snapshot/render work, no terminal), render time per frame, and the
/// time to publish a 1,000-message burst with JetStream acks through the console's publisher, and
/// the size of a recording (`--record`): of the idle loop's snapshots, and of a real rehearsal file
/// (docs/recordings/rehearsal.jsonl), each projected to 10 minutes next to the 2 MB target.
struct BenchConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "meme-console: idle CPU at 1 s polling, render time per frame, 1,000-message burst with acks.")

    @Option(help: "Seconds of idle polling to measure.") var idleSeconds = 20.0
    @Option(help: "Frames to render for the per-frame time.") var frames = 300
    @Option(help: "Burst size.") var burst = 1_000
    @Option(help: "A recording to measure (bytes per 10 minutes, read and replay time).")
    var recording = "docs/recordings/rehearsal.jsonl.gz"

    func run() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let setup = try await NATSConnection.connect(NATSOptions(servers: [server.url], name: "bench-console-setup"))
        let js = JetStream(setup)
        _ = try await js.createOrUpdateStream(StreamConfig(name: "MEMES", subjects: ["meme.request"], retention: .workQueue,
                                                           duplicateWindow: .seconds(120)))
        _ = try await js.createOrUpdateConsumer(stream: "MEMES", ConsumerConfig(durable: "meme-generator", ackPolicy: .explicit))

        // Prometheus points at a closed port: its poller backs off, as on a laptop without it.
        let settings = ConsoleSettings(natsURL: server.url, prometheusURL: "http://127.0.0.1:\(try FreePort.next())", interval: 1)
        let engine = ConsoleEngine(settings: settings, mode: .local, kubernetes: nil)
        engine.start()
        while engine.snapshot(ui: UIState()).sources.nats.state != .ok { try await Task.sleep(for: .milliseconds(20)) }

        // 1. Idle: what the dashboard does every 100 ms (snapshot; render only when it changed).
        let cpuBefore = cpuSeconds()
        let wallStart = ContinuousClock.now
        var last: (ConsoleSnapshot, Int)?
        var drawn = 0
        // What --record would write of the same snapshots (encoded here, after the CPU figure's loop work).
        var recorded: [(Double, ConsoleSnapshot)] = []
        let recordStart = Date().timeIntervalSince1970
        while ContinuousClock.now - wallStart < .milliseconds(Int(idleSeconds * 1000)) {
            let s = engine.snapshot(ui: UIState())
            if recorded.last?.1 != s { recorded.append((Date().timeIntervalSince1970 - recordStart, s)) }
            // The header clock changes every second, so the real loop renders at least once a second.
            let second = Int(Date().timeIntervalSince1970)
            if last == nil || last!.0 != s || last!.1 != second {
                _ = render(s, size: TerminalSize(columns: 120, rows: 40), ui: UIState(), clock: String(second % 86_400))
                last = (s, second)
                drawn += 1
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let idleCPU = (cpuSeconds() - cpuBefore) / seconds(ContinuousClock.now - wallStart) * 100

        // 2. Render time per frame of a live snapshot (120×40 and 200×60).
        let snapshot = engine.snapshot(ui: UIState())
        var perFrame: [String] = []
        for size in [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 120, rows: 40), TerminalSize(columns: 200, rows: 60)] {
            let start = ContinuousClock.now
            for _ in 0..<frames { _ = render(snapshot, size: size, ui: UIState(), clock: "00:00:00") }
            perFrame.append("\(size) \(format(seconds(ContinuousClock.now - start) / Double(frames) * 1000)) ms")
        }

        // 3. A burst with acks through the console's own publisher (the screen's `b`).
        let start = ContinuousClock.now
        guard engine.perform(.submit(count: burst)) else { throw ValidationError(engine.notice ?? "submit failed") }
        while engine.snapshot(ui: UIState()).load.acked + engine.snapshot(ui: UIState()).load.errors < burst {
            try await Task.sleep(for: .milliseconds(5))
        }
        let burstSeconds = seconds(ContinuousClock.now - start)
        let load = engine.snapshot(ui: UIState()).load
        await engine.shutdown()
        await setup.close()

        print("meme-console benchmark (debug builds are slower; nats-server \(server.url))")
        print("  idle CPU, 1 s polling + 10 Hz snapshot loop + 1 render/s: \(format(idleCPU)) % of a core over \(format(idleSeconds)) s (\(drawn) renders)")
        print("  render per frame: \(perFrame.joined(separator: ", "))")
        print("  burst of \(burst) with JetStream acks: \(format(burstSeconds * 1000)) ms (acked \(load.acked), errors \(load.errors))")
        try recordingSizes(idle: recorded, settings: settings)
    }

    /// --record's bytes: the idle loop's snapshots through the recorder's encoder, and a real rehearsal.
    private func recordingSizes(idle: [(Double, ConsoleSnapshot)], settings: ConsoleSettings) throws {
        let target = 2_000_000.0
        let header = RecordingHeader.live(settings: settings, mode: .local, terminal: TerminalSize(columns: 120, rows: 40), recorder: "bench")
        var encoder = RecordingEncoder(header: header)
        let gzip = try GzipWriter()
        var bytes = encoder.headerLine.utf8.count + 1
        var compressed = try gzip.append(Array((encoder.headerLine + "\n").utf8)).count
        let start = ContinuousClock.now
        for (t, s) in idle {
            guard let line = try encoder.snapshotLine(s, at: t) else { continue }
            bytes += line.utf8.count + 1
            compressed += try gzip.append(Array((line + "\n").utf8)).count
        }
        let perSnapshot = seconds(ContinuousClock.now - start) / Double(max(1, idle.count)) * 1e6
        let (plain, zipped) = (Double(bytes) / idleSeconds * 600, Double(compressed) / idleSeconds * 600)
        print("  recording, idle: \(idle.count) snapshots changed in \(format(idleSeconds)) s → per 10 min "
              + "\(format(zipped / 1e6)) MB gzip (\(format(zipped / target * 100)) % of the 2 MB target), \(format(plain / 1e6)) MB plain; "
              + "encode + compress \(format(perSnapshot)) µs per snapshot")
        guard let size = (try? FileManager.default.attributesOfItem(atPath: recording))?[.size] as? Int else {
            print("  recording, rehearsal: \(recording) not found (run from the repository root)")
            return
        }
        let readStart = ContinuousClock.now
        let rehearsal = try Recording.read(path: recording).recording
        let readTime = seconds(ContinuousClock.now - readStart)
        var cursor = RecordingCursor(rehearsal)
        let playStart = ContinuousClock.now
        for i in rehearsal.steps.indices { _ = try cursor.snapshot(step: i) }
        let perStep = seconds(ContinuousClock.now - playStart) / Double(rehearsal.steps.count) * 1e6
        let tenMinutes = Double(size) / rehearsal.duration * 600
        print("  recording, rehearsal \(recording): \(size) bytes over \(format(rehearsal.duration)) s, "
              + "\(rehearsal.steps.count) snapshots → \(format(tenMinutes / 1e6)) MB per 10 min vs 2 MB target "
              + "(\(format(tenMinutes / target * 100)) %); read \(format(readTime * 1000)) ms, replay \(format(perStep)) µs per snapshot")
    }

    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private func format(_ x: Double) -> String { String(format: "%.2f", x) }
}

extension BenchConsole {
    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
