import Foundation
import TestServers

/// The python server in Resources/http_test_server.py, run on a free loopback port for one test.
final class TestHTTPServer: Sendable {
    let port: Int
    let https: Bool
    let directory: URL
    /// Self-signed certificate (also accepted as a client certificate) and its key, when `https`.
    let certificatePath: String
    let keyPath: String
    private let process: ManagedProcess

    var baseURL: String { "\(https ? "https" : "http")://127.0.0.1:\(port)" }

    init(https: Bool = false) throws {
        port = try FreePort.next()
        self.https = https
        directory = try ManagedProcess.makeTempDirectory(prefix: "curlhttp")
        certificatePath = directory.appendingPathComponent("cert.pem").path
        keyPath = directory.appendingPathComponent("key.pem").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Resources/http_test_server.py").path
        var arguments = [script, "\(port)"]
        if https {
            try Self.run("/usr/bin/env", [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=curlhttp-test", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", keyPath, "-out", certificatePath,
            ])
            arguments += [certificatePath, keyPath]
        }
        process = ManagedProcess(
            name: "http-test-server", executable: try ManagedProcess.locate("python3"),
            arguments: arguments, directory: directory)
        try process.start()
        let port = self.port
        try process.waitUntil { FreePort.isListening(port) }
    }

    deinit {
        process.stop(grace: 1)
        try? FileManager.default.removeItem(at: directory)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ServerProcessError("\(arguments.first ?? executable) failed") }
    }
}
