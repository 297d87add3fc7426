import Foundation

/// A tool the benchmarks compare against (wrk, nats-py, Pillow): run to completion, output kept.
struct CapturedRun {
    var status: Int32
    var output: String

    /// Runs `executable` (a path, or a name looked up in PATH) with stdout, and stderr unless
    /// `keepStderr` is false, captured.
    static func run(_ executable: String, _ arguments: [String], keepStderr: Bool = true) throws -> CapturedRun {
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        if keepStderr { process.standardError = pipe }
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CapturedRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
