import Foundation

/// The captured fixtures (`shared/fixtures`, see its SOURCES.md): beside the repository clone
/// (`<repo>/../shared`, as in CI) or beside a parent folder (worktrees under /work/wt/<name>
/// find /work/shared). `MEME_FIXTURES_DIR` overrides.
public enum SharedFixtures {
    private static let located: Result<URL, TestServerError> = {
        if let override = ProcessInfo.processInfo.environment["MEME_FIXTURES_DIR"] {
            return .success(URL(fileURLWithPath: override))
        }
        var tried = [String]()
        var parent = repositoryRoot.deletingLastPathComponent()
        while true {
            let candidate = parent.appendingPathComponent("shared/fixtures").standardizedFileURL
            tried.append(candidate.path)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("SOURCES.md").path) { return .success(candidate) }
            if parent.path == "/" { break }
            parent = parent.deletingLastPathComponent()
        }
        return .failure(TestServerError(
            "fixtures missing: put shared/ beside the clone (tried \(tried.joined(separator: ", "))) or set MEME_FIXTURES_DIR"))
    }()

    /// The folder holding Package.swift, found from this source file's path.
    static let repositoryRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()

    /// Throws a clear error naming the paths tried when the fixtures are not there.
    public static func directory() throws -> URL { try located.get() }

    public static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: try directory().appendingPathComponent(path)))
    }

    public static func text(_ path: String) throws -> String {
        try String(contentsOf: try directory().appendingPathComponent(path), encoding: .utf8)
    }
}

/// A fake Kubernetes API server on a free loopback port that replays the real captures in
/// `shared/fixtures` (script: Tests/ClusterReadersTests/Resources/fake_kubernetes_api.py, which
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
    public init(token: String? = nil, missingGroups: [String] = []) throws {
        port = try FreePort.next()
        let script = SharedFixtures.repositoryRoot.appendingPathComponent("Tests/ClusterReadersTests/Resources/fake_kubernetes_api.py").path
        var arguments = [script, "\(port)", try SharedFixtures.directory().path]
        if let token { arguments += ["--token", token] }
        for group in missingGroups { arguments += ["--missing-group", group] }
        process = ManagedProcess(name: "fake-kube-api", executable: try ManagedProcess.locate("python3"), arguments: arguments,
                                 directory: try ManagedProcess.makeTempDirectory(prefix: "fake-kube"))
        try process.start()
        let port = self.port
        try process.waitUntil { FreePort.isListening(port) }
    }

    deinit { process.stop(grace: 1) }
    public func stop() { process.stop(grace: 1) }
}
