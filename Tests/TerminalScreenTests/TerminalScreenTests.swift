// The ncurses writer on a real pseudo-terminal: what it writes to the terminal and how it decodes
// keys. One terminal at a time (ncurses keeps global state), so the suite is serialised.
import ConsoleUI
import Foundation
import Testing
@testable import TerminalScreen

#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair: the writer gets the follower side, the test plays the user on the leader side.
final class PseudoTerminal {
    let leader: Int32
    let follower: Int32

    init(columns: Int, rows: Int) throws {
        var leader: Int32 = -1, follower: Int32 = -1
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&leader, &follower, nil, nil, &size) == 0 else {
            throw TerminalError(message: "openpty failed: errno \(errno)")
        }
        self.leader = leader
        self.follower = follower
        _ = fcntl(leader, F_SETFL, fcntl(leader, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(leader)
        close(follower)
    }

    /// Everything the writer sent, read until it has been quiet for a moment.
    func drain() -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var quiet = 0
        while quiet < 5 {
            let n = read(leader, &buffer, buffer.count)
            if n > 0 {
                bytes += buffer[0..<n]
                quiet = 0
            } else {
                quiet += 1
                usleep(20_000)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func type(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { write(leader, $0.baseAddress, $0.count - 1) }
    }

    func resize(columns: Int, rows: Int) {
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(follower, UInt(TIOCSWINSZ), &size)
    }
}

private func sample() -> ConsoleSnapshot {
    ConsoleSnapshot(
        sources: SourceStatuses(nats: .ok, prometheus: .ok, kubernetes: .disabled),
        mode: .local,
        workloads: [Workload(name: "worker", kind: "Process", replicas: 3, ready: 3, desired: 3)],
        queue: QueueStats(stream: "MEMES", consumer: "meme-generator", pending: 7, ackPending: 1, redelivered: 0,
                          lag: 8, lagThreshold: 10),
        recent: [RecentMeme(id: "a", prompt: "猫 cat", latencyMilliseconds: 640, ok: true)]
    )
}

@Suite("Terminal on a pseudo-terminal", .serialized)
struct TerminalScreenTests {
    @Test func drawsFramesAndOnlyTheChangesAfterwards() throws {
        let pty = try PseudoTerminal(columns: 80, rows: 24)
        let terminal = try Terminal(input: pty.follower, output: pty.follower, terminalType: "xterm-256color")
        defer { terminal.stop() }
        #expect(terminal.size == TerminalSize(columns: 80, rows: 24))

        terminal.draw(render(sample(), size: terminal.size, ui: UIState(), clock: "12:00:00"))
        let first = pty.drain()
        #expect(first.contains("MEME CONSOLE"))
        #expect(first.contains("12:00:00"))
        #expect(first.contains("猫"))
        #expect(first.contains("\u{1B}["))  // escape sequences: it really drives a terminal

        // Same frame but the clock: only a few bytes go out, not a repaint.
        terminal.draw(render(sample(), size: terminal.size, ui: UIState(), clock: "12:00:01"))
        let second = pty.drain()
        #expect(second.contains("1"))
        #expect(!second.contains("MEME CONSOLE"))
        #expect(second.utf8.count < first.utf8.count / 10, "\(second.utf8.count) bytes for a one-digit change")

        // Nothing changed: nothing (or next to nothing) is written.
        terminal.draw(render(sample(), size: terminal.size, ui: UIState(), clock: "12:00:01"))
        #expect(pty.drain().utf8.count < 16)
    }

    @Test func decodesKeys() throws {
        let pty = try PseudoTerminal(columns: 80, rows: 24)
        let terminal = try Terminal(input: pty.follower, output: pty.follower, terminalType: "xterm-256color")
        defer { terminal.stop() }
        _ = pty.drain()

        func next() -> Key? {
            for _ in 0..<20 {
                if let key = terminal.readKey(timeoutMilliseconds: 50) { return key }
            }
            return nil
        }
        #expect(terminal.readKey(timeoutMilliseconds: 10) == nil)  // nothing typed: times out
        pty.type("q")
        #expect(next() == .character("q"))
        pty.type(" ")
        #expect(next() == .character(" "))
        pty.type("\r")
        #expect(next() == .enter)
        pty.type("猫")
        #expect(next() == .character("猫"))
        pty.type("\u{1B}OA")  // cursor up, as xterm sends it in keypad mode
        #expect(next() == .up)
        pty.type("\u{1B}")
        #expect(next() == .escape)
    }

    @Test func reportsResizeAndRepaints() throws {
        let pty = try PseudoTerminal(columns: 80, rows: 24)
        let terminal = try Terminal(input: pty.follower, output: pty.follower, terminalType: "xterm-256color")
        defer { terminal.stop() }
        terminal.draw(render(sample(), size: terminal.size, ui: UIState()))
        _ = pty.drain()

        pty.resize(columns: 100, rows: 30)
        // No SIGWINCH here (the pty is not our controlling terminal): readKey notices on its own.
        var key: Key?
        for _ in 0..<20 where key == nil { key = terminal.readKey(timeoutMilliseconds: 50) }
        #expect(key == .resize(TerminalSize(columns: 100, rows: 30)))
        #expect(terminal.size == TerminalSize(columns: 100, rows: 30))

        terminal.draw(render(sample(), size: terminal.size, ui: UIState()))
        #expect(pty.drain().contains("MEME CONSOLE"))  // a full repaint at the new size
    }

    @Test func stopIsIdempotentAndLaterCallsAreHarmless() throws {
        let pty = try PseudoTerminal(columns: 40, rows: 10)
        let terminal = try Terminal(input: pty.follower, output: pty.follower, terminalType: "xterm-256color")
        terminal.stop()
        terminal.stop()
        terminal.draw(render(sample(), size: TerminalSize(columns: 40, rows: 10), ui: UIState()))
        #expect(terminal.readKey(timeoutMilliseconds: 1) == nil)
        #expect(terminal.size == TerminalSize(columns: 0, rows: 0))
    }

    @Test func unknownTerminalTypeIsAClearError() throws {
        let pty = try PseudoTerminal(columns: 40, rows: 10)
        #expect(throws: TerminalError.self) {
            _ = try Terminal(input: pty.follower, output: pty.follower, terminalType: "no-such-terminal-xyz")
        }
    }

    @Test func monochromeTerminalStillDraws() throws {
        let pty = try PseudoTerminal(columns: 80, rows: 24)
        let terminal = try Terminal(input: pty.follower, output: pty.follower, terminalType: "vt100")
        defer { terminal.stop() }
        #expect(!terminal.hasColors)
        terminal.draw(render(sample(), size: terminal.size, ui: UIState()))
        #expect(pty.drain().contains("MEME CONSOLE"))
    }

    @Test func controlCharactersMapToKeys() {
        #expect(Terminal.decodeCharacter(27) == .escape)
        #expect(Terminal.decodeCharacter(13) == .enter)
        #expect(Terminal.decodeCharacter(127) == .backspace)
        #expect(Terminal.decodeCharacter(0x732B) == .character("猫"))
        #expect(Terminal.decodeCharacter(0xD800) == .other(0xD800))
    }
}
