import Foundation
import Testing
@testable import WebService

/// Static checks of the page files: the CSP forbids inline script/style, and user text must
/// never reach HTML parsing (textContent only).
@Suite struct PageTests {
    static func files(withExtension ext: String) throws -> [(String, String)] {
        let root = URL(fileURLWithPath: Fixtures.publicDirectory)
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        return try enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == ext }.map {
            ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8))
        }
    }

    @Test func scriptsNeverParseHTML() throws {
        let scripts = try Self.files(withExtension: "js")
        #expect(scripts.count >= 4)
        for (name, source) in scripts {
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                #expect(!source.contains(sink), "\(name) uses \(sink)")
            }
        }
    }

    @Test func htmlHasNoInlineScriptOrStyleAndLabelsEveryInput() throws {
        for (name, html) in try Self.files(withExtension: "html") {
            #expect(!html.contains("style="), "\(name) has an inline style attribute")
            #expect(!html.contains("<style"), "\(name) has a <style> element")
            #expect(!html.contains(" on") || !html.contains("onclick="), "\(name) has an inline handler")
            let scripts = html.components(separatedBy: "<script").dropFirst()
            for script in scripts { #expect(script.hasPrefix(" type=\"module\" src=\"/assets/"), "\(name): \(script.prefix(60))") }
            #expect(html.contains("<html lang=\"en\">"))
            #expect(html.contains("name=\"viewport\""))
            // Every input and textarea has a matching <label for=…>.
            let ids = html.matches(of: /<(?:input|textarea)[^>]*\sid="([^"]+)"/).map { String($0.output.1) }
            for id in ids { #expect(html.contains("for=\"\(id)\""), "\(name): #\(id) has no label") }
        }
    }

    @Test func assetsLoadWithMimeTypes() throws {
        let assets = try StaticAssets.load(directory: Fixtures.publicDirectory)
        #expect(assets.asset(for: "/")?.contentType == "text/html; charset=utf-8")
        #expect(assets.asset(for: "/assets/style.css")?.contentType == "text/css; charset=utf-8")
        #expect(assets.asset(for: "/assets/app.js")?.contentType == "text/javascript; charset=utf-8")
        #expect(throws: WebServiceError.self) { try StaticAssets.load(directory: "/nonexistent-meme-dir") }
    }
}
