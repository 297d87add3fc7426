import Foundation

/// Paths of this package's own executables (meme-worker, meme-web, …) for tests that run them
/// as real processes: `$MEME_BIN` when set (./demo.sh test sets it), else the folder of the
/// running test bundle, which SwiftPM shares with the executables.
public enum BuiltBinary {
    public static func path(_ name: String) throws -> String {
        var folders: [String] = []
        if let bin = ProcessInfo.processInfo.environment["MEME_BIN"], !bin.isEmpty { folders.append(bin) }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        folders.append(me.deletingLastPathComponent().path)
        // The xctest bundle may sit one level deeper (…/debug/X.xctest/…).
        folders.append(me.deletingLastPathComponent().deletingLastPathComponent().path)
        for folder in folders {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ServerProcessError("\(name) is not built (looked in \(folders.joined(separator: ", "))); run `swift build` first")
    }
}

/// One of our programs running as a real child process, with its log in a temp dir.
public final class ProgramProcess: @unchecked Sendable {
    public let process: ManagedProcess

    public init(_ name: String, arguments: [String] = [], environment: [String: String]) throws {
        let dir = try ManagedProcess.makeTempDirectory(prefix: name)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process = ManagedProcess(name: name, executable: try BuiltBinary.path(name), arguments: arguments, directory: dir, environment: env)
        try process.start()
    }

    deinit { process.stop() }

    public var log: String { process.logTail(20_000) }
}
