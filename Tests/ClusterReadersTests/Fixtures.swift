import Foundation
import TestServers

/// The shared captures: `<repo root>/../shared/fixtures` (a sibling of the clone, in CI too).
enum Fixtures {
    static let directory: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        let fixtures = dir.deletingLastPathComponent().appendingPathComponent("shared/fixtures").standardizedFileURL
        precondition(FileManager.default.fileExists(atPath: fixtures.appendingPathComponent("SOURCES.md").path),
                     "fixtures missing: expected \(fixtures.path) (shared/ beside the repository clone)")
        return fixtures
    }()

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(path)))
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
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
        var arguments = [script, "\(port)", Fixtures.directory.path]
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
