import Autoscaling
import Foundation
import LocalStack
import TestServers

/// `meme-stack up --free-ports` as a real process with a copy of k8s/base the test may edit, state
/// under a temp dir; `stop()` sends SIGTERM and waits, as demo.sh does.
final class RunningStack: @unchecked Sendable {
    let directory: URL
    let k8s: URL
    let process: ProgramProcess
    private(set) var manifest: StackManifest!

    /// `edit(k8s)` changes the copied objects before the stack reads them.
    init(only services: [String], arguments: [String] = [], environment: [String: String] = [:],
         edit: (URL) throws -> Void = { _ in }) throws {
        directory = try ManagedProcess.makeTempDirectory(prefix: "stack")
        k8s = directory.appendingPathComponent("k8s")
        try FileManager.default.createDirectory(at: k8s, withIntermediateDirectories: true)
        for sub in ["worker", "web", "redis"] {
            try FileManager.default.copyItem(atPath: "\(k8sBase)/\(sub)", toPath: k8s.appendingPathComponent(sub).path)
        }
        try edit(k8s)
        process = try ProgramProcess("meme-stack", arguments: [
            "up", "--free-ports", "--dir", directory.appendingPathComponent("state").path, "--k8s", k8s.path,
            "--only", services.joined(separator: ","),
        ] + arguments, environment: environment)
    }

    /// Replaces `old` by `new` in one of the copied objects (`web/deployment.yaml` …); fails if `old` is not there.
    static func replace(_ old: String, with new: String, in file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        guard text.contains(old) else { throw ServerProcessError("\(file.lastPathComponent) has no '\(old)'") }
        try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
    }

    /// Waits for stack.json and a ready control port.
    func waitUntilReady(timeout: TimeInterval = 90) async throws {
        let state = directory.appendingPathComponent("state").path
        try await waitFor("the stack", timeout: timeout) {
            guard let m = try? StackManifest.read(directory: state) else { return false }
            manifest = m
            return HTTPProbe.get(port: m.ports.control, path: "/readyz")?.status == 200
        }
    }

    var log: String { process.log }

    func status() throws -> LocalScalerStatus {
        guard let r = HTTPProbe.get(port: manifest.ports.control, path: "/status") else { throw ServerProcessError("GET /status: no answer") }
        return try JSONDecoder().decode(LocalScalerStatus.self, from: Data(r.body.utf8))
    }

    func waitFor(_ what: String, timeout: TimeInterval, _ check: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? check()) == true { return }
            if !process.process.isRunning { throw ServerProcessError("meme-stack exited while waiting for \(what):\n\(log)") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ServerProcessError("timed out after \(Int(timeout)) s waiting for \(what); log:\n\(log)")
    }

    /// SIGTERM and the exit status (nil if it did not exit in time).
    func stop(timeout: TimeInterval = 90) -> Int32? {
        process.process.signal(SIGTERM)
        return process.process.waitForExit(timeout: timeout)
    }
}
