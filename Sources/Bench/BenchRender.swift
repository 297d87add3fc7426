import ArgumentParser
import Foundation
import MemeImages

/// `meme-bench render`: captioned 512×512 PNGs per second — this renderer (Pango + Cairo) against
/// Python Pillow and ImageMagick `convert`, same captions, same size, DejaVu Sans Bold.
struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render rate of captioned PNGs: Pango/Cairo vs Pillow vs ImageMagick."
    )

    @Option(help: "Images per renderer (ImageMagick does a tenth: one process each).")
    var count = 300

    @Option(help: "Image edge in pixels.")
    var size = 512

    @Option(help: "The Pillow baseline script.")
    var pillowScript = "Tests/System/bench_render_pillow.py"

    @Option(help: "Write one sample PNG per renderer into this directory.")
    var samples: String?

    /// Same captions for every renderer: short, medium and long (wrapping and shrinking).
    static let texts: [(String, String)] = [
        ("ONE DOES NOT SIMPLY", "SCALE TO ZERO ON A FRIDAY AFTERNOON"),
        ("CAT", "SCALING KUBERNETES"),
        ("WHEN KEDA AND THE HPA BOTH WANT THE SAME DEPLOYMENT", "EVERYONE LOSES"),
        ("DEPLOY ON FRIDAY", "WHAT COULD POSSIBLY GO WRONG"),
    ]

    struct Row {
        var name: String
        var renders: Int
        var seconds: Double
        var note: String
        var rate: Double { Double(renders) / seconds }
    }

    func run() throws {
        guard count > 0, (16...4096).contains(size) else {
            throw ValidationError("--count must be positive and --size within 16...4096")
        }
        let renderer = MemeRenderer()
        let jobs = Self.texts.map {
            RenderJob(captions: MemeCaptions(top: $0.0, bottom: $0.1), size: size,
                      background: .solid(red: 0.2, green: 0.4, blue: 0.8))
        }
        var rows: [Row] = []

        // Warm up (font loading), then one thread.
        for job in jobs { _ = try renderer.renderSync(job) }
        if let samples { try write(try renderer.renderSync(jobs[0]).png, "\(samples)/pangocairo.png") }
        var start = ContinuousClock.now
        for i in 0..<count { _ = try renderer.renderSync(jobs[i % jobs.count]) }
        rows.append(Row(name: "Pango+Cairo (Swift), 1 thread", renders: count, seconds: seconds(since: start), note: "same fit+wrap as Pillow"))

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
        rows.append(Row(name: "Pango+Cairo (Swift), \(threads) threads", renders: perThread * threads,
                        seconds: seconds(since: start), note: "renderer shared by threads"))
        if let error = failures.first { throw error }

        // The full offline meme (gradient, pattern, emoji) for reference.
        let offline = (0..<Self.texts.count).map { i in
            RenderJob(captions: jobs[i].captions, size: size, background: .generated(seed: "prompt \(i)"))
        }
        for job in offline { _ = try renderer.renderSync(job) }
        if let samples { try write(try renderer.renderSync(offline[1]).png, "\(samples)/offline.png") }
        start = ContinuousClock.now
        for i in 0..<count { _ = try renderer.renderSync(offline[i % offline.count]) }
        rows.append(Row(name: "Pango+Cairo offline meme, 1 thread", renders: count, seconds: seconds(since: start),
                        note: "gradient + pattern + emoji background"))

        let pillow = try runPillow()
        rows.append(pillow)
        rows.append(try runImageMagick(count: max(10, count / 10)))

        print(table(rows, pillow: pillow))
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let (s, atto) = (ContinuousClock.now - start).components
        return Double(s) + Double(atto) / 1e18
    }

    private func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Pillow from the system Python (Debian's python3-pil), else whichever python3 is first on PATH.
    private func runPillow() throws -> Row {
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        guard FileManager.default.fileExists(atPath: pillowScript) else {
            throw ValidationError("Pillow script not found at \(pillowScript) (run from the repository root)")
        }
        let textsJSON = String(decoding: try JSONSerialization.data(withJSONObject: Self.texts.map { [$0.0, $0.1] }), as: UTF8.self)
        var arguments = [pillowScript, "--count", String(count), "--size", String(size), "--texts", textsJSON]
        if let samples { arguments += ["--sample", "\(samples)/pillow.png"] }
        let output = try capture(python, arguments)
        struct Result: Decodable { var renders: Int; var seconds: Double }
        guard let line = output.split(separator: "\n").last,
              let result = try? JSONDecoder().decode(Result.self, from: Data(line.utf8)) else {
            throw ValidationError("Pillow script printed no result: \(output.suffix(500))")
        }
        return Row(name: "Python Pillow (ImageDraw stroke)", renders: result.renders, seconds: result.seconds,
                   note: "in-process loop, same fit+wrap")
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
        return Row(name: "ImageMagick convert -annotate", renders: count, seconds: seconds(since: start),
                   note: "process per image, fixed size, no wrap")
    }

    private func capture(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(executable) exited with \(process.terminationStatus): \(text.suffix(500))")
        }
        return text
    }

    private func table(_ rows: [Row], pillow: Row) -> String {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let date = ISO8601DateFormatter().string(from: Date())
        var lines = [
            "Renderer: \(size)×\(size) PNG, top + bottom captions (white, black outline, DejaVu Sans Bold), solid background",
            "date \(date), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(build) build",
            "",
            "| renderer | images | seconds | images/s | vs Pillow | notes |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for row in rows {
            lines.append("| \(row.name) | \(row.renders) | \(String(format: "%.2f", row.seconds)) | "
                + "\(String(format: "%.1f", row.rate)) | \(String(format: "%.2f×", row.rate / pillow.rate)) | \(row.note) |")
        }
        return lines.joined(separator: "\n")
    }
}

/// Errors from the concurrentPerform workers.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func add(_ error: any Error) { lock.lock(); errors.append(error); lock.unlock() }
    var first: (any Error)? { lock.lock(); defer { lock.unlock() }; return errors.first }
}
