import ArgumentParser
import Foundation
import MemeImages
import TestServers

/// `meme-bench render`: captioned 512×512 images per second — this renderer (Pango + Cairo)
/// against Python Pillow drawing the same pictures (and ImageMagick `convert` for plain captions),
/// plus the size of a Hugging Face photo answer against NATS' default 1 MB payload limit.
struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render rate: Pango/Cairo vs Pillow (plain captions and the offline meme) vs ImageMagick; photo answer size."
    )

    @Option(help: "Images per renderer (ImageMagick does a tenth: one process each).")
    var count = 300

    @Option(help: "Image edge in pixels.")
    var size = 512

    @Option(help: "The Pillow baseline script.")
    var pillowScript = "Tests/System/bench_render_pillow.py"

    @Option(help: "Write one sample image per renderer into this directory.")
    var samples: String?

    @Option(help: "Run only these parts (comma-separated: plain, offline, photo), e.g. to profile one.")
    var only: String?

    /// Same captions for every renderer: short, medium and long (wrapping and shrinking).
    static let texts: [(String, String)] = [
        ("ONE DOES NOT SIMPLY", "SCALE TO ZERO ON A FRIDAY AFTERNOON"),
        ("CAT", "SCALING KUBERNETES"),
        ("WHEN KEDA AND THE HPA BOTH WANT THE SAME DEPLOYMENT", "EVERYONE LOSES"),
        ("DEPLOY ON FRIDAY", "WHAT COULD POSSIBLY GO WRONG"),
    ]

    /// The rate the offline meme must reach on one thread (issue 17), and its ratio to Pillow.
    static let offlineTargetRate = 75.0
    static let targetRatio = 2.0
    /// NATS' default max_payload: a photo answer (base64 in JSON) must fit under it.
    static let payloadLimit = 1024 * 1024

    struct Row {
        var name: String
        var renders: Int
        var seconds: Double
        /// CPU time of the rendering thread (nil where several threads or processes render).
        var cpuSeconds: Double?
        var bytes: Double?
        var rate: Double { Double(renders) / seconds }
        /// Images per second of one thread's CPU time: what one idle core would render, whatever
        /// else the machine is doing.
        var cpuRate: Double? { cpuSeconds.map { Double(renders) / $0 } }
    }

    func run() throws {
        guard count > 0, (16...4096).contains(size) else {
            throw ValidationError("--count must be positive and --size within 16...4096")
        }
        let parts = Set((only ?? "plain,offline,photo").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        guard parts.isSubset(of: ["plain", "offline", "photo"]), !parts.isEmpty else {
            throw ValidationError("--only takes plain, offline and/or photo")
        }
        let renderer = MemeRenderer()
        let build = Self.buildKind
        var lines = [
            "Renderer: \(size)×\(size), top + bottom captions (white, black outline, DejaVu Sans Bold); "
                + "plain = solid background, offline = the worker's picture (gradient, pattern, vignette, glow, colour emoji)",
            "date \(ISO8601DateFormatter().string(from: Date())), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
                + "load average \(BenchWeb.loadAverage()) at start, \(build) build",
            "",
            "| renderer | images | seconds | images/s | CPU ms/image | images per CPU-s | PNG KB | vs Pillow (same picture, CPU) | target | met? |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        if parts.contains("plain") { lines += try plainRows(renderer) }
        if parts.contains("offline") { lines += try offlineRows(renderer) }
        if parts.contains("photo") {
            lines += ["", "| photo answer (Hugging Face background) | bytes | base64 in the answer | limit | ratio to limit | met? |",
                      "|---|---:|---:|---:|---:|---|"]
            lines += try photoRows(renderer)
        }
        print(lines.joined(separator: "\n"))
    }

    // MARK: Plain captions

    private func plainRows(_ renderer: MemeRenderer) throws -> [String] {
        let jobs = Self.texts.map {
            RenderJob(captions: MemeCaptions(top: $0.0, bottom: $0.1), size: size, background: .solid(red: 0.2, green: 0.4, blue: 0.8))
        }
        // Warm up (font loading), then one thread.
        for job in jobs { _ = try renderer.renderSync(job) }
        if let samples { try write(try renderer.renderSync(jobs[0]).bytes, "\(samples)/pangocairo.png") }
        var bytes = 0
        var start = ContinuousClock.now
        let cpu = Self.threadCPU()
        for i in 0..<count { bytes += try renderer.renderSync(jobs[i % jobs.count]).bytes.count }
        let one = Row(name: "Pango+Cairo (Swift), plain, 1 thread", renders: count, seconds: seconds(since: start),
                      cpuSeconds: Self.threadCPU() - cpu, bytes: Double(bytes) / Double(count))

        // Both cores: each thread borrows its own engine from the renderer's pool.
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let perThread = count / threads
        let failures = Failures()
        for _ in 0..<threads { _ = try renderer.renderSync(jobs[0]) }
        start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                do { _ = try renderer.renderSync(jobs[(i + t) % jobs.count]) } catch { failures.add(error) }
            }
        }
        let many = Row(name: "Pango+Cairo (Swift), plain, \(threads) threads", renders: perThread * threads,
                       seconds: seconds(since: start), bytes: nil)
        if let error = failures.first { throw error }

        let pillow = try runPillow(arts: nil, sample: samples.map { "\($0)/pillow.png" })
        let magick = try runImageMagick(count: max(10, count / 10))
        return [
            row(one, pillow: pillow, target: "≥ 2× Pillow", met: ratio(one, pillow).map { $0 >= Self.targetRatio }),
            row(many, pillow: pillow, target: "–", met: nil),
            row(Row(name: "Python Pillow, plain (ImageDraw stroke)", renders: pillow.renders, seconds: pillow.seconds,
                    cpuSeconds: pillow.cpuSeconds, bytes: pillow.bytes), pillow: pillow, target: "–", met: nil),
            row(magick, pillow: pillow, target: "–", met: nil),
        ]
    }

    // MARK: The offline meme

    /// A different prompt for every image, as in real use: nothing per prompt can be reused.
    private func offlineSeeds() -> [String] { (0..<count).map { "bench prompt \($0)" } }

    private func offlineRows(_ renderer: MemeRenderer) throws -> [String] {
        let seeds = offlineSeeds()
        let jobs = seeds.enumerated().map { i, seed in
            let text = Self.texts[i % Self.texts.count]
            return RenderJob(captions: MemeCaptions(top: text.0, bottom: text.1), size: size, background: .generated(seed: seed))
        }
        for job in jobs.prefix(Self.texts.count) { _ = try renderer.renderSync(job) }
        if let samples { try write(try renderer.renderSync(jobs[1]).bytes, "\(samples)/offline.png") }
        var bytes = 0
        let start = ContinuousClock.now
        let cpu = Self.threadCPU()
        for job in jobs { bytes += try renderer.renderSync(job).bytes.count }
        let ours = Row(name: "Pango+Cairo (Swift), offline meme, 1 thread", renders: count, seconds: seconds(since: start),
                       cpuSeconds: Self.threadCPU() - cpu, bytes: Double(bytes) / Double(count))
        let arts = seeds.map { OfflineArt(seed: $0) }
        let pillow = try runPillow(arts: arts, sample: samples.map { "\($0)/pillow-offline.png" })
        let met = (ratio(ours, pillow).map { $0 >= Self.targetRatio } ?? false) && (ours.cpuRate ?? 0) >= Self.offlineTargetRate
        return [
            row(ours, pillow: pillow, target: "≥ 2× Pillow and ≥ \(Int(Self.offlineTargetRate))/s", met: met),
            row(Row(name: "Python Pillow, offline meme (same art, zlib level 3 + Z_RLE)", renders: pillow.renders,
                    seconds: pillow.seconds, cpuSeconds: pillow.cpuSeconds, bytes: pillow.bytes), pillow: pillow, target: "–", met: nil),
        ]
    }

    // MARK: Photo answers

    /// The 1024 px photo fixture captioned as the Hugging Face source does (JPEG), and as PNG
    /// (what it sent before), each base64-encoded as in the answer's JSON.
    private func photoRows(_ renderer: MemeRenderer) throws -> [String] {
        let file = try SharedFixtures.directory().appendingPathComponent("photos/meadow-1024.jpg")
        let photo = Array(try Data(contentsOf: file))
        let captions = MemeCaptions(top: "WHEN THE PHOTO", bottom: "IS A JPEG")
        var rows: [String] = []
        for format in [HuggingFaceSource.answerFormat, .png] {
            let meme = try renderer.renderSync(RenderJob(captions: captions, size: 1024, background: .image(photo), format: format))
            if let samples { try write(meme.bytes, "\(samples)/photo.\(format.fileExtension)") }
            let base64 = (meme.bytes.count + 2) / 3 * 4
            let ratio = Double(base64) / Double(Self.payloadLimit)
            let name = format == .png ? "PNG (before)" : "\(format) (now)"
            rows.append("| 1024 px photo fixture, \(name) | \(meme.bytes.count) | \(base64) | \(Self.payloadLimit) | "
                + String(format: "%.2f", ratio) + " | \(format == .png ? "–" : (ratio <= 1 ? "yes" : "**no**")) |")
        }
        return rows
    }

    // MARK: Baselines

    /// Pillow from the system Python (Debian's python3-pil), else whichever python3 is first on PATH.
    private func runPillow(arts: [OfflineArt]?, sample: String?) throws -> Row {
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        guard FileManager.default.fileExists(atPath: pillowScript) else {
            throw ValidationError("Pillow script not found at \(pillowScript) (run from the repository root)")
        }
        let textsJSON = String(decoding: try JSONSerialization.data(withJSONObject: Self.texts.map { [$0.0, $0.1] }), as: UTF8.self)
        var arguments = [pillowScript, "--count", String(count), "--size", String(size), "--texts", textsJSON]
        var artsFile: URL?
        defer { if let artsFile { try? FileManager.default.removeItem(at: artsFile) } }
        if let arts {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("meme-bench-arts-\(getpid()).json")
            try JSONSerialization.data(withJSONObject: arts.map(Self.json)).write(to: file)
            artsFile = file
            // The same zlib settings as MemeImages' PNG writer, so both pay for the same compression.
            arguments += ["--arts", file.path, "--compress-level", "3", "--compress-type", "rle"]
        }
        if let sample { arguments += ["--sample", sample] }
        let output = try capture(python, arguments)
        struct Result: Decodable {
            var renders: Int
            var seconds: Double
            var cpuSeconds: Double?
            var bytes: Double?
            enum CodingKeys: String, CodingKey { case renders, seconds, cpuSeconds = "cpu_seconds", bytes }
        }
        guard let line = output.split(separator: "\n").last,
              let result = try? JSONDecoder().decode(Result.self, from: Data(line.utf8)) else {
            throw ValidationError("Pillow script printed no result: \(output.suffix(500))")
        }
        return Row(name: "Python Pillow", renders: result.renders, seconds: result.seconds, cpuSeconds: result.cpuSeconds,
                   bytes: result.bytes)
    }

    /// What the Pillow script needs to draw the same background.
    static func json(_ art: OfflineArt) -> [String: Any] {
        let pattern = switch art.pattern {
        case .stripes: "stripes"
        case .dots: "dots"
        case .rings: "rings"
        case .sunburst: "sunburst"
        }
        return ["from": [art.from.red, art.from.green, art.from.blue], "to": [art.to.red, art.to.green, art.to.blue],
                "pattern": pattern, "angle": art.angle, "emoji": art.emoji]
    }

    /// One `convert` process per image, as a shell script would use it; fixed point size, no fitting.
    private func runImageMagick(count: Int) throws -> Row {
        let font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
        let out = samples.map { "\($0)/imagemagick.png" } ?? "/tmp/meme-bench-render-\(getpid()).png"
        defer { if samples == nil { try? FileManager.default.removeItem(atPath: out) } }
        func arguments(_ i: Int) -> [String] {
            let (top, bottom) = Self.texts[i % Self.texts.count]
            let pointSize = String(size / 14)
            return ["-size", "\(size)x\(size)", "xc:rgb(51,102,204)", "-font", font, "-pointsize", pointSize,
                    "-fill", "white", "-stroke", "black", "-strokewidth", "3",
                    "-gravity", "north", "-annotate", "+0+\(size / 30)", top,
                    "-gravity", "south", "-annotate", "+0+\(size / 30)", bottom, "png:\(out)"]
        }
        _ = try capture("convert", arguments(0))
        let start = ContinuousClock.now
        for i in 0..<count { _ = try capture("convert", arguments(i)) }
        return Row(name: "ImageMagick convert -annotate, plain (process per image, no wrap)", renders: count,
                   seconds: seconds(since: start), bytes: nil)
    }

    // MARK: Helpers

    /// How many times Pillow's rate, by CPU time when both rows have it (steady on a busy
    /// machine), else by wall-clock time.
    private func ratio(_ row: Row, _ pillow: Row) -> Double? {
        if let ours = row.cpuRate, let theirs = pillow.cpuRate { return ours / theirs }
        return row.rate / pillow.rate
    }

    private func row(_ row: Row, pillow: Row, target: String, met: Bool?) -> String {
        "| \(row.name) | \(row.renders) | \(String(format: "%.2f", row.seconds)) | \(String(format: "%.1f", row.rate)) | "
            + "\(row.cpuSeconds.map { String(format: "%.2f", $0 / Double(row.renders) * 1000) } ?? "–") | "
            + "\(row.cpuRate.map { String(format: "%.1f", $0) } ?? "–") | "
            + "\(row.bytes.map { String(format: "%.0f", $0 / 1000) } ?? "–") | "
            + "\(ratio(row, pillow).map { String(format: "%.2f×", $0) } ?? "–") | "
            + "\(target) | \(met.map { $0 ? "yes" : "**no**" } ?? "–") |"
    }

    /// CPU seconds this thread has used.
    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static var buildKind: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let (s, atto) = (ContinuousClock.now - start).components
        return Double(s) + Double(atto) / 1e18
    }

    private func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    private func capture(_ executable: String, _ arguments: [String]) throws -> String {
        let run = try CapturedRun.run(executable, arguments)
        guard run.status == 0 else {
            throw ValidationError("\(executable) exited with \(run.status): \(run.output.suffix(500))")
        }
        return run.output
    }
}

/// Errors from the concurrentPerform workers.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func add(_ error: any Error) { lock.lock(); errors.append(error); lock.unlock() }
    var first: (any Error)? { lock.lock(); defer { lock.unlock() }; return errors.first }
}
