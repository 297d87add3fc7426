import Foundation
import Testing
@testable import ConsoleUI

private func text(_ lines: [Line]) -> [String] { lines.map { $0.map(\.text).joined() } }

/// Issue 13 through the pure render: the conflict banner and each autoscaler's countdown in m:ss.
@Suite struct ConflictAndCountdownTests {
    static let warning = Samples.localConflict.warnings[0]

    @Test func bannerNamesBothObjectsAndTheResourceAtEveryWidth() {
        // Wide: the whole explanation.
        #expect(text(warningBanner([Self.warning], width: 250, maxRows: 3)) == [" ⚠ CONFLICT " + Self.warning.message])
        // 120: both objects in full, the resource, the workload.
        #expect(text(warningBanner([Self.warning], width: 120, maxRows: 3))
            == [" ⚠ CONFLICT on cpu of Process/web: HorizontalPodAutoscaler meme-web ⇄ VerticalPodAutoscaler meme-web"])
        #expect(text(warningBanner([Self.warning], width: 80, maxRows: 3)) == [" ⚠ CONFLICT on cpu of Process/web: HPA meme-web ⇄ VPA meme-web"])
        #expect(text(warningBanner([Self.warning], width: 45, maxRows: 3)) == [" ⚠ cpu of web: HPA meme-web ⇄ VPA meme-web"])
        #expect(warningBanner([], width: 80, maxRows: 3).isEmpty)
        #expect(warningBanner([Self.warning], width: 80, maxRows: 0).isEmpty)
    }

    @Test func onePairOneLineAndTheRestCounted() {
        let all = Samples.clusterConflict.warnings
        // cpu and memory of one HPA/VPA pair share a line; the KEDA pair has its own.
        #expect(text(warningBanner(all, width: 120, maxRows: 3)) == [
            " ⚠ CONFLICT on cpu, memory of Deployment/meme-web: HorizontalPodAutoscaler meme-web ⇄ VerticalPodAutoscaler meme-web",
            " ⚠ CONFLICT on replicas of Deployment/meme-worker: ScaledObject meme-worker ⇄ HorizontalPodAutoscaler meme-worker",
        ])
        #expect(text(warningBanner(all, width: 80, maxRows: 1)) == [" ⚠ +2 more conflicts (--once --json lists them all)"])
    }

    @Test func bannerSitsUnderTheSourcesLineInBothModes() {
        for (s, size) in [(Samples.localConflict, TerminalSize(columns: 80, rows: 24)), (Samples.clusterConflict, TerminalSize(columns: 120, rows: 40))] {
            let f = render(s, size: size, ui: UIState())
            #expect(f.lines[2].hasPrefix(" ⚠ CONFLICT on cpu"), "\(f.lines[2])")
            #expect(f[2, 1].style.reverse && f[2, 1].style.foreground == .bad)
            checkInvariants(f, "\(s.mode)")
        }
        // No warnings: the body starts right under the sources line, as before.
        #expect(!render(Samples.busy, size: TerminalSize(columns: 120, rows: 40), ui: UIState()).lines[2].contains("⚠"))
        // Too small for a banner: nothing, and nothing written outside the grid.
        for w in RenderTests.widths {
            for h in RenderTests.heights { checkInvariants(render(Samples.clusterConflict, size: TerminalSize(columns: w, rows: h), ui: UIState()), "\(w)×\(h)") }
        }
    }

    @Test func hpaScaleDownCountdown() {
        let h = Samples.clusterConflict.autoscalers!.hpa[0]
        #expect(text(hpaLines(h, detail: 1))[1] == "  next: scale-down allowed in ≥ 4:25")
        #expect(text(hpaLines(h, detail: 2))[1].hasPrefix("  next: scale-down allowed in ≥ 4:25 · lastScaleTime + scaleDown window 300 s"))
        let local = Samples.localConflict.autoscalers!.hpa[0]
        #expect(text(hpaLines(local, detail: 1)).contains("  next: scale-down allowed in 4:05"))
    }

    @Test func kedaScaleToZeroCountdown() {
        let k = Samples.clusterConflict.autoscalers!.keda[0]
        let lines = text(kedaLines(k, width: 200, rich: true))
        #expect(lines[0].contains(" → 0 in 0:27"))
        #expect(lines.contains("  inactive: lag 0 ≤ activation 1; scale to zero in 0:27 (cooldownPeriod 30 s)"))
        #expect(!lines.contains { $0.contains("next:") }, "the scale to zero is said once")
        // Active, short of zero: its own HPA's held scale-down.
        var held = Samples.busy.autoscalers!.keda[0]
        held.countdown = AutoscalerCountdown(action: "scale-down allowed", seconds: 265, bound: "earliest",
                                             rule: "lastScaleTime + scaleDown window 300 s (ScaleDownStabilized; recommendations not published)")
        #expect(text(kedaLines(held, width: 200, rich: true)).contains(
            "  next: scale-down allowed in ≥ 4:25 · lastScaleTime + scaleDown window 300 s (ScaleDownStabilized; recommendations not published)"))
    }

    @Test func vpaEvictionAndCheckCountdowns() {
        let local = Samples.localConflict.autoscalers!.vpa[0]
        let lines = vpaLines(local, rich: false)
        #expect(text(lines).last == "  next: eviction in 0:08")
        #expect(lines.last?[1].style.foreground == .warn)
        let cluster = Samples.clusterConflict.autoscalers!.vpa[1]
        // A check that changes nothing says when, not why (the verdict above says the requests are within bounds).
        #expect(text(vpaLines(cluster, rich: true)).last == "  next: updater check in ≤ 1:00")
        #expect(text(vpaLines(local, rich: true)).last == "  next: eviction in 0:08 · updater every 30 s; a request outside [lowerBound, upperBound]: evicts")
    }

    @Test func theJSONHasWarningsAndCountdownsInSeconds() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(Samples.clusterConflict), as: UTF8.self)
        #expect(json.contains(#""warnings":[{"#))
        #expect(json.contains(#""countdown":{"action":"scale-down allowed","bound":"earliest","in_s":265,"rule":"#))
        #expect(json.contains(#""countdown":{"action":"scale to zero","bound":"exact","in_s":27,"rule":"#))
        // A snapshot recorded before issue 13 (no "warnings" key) still decodes.
        var old = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(Samples.busy)) as! [String: Any]
        old.removeValue(forKey: "warnings")
        let decoded = try JSONDecoder().decode(ConsoleSnapshot.self, from: try JSONSerialization.data(withJSONObject: old))
        #expect(decoded.warnings.isEmpty && decoded.autoscalers == Samples.busy.autoscalers)
    }

    @Test func feedbackTraceShowsTheLoop() {
        let f = Samples.localConflict.feedback!
        let rich = text(feedbackPanel(f, width: 60).variants[0])
        // One column per sync, scaled to the largest shown: the request's three steps, the utilisation's fall.
        #expect(rich[0] == "request  ▄▄▄▄▆▆▆█████ 250m per replica (VPA)")
        #expect(rich[2] == "util     ████▅▆▆▆▆▆▇▇ 26% / 30%")
        #expect(rich[3].hasPrefix("desired  ") && rich[3].hasSuffix(" 1 of 1 (HPA)"))
        #expect(rich[4] == "  12 HPA syncs over 0:55, oldest left")
        #expect(rich[5] == "  web-1 req 250m use 65m 26%")
        #expect(text(feedbackPanel(f, width: 60).variants.last!) == ["req 250m · util 26%/30% → 1"])
        // On screen under the stand-ins, in both local layouts; never without a trace.
        #expect(render(Samples.localConflict, size: TerminalSize(columns: 200, rows: 60), ui: UIState()).lines.contains { $0.contains("FEEDBACK web cpu: VPA request ⇄ HPA") })
        #expect(!render(Samples.localStandIns, size: TerminalSize(columns: 200, rows: 60), ui: UIState()).lines.contains { $0.contains("FEEDBACK") })
    }
}
