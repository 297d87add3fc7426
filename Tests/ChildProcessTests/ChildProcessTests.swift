import Foundation
import Testing
@testable import ChildProcess

@Suite struct ChildProcessTests {
    @Test func childSeesSIGTERMAndExitsGracefully() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cp-\(UUID().uuidString).log").path
        // The shell's trap only runs if SIGTERM is delivered (not blocked) in the child.
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "trap 'echo got-term; exit 7' TERM; while :; do sleep 0.05; done"],
            output: log)
        usleep(200_000)
        #expect(child.isRunning)
        #expect(child.terminate(grace: 5) == 7)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("got-term"))
    }

    @Test func exitCodesAndKill() throws {
        let ok = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "exit 3"])
        #expect(ok.wait(timeout: 5) == 3)
        let hung = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        hung.signal(SIGKILL)
        #expect(hung.wait(timeout: 5) == 128 + SIGKILL)
        #expect(throws: ChildProcessError.self) { try ChildProcess(executable: "/nonexistent/bin", arguments: []) }
    }

    /// A descriptor the parent holds without CLOEXEC (as a listening socket may be) is not inherited.
    @Test func childGetsOnlyStandardDescriptors() throws {
        let leaked = open("/dev/null", O_RDONLY)  // no O_CLOEXEC on purpose
        #expect(leaked > 2)
        defer { close(leaked) }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cp-\(UUID().uuidString).log").path
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd"], output: log)
        #expect(child.wait(timeout: 10) == 0)
        let fds = try String(contentsOfFile: log, encoding: .utf8).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(fds.sorted() == [0, 1, 2], "the shell had descriptors \(fds); \(leaked) was open in the parent")
    }
}
