import ArgumentParser
import Foundation
import LocalStack

/// meme-stack: the whole demo on one machine (thin wiring; the stack is LocalStack).
@main
struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meme-stack",
        abstract: "Run the meme-generator demo on this machine: servers, workers (local KEDA), web (local HPA), Redis (local VPA).",
        discussion: """
            `up` starts nats-server, redis-server, redis-exporter, prometheus, meme-worker processes scaled by a \
            stand-in for KEDA and meme-web processes behind one port scaled by a stand-in for the HPA, with Redis \
            sized by a stand-in for the VPA, all read from the objects in k8s/base. State and logs go to --dir; \
            <dir>/stack.json says where everything is. `./demo.sh` runs it for you.
            """,
        subcommands: [Up.self, Wait.self, Status.self, Stop.self],
        defaultSubcommand: Up.self)
}
