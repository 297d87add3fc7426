import ArgumentParser

@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-bench",
        abstract: "meme-generator: benchmarks (run through ./demo.sh bench).",
        version: "0.1.0"
    )

    func run() async throws {
        print("meme-bench: not wired yet; see README.md (status).")
    }
}
