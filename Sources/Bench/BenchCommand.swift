import ArgumentParser

/// `meme-bench <subcommand>`: one subcommand per benchmark (run through ./demo.sh bench …).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-bench",
        abstract: "meme-generator: benchmarks (run through ./demo.sh bench).",
        version: "0.1.0",
        subcommands: [BenchNATS.self, NATSProbe.self, BenchRender.self, BenchWorker.self]
    )
}
