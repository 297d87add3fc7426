import ArgumentParser

@main
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-console",
        abstract: "meme-generator: the presenter's terminal dashboard.",
        discussion: "Without a subcommand the dashboard runs; `meme-console help dashboard` lists its options, each with its environment variable.",
        version: "0.1.0",
        subcommands: [Dashboard.self, Act.self, Load.self, Replay.self],
        defaultSubcommand: Dashboard.self
    )
}
