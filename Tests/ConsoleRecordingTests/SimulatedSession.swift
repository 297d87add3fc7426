import ConsoleUI
import Foundation

/// A presenter's session as the local-mode dashboard draws it, every 100 ms: readings every second
/// (source ages counting), the queue and stand-in ages in tenths, bursts at 1, 4 and 7 minutes
/// draining through a staircase of workers, scale-to-zero countdowns, answers filling the recent
/// list, scaling events. The shapes are those of the collector's snapshot (ConsoleCore.assemble).
struct SimulatedSession {
    let prompts = ["a cat in sunglasses / reviewing your pull request", "CrashLoopBackOff / but make it fashion",
                   "the VPA recommends / more snacks", "Redis remembers / so you don't have to", "one does not simply / scale to zero",
                   "pending pods / waiting for their moment to shine", "503 service unavailable / service is on a coffee break"]
    var t = 0.0
    var lag = 0
    var replicas = 0
    var history: [Int] = []
    var events: [ScalingEvent] = []
    var recent: [RecentMeme] = []
    var answered = 0
    var sent = 0
    var lastRead = 0.0
    var lastDecision = 0.0
    var idleSince: Double?

    /// The snapshot drawn `tick` × 100 ms in.
    mutating func next() -> ConsoleSnapshot {
        t += 0.1
        let second = (t * 10).rounded() / 10
        if second.truncatingRemainder(dividingBy: 1) < 0.05 {
            read()
        }
        // Answers arrive between reads: about 17 per worker per second, each a recent line as the
        // console's NATS source makes it (a console-<uuid> id, the latency to the microsecond).
        let arriving = lag > 0 ? min(lag, Int((Double(replicas) * 1.7).rounded())) : 0
        for _ in 0..<arriving {
            answered += 1
            recent.append(RecentMeme(id: "console-" + UUID().uuidString.lowercased(), prompt: prompts[answered % prompts.count],
                                     latencyMilliseconds: 1800 + Double(answered % 900) + Double.random(in: 0..<1), ok: true))
        }
        if recent.count > 20 { recent.removeFirst(recent.count - 20) }
        let age = (t - lastRead) * 10
        let tenths = age.rounded() / 10
        let countdown: Double? = idleSince.map { max(0, $0 + 60 - t) }
        let keda = KEDAStatus(name: "worker", targetRef: "Process/worker", active: lag > 0, lag: lag, lagThreshold: 5, activationThreshold: 0,
                              min: 0, max: 10, desired: min(10, (lag + 4) / 5), cooldownPeriodSeconds: 60, scaleToZeroInSeconds: countdown,
                              source: "stand-in", ageSeconds: tenths,
                              explanation: lag > 0 ? "lag \(lag) > activation 0: active; ceil(\(lag) / 5) → \(min(10, (lag + 4) / 5)) replicas"
                                  : "lag 0 ≤ activation 0: inactive; scale to zero in \(Int(countdown ?? 0)) s")
        let ok = SourceStatus(state: .ok, ageSeconds: (t - lastRead).rounded(.down))
        return ConsoleSnapshot(
            sources: SourceStatuses(nats: ok, prometheus: ok, kubernetes: SourceStatus(state: .disabled, error: "local mode"), standIn: ok),
            mode: .local,
            workloads: [Workload(name: "worker", kind: "Process", replicas: replicas, ready: replicas, desired: keda.desired ?? 0, history: history)],
            queue: QueueStats(stream: "MEMES", consumer: "meme-generator", pending: max(0, lag - replicas * 2), ackPending: min(lag, replicas * 2),
                              redelivered: 0, lag: lag, lagThreshold: 5, ageSeconds: tenths),
            autoscalers: Autoscalers(keda: [keda]),
            throughput: Throughput(completedPerSecond: Double(replicas) * 17.3, errorsPerSecond: 0, p50Seconds: 0.031, p95Seconds: 0.09,
                                   submittedPerSecond: Double(sent) / max(1, t)),
            answers: AnswerRates(windowSeconds: 10, answered: replicas * 170, errors: 0, perSecond: Double(replicas) * 17.1, errorsPerSecond: 0,
                                 p50Seconds: replicas > 0 ? 2.4 : nil, p95Seconds: replicas > 0 ? 6.8 : nil),
            load: LoadStats(sent: sent, acked: sent, answered: answered, errors: 0, inFlight: sent - answered, p50Milliseconds: 2400,
                            p95Milliseconds: 6800, burstSize: 5000),
            recent: recent, events: events, notice: sent > 0 ? "burst of 5000 sent" : nil)
    }

    /// One second's readings: bursts, draining, the stand-in's staircase (+4 per 15 s), cooldown.
    private mutating func read() {
        lastRead = t
        let second = Int(t.rounded())
        if second % 180 == 60 {
            lag += 5000
            sent += 5000
        }
        lag -= min(lag, replicas * 17)
        let want = lag > 0 ? min(10, (lag + 4) / 5) : (idleSince.map { t - $0 >= 60 } == true ? 0 : replicas)
        if lag > 0 { idleSince = nil } else if idleSince == nil && replicas > 0 { idleSince = t }
        if want != replicas, t - lastDecision >= 15 || want == 0 || replicas == 0 {
            let next = want > replicas ? min(want, max(1, replicas == 0 ? 1 : replicas + 4)) : want
            events.append(ScalingEvent(time: "2026-12-02T10:\(second / 60 % 60):\(second % 60)Z", kind: "keda",
                                       message: "worker \(replicas) → \(next) (lag \(lag)): lag \(lag) > activation 0: active"))
            if events.count > 50 { events.removeFirst(events.count - 50) }
            replicas = next
            lastDecision = t
            if replicas == 0 { idleSince = nil }
        }
        history.append(replicas)
        if history.count > 120 { history.removeFirst(history.count - 120) }
    }
}
