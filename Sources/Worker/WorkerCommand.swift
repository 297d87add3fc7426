import ArgumentParser

@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-worker",
        abstract: "meme-generator: the meme service. Pulls requests from NATS JetStream and answers with images.",
        discussion: """
            Every setting is a flag and an environment variable (the flag wins); see `meme-worker serve --help`. \
            The Hugging Face token is read only from HF_API_TOKEN or the file named by HF_API_TOKEN_FILE, never \
            from a flag; without it, memes are made offline by the built-in renderer.
            """,
        version: "0.1.0",
        subcommands: [Serve.self, Render.self],
        defaultSubcommand: Serve.self
    )
}
