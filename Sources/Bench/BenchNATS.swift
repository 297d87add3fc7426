import ArgumentParser
import Foundation
import JetStream
import NATS
import NIOCore
import TestServers

/// `meme-bench nats`: this client against nats-py on one local nats-server, same workloads, same machine.
struct BenchNATS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nats", abstract: "NATS client vs nats-py: publish, request/reply, JetStream publish and fetch+ack.")

    @Option(help: "Core publishes (128-byte payloads).") var publishes = 200_000
    @Option(help: "Sequential request/reply round trips.") var requests = 5_000
    @Option(help: "Sequential JetStream publishes (each waits for its ack).") var jsPublishes = 5_000
    @Option(help: "Messages consumed with fetch + ack.") var consumes = 5_000
    @Option(help: "The nats-py side of the benchmark.") var pythonScript = "Tests/System/bench_nats_py.py"
    @Option(help: "Python interpreter.") var python = "python3"
    @Flag(help: "Skip nats-py (only this client).") var swiftOnly = false
    @Option(help: "1: one nats-server; 3: a 3-node JetStream cluster on loopback with the streams replicated (R3).")
    var replicas = 1

    struct Results: Codable {
        var publishPerSecond: Double
        var requestP50Micros: Double
        var requestP99Micros: Double
        var jsPublishPerSecond: Double
        var consumePerSecond: Double

        enum CodingKeys: String, CodingKey {
            case publishPerSecond = "publish_per_s", requestP50Micros = "request_p50_us", requestP99Micros = "request_p99_us"
            case jsPublishPerSecond = "js_publish_per_s", consumePerSecond = "consume_per_s"
        }
    }

    func validate() throws {
        guard replicas == 1 || replicas == 3 else { throw ValidationError("--replicas must be 1 or 3, not \(replicas)") }
    }

    func run() async throws {
        // Both clients connect to the first server; on a cluster the stream's leader may be another one.
        let url: String
        var keep: [AnyObject] = []
        if replicas == 1 {
            let server = try NATSServer()
            url = server.url
            keep.append(server)
            print("nats-server on \(url)")
        } else {
            let cluster = try NATSCluster(size: replicas)
            try cluster.start()
            url = cluster.urls[0]
            keep.append(cluster)
            print("3-node JetStream cluster \(cluster.url), streams R\(replicas)")
        }
        defer { for case let s as NATSServer in keep { s.stop() }; for case let c as NATSCluster in keep { c.stop() } }
        let swift = try await benchSwift(url)
        var python: Results?
        if !swiftOnly {
            python = try runPython(url)
        }
        printTable(swift: swift, python: python)
    }

    func benchSwift(_ url: String) async throws -> Results {
        let nc = try await NATSConnection.connect(NATSOptions(servers: [url], name: "bench-swift"))
        let payload = ByteBuffer(bytes: [UInt8](repeating: 0x61, count: 128))

        // 1. core publish throughput
        try await nc.flush()
        var start = ContinuousClock.now
        for _ in 0..<publishes { try await nc.publish("bench.swift.pub", payload: payload) }
        try await nc.flush(timeout: .seconds(60))
        let publishRate = Double(publishes) / seconds(ContinuousClock.now - start)

        // 2. request/reply round trips (responder on a second connection)
        let responderConnection = try await NATSConnection.connect(NATSOptions(servers: [url], name: "bench-swift-responder"))
        let service = try await responderConnection.subscribe("bench.swift.echo")
        let responder = Task {
            for try await message in service {
                if let reply = message.replyTo { try await responderConnection.publish(reply, payload: message.payload) }
            }
        }
        try await responderConnection.flush()
        var latencies: [Double] = []
        latencies.reserveCapacity(requests)
        for _ in 0..<requests {
            let t = ContinuousClock.now
            _ = try await nc.request("bench.swift.echo", payload: payload, timeout: .seconds(5))
            latencies.append(seconds(ContinuousClock.now - t) * 1e6)
        }
        latencies.sort()
        responder.cancel()
        await responderConnection.close()

        // 3. JetStream publish with ack
        let js = JetStream(nc)
        try? await js.deleteStream("BENCH_SWIFT")
        try await js.createOrUpdateStream(StreamConfig(name: "BENCH_SWIFT", subjects: ["bench.swift.js"], retention: .workQueue, storage: .file,
                                                       replicas: replicas))
        start = ContinuousClock.now
        for _ in 0..<jsPublishes { try await js.publish("bench.swift.js", payload: payload) }
        let jsRate = Double(jsPublishes) / seconds(ContinuousClock.now - start)

        // 4. fetch + ack
        try await js.purgeStream("BENCH_SWIFT")
        for _ in 0..<consumes { try await nc.publish("bench.swift.js", payload: payload) }
        try await nc.flush()
        try await js.createOrUpdateConsumer(stream: "BENCH_SWIFT", ConsumerConfig(durable: "bench", ackPolicy: .explicit, ackWait: .seconds(30)))
        let consumer = try await js.consumer(stream: "BENCH_SWIFT", name: "bench")
        var consumed = 0
        start = ContinuousClock.now
        while consumed < consumes {
            let batch = try await consumer.fetch(batch: 100, expires: .seconds(5))
            if batch.isEmpty { break }
            for message in batch { try await message.ack() }
            consumed += batch.count
        }
        try await nc.flush()
        let consumeRate = Double(consumed) / seconds(ContinuousClock.now - start)
        try? await js.deleteStream("BENCH_SWIFT")
        await nc.close()
        return Results(publishPerSecond: publishRate, requestP50Micros: percentile(latencies, 0.5),
                       requestP99Micros: percentile(latencies, 0.99), jsPublishPerSecond: jsRate, consumePerSecond: consumeRate)
    }

    func runPython(_ url: String) throws -> Results {
        let run = try CapturedRun.run(python, [pythonScript, "--url", url, "--publishes", "\(publishes)", "--requests", "\(requests)",
                                               "--js-publishes", "\(jsPublishes)", "--consumes", "\(consumes)",
                                               "--replicas", "\(replicas)"], keepStderr: false)
        guard run.status == 0 else {
            throw ValidationError("nats-py benchmark failed (exit \(run.status)); is nats-py installed? (pip install nats-py)")
        }
        let lastLine = run.output.split(separator: "\n").last.map(String.init) ?? ""
        return try JSONDecoder().decode(Results.self, from: Data(lastLine.utf8))
    }

    func printTable(swift: Results, python: Results?) {
        func fmt(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : String(format: "%.1f", v) }
        func row(_ name: String, _ s: Double, _ p: Double?, higherIsBetter: Bool) -> String {
            guard let p else { return "| \(name) | \(fmt(s)) | – | – |" }
            let ratio = higherIsBetter ? s / p : p / s
            return "| \(name) | \(fmt(s)) | \(fmt(p)) | \(String(format: "%.2f×", ratio)) |"
        }
        print("")
        print("| workload | this client | nats-py | ratio (>1 = this client better) |")
        print("|---|---:|---:|---:|")
        print(row("core publish, 128 B (msgs/s)", swift.publishPerSecond, python?.publishPerSecond, higherIsBetter: true))
        print(row("request/reply p50 (µs)", swift.requestP50Micros, python?.requestP50Micros, higherIsBetter: false))
        print(row("request/reply p99 (µs)", swift.requestP99Micros, python?.requestP99Micros, higherIsBetter: false))
        print(row("JetStream publish with ack (msgs/s)", swift.jsPublishPerSecond, python?.jsPublishPerSecond, higherIsBetter: true))
        print(row("JetStream fetch + ack (msgs/s)", swift.consumePerSecond, python?.consumePerSecond, higherIsBetter: true))
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }
}

