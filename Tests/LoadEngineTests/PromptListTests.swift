import Foundation
import Testing
@testable import LoadEngine

struct PromptListTests {
    @Test func builtInListIsLongAndSplitsTopAndBottom() {
        let list = PromptList.builtIn
        #expect(list.count >= 30)
        #expect(list.prompts.filter { $0.contains(" / ") }.count >= 30)
        #expect(Set(list.prompts).count == list.count)
        #expect(list.prompts.allSatisfy { $0.count <= 500 && !$0.isEmpty })
        #expect(list.prompt(list.count) == list.prompt(0))
        #expect(list.prompt(-1) == list.prompts.last)
    }

    @Test func parseSkipsBlankLinesAndComments() throws {
        let text = "# funny ones\n\n  top / bottom  \r\n\t\n#another comment\nsecond line\n"
        let list = try PromptList.parse(text, source: "p.txt")
        #expect(list.prompts == ["top / bottom", "second line"])
        #expect(list.source == "p.txt")
    }

    @Test func emptyOrCommentOnlyIsAClearError() {
        #expect(throws: LoadError("prompt file p.txt has no prompts (only blank lines or #comments)")) {
            try PromptList.parse("# nothing\n\n   \n", source: "p.txt")
        }
        #expect(throws: LoadError("prompt file p.txt has no prompts (only blank lines or #comments)")) {
            try PromptList.parse("", source: "p.txt")
        }
    }

    @Test func tooLongOrControlCharactersNameTheLine() {
        let long = String(repeating: "a", count: 501)
        #expect(throws: LoadError("p.txt:3 has 501 characters; the limit is 500")) {
            try PromptList.parse("ok\n# c\n\(long)\n", source: "p.txt")
        }
        #expect(throws: LoadError("p.txt:1 contains a control character")) {
            try PromptList.parse("bell \u{07} here", source: "p.txt")
        }
    }

    @Test func filesAreReadAndMissingOnesAreClearErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.txt")
        try "one / two\n# skip\nthree\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try PromptList.load(file: file.path).prompts == ["one / two", "three"])

        let missing = dir.appendingPathComponent("nope.txt").path
        #expect(throws: LoadError("prompt file \(missing) does not exist")) { try PromptList.load(file: missing) }
        #expect(throws: LoadError("prompt file \(dir.path) is a directory")) { try PromptList.load(file: dir.path) }
        let empty = dir.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        #expect(throws: LoadError("prompt file \(empty.path) has no prompts (only blank lines or #comments)")) {
            try PromptList.load(file: empty.path)
        }
        let binary = dir.appendingPathComponent("bin.txt")
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: binary)
        #expect(throws: LoadError("prompt file \(binary.path) is not UTF-8 text")) { try PromptList.load(file: binary.path) }
    }

    @Test func aListGivenInCodeIsChecked() {
        #expect(throws: LoadError("list holds no prompts")) { try PromptList([]) }
        #expect(throws: LoadError("list: prompt 2 is blank")) { try PromptList(["a", "  "]) }
    }
}
