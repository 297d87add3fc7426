import MemeKit
import Testing
@testable import MemeImages

@Suite struct CaptionsTests {
    @Test func explicitTextWins() {
        let c = MemeCaptions(request: MemeRequest(prompt: "ignored / too", topText: "one does not", bottomText: "simply"))
        #expect(c == MemeCaptions(top: "ONE DOES NOT", bottom: "SIMPLY"))
    }

    @Test func onlyBottomTextGiven() {
        let c = MemeCaptions(request: MemeRequest(prompt: "x", topText: "  ", bottomText: "deploy on friday"))
        #expect(c.top == nil)
        #expect(c.bottom == "DEPLOY ON FRIDAY")
    }

    @Test func promptSplitsOnSlashOrPipe() {
        #expect(MemeCaptions(request: MemeRequest(prompt: "top / bottom / more")) == MemeCaptions(top: "TOP", bottom: "BOTTOM / MORE"))
        #expect(MemeCaptions(request: MemeRequest(prompt: "a | b")) == MemeCaptions(top: "A", bottom: "B"))
        #expect(MemeCaptions(request: MemeRequest(prompt: "a | b / c")).top == "A")
        // No spaces around the slash: not a separator (e.g. "CI/CD").
        #expect(MemeCaptions(request: MemeRequest(prompt: "ci/cd")) == MemeCaptions(top: nil, bottom: "CI/CD"))
    }

    @Test func singleLineGoesToTheBottom() {
        let c = MemeCaptions(request: MemeRequest(prompt: "cat scaling kubernetes"))
        #expect(c.top == nil)
        #expect(c.bottom == "CAT SCALING KUBERNETES")
    }

    @Test func lowercaseKeptWhenAsked() {
        #expect(MemeCaptions(request: MemeRequest(prompt: "Hello"), uppercase: false).bottom == "Hello")
    }

    @Test func cleaningCollapsesControlsAndBlank() {
        #expect(MemeCaptions.clean("a\n\tb\u{0}  c  ") == "a b c")
        #expect(MemeCaptions.clean(" \n ") == nil)
        #expect(MemeCaptions(request: MemeRequest(prompt: "")).isEmpty)
        #expect(MemeCaptions(request: MemeRequest(prompt: " / ")).isEmpty)
        let long = String(repeating: "ab ", count: 200)
        #expect(MemeCaptions.clean(long)!.count == MemeCaptions.maxCharacters)
        #expect(MemeCaptions.clean(long)!.hasSuffix("…"))
    }
}

@Suite struct CaptionLayoutTests {
    /// A fake monospace measurer: each character is 0.6 × size wide, lines 1.2 × size high,
    /// greedy word wrap at the box width.
    func monospace(_ text: String, _ layout: CaptionLayout) -> (Int) -> CaptionLayout.Measurement {
        { size in
            let charWidth = Double(size) * 0.6
            let perLine = max(1, Int(Double(layout.boxWidth) / charWidth))
            var lines = 1, current = 0, widest = 0
            for word in text.split(separator: " ") {
                let needed = current == 0 ? word.count : current + 1 + word.count
                if needed > perLine && current > 0 {
                    lines += 1
                    current = word.count
                } else {
                    current = needed
                }
                widest = max(widest, current)
            }
            return .init(lineCount: lines, width: Int(Double(widest) * charWidth), height: Int(Double(lines) * Double(size) * 1.2))
        }
    }

    @Test func shortTextGetsTheLargestSize() {
        let layout = CaptionLayout(imageSize: 1024)
        let fit = layout.fit(measure: monospace("HI", layout))
        #expect(fit == .init(fontSize: layout.maxFontSize, lineCount: 1, fits: true))
    }

    @Test func longTextShrinksAndWrapsWithinMaxLines() {
        let layout = CaptionLayout(imageSize: 512)
        let text = "WHEN THE AUTOSCALER ADDS TEN WORKERS BUT THE QUEUE WAS ALREADY EMPTY"
        let fit = layout.fit(measure: monospace(text, layout))
        #expect(fit.fits)
        #expect(fit.fontSize < layout.maxFontSize)
        #expect(fit.fontSize >= layout.minFontSize)
        #expect(fit.lineCount <= 3)
        // Largest: one pixel more does not fit.
        #expect(!layout.fits(monospace(text, layout)(fit.fontSize + 1)))
    }

    @Test func hugeTextFallsBackToMinimumAndReportsTruncation() {
        let layout = CaptionLayout(imageSize: 512)
        let text = String(repeating: "WORD ", count: 300)
        let fit = layout.fit(measure: monospace(text, layout))
        #expect(fit == .init(fontSize: layout.minFontSize, lineCount: 3, fits: false))
    }

    @Test func geometryScalesWithImage() {
        let small = CaptionLayout(imageSize: 512), large = CaptionLayout(imageSize: 1024)
        #expect(large.maxFontSize == 2 * small.maxFontSize)
        #expect(small.boxWidth == 512 - 2 * small.margin)
        #expect(small.minFontSize < small.maxFontSize)
    }
}

@Suite struct OfflineArtTests {
    @Test func wordsPickEmoji() {
        #expect(EmojiTable.emoji(for: "my cat on stage", hash: 0) == "🐱")
        #expect(EmojiTable.emoji(for: "Kubernetes at scale", hash: 0) == "☸️")
        #expect(EmojiTable.emoji(for: "K8S!!", hash: 0) == "☸️")
        #expect(EmojiTable.emoji(for: "two pizzas", hash: 0) == "🍕")
        #expect(EmojiTable.emoji(for: "coffee", hash: 0) == "☕")
    }

    @Test func fallbackIsDeterministic() {
        let a = OfflineArt(seed: "zxqv blorp")
        #expect(a == OfflineArt(seed: "zxqv blorp"))
        #expect(EmojiTable.fallbacks.contains(a.emoji))
    }

    @Test func differentPromptsDifferentArt() {
        let arts = Set(["a", "b", "c", "hello world", "scale to zero"].map { OfflineArt(seed: $0).angle })
        #expect(arts.count > 1)
        #expect(OfflineArt.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(OfflineArt.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
    }
}