/// `meme-bench nats-probe pub|sub`: a tiny driver for the interop tests (Tests/System/test_nats_interop.py).
struct NATSProbe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nats-probe", abstract: "Test helper: publish one message, or wait for one and print it as JSON.")

    @Argument(help: "pub or sub") var mode: String
    @Option(help: "Server URL.") var server = "nats://127.0.0.1:4222"
    @Option(help: "Subject.") var subject: String
    @Option(help: "Payload (pub).") var payload = ""
    @Option(help: "Header as Name:Value (pub, repeatable).") var header: [String] = []
    @Option(help: "Seconds to wait for a message (sub).") var timeout: Double = 10

    func run() async throws {
        let nc = try await NATSConnection.connect(NATSOptions(servers: [server], name: "nats-probe"))
        switch mode {
        case "pub":
            var headers: NATSHeaders?
            for field in header {
                guard let colon = field.firstIndex(of: ":") else { throw ValidationError("header must be Name:Value, got \(field)") }
                var h = headers ?? NATSHeaders()
                h.append(String(field[..<colon]), String(field[field.index(after: colon)...]))
                headers = h
            }
            try await nc.publish(subject, payload: payload, headers: headers)
            try await nc.flush()
        case "sub":
            let sub = try await nc.subscribe(subject)
            try await nc.flush()
            // Unbuffered: the test waits for this line before publishing.
            FileHandle.standardOutput.write(Data("READY\n".utf8))
            let timeout = self.timeout
            let message = try await withThrowingTaskGroup(of: NATSMessage?.self) { group in
                group.addTask {
                    for try await message in sub { return message }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let message else { throw ValidationError("no message on \(subject) within \(timeout) s") }
            var headers: [[String]] = []
            for field in message.headers ?? NATSHeaders() { headers.append([field.name, field.value]) }
            let object: [String: Any] = ["subject": message.subject, "payload": message.string, "headers": headers]
            let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            FileHandle.standardOutput.write(json + Data("\n".utf8))
        default:
            throw ValidationError("mode must be pub or sub, got \(mode)")
        }
        await nc.close()
    }
}
