import ArgumentParser

@main
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-console",
        abstract: "meme-generator: the presenter's terminal dashboard.",
        version: "0.1.0"
    )

    func run() async throws {
        print("meme-console: not wired yet; see README.md (status).")
    }
}
