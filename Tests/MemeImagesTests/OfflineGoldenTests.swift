// The offline meme compared pixel by pixel with Golden/<name>.png, rendered before the speed work
// of issue 17 (commit c2d4dd1): faster drawing must not change the picture beyond the tolerance below.
// Regenerate only after an intended change of the picture:
//   UPDATE_GOLDEN=1 swift test --filter OfflineGoldenTests
// then look at the new PNGs and say in the commit why they changed.
import Foundation
import MemeKit
import Testing
@testable import MemeImages

struct OfflineGoldenCase: CustomTestStringConvertible, Sendable {
    var name: String
    var request: MemeRequest
    var testDescription: String { name }
}

/// One case per background pattern, plus full size, a fallback emoji and non-Latin captions.
let offlineGoldenCases: [OfflineGoldenCase] = [
    .init(name: "stripes-cat-512", request: MemeRequest(prompt: "cat / scaling kubernetes", smallImage: true)),
    .init(name: "dots-keycap-512", request: MemeRequest(prompt: "one does not simply / scale to zero", smallImage: true)),
    .init(name: "rings-deploy-512", request: MemeRequest(prompt: "deploy on friday | what could possibly go wrong", smallImage: true)),
    .init(name: "sunburst-coffee-512", request: MemeRequest(prompt: "coffee ☕🔥 / zero to 100 pods", smallImage: true)),
    .init(name: "rings-cjk-512", request: MemeRequest(prompt: "自動スケーリング / 猫がクラスターを壊した", smallImage: true)),
    .init(name: "stripes-fallback-1024", request: MemeRequest(prompt: "zxqv blorp")),
]

/// Where golden files live in the source tree (written by UPDATE_GOLDEN=1).
private let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

@Suite("Offline meme goldens")
struct OfflineGoldenTests {
    /// Allowed difference from the golden: cached overlays and emoji are composited in 8-bit steps
    /// in a different order than drawing each layer onto the picture, which may move a channel by a
    /// few levels. Anything a viewer could see — a shifted caption or emoji, another colour — moves
    /// channels by tens of levels over thousands of pixels and fails.
    static let maxChannelDifference = 3
    static let maxMeanDifference = 0.05

    @Test(arguments: offlineGoldenCases)
    func matchesGolden(_ c: OfflineGoldenCase) throws {
        let png = try MemeRenderer.renderOffline(request: c.request)
        let file = goldenDirectory.appendingPathComponent(c.name + ".png")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenDirectory, withIntermediateDirectories: true)
            try Data(png).write(to: file)
            return
        }
        let golden = try DecodedImage(png: Array(try Data(contentsOf: file)))
        let image = try DecodedImage(png: png)
        try #require(image.width == golden.width && image.height == golden.height,
                     "\(c.name): \(image.width)×\(image.height), golden \(golden.width)×\(golden.height)")
        let diff = PixelDifference(image, golden)
        #expect(diff.maxChannel <= Self.maxChannelDifference && diff.meanChannel <= Self.maxMeanDifference,
                "\(c.name): \(diff)")
    }
}

/// How far two same-sized images are apart, per colour channel.
struct PixelDifference: CustomStringConvertible {
    var maxChannel = 0
    var meanChannel = 0.0
    var pixelsDiffering = 0
    var firstAt: (x: Int, y: Int)?

    init(_ a: DecodedImage, _ b: DecodedImage) {
        var sum = 0
        for y in 0..<a.height {
            for x in 0..<a.width {
                let p = a.rgb(x, y), q = b.rgb(x, y)
                let d = max(abs(p.r - q.r), abs(p.g - q.g), abs(p.b - q.b))
                sum += abs(p.r - q.r) + abs(p.g - q.g) + abs(p.b - q.b)
                if d > 0 {
                    pixelsDiffering += 1
                    if firstAt == nil { firstAt = (x, y) }
                }
                maxChannel = max(maxChannel, d)
            }
        }
        meanChannel = Double(sum) / Double(a.width * a.height * 3)
    }

    var description: String {
        "max channel difference \(maxChannel), mean \(String(format: "%.4f", meanChannel)), "
            + "\(pixelsDiffering) pixels differ" + (firstAt.map { " (first at \($0.x),\($0.y))" } ?? "")
    }
}
