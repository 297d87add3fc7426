import ArgumentParser

@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-worker",
        abstract: "meme-generator: the meme service: pulls requests from NATS JetStream and answers with images.",
        version: "0.1.0"
    )

    func run() async throws {
        print("meme-worker: not wired yet; see README.md (status).")
    }
}
