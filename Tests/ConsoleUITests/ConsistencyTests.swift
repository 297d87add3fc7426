// Issue 12, "the console must never contradict itself on stage": every number says where it came
// from and how old it is, nothing is cut with "…" that explains a decision, nothing unknown is
// shown as a number.
import Foundation
import Testing
@testable import ConsoleUI

private func text(_ lines: [Line]) -> [String] { lines.map { $0.map(\.text).joined() } }
private func screen(_ s: ConsoleSnapshot, _ columns: Int, _ rows: Int, ui: UIState = UIState()) -> [String] {
    render(s, size: TerminalSize(columns: columns, rows: rows), ui: ui, clock: "23:45:12").lines
}
private let sizes = [(80, 24), (120, 40), (200, 60)]

@Suite("Consistency on stage")
struct ConsistencyTests {
    // MARK: 2. Scale to zero is visible before it happens

    @Test func inactiveKEDASaysWhenItScalesToZero() {
        let k = Samples.localCooldown.autoscalers!.keda[0]
        let lines = text(kedaLines(k, width: 200, rich: true))
        #expect(lines[0] == "KEDA worker inactive  lag 0/5 → 1 [0–10] → 0 in 0:27  stand-in 0.4s")
        #expect(lines.contains("  inactive: lag 0 ≤ activation 0; scale to zero in 0:27 (cooldownPeriod 30 s)"), "\(lines)")
        // Without a countdown (cluster mode without lastActiveTime) it says it does not know, not "0:00".
        var unknown = k
        unknown.scaleToZeroInSeconds = nil
        #expect(text(kedaLines(unknown, width: 200, rich: true)).contains("  inactive: lag 0 ≤ activation 0; scale to zero: when unknown (no lastActiveTime)"))
        for (w, h) in sizes {
            let joined = screen(Samples.localCooldown, w, h).joined(separator: "\n")
            #expect(joined.contains("scale to zero in 0:27"), "\(w)×\(h)")
        }
    }

    // MARK: 4. Every number says where it came from and how old it is

    @Test func queueDigitsAndKEDALineNameTheirReadings() {
        for (w, h) in sizes {
            let joined = screen(Samples.localCooldown, w, h).joined(separator: "\n")
            #expect(joined.contains("lag · nats 1s"), "\(w)×\(h)")
            #expect(joined.contains("stand-in 0.4s"), "\(w)×\(h)")
            #expect(joined.contains("REPLICAS · stand-in 0.4s"), "\(w)×\(h): replicas from the same reading as the KEDA line")
        }
        let cluster = screen(Samples.busy, 120, 40).joined(separator: "\n")
        #expect(cluster.contains("lag · nats 0.3s") && cluster.contains("[0–20]  nats 0.3s") && cluster.contains("REPLICAS · kubernetes 0s"))
    }

    @Test func twoLagsThatDifferSayTheyAreDifferentReadings() {
        var s = Samples.localCooldown
        s.autoscalers!.keda[0].lag = 50
        s.autoscalers!.keda[0].active = true
        s.autoscalers!.keda[0].desired = 10
        for (w, h) in sizes {
            let joined = screen(s, w, h).joined(separator: "\n")
            // The big digits say 0 from nats; the decision beside them says it was made on lag 50.
            #expect(joined.contains("KEDA → 10 (lag 50)"), "\(w)×\(h)\n\(joined)")
            #expect(joined.contains("lag 50/5"), "\(w)×\(h)")
        }
    }

    // MARK: 5. Explanations wrap, nothing that explains a decision is cut

    @Test func explanationsAreNeverCut() {
        for (w, h) in sizes {
            for (name, s) in [("busy", Samples.busy), ("cooldown", Samples.localCooldown), ("capped", Samples.capped)] {
                let lines = screen(s, w, h)
                // The event log is a list (cut by design); its lines lead with the lag they were decided on.
                for line in lines where line.contains("…") && !line.contains(" keda ") {
                    for word in ["ceil", "activation", "cooldown", "uncapped", "stand-in", "lag 1204/10", "KEDA"] {
                        #expect(!line.contains(word), "\(name) \(w)×\(h): \(line)")
                    }
                }
            }
            let cooldown = screen(Samples.localCooldown, w, h).joined(separator: "\n")
            #expect(cooldown.contains("floor)"), "\(w)×\(h): the explanation's end")
        }
        let busy = screen(Samples.busy, 80, 24).joined(separator: "\n")
        #expect(busy.contains("(maxReplicaCount 20)"))
    }

