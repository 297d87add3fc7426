import Foundation
import TestServers

/// Resources/hf_stub_server.py (answers like the Hugging Face inference API) on a free loopback
/// port, for one test. Spawned through ManagedProcess (posix_spawn), so stop() sends a real SIGTERM.
final class HFStubServer: Sendable {
    let port: Int
    let token: String
    private let process: ManagedProcess
    private let directory: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }
    func url(_ path: String) -> String { baseURL + path }

    init(token: String = "hf_stubTOKEN_\(UUID().uuidString.prefix(8))") throws {
        port = try FreePort.next()
        self.token = token
        directory = try ManagedProcess.makeTempDirectory(prefix: "hfstub")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Resources/hf_stub_server.py").path
        process = ManagedProcess(
            name: "hf-stub", executable: try ManagedProcess.locate("python3"),
            arguments: [script, "\(port)", token], directory: directory)
        try process.start()
        let port = self.port
        try process.waitUntil { FreePort.isListening(port) }
    }

    deinit {
        process.stop(grace: 1)
        try? FileManager.default.removeItem(at: directory)
    }

    struct SeenRequest: Decodable {
        var path: String
        var authorization: String
        var body: Body?
        struct Body: Decodable {
            var inputs: String
            var parameters: [String: Int]
        }
    }

    /// Every POST the stub has seen, oldest first.
    func requests() throws -> [SeenRequest] {
        guard let response = HTTPProbe.get(port: port, path: "/_requests"), response.status == 200 else {
            throw ServerProcessError("hf stub did not list its requests:\n\(process.logTail())")
        }
        return try JSONDecoder().decode([SeenRequest].self, from: Data(response.body.utf8))
    }
}
