import Testing
@testable import ConsoleUI

/// Checks that hold for every frame: right size, each row exactly as wide as the terminal, wide
/// characters paired with a continuation cell, no control characters.
func checkInvariants(_ f: Frame, _ label: String) {
    #expect(f.cells.count == f.size.columns * f.size.rows, "\(label): cell count")
    for row in 0..<f.size.rows {
        var width = 0
        for col in 0..<f.size.columns {
            let cell = f[row, col]
            width += cell.width
            if cell.width == 2 {
                #expect(col + 1 < f.size.columns && f[row, col + 1].width == 0, "\(label): wide cell \(row),\(col) unpaired")
            }
            if cell.width == 0 {
                #expect(col > 0 && f[row, col - 1].width == 2, "\(label): orphan continuation \(row),\(col)")
            }
            #expect(!cell.text.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(label): control")
        }
        #expect(width == f.size.columns, "\(label): row \(row) is \(width) columns wide")
    }
}

@Suite("Render")
struct RenderTests {
    static let widths = [0, 1, 2, 5, 10, 20, 39, 40, 41, 59, 60, 71, 72, 79, 80, 100, 120, 149, 150, 200, 250]
    static let heights = [0, 1, 2, 3, 4, 5, 8, 10, 11, 12, 16, 20, 24, 40, 60]

    @Test(arguments: ["busy", "allDown", "local", "wide"])
    func neverWritesOutsideTheGridAtAnySize(_ name: String) {
        let s = ["busy": Samples.busy, "allDown": Samples.allDown, "local": Samples.local, "wide": Samples.wide][name]!
        for w in Self.widths {
            for h in Self.heights {
                for overlay in [Overlay.none, .help, .confirmPurge] {
                    let f = render(s, size: TerminalSize(columns: w, rows: h), ui: UIState(overlay: overlay), clock: "23:45:12")
                    checkInvariants(f, "\(name) \(w)×\(h) \(overlay)")
                }
            }
        }
    }

