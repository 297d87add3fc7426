import ArgumentParser
import ConsoleCore
import ConsoleUI
import Foundation
import JetStream
import NATS
import TestServers

/// `meme-bench console`: the console's costs on one local nats-server — CPU while idle-polling
/// (pollers + the render loop's snapshot/render work, no terminal), render time per frame, and the
/// time to publish a 1,000-message burst with JetStream acks through the console's publisher.
struct BenchConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "meme-console: idle CPU at 1 s polling, render time per frame, 1,000-message burst with acks.")

    @Option(help: "Seconds of idle polling to measure.") var idleSeconds = 20.0
    @Option(help: "Frames to render for the per-frame time.") var frames = 300
    @Option(help: "Burst size.") var burst = 1_000

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
        while ContinuousClock.now - wallStart < .milliseconds(Int(idleSeconds * 1000)) {
            let s = engine.snapshot(ui: UIState())
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
