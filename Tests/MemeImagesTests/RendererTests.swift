import MemeKit
import Testing
@testable import MemeImages

@Suite struct RendererTests {
    let renderer = MemeRenderer()

    /// Width and height from the IHDR chunk, which must directly follow the PNG signature.
    func ihdr(_ png: [UInt8]) -> (width: Int, height: Int)? {
        guard png.count > 24, png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              Array(png[12..<16]) == Array("IHDR".utf8) else { return nil }
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    @Test(arguments: [true, false])
    func pngOfTheRequestedSize(small: Bool) throws {
        let png = try MemeRenderer.renderOffline(request: MemeRequest(prompt: "cat / scaling kubernetes", smallImage: small))
        let size = try #require(ihdr(png))
        #expect(size.width == (small ? 512 : 1024))
        #expect(size.height == size.width)
    }

    /// Counts white-ish and black-ish pixels in a horizontal band.
    func inks(_ image: DecodedImage, rows: Range<Int>) -> (white: Int, black: Int) {
        var white = 0, black = 0
        for y in rows {
            for x in 0..<image.width {
                let p = image.rgb(x, y)
                if p.r > 220 && p.g > 220 && p.b > 220 { white += 1 }
                if p.r < 35 && p.g < 35 && p.b < 35 { black += 1 }
            }
        }
        return (white, black)
    }

    @Test func captionsAppearInTopAndBottomBandsOnly() throws {
        let job = RenderJob(captions: MemeCaptions(top: "TOP TEXT", bottom: "BOTTOM TEXT"), size: 512,
                            background: .solid(red: 0.2, green: 0.4, blue: 0.8))
        let meme = try renderer.renderSync(job)
        let image = try DecodedImage(png: meme.bytes)
        let top = inks(image, rows: 0..<150), middle = inks(image, rows: 170..<340), bottom = inks(image, rows: 362..<512)
        #expect(top.white > 500 && top.black > 500)
        #expect(bottom.white > 500 && bottom.black > 500)
        #expect(middle.white == 0 && middle.black == 0)
        #expect(meme.top?.lineCount == 1 && meme.bottom?.lineCount == 1)
    }

    @Test func bottomOnlyLeavesTopBandEmpty() throws {
        let job = RenderJob(request: MemeRequest(prompt: "just one line", smallImage: true),
                            background: .solid(red: 0.5, green: 0.1, blue: 0.1))
        let meme = try renderer.renderSync(job)
        let image = try DecodedImage(png: meme.bytes)
        #expect(inks(image, rows: 0..<150).white == 0)
        #expect(inks(image, rows: 362..<512).white > 500)
        #expect(meme.top == nil)
    }

    @Test func longTextShrinksAndWrapsToThreeLines() {
        let geometry = CaptionLayout(imageSize: 512)
        let short = renderer.fitCaption("HI", imageSize: 512)
        #expect(short == .init(fontSize: geometry.maxFontSize, lineCount: 1, fits: true))
        let long = renderer.fitCaption("WHEN THE HPA AND KEDA BOTH SCALE THE SAME DEPLOYMENT AND NOBODY KNOWS WHO WON", imageSize: 512)
        #expect(long.fits)
        #expect(long.fontSize < geometry.maxFontSize)
        #expect((2...3).contains(long.lineCount))
        let huge = renderer.fitCaption(String(repeating: "SCALING ", count: 60), imageSize: 512)
        #expect(!huge.fits)
        #expect(huge.fontSize == geometry.minFontSize)
    }

    @Test func truncatedTextIsCutToThreeLines() throws {
        let job = RenderJob(captions: MemeCaptions(top: nil, bottom: String(repeating: "SCALING ", count: 60)),
                            size: 512, background: .solid(red: 0, green: 0.3, blue: 0))
        let meme = try renderer.renderSync(job)
        #expect(meme.bottom?.fits == false)
        #expect(meme.bottom?.lineCount == 3)
    }

    @Test(arguments: [
        "🐱🔥🚀 cats at scale 👩‍👩‍👧‍👦 🏳️‍🌈", "مرحبا بالعالم — التوسع التلقائي", "שלום עולם / קוברנטיס",
        "自動スケーリング / 猫がクラスターを壊した", "Z̷̢̛a̶̡͝l̸̨̛g̵̢̛o̷̧͝ c̵̛a̸͝p̷̨t̶͘i̴o̷n̸", "", " / ", "mixed עברית and English عربي 123",
        "\u{202E}override\u{202C} \u{200B}\u{FEFF}", String(repeating: "🍕", count: 300),
    ])
    func anyTextRendersWithoutCrashing(prompt: String) throws {
        let png = try MemeRenderer.renderOffline(request: MemeRequest(prompt: prompt, smallImage: true))
        #expect(ihdr(png)?.width == 512)
    }

    @Test func deterministicPerPrompt() throws {
        let request = MemeRequest(prompt: "deploy on friday / what could go wrong", smallImage: true)
        let a = try MemeRenderer.renderOffline(request: request)
        let b = try renderer.renderSync(RenderJob(request: request)).bytes
        #expect(a == b)
    }

    @Test func differentPromptsDifferentBackgrounds() throws {
        // No captions: compare only the generated backgrounds.
        func background(_ seed: String) throws -> [UInt32] {
            let job = RenderJob(captions: MemeCaptions(top: nil, bottom: nil), size: 64, background: .generated(seed: seed))
            return try DecodedImage(png: renderer.renderSync(job).bytes).pixels
        }
        let seeds = ["cats", "dogs", "kubernetes", "coffee break", "scale to zero"]
        let images = try seeds.map(background)
        #expect(Set(images.map { $0.hashValue }).count == seeds.count)
    }

    @Test func captionsAnImageBackground() throws {
        // A PNG made by the renderer itself serves as a background for another meme.
        let plain = try renderer.renderSync(RenderJob(captions: MemeCaptions(top: nil, bottom: nil), size: 300,
                                                      background: .solid(red: 1, green: 0, blue: 0)))
        let meme = try renderer.renderSync(RenderJob(captions: MemeCaptions(top: "ON TOP", bottom: nil), size: 512,
                                                     background: .image(plain.bytes)))
        let image = try DecodedImage(png: meme.bytes)
        let centre = image.rgb(256, 300)
        #expect(centre.r > 240 && centre.g < 15 && centre.b < 15)
        #expect(inks(image, rows: 0..<150).white > 300)
    }

    @Test func decodesJPEGBackground() throws {
        let meme = try renderer.renderSync(RenderJob(captions: MemeCaptions(top: nil, bottom: "JPEG"), size: 256, background: .image(orangeJPEG)))
        let image = try DecodedImage(png: meme.bytes)
        #expect(image.width == 256)
        // The orange fixture shows through in the middle and right up to the edges.
        for (x, y) in [(128, 100), (0, 128), (255, 128), (128, 0)] {
            let p = image.rgb(x, y)
            #expect(p.r > 200 && (90...170).contains(p.g) && p.b < 60, "pixel \(x),\(y) is \(p)")
        }
    }

    @Test func badBackgroundsAreClearErrors() throws {
        let cases: [([UInt8], String)] = [
            (Array("<html>nope</html>".utf8), "neither PNG nor JPEG"),
            ([], "neither PNG nor JPEG"),
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0], "PNG could not be decoded"),
            ([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3], "JPEG could not be decoded"),
        ]
        for (bytes, expected) in cases {
            let error = #expect(throws: ImageSourceError.self) {
                try renderer.renderSync(RenderJob(captions: MemeCaptions(top: "X", bottom: nil), size: 128, background: .image(bytes)))
            }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
        }
        #expect(throws: ImageSourceError.self) {
            try renderer.renderSync(RenderJob(captions: MemeCaptions(top: "X", bottom: nil), size: 0, background: .solid(red: 0, green: 0, blue: 0)))
        }
    }

    @Test func asyncRendersInParallelFromManyTasks() async throws {
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let meme = try await renderer.render(RenderJob(request: MemeRequest(prompt: "task \(i) / says hi", smallImage: true)))
                    return meme.bytes.count
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(sizes.count == 8 && sizes.allSatisfy { $0 > 1000 })
    }

    @Test func offlineSourceMakesPNG() async throws {
        let image = try await OfflineImageSource(renderer: renderer).image(for: MemeRequest(prompt: "coffee / before code", smallImage: true))
        #expect(image.contentType == "image/png" && image.width == 512 && image.sourceName == "offline")
        #expect(ihdr(image.bytes)?.width == 512)
    }
}
