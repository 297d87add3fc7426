import ArgumentParser
import Foundation
import LocalServers
import LocalStack

/// Options shared by the commands that find a running stack through its stack.json.
struct StackLocation: ParsableArguments {
    @Option(help: "The stack's state folder (env: DEMO_DIR; default .demo).") var dir: String?

    var directory: String {
        URL(fileURLWithPath: dir ?? ProcessInfo.processInfo.environment["DEMO_DIR"] ?? ".demo").standardizedFileURL.path
    }
}

struct Wait: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wait until the stack in --dir is up and ready, then print its stack.json (exit 1 on timeout).")

    @OptionGroup var location: StackLocation
    @Option(help: "Seconds to wait.") var timeout: Double = 120
    @Option(help: "Also wait until this many meme-web processes are ready.") var web: Int = 0
    @Option(help: "meme-stack's pid: give up at once when it has exited (a failed start).") var pid: Int32?

    func run() throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = "no stack.json yet"
        while Date() < deadline {
            if let pid, kill(pid, 0) != 0 || Stop.isZombie(pid) {
                FileHandle.standardError.write(Data("meme-stack wait: meme-stack (pid \(pid)) has exited\n".utf8))
                throw ExitCode.failure
            }
            if let manifest = try? StackManifest.read(directory: location.directory) {
                let ready = HTTPProbe.get(port: manifest.ports.control, path: "/readyz")
                if ready?.status == 200, webReady(manifest) >= web {
                    print(manifest.json(), terminator: "")
                    return
                }
                last = ready.map { "control /readyz: \($0.body.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? "control port not answering"
                if kill(manifest.pid, 0) != 0 { last = "meme-stack (pid \(manifest.pid)) is not running" }
            }
            usleep(200_000)
        }
        FileHandle.standardError.write(Data("meme-stack wait: not ready after \(Int(timeout)) s: \(last)\n".utf8))
        throw ExitCode.failure
    }

    private func webReady(_ manifest: StackManifest) -> Int {
        guard web > 0, let body = HTTPProbe.get(port: manifest.ports.control, path: "/stack")?.body,
              let live = try? JSONDecoder().decode(StackManifest.self, from: Data(body.utf8)),
              let state = live.services["web"], state.answering else { return 0 }
        return state.replicas ?? 0
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Each service of the running stack: pid, state, restarts (exit 1 when something is down or nothing runs).")

    @OptionGroup var location: StackLocation

    func run() throws {
        let manifest: StackManifest
        do { manifest = try StackManifest.read(directory: location.directory) } catch {
            print("the demo is not running (\(error))")
            throw ExitCode.failure
        }
        guard kill(manifest.pid, 0) == 0 else {
            print("the demo is not running: meme-stack (pid \(manifest.pid)) has exited; stale \(location.directory)/stack.json")
            throw ExitCode.failure
        }
        let live = HTTPProbe.get(port: manifest.ports.control, path: "/stack")
            .flatMap { try? JSONDecoder().decode(StackManifest.self, from: Data($0.body.utf8)) } ?? manifest
        print("meme-stack pid \(manifest.pid), control \(manifest.urls.control), state \(manifest.directory)")
        func row(_ cells: String...) -> String {
            zip(cells, [15, 8, 9, 0]).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: " ")
        }
        print(row("SERVICE", "PID", "RESTARTS", "STATE"))
        var ok = true
        for name in ["nats", "redis", "redis-exporter", "prometheus", "worker", "web"] {
            guard let s = live.services[name] else { continue }
            let state: String
            if let replicas = s.replicas {
                state = "\(replicas) process\(replicas == 1 ? "" : "es")" + (s.answering ? "" : ", not ready")
            } else if s.heldDown {
                state = "stopped by hand"
            } else {
                state = s.running ? (s.answering ? "answering" : "running, NOT answering") : "not running"
            }
            if !s.answering && s.replicas == nil { ok = false }
            print(row(name, s.pid.map(String.init) ?? "-", "\(s.restarts)", state))
        }
        if !ok { throw ExitCode.failure }
    }
}

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the running stack (SIGTERM to meme-stack: workers and web drain, Redis saves) and wait until it has exited.",
        discussion: """
            When meme-stack itself is gone (killed), the servers it had started are stopped from the pids in stack.json \
            (each checked to still run the program it was; redis-server rewrites its environment, so the MEME_DEMO_DIR \
            mark demo.sh sweeps by cannot find it).
            """)

    @OptionGroup var location: StackLocation
    @Option(help: "Seconds to wait before SIGKILL.") var timeout: Double = 60

    /// The program each server's pid must still run before it is signalled (a pid may have been reused).
    static let programs = ["nats": "nats-server", "redis": "redis-server", "redis-exporter": "redis-exporter",
                           "prometheus": "prometheus"]

    func run() throws {
        guard let manifest = try? StackManifest.read(directory: location.directory) else {
            print("nothing to stop (no \(location.directory)/stack.json)")
            return
        }
        if kill(manifest.pid, 0) == 0, !Self.isZombie(manifest.pid) {
            kill(manifest.pid, SIGTERM)
            if !Self.waitGone([manifest.pid], timeout: timeout) {
                FileHandle.standardError.write(Data("meme-stack (pid \(manifest.pid)) still running after \(Int(timeout)) s: SIGKILL\n".utf8))
                kill(manifest.pid, SIGKILL)
                throw ExitCode.failure
            }
            print("stopped")
            return
        }
        // meme-stack was killed: its servers run on, orphaned.
        let orphans = manifest.services.compactMap { name, state -> Int32? in
            guard let pid = state.pid, let program = Self.programs[name], Self.runs(pid, program) else { return nil }
            return pid
        }
        if !orphans.isEmpty {
            print("meme-stack (pid \(manifest.pid)) is gone; stopping the servers it left: \(orphans.map(String.init).joined(separator: " "))")
            for pid in orphans { kill(pid, SIGTERM) }
            if !Self.waitGone(orphans, timeout: timeout) { for pid in orphans { kill(pid, SIGKILL) } }
        }
        try? FileManager.default.removeItem(atPath: location.directory + "/stack.json")
        print("stopped")
    }

    static func waitGone(_ pids: [Int32], timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if pids.allSatisfy({ kill($0, 0) != 0 || isZombie($0) }) { return true }
            usleep(100_000)
        }
        return false
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    /// True when `pid` is alive and its command line names `program`.
    static func runs(_ pid: Int32, _ program: String) -> Bool {
        guard kill(pid, 0) == 0, !isZombie(pid), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: data, as: UTF8.self).contains(program)
    }
}