    /// A replay never passes for live, at any size: the badge (or its shortest form) wherever there is a header.
    @Test func replayBadgeAtAnySize() {
        let badge = ReplayBadge(position: 3725, duration: 4000, speed: 0.25, paused: true, key: "b burst")
        for w in Self.widths {
            for h in Self.heights {
                for overlay in [Overlay.none, .help] {
                    let f = render(Samples.busy, size: TerminalSize(columns: w, rows: h), ui: UIState(overlay: overlay), clock: "23:45:12",
                                   replay: badge)
                    checkInvariants(f, "replay \(w)×\(h) \(overlay)")
                    if h > 0 && w >= 14 { #expect(f.lines[0].contains("REPLAY"), "\(w)×\(h)") }
                    if h > 0 { #expect(!f.lines[0].contains("live"), "\(w)×\(h)") }
                }
            }
        }
    }

    @Test func eightyByTwentyFourKeepsThePriorities() {
        let text = render(Samples.busy, size: TerminalSize(columns: 80, rows: 24), ui: UIState()).lines.joined(separator: "\n")
        for needle in ["nats ok", "prometheus stale 12 s", "REPLICAS", "worker", "web", "redis", "QUEUE MEMES",
                       "KEDA meme-worker ACTIVE", "pending 1180", "s submit", "q quit"] {
            #expect(text.contains(needle), "\(needle) missing at 80×24")
        }
    }

    @Test func downSourcesShowWhyInsteadOfNumbers() {
        let lines = render(Samples.allDown, size: TerminalSize(columns: 120, rows: 40), ui: UIState()).lines
        let text = lines.joined(separator: "\n")
        #expect(lines[1].contains("nats down: connection refused (127.0.0.1:4222)"))
        #expect(lines[1].contains("prometheus stale 12 s"))
        #expect(lines[1].contains("kubernetes down: RBAC: cannot list hpa"))
        #expect(text.contains("— kubernetes down: RBAC: cannot list hpa"))
        #expect(text.contains("— nats down: connection refused"))
        #expect(text.contains("— no data from prometheus yet"))
    }

    @Test func sourcesLineCondensesToFit() {
        let sources = Samples.allDown.sources
        for width in [40, 60, 80, 120] {
            let line = sourcesLine(sources, width: width)
            let text = line.map(\.text).joined()
            #expect(displayWidth(text) <= width || width < 30, "\(width): \(text)")
        }
        #expect(sourcesLine(sources, width: 40).map(\.text).joined() == "nats down prom stale 12s k8s down")
    }

    @Test func hpaAtMaxUsesTheWarningColour() {
        let f = render(Samples.busy, size: TerminalSize(columns: 120, rows: 40), ui: UIState())
        let lines = f.lines
        let row = try! #require(lines.firstIndex { $0.contains("HPA meme-web") })
        let col = displayWidth(String(lines[row].prefix(upTo: lines[row].range(of: "AT MAX")!.lowerBound)))
        #expect(f[row, col].style.foreground == .warn)
        // The web workload row flags its HPA at max too.
        let webRow = try! #require(lines.firstIndex { $0.hasPrefix("web ") })
        #expect(lines[webRow].contains("HPA 2–4 AT MAX"))
    }

    @Test func stateColours() {
        let f = render(Samples.allDown, size: TerminalSize(columns: 120, rows: 40), ui: UIState())
        #expect(f[1, 0].style.foreground == .bad)  // "nats down"
        let ok = render(Samples.local, size: TerminalSize(columns: 120, rows: 40), ui: UIState())
        #expect(ok[1, 0].style.foreground == .ok)  // "nats ok"
        #expect(ok[0, 0].style.reverse)  // header bar
    }

    @Test func pausedShowsInTheHeaderAndKeyBar() {
        let lines = render(Samples.busy, size: TerminalSize(columns: 80, rows: 24), ui: UIState(paused: true)).lines
        #expect(lines[0].contains("PAUSED"))
        #expect(lines[23].contains("resume"))
        let live = render(Samples.busy, size: TerminalSize(columns: 80, rows: 24), ui: UIState()).lines
        #expect(!live[0].contains("PAUSED") && live[0].contains("live"))
    }

    @Test func keyBarShowsBurstSizeAndRate() {
        let ui = UIState(burstSize: 1000, rate: 20, sustained: true)
        let bar = render(Samples.busy, size: TerminalSize(columns: 120, rows: 40), ui: ui).lines[39]
        #expect(bar.contains("b burst 1000"))
        #expect(bar.contains("load ON 20/s"))
    }

    @Test func wideAndHostileTextStaysInItsColumns() {
        let f = render(Samples.wide, size: TerminalSize(columns: 80, rows: 24), ui: UIState())
        checkInvariants(f, "wide 80×24")
        let text = f.lines.joined(separator: "\n")
        #expect(text.contains("猫がキーボード"))
        #expect(text.contains("🔥🚀"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test func bigDigitsAppearOnlyWithRoom() {
        let large = render(Samples.busy, size: TerminalSize(columns: 120, rows: 40), ui: UIState()).lines.joined()
        #expect(large.contains("████        ██"))  // "12" in the 5-row font
        let small = render(Samples.busy, size: TerminalSize(columns: 80, rows: 24), ui: UIState()).lines.joined()
        #expect(small.contains("▀▀▀"))  // 3-row font for the lag
        let none = render(Samples.busy, size: TerminalSize(columns: 40, rows: 10), ui: UIState()).lines.joined()
        #expect(!none.contains("▀▀▀") && !none.contains("replicas"))
        #expect(none.contains("lag 1204/10"))  // the queue still shows, condensed
    }

    @Test func overlaysAreDrawnOnTop() {
        let help = render(Samples.busy, size: TerminalSize(columns: 80, rows: 24), ui: UIState(overlay: .help)).lines
        #expect(help.contains { $0.contains("KEYS") })
        #expect(help.contains { $0.contains("purge the queue") })
        let confirm = render(Samples.busy, size: TerminalSize(columns: 80, rows: 24), ui: UIState(overlay: .confirmPurge)).lines
        #expect(confirm.contains { $0.contains("PURGE QUEUE?") })
        #expect(confirm.contains { $0.contains("1180 pending") })
    }

    @Test func allocationPrefersImportantPanels() {
        let a = Panel(title: "a", priority: 1, variants: [[[], [], []], [[]]])
        let b = Panel(title: "b", priority: 2, variants: [[[], []]])
        let list = Panel(title: "c", priority: 3, variants: [Array(repeating: [], count: 50)], isList: true)
        #expect(allocate([a, b, list], height: 100) == [4, 3, 51])
        #expect(allocate([a, b, list], height: 10) == [4, 3, 3])
        #expect(allocate([a, b, list], height: 8) == [2, 3, 3])  // the list's 2 rows are kept before a grows
        #expect(allocate([a, b, list], height: 7) == [2, 3, 2])
        #expect(allocate([a, b, list], height: 6) == [2, 3, 0])  // a list needs 2 rows
        #expect(allocate([a, b, list], height: 5) == [2, 3, 0])
        #expect(allocate([a, b, list], height: 4) == [2, 2, 0])  // b is cut, the list gets nothing
        #expect(allocate([a, b, list], height: 1) == [0, 0, 0])
        #expect(allocate([list, b, a], height: 4) == [0, 2, 2])
    }

    @Test func renderIsDeterministic() {
        let size = TerminalSize(columns: 120, rows: 40)
        #expect(render(Samples.busy, size: size, ui: UIState(), clock: "1") == render(Samples.busy, size: size, ui: UIState(), clock: "1"))
    }
}