    @Test func theKeyBarIsNeverCutAtEighty() {
        // 80 columns exactly without the trailing gap: it used to be drawn as "q qui…".
        let bar = screen(Samples.localCooldown, 80, 24, ui: UIState(burstSize: 500)).last!
        #expect(bar.hasSuffix("q quit"), "\(bar)")
        #expect(!bar.contains("…"))
        for burst in [5, 50, 500, 1000] {
            for ui in [UIState(burstSize: burst), UIState(burstSize: burst, rate: 12.5, sustained: true, paused: true)] {
                let last = screen(Samples.busy, 80, 24, ui: ui).last!
                #expect(!last.contains("…") && last.hasSuffix("quit"), "\(last)")
            }
        }
    }

    @Test func vpaFiguresSurviveEightyColumns() {
        let joined = screen(Samples.capped, 80, 24).joined(separator: "\n")
        for needle in ["1469m", "24Gi]", "8.96Gi"] { #expect(joined.contains(needle), "\(needle) missing at 80×24\n\(joined)") }
    }

    @Test func wrapBreaksAtSpacesAndKeepsStyles() {
        let line: Line = [Span("  ceil(1204 / 10) ", .dim), Span("= 121", .warn), Span(", capped at max 20", .dim)]
        let wrapped = wrap(line, width: 20)
        #expect(text(wrapped) == ["  ceil(1204 / 10) =", "    121, capped at", "    max 20"])
        #expect(wrapped.allSatisfy { displayWidth($0.map(\.text).joined()) <= 20 })
        #expect(wrapped[1][1].style == .warn)
        // Spans without a space between them stay one word.
        #expect(text(wrap([Span("lag "), Span("1204", .strong), Span("/10"), Span(" → 20")], width: 9)) == ["lag", "  1204/10", "  → 20"])
        #expect(wrap(line, width: 80) == [line])
    }

    // MARK: 6. Throughput from what the console saw, latencies labelled

    @Test func throughputLinesSayWhatTheyMeasure() {
        let t = text(throughputPanel(Samples.busy, width: 200).variants[0])
        #expect(t[0] == "done 41/s  errors 0.2/s  (seen, 10 s)")
        #expect(t[1] == "end-to-end p50 3.2 s  p95 7.9 s")
        #expect(t[2] == "processing p50 840 ms  p95 2.6 s (worker, stale 12 s)")
        #expect(t[3] == "prometheus 1m: done 38/s  in 52/s  errors 0.2/s")
        var down = Samples.busy
        down.answers = nil
        down.sources.nats = SourceStatus(state: .down, error: "connection refused")
        #expect(text(throughputPanel(down, width: 200).variants[0])[0] == "— nats down: connection refused (answers)")
    }

    // MARK: 7. VPA quantities to three digits, the cap spelled out

    @Test func quantitiesKeepThreeSignificantDigits() {
        #expect(Format.bytes(9_616_998_332) == "8.96Gi")
        #expect(Format.bytes(268_435_456) == "256Mi")
        #expect(Format.bytes(201_326_592) == "192Mi")
        #expect(Format.bytes(1_610_612_736) == "1.5Gi")
        #expect(Format.bytes(262_144_000) == "250Mi")
        #expect(Format.bytes(673_899_999) == "643Mi")
        #expect(Format.bytes(1_073_741_823) == "1Gi")
        #expect(Format.bytes(24 * 1024 * 1024 * 1024) == "24Gi")
        #expect(Format.bytes(512) == "512")
        #expect(Format.significant(0.5, 3) == "0.5")
    }

    @Test func uncappedTargetFarAboveTheCapIsPointedOut() {
        let lines = vpaLines(Samples.capped.autoscalers!.vpa[0], rich: true)
        let t = text(lines)
        #expect(t[1] == "  redis cpu target 200m [100m–200m] uncapped 1469m = 7.3× the 200m cap req 100m")
        #expect(lines[1][4].style.foreground == .warn)
        #expect(t[2] == "  redis mem target 8.96Gi [256Mi–24Gi] uncapped 8.96Gi req 128Mi")
    }

    // MARK: 8. A trigger other than nats-jetstream: only what is known

    @Test func aNonNATSTriggerShowsNoInventedNumbers() throws {
        let k = KEDAStatus(name: "keda-with-fallback", targetRef: "Deployment/keda-service", active: true, trigger: "prometheus",
                           lag: nil, lagThreshold: nil, activationThreshold: nil, min: 1, max: 10, desired: nil,
                           fallback: KEDAFallback(failureThreshold: 3, replicas: 5), cooldownPeriodSeconds: 300, source: "kubernetes",
                           ageSeconds: 2,
                           explanation: "trigger prometheus: not a nats-jetstream scaler; KEDA reports Active, fallback in use")
        let lines = text(kedaLines(k, width: 200, rich: true))
        #expect(lines[0] == "KEDA keda-with-fallback ACTIVE  trigger prometheus [1–10]  kubernetes 2s")
        #expect(lines[1] == "  fallback 5 after 3 failures · not nats-jetstream: lag, threshold and desired unknown")
        #expect(!lines.joined().contains("—/0") && !lines.joined().contains("→ 0"))
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(k)) as? [String: Any])
        for key in ["lag", "lag_threshold", "activation_threshold", "desired"] {
            #expect(json[key] is NSNull, "\(key) must be null, not left out or 0")
        }
        #expect(json["trigger"] as? String == "prometheus" && json["min"] as? Int == 1 && json["max"] as? Int == 10)
        // The queue panel does not claim a decision either.
        var s = Samples.busy
        s.autoscalers?.keda = [k]
        s.queue?.lagThreshold = nil
        let joined = screen(s, 120, 40).joined(separator: "\n")
        #expect(joined.contains("threshold —") && !joined.contains("→ 0 replicas"))
    }

    // MARK: 9. Notes on screen; no stale warnings from a pause (ConsoleCoreTests)

    @Test func kubernetesNotesAreShownOnScreen() {
        var s = Samples.busy
        s.sources.kubernetes = SourceStatus(state: .ok, error: "not found: no VPA installed", ageSeconds: 0)
        s.autoscalers?.vpa = []
        for (w, h) in sizes {
            #expect(screen(s, w, h).joined(separator: "\n").contains("note: not found: no VPA installed"), "\(w)×\(h)")
        }
    }

    // MARK: 13. Wording

    @Test func wordingSaysWhatIsTrue() {
        for (w, h) in sizes {
            let joined = screen(Samples.localCooldown, w, h).joined(separator: "\n")
            #expect(!joined.contains("KEDA local stand-in for KEDA"))
            #expect(!joined.contains("KEDA under queue"))
            #expect(joined.contains("AUTOSCALERS (local stand-ins)"), "\(w)×\(h)\n\(joined)")
            #expect(joined.contains("purged 1 message from MEMES"))
        }
        #expect(Format.count(1, "message") == "1 message" && Format.count(2, "message") == "2 messages")
        #expect(Format.count(1, "replica") == "1 replica")
        #expect(screen(Samples.localCooldown, 120, 40).joined().contains("no HPA or VPA stand-in: this stack runs no web tier or"))
        let all = screen(Samples.localStandIns, 120, 40).joined(separator: "\n")
        for text in ["HPA meme-web", "local stand-in for the HPA", "VPA redis", "local stand-in for the VPA", "next: scale-down allowed in 4:05"] {
            #expect(all.contains(text), "\(text)\n\(all)")
        }
    }

    @Test func clockAndAgeFormats() {
        #expect(Format.clock(27) == "0:27" && Format.clock(26.2) == "0:27" && Format.clock(245) == "4:05" && Format.clock(3723) == "1:02:03")
        #expect(Format.age(0.43) == "0.4s" && Format.age(1) == "1s" && Format.age(12.7) == "12s" && Format.age(nil) == "?")
    }
}
