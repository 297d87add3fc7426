import Foundation
import TestServers

/// The shared captures: `shared/fixtures` beside the repository clone (`<repo>/../shared`, as in CI),
/// or beside one of its parent folders (git worktrees under /work/wt/<name> find /work/shared).
/// `MEME_FIXTURES_DIR` overrides. A missing directory fails the tests that need it, with the paths tried.
enum Fixtures {
    static let located: Result<URL, TestServerError> = {
        if let override = ProcessInfo.processInfo.environment["MEME_FIXTURES_DIR"] {
            return .success(URL(fileURLWithPath: override))
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        var tried = [String]()
        var parent = dir.deletingLastPathComponent()
        while true {
            let candidate = parent.appendingPathComponent("shared/fixtures").standardizedFileURL
            tried.append(candidate.path)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("SOURCES.md").path) { return .success(candidate) }
            if parent.path == "/" { break }
            parent = parent.deletingLastPathComponent()
        }
        return .failure(TestServerError("fixtures missing: put shared/ beside the clone (tried \(tried.joined(separator: ", "))) or set MEME_FIXTURES_DIR"))
    }()

    static func directory() throws -> URL { try located.get() }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: try directory().appendingPathComponent(path)))
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: try directory().appendingPathComponent(path), encoding: .utf8)
    }
}

/// Resources/fake_kubernetes_api.py on a free loopback port, replaying the fixtures.
final class FakeKubernetesAPI: Sendable {
    let port: Int
    private let process: ManagedProcess
    var url: String { "http://127.0.0.1:\(port)" }

    init(token: String? = nil, missingGroups: [String] = []) throws {
        port = try FreePort.next()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/fake_kubernetes_api.py").path
        var arguments = [script, "\(port)", try Fixtures.directory().path]
        if let token { arguments += ["--token", token] }
        for group in missingGroups { arguments += ["--missing-group", group] }
        process = ManagedProcess(name: "fake-kube-api", executable: try ManagedProcess.locate("python3"), arguments: arguments,
                                 directory: try ManagedProcess.makeTempDirectory(prefix: "fake-kube"))
        try process.start()
        let port = self.port
        try process.waitUntil { FreePort.isListening(port) }
    }

    deinit { process.stop(grace: 1) }
}
