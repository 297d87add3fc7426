import ArgumentParser

@main
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-console",
        abstract: "meme-generator: the presenter's terminal dashboard.",
        version: "0.1.0",
        subcommands: [Load.self]
    )

    func run() async throws {
        print("meme-console: the dashboard is not wired yet; `meme-console load --help` sends load headless.")
    }
}
