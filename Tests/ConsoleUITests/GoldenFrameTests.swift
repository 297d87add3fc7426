// Golden-frame tests: the plain-text view of rendered frames, compared with Golden/<name>.txt.
// Regenerate after an intended layout change with:
//   UPDATE_GOLDEN=1 swift test --filter ConsoleUITests
// then review the diff of Tests/ConsoleUITests/Golden with git before committing.
import Foundation
import Testing
@testable import ConsoleUI

struct GoldenCase: CustomTestStringConvertible, Sendable {
    let name: String
    let snapshot: ConsoleSnapshot
    let size: TerminalSize
    var ui = UIState()
    var replay: ReplayBadge?

    var testDescription: String { name }
}

let goldenCases: [GoldenCase] = [
    GoldenCase(name: "busy-80x24", snapshot: Samples.busy, size: .init(columns: 80, rows: 24)),
    GoldenCase(name: "busy-120x40", snapshot: Samples.busy, size: .init(columns: 120, rows: 40),
               ui: UIState(burstSize: 500, rate: 20, sustained: true)),
    GoldenCase(name: "busy-200x60", snapshot: Samples.busy, size: .init(columns: 200, rows: 60)),
    GoldenCase(name: "down-80x24", snapshot: Samples.allDown, size: .init(columns: 80, rows: 24)),
    GoldenCase(name: "down-120x40", snapshot: Samples.allDown, size: .init(columns: 120, rows: 40)),
    GoldenCase(name: "local-paused-80x24", snapshot: Samples.local, size: .init(columns: 80, rows: 24),
               ui: UIState(paused: true)),
    GoldenCase(name: "busy-60x20", snapshot: Samples.busy, size: .init(columns: 60, rows: 20)),
    GoldenCase(name: "busy-40x10", snapshot: Samples.busy, size: .init(columns: 40, rows: 10)),
    GoldenCase(name: "wide-80x24", snapshot: Samples.wide, size: .init(columns: 80, rows: 24)),
    GoldenCase(name: "help-80x24", snapshot: Samples.busy, size: .init(columns: 80, rows: 24),
               ui: UIState(overlay: .help)),
    GoldenCase(name: "confirm-80x24", snapshot: Samples.busy, size: .init(columns: 80, rows: 24),
               ui: UIState(overlay: .confirmPurge)),
    GoldenCase(name: "confirm-act-80x24", snapshot: Samples.busy, size: .init(columns: 80, rows: 24),
               ui: UIState(overlay: .confirmAct("conflict"))),
    GoldenCase(name: "help-40x10", snapshot: Samples.busy, size: .init(columns: 40, rows: 10),
               ui: UIState(overlay: .help)),
    // Issue 12: local mode cooling down (scale-to-zero countdown, readings labelled, explanation whole).
    GoldenCase(name: "local-cooldown-80x24", snapshot: Samples.localCooldown, size: .init(columns: 80, rows: 24),
               ui: UIState(burstSize: 500)),
    GoldenCase(name: "local-cooldown-120x40", snapshot: Samples.localCooldown, size: .init(columns: 120, rows: 40),
               ui: UIState(burstSize: 500)),
    GoldenCase(name: "local-cooldown-200x60", snapshot: Samples.localCooldown, size: .init(columns: 200, rows: 60),
               ui: UIState(burstSize: 500)),
    GoldenCase(name: "capped-80x24", snapshot: Samples.capped, size: .init(columns: 80, rows: 24)),
    // Issue 11: local mode with the HPA, KEDA and VPA stand-ins.
    GoldenCase(name: "local-stand-ins-80x24", snapshot: Samples.localStandIns, size: .init(columns: 80, rows: 24),
               ui: UIState(webTraffic: true)),
    GoldenCase(name: "local-stand-ins-120x40", snapshot: Samples.localStandIns, size: .init(columns: 120, rows: 40),
               ui: UIState(webTraffic: true)),
    // Issue 13: the conflict banner, under the sources line, in both modes and every width.
    GoldenCase(name: "conflict-local-80x24", snapshot: Samples.localConflict, size: .init(columns: 80, rows: 24)),
    GoldenCase(name: "conflict-local-120x40", snapshot: Samples.localConflict, size: .init(columns: 120, rows: 40)),
    GoldenCase(name: "conflict-local-200x60", snapshot: Samples.localConflict, size: .init(columns: 200, rows: 60)),
    GoldenCase(name: "conflict-cluster-120x40", snapshot: Samples.clusterConflict, size: .init(columns: 120, rows: 40)),
    GoldenCase(name: "conflict-cluster-60x20", snapshot: Samples.clusterConflict, size: .init(columns: 60, rows: 20)),
    // Issue 15: a NATS cluster, one line per server (a member down, and all up).
    GoldenCase(name: "nats-cluster-down-120x40", snapshot: Samples.localNATSCluster, size: .init(columns: 120, rows: 40)),
    GoldenCase(name: "nats-cluster-down-80x24", snapshot: Samples.localNATSCluster, size: .init(columns: 80, rows: 24)),
    GoldenCase(name: "nats-cluster-healthy-120x40", snapshot: Samples.localNATSClusterHealthy, size: .init(columns: 120, rows: 40)),
    GoldenCase(name: "nats-cluster-healthy-80x24", snapshot: Samples.localNATSClusterHealthy, size: .init(columns: 80, rows: 24)),
    // Issue 14: a replay says so (badge with position and speed, the key just pressed, the replay's key bar and help).
    GoldenCase(name: "replay-120x40", snapshot: Samples.localCooldown, size: .init(columns: 120, rows: 40),
               replay: ReplayBadge(position: 151.4, duration: 612.3, speed: 4, key: "b burst")),
    GoldenCase(name: "replay-paused-80x24", snapshot: Samples.busy, size: .init(columns: 80, rows: 24), ui: UIState(paused: true),
               replay: ReplayBadge(position: 3725, duration: 4000, speed: 0.25, paused: true)),
    GoldenCase(name: "replay-help-80x24", snapshot: Samples.busy, size: .init(columns: 80, rows: 24), ui: UIState(overlay: .help),
               replay: ReplayBadge(position: 12, duration: 60, speed: 1)),
    GoldenCase(name: "replay-40x10", snapshot: Samples.busy, size: .init(columns: 40, rows: 10),
               replay: ReplayBadge(position: 12, duration: 60, speed: 16)),
]

/// Where golden files live in the source tree (written by UPDATE_GOLDEN=1).
private let goldenSourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Golden")

@Suite("Golden frames")
struct GoldenFrameTests {
    @Test(arguments: goldenCases)
    func matchesGolden(_ c: GoldenCase) throws {
        let frame = render(c.snapshot, size: c.size, ui: c.ui, clock: "23:45:12", replay: c.replay)
        let text = frame.lines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenSourceDirectory, withIntermediateDirectories: true)
            try text.write(to: goldenSourceDirectory.appendingPathComponent(c.name + ".txt"), atomically: true, encoding: .utf8)
            return
        }
        let url = try #require(
            Bundle.module.url(forResource: c.name, withExtension: "txt", subdirectory: "Golden"),
            "missing Golden/\(c.name).txt: run UPDATE_GOLDEN=1 swift test --filter ConsoleUITests"
        )
        let expected = try String(contentsOf: url, encoding: .utf8)
        if text != expected {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDiff = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, want.count)
            Issue.record("""
                \(c.name) differs from Golden/\(c.name).txt at line \(firstDiff + 1) \
                (UPDATE_GOLDEN=1 regenerates it); rendered:
                \(text)
                """)
        }
    }
}
