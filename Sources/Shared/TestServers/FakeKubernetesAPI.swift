import Foundation

/// The captured fixtures the tests replay: real Kubernetes, Prometheus and NATS responses kept in
/// the repository (Tests/Fixtures, with SOURCES.md naming where each came from).
public enum SharedFixtures {
    /// Tests/Fixtures in this repository (SOURCES.md there says where each capture came from);
    /// `MEME_FIXTURES_DIR` overrides it, to replay another set of captures.
    private static let located: Result<URL, ServerProcessError> = {
        let dir = ProcessInfo.processInfo.environment["MEME_FIXTURES_DIR"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent("Tests/Fixtures")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("SOURCES.md").path) else {
            return .failure(ServerProcessError("fixtures missing: \(dir.path)/SOURCES.md does not exist"))
        }
        return .success(dir)
    }()

    /// The folder holding Package.swift, found from this source file's path.
    static let repositoryRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()

    /// Throws a clear error naming the path when the fixtures are not there.
    public static func directory() throws -> URL { try located.get() }

    public static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: try directory().appendingPathComponent(path)))
    }

    public static func text(_ path: String) throws -> String {
        try String(contentsOf: try directory().appendingPathComponent(path), encoding: .utf8)
    }
}

/// A fake Kubernetes API server on a free loopback port that replays the real captures in
/// `Tests/Fixtures` (script: Tests/ClusterReadersTests/Resources/fake_kubernetes_api.py, which
/// documents every route and the List/VPA wrapping). Plain HTTP, like `kubectl proxy`.
///
/// Namespaces with data: kube-system and default/icx (Deployments), openshift-ingress-operator
/// (KEDA-owned HPA, ScaledObject), keda (two ScaledObjects), vpa-adventure (three VPAs),
/// default (one Event). Other namespaces answer empty lists.
public final class FakeKubernetesAPI: Sendable {
    public let port: Int
    private let process: ManagedProcess
    public var url: String { "http://127.0.0.1:\(port)" }

    /// - Parameters:
    ///   - token: when set, requests without `Authorization: Bearer <token>` get the captured 403 (system:anonymous).
    ///   - missingGroups: API groups answered with the captured 404, e.g. `["keda.sh"]` for "KEDA not installed".
    ///   - seed: a JSON file with a list of objects stored at start (the write path's store).
    ///   - recordWrites: every POST / PATCH / DELETE is appended there as one JSON line.
    public init(token: String? = nil, missingGroups: [String] = [], seed: String? = nil, recordWrites: String? = nil) throws {
        port = try FreePort.next()
        let script = SharedFixtures.repositoryRoot.appendingPathComponent("Tests/ClusterReadersTests/Resources/fake_kubernetes_api.py").path
        var arguments = [script, "\(port)", try SharedFixtures.directory().path]
        if let token { arguments += ["--token", token] }
        for group in missingGroups { arguments += ["--missing-group", group] }
        if let seed { arguments += ["--seed", seed] }
        if let recordWrites { arguments += ["--record-writes", recordWrites] }
        process = ManagedProcess(name: "fake-kube-api", executable: try ManagedProcess.locate("python3"), arguments: arguments,
                                 directory: try ManagedProcess.makeTempDirectory(prefix: "fake-kube"))
        try process.start()
        let port = self.port
        try process.waitUntil { FreePort.isListening(port) }
    }

    deinit { process.stop(grace: 1) }
    public func stop() { process.stop(grace: 1) }
}
