import Testing
@testable import ConsoleUI

private func text(_ lines: [Line]) -> [String] { lines.map { $0.map(\.text).joined() } }

@Suite("Panel content")
struct PanelTests {
    @Test func unknownHPAMetricShowsAQuestionMarkInTheBadColour() {
        let h = HPAStatus(name: "web", targetRef: "Deployment/web", min: 1, max: 5, current: 2, desired: 2, metrics: [
            HPAMetric(name: "cpu", current: nil, target: 70, kind: "Utilization", replicas: nil,
                      explanation: "metric unavailable"),
            HPAMetric(name: "cpu", current: 350, target: 500, kind: "AverageValue", replicas: 2, explanation: ""),
            HPAMetric(name: "memory", current: 268_435_456, target: 536_870_912, kind: "AverageValue", replicas: 1,
                      explanation: ""),
            HPAMetric(name: "requests_per_second", current: 12.5, target: 10, kind: "Value", replicas: 3, explanation: ""),
        ], conditions: [HPACondition(type: "ScalingActive", status: "False", reason: "FailedGetResourceMetric",
                                     message: "missing request for cpu")])
        let lines = hpaLines(h, detail: 1)
        let t = text(lines)
        #expect(t[0] == "HPA web 2 → 2 [1–5]")
        #expect(t[1] == "  cpu ? / 70% → —")
        #expect(lines[1][1].style.foreground == .bad)
        #expect(t[2] == "  cpu 350m / 500m → 2")
        #expect(t[3] == "  memory 256Mi / 512Mi → 1")
        #expect(t[4] == "  requests_per_second 13 / 10 → 3")
        #expect(lines[4][1].style.foreground == .warn)  // above target
        // A failing condition shows even at medium detail, in the warning colour.
        #expect(t[5] == "  ScalingActive False FailedGetResourceMetric")
        #expect(lines[5][0].style.foreground == .warn)
        #expect(hpaLines(h, detail: 0).count == 1)
    }

    @Test func kedaInactiveAndFallback() {
        let k = KEDAStatus(name: "w", targetRef: "Deployment/worker", active: false, lag: nil, lagThreshold: 10,
                           activationThreshold: 5, min: 0, max: 10, desired: 0,
                           fallback: KEDAFallback(failureThreshold: 3, replicas: 2), explanation: "")
        #expect(text(kedaLines(k, width: 80, rich: false)) == ["KEDA w inactive  lag —/10 → 0 [0–10] fallback"])
        #expect(text(kedaLines(k, width: 80, rich: true)) == [
            "KEDA w inactive  lag —/10 → 0 [0–10]",
            "  fallback 2 after 3 failures",
            "  inactive: lag unknown (activation 5); at zero",
        ])
    }

    @Test func vpaFlagsRequestsOutsideTheBounds() {
        let v = VPAStatus(name: "redis", targetRef: "StatefulSet/redis", updateMode: "Auto", containers: [
            VPAContainer(name: "redis", target: Resources(cpuMillicores: 100), lowerBound: Resources(cpuMillicores: 50),
                         upperBound: Resources(cpuMillicores: 200), requests: Resources(cpuMillicores: 300))
        ])
        let lines = vpaLines(v, rich: true)
        #expect(text(lines) == [
            "VPA redis mode Auto",
            "  redis cpu target 100m [50m–200m] uncapped — req 300m",
            "  redis mem target — [—–—] uncapped — req —",
        ])
        #expect(lines[1].last?.style.foreground == .warn)
        #expect(lines[2].last?.style.foreground == .normal)
    }

    @Test func targetsMatchesWorkloadNames() {
        #expect(targets("Deployment/meme-worker", "worker"))
        #expect(targets("Deployment/worker", "worker"))
        #expect(targets("Deployment/worker", "meme-worker"))
        #expect(targets("StatefulSet/redis", "redis"))
        #expect(!targets("Deployment/meme-web", "worker"))
        #expect(!targets("Deployment/webhook", "web"))
    }

    @Test func queueShowsItsBoundAndSaysWhenFull() {
        // Issue 18 item 8: MEMES is bounded (discard new); at the bound meme-web answers "the queue is full".
        func shown(_ s: ConsoleSnapshot) -> String {
            // Lines joined and spaces folded (a wrapped line keeps its trailing space).
            (queuePanel(s, width: 80).variants.first.map { text($0).joined(separator: " ") } ?? "")
                .split(separator: " ").joined(separator: " ")
        }
        var s = Samples.busy
        s.queue?.messages = 1204
        s.queue?.maxMessages = 20000
        #expect(shown(s).contains("stored 1204 / 20000 max"), "\(shown(s))")
        #expect(!shown(s).contains("FULL"))
        s.queue?.messages = 20000
        #expect(shown(s).contains("stored 20000 / 20000 max FULL: new memes refused"), "\(shown(s))")
        // Unbounded or unread: nothing is claimed.
        s.queue?.maxMessages = nil
        #expect(!shown(s).contains("stored"))
    }

    @Test func emptySectionsSaySo() {
        var s = Samples.local
        s.mode = .cluster
        s.sources.kubernetes = .ok
        s.autoscalers = Autoscalers()
        s.workloads = []
        let t = render(s, size: TerminalSize(columns: 120, rows: 40), ui: UIState()).lines.joined(separator: "\n")
        #expect(t.contains("no HPA / KEDA / VPA found"))
        #expect(t.contains("no workloads found"))
        #expect(t.contains("none yet: press s or b"))
        #expect(t.contains("no scaling events yet"))
    }
}

@Suite("Stale sections")
struct StaleTests {
    @Test func panelsOfAStaleSourceSaySoInTheirTitle() {
        let f = render(Samples.busy, size: TerminalSize(columns: 120, rows: 40), ui: UIState())
        let lines = f.lines
        // Throughput has two sources: the Prometheus line says it is stale, in warning colour.
        let row = try! #require(lines.firstIndex { $0.contains("(worker, stale 12 s)") })
        let col = displayWidth(String(lines[row].prefix(upTo: lines[row].range(of: "(worker")!.lowerBound)))
        #expect(f[row, col].style.foreground == .warn)
        #expect(!lines.contains { $0.contains("REPLICAS stale") })
    }
}
