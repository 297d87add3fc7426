import ArgumentParser

@main
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-web",
        abstract: "meme-generator: the audience's page and JSON/WebSocket API.",
        version: "0.1.0"
    )

    func run() async throws {
        print("meme-web: not wired yet; see README.md (status).")
    }
}
