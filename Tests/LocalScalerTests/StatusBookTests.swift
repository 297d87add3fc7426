import Autoscaling
import Foundation
import Testing
@testable import LocalScaler

/// How `GET /status` is built from each decision (pure: no processes, no clocks).
@Suite struct StatusBookTests {
    let spec = ScaledObjectSpec(
        name: "meme-worker",
        parameters: KEDA.Parameters(lagThreshold: 5, activationLagThreshold: 0, minReplicaCount: 0, maxReplicaCount: 10,
                                    cooldownPeriodSeconds: 30, pollingIntervalSeconds: 5),
        behavior: HPA.Behavior(scaleDown: HPA.ScalingRules(stabilizationWindowSeconds: 30, policies: HPA.ScalingRules.defaultScaleDown.policies)),
        stream: "MEMES", consumer: "meme-generator")
    /// Unix time of the scaler's clock zero.
    let epoch = 1_800_000_000.0

    /// Drives ScalerState + StatusBook the way LocalScaler.poll does, replicas following the decision.
    struct Run {
        var state = ScalerState()
        var book: StatusBook
        var replicas = 0
        let spec: ScaledObjectSpec
        let epoch: Double

        mutating func poll(_ lag: Int?, at t: Double) -> LocalScalingDecision {
            let from = replicas
            let d = state.poll(lag: lag, currentReplicas: from, spec: spec, nowSeconds: t)
            replicas = d.desiredReplicas
            book.record(decision: d, lag: lag, readAt: epoch + t, nowSeconds: t, from: from, replicas: replicas, terminating: 0)
            return d
        }
    }

    func run() -> Run { Run(book: StatusBook(spec: spec), spec: spec, epoch: epoch) }

    @Test func beforeTheFirstReadNothingIsGuessed() throws {
        let status = StatusBook(spec: spec).status
        #expect(status.readAt == nil && status.lag == nil && status.lastActiveAt == nil && status.scaleToZeroInSeconds == nil)
        #expect(status.events.isEmpty)
        #expect(status.lagThreshold == 5 && status.activationLagThreshold == 0 && status.cooldownPeriodSeconds == 30)
        // Absent values are written as null, not left out.
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        for key in ["read_at", "lag", "last_active_at", "scale_to_zero_in_seconds"] { #expect(json.contains(#""\#(key)":null"#), "\(key) in \(json)") }
        #expect(try JSONDecoder().decode(LocalScalerStatus.self, from: Data(json.utf8)) == status)
    }

    @Test func eventsCarryTheLagTheyWereDecidedOn() throws {
        var r = run()
        _ = r.poll(0, at: 0)
        #expect(r.book.status.events.isEmpty, "no change, no event")
        _ = r.poll(1, at: 5)  // a lone meme: lag 1 > activation 0
        var status = r.book.status
        #expect(status.events == [.init(at: epoch + 5, from: 0, to: 1, lag: 1, reason: status.reason)])
        #expect(status.readAt == epoch + 5 && status.lag == 1 && status.replicas == 1 && status.desiredReplicas == 1 && status.active)
        #expect(status.lastActiveAt == epoch + 5)
        #expect(status.scaleToZeroInSeconds == nil, "active: nothing counting down")

        _ = r.poll(42, at: 10)
        status = r.book.status
        let up = try #require(status.events.last)
        #expect(up.from == 1 && up.to == 5 && up.lag == 42 && up.at == epoch + 10)
        #expect(up.reason.contains("42"))

        // The queue drains: inactive, cooldown counts from the last active poll (10).
        _ = r.poll(0, at: 15)
        status = r.book.status
        #expect(!status.active && status.lag == 0 && status.lastActiveAt == epoch + 10)
        // Idle 5 s of 30: the poll at 40 is the first with idle ≥ 30, 25 s after this read.
        #expect(status.scaleToZeroInSeconds == 25)
        _ = r.poll(0, at: 20)
        #expect(r.book.status.scaleToZeroInSeconds == 20)
        _ = r.poll(0, at: 35)
        #expect(r.book.status.scaleToZeroInSeconds == 5)
        _ = r.poll(0, at: 40)
        status = r.book.status
        let down = try #require(status.events.last)
        #expect(down.from == 5 && down.to == 0 && down.lag == 0 && down.at == epoch + 40)
        #expect(down.reason.contains("cooldown"))
        #expect(status.replicas == 0 && status.scaleToZeroInSeconds == nil)
        #expect(status.events.map { [$0.from, $0.to] } == [[0, 1], [1, 5], [5, 0]])
    }

    @Test func countdownRoundsUpToTheNextPoll() {
        var r = run()
        _ = r.poll(3, at: 0)
        _ = r.poll(0, at: 7)  // polls off the 5 s grid: idle 7 of 30 → 23 s left → the poll 25 s on
        #expect(r.book.status.scaleToZeroInSeconds == 25)
    }

    @Test func unreadableLagShowsNullAndNoCountdown() {
        var r = run()
        _ = r.poll(3, at: 0)
        _ = r.poll(nil, at: 5)
        let status = r.book.status
        #expect(status.lag == nil && status.readAt == epoch + 5 && status.scaleToZeroInSeconds == nil)
        #expect(status.reason.contains("failed"))
    }

    @Test func keepsTheLastFiftyEvents() {
        var r = run()
        for i in 0..<60 { _ = r.poll(i % 2 == 0 ? 3 : 0, at: Double(i) * 100) }  // every poll flips 0 ↔ 1 (cooldown long past)
        let events = r.book.status.events
        #expect(events.count == LocalScalerStatus.eventLimit)
        #expect(events.last?.at == epoch + 5900)
        #expect(events.first?.at == epoch + 1000)
    }
}
