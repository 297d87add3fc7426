import Testing
@testable import ConsoleUI

@Suite("Display width")
struct CharWidthTests {
    @Test(arguments: [
        ("a", 1), (" ", 1), ("é", 1), ("e\u{301}", 1), ("…", 1), ("█", 1), ("▁", 1), ("│", 1), ("✓", 1),
        ("猫", 2), ("한", 2), ("Ａ", 2), ("。", 2), ("🔥", 2), ("🚀", 2), ("👨‍👩‍👧", 2), ("🇫🇷", 2), ("❤️", 2),
        ("\u{1B}", 0), ("\t", 0), ("\u{200B}", 0), ("\u{301}", 0),
    ])
    func characterWidth(_ text: String, _ expected: Int) {
        let ch = Character(text)
        #expect(displayWidth(ch) == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func stringWidthCountsGraphemes() {
        #expect(displayWidth("hello") == 5)
        #expect(displayWidth("猫がいる") == 8)
        #expect(displayWidth("ok 🔥") == 5)
        #expect(displayWidth("") == 0)
    }

    @Test func truncateEndsWithEllipsisAndNeverSplitsWideCharacters() {
        #expect(truncate("kubernetes", toWidth: 20) == "kubernetes")
        #expect(truncate("kubernetes", toWidth: 5) == "kube…")
        #expect(truncate("猫猫猫猫", toWidth: 4) == "猫…")
        #expect(displayWidth(truncate("猫猫猫猫", toWidth: 4)) <= 4)
        #expect(truncate("abc", toWidth: 1) == "…")
        #expect(truncate("abc", toWidth: 0) == "")
    }

    @Test func sanitizeRemovesControlCharacters() {
        let clean = sanitize("\u{1B}[2Jx\ty\n\u{7}")
        #expect(!clean.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(clean.contains("[2Jx y"))
    }
}
