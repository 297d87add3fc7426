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

    func run() throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = "no stack.json yet"
        while Date() < deadline {
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
        print(String(format: "%-15@ %-8@ %-9@ %@", "SERVICE", "PID", "RESTARTS", "STATE"))
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
            print(String(format: "%-15@ %-8@ %-9@ %@", name, s.pid.map(String.init) ?? "-", "\(s.restarts)", state))
        }
        if !ok { throw ExitCode.failure }
    }
}

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the running stack (SIGTERM to meme-stack: workers and web drain, Redis saves) and wait until it has exited.")

    @OptionGroup var location: StackLocation
    @Option(help: "Seconds to wait before SIGKILL.") var timeout: Double = 60

    func run() throws {
        guard let manifest = try? StackManifest.read(directory: location.directory) else {
            print("nothing to stop (no \(location.directory)/stack.json)")
            return
        }
        guard kill(manifest.pid, SIGTERM) == 0 else {
            print("meme-stack (pid \(manifest.pid)) was not running")
            try? FileManager.default.removeItem(atPath: location.directory + "/stack.json")
            return
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, kill(manifest.pid, 0) == 0 { usleep(100_000) }
        if kill(manifest.pid, 0) == 0 {
            FileHandle.standardError.write(Data("meme-stack (pid \(manifest.pid)) still running after \(Int(timeout)) s: SIGKILL\n".utf8))
            kill(manifest.pid, SIGKILL)
            throw ExitCode.failure
        }
        print("stopped")
    }
}
