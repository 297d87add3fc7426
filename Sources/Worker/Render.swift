import ArgumentParser
import Foundation
import MemeImages
import MemeKit

/// `meme-worker render`: one meme offline, for presenters to preview and for tests.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render one meme offline to a PNG file.")

    @Option(help: "The prompt (also the caption unless --top/--bottom are given; ' / ' or ' | ' splits top from bottom).") var prompt: String
    @Option(help: "Top caption.") var top: String?
    @Option(help: "Bottom caption.") var bottom: String?
    @Flag(help: "512×512 instead of 1024×1024.") var small = false
    @Option(help: "Output PNG file.") var out: String

    func validate() throws {
        guard !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--prompt is empty") }
        guard prompt.count <= MemeDefaults.maxPromptCharacters else {
            throw ValidationError("--prompt has \(prompt.count) characters; the limit is \(MemeDefaults.maxPromptCharacters)")
        }
    }

    func run() throws {
        let request = MemeRequest(prompt: prompt, smallImage: small, topText: top, bottomText: bottom)
        let png = try MemeRenderer.renderOffline(request: request)
        do {
            try Data(png).write(to: URL(fileURLWithPath: out))
        } catch {
            throw ValidationError("cannot write \(out): \(error.localizedDescription)")
        }
        print("wrote \(out) (\(request.imageSize)×\(request.imageSize), \(png.count) bytes)")
    }
}
