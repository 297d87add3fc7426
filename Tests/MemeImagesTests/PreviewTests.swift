import Foundation
import MemeKit
import Testing
@testable import MemeImages

/// Writes sample memes for a human to look at: `MEME_PREVIEW_DIR=/tmp/p swift test --filter PreviewTests`.
@Suite struct PreviewTests {
    static let directory = ProcessInfo.processInfo.environment["MEME_PREVIEW_DIR"]

    @Test(.enabled(if: directory != nil))
    func writeSamples() throws {
        let samples: [(String, MemeRequest)] = [
            ("cat", MemeRequest(prompt: "cat / scaling kubernetes", smallImage: true)),
            ("friday", MemeRequest(prompt: "deploy on friday | what could possibly go wrong")),
            ("long", MemeRequest(prompt: "when the HPA and KEDA both scale the same deployment and nobody knows who won", smallImage: true)),
            ("rtl", MemeRequest(prompt: "שלום עולם / مرحبا بالعالم 🚀", smallImage: true)),
            ("emoji", MemeRequest(prompt: "coffee ☕🔥 / zero to 100 pods", smallImage: true)),
            ("fallback", MemeRequest(prompt: "zxqv blorp", smallImage: true)),
            ("cjk", MemeRequest(prompt: "自動スケーリング / 猫がクラスターを壊した", smallImage: true)),
        ]
        for (name, request) in samples {
            let png = try MemeRenderer.renderOffline(request: request)
            try Data(png).write(to: URL(fileURLWithPath: "\(Self.directory!)/\(name).png"))
        }
        let photo = try MemeRenderer.shared.renderSync(RenderJob(
            request: MemeRequest(prompt: "when the photo is a jpeg / still captioned", smallImage: true),
            background: .image(orangeJPEG)))
        try Data(photo.bytes).write(to: URL(fileURLWithPath: "\(Self.directory!)/jpeg.png"))
    }
}
