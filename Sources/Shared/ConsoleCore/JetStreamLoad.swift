import ConsoleUI
import Foundation
import JetStream
import MemeKit
import NATS
import Synchronization

/// The console's own load publisher: JetStream publishes with acks (`Nats-Msg-Id` = request id),
/// at most `maxConcurrent` unacknowledged at once, answers matched by request id on the response
/// subjects. Small on purpose; the LoadEngine module is the full tool.
public final class JetStreamLoad: LoadControl {
    private struct Ledger {
        var sent = 0, acked = 0, answered = 0, errors = 0
        /// request id → submitted at (unix seconds), for requests not answered yet.
        var waiting: [String: Double] = [:]
        var latencies: [Double] = []
        var sustainedRate: Double?
    }

    private let box: NATSLinkBox
    private let subject: String
    private let responseSubject: String
    private let maxConcurrent: Int
    private let ledger = Mutex(Ledger())
    private let tasks = Mutex<(bursts: [UUID: Task<Void, Never>], sustained: Task<Void, Never>?, listener: Task<Void, Never>?)>(([:], nil, nil))
    private let counter = Atomic<Int>(0)
    private let prefix = "console-\(UInt32.random(in: 0...UInt32.max))"
    static let prompts = [
        "this is fine (the queue is on fire)", "one does not simply scale to zero", "autoscaler goes brrr",
        "cat in a hat", "it works on my cluster", "kubectl apply and pray", "keda sees the lag", "hpa at max again",
    ]

    public init(box: NATSLinkBox, subject: String = MemeDefaults.requestSubject, responseSubject: String = MemeDefaults.responseSubject,
                maxConcurrent: Int = 256) {
        self.box = box
        self.subject = subject
        self.responseSubject = responseSubject
        self.maxConcurrent = maxConcurrent
    }

    public func submit(count: Int) throws {
        guard count > 0 else { return }
        let connection = try box.require()
        try ensureListener(connection)
        let id = UUID()
        let task = Task { [self] in
            await publish(count: count, on: connection)
            _ = tasks.withLock { $0.bursts.removeValue(forKey: id) }
        }
        tasks.withLock { $0.bursts[id] = task }
    }

    public func startSustained(perSecond rate: Double) throws {
        guard rate > 0, rate.isFinite else { throw ConsoleError("sustained rate must be above 0, got \(rate)") }
        _ = try box.require()
        ledger.withLock { $0.sustainedRate = rate }
        let task = Task { [self] in
            // Ticks of at least 50 ms; each sends what the rate owes since the start, so rounding never drifts.
            let start = Date()
            var done = 0
            while !Task.isCancelled {
                let owed = Int(Date().timeIntervalSince(start) * rate) + 1 - done
                if owed > 0, let connection = try? box.require() {
                    // Its own task: stopping or re-rating the load must not cancel publishes already under way.
                    await Task { [self] in await publish(count: owed, on: connection) }.value
                    done += owed
                }
                try? await Task.sleep(for: .milliseconds(max(50, Int(1000 / rate))))
            }
        }
        let old = tasks.withLock { t -> Task<Void, Never>? in
            defer { t.sustained = task }
            return t.sustained
        }
        old?.cancel()
    }

    public func stopSustained() {
        ledger.withLock { $0.sustainedRate = nil }
        tasks.withLock { $0.sustained }?.cancel()
    }

    public func stats() -> LoadStats {
        ledger.withLock { l in
            let sorted = l.latencies.sorted()
            func quantile(_ q: Double) -> Double? {
                sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
            }
            return LoadStats(sent: l.sent, acked: l.acked, answered: l.answered, errors: l.errors, inFlight: l.waiting.count,
                             p50Milliseconds: quantile(0.5), p95Milliseconds: quantile(0.95), sustainedRate: l.sustainedRate)
        }
    }

    /// Requests still waiting were deleted with the queue: they leave "in flight" (and are not errors).
    public func queuePurged() {
        ledger.withLock { $0.waiting.removeAll() }
    }

    public func shutdown() async {
        let all = tasks.withLock { t in
            let list = Array(t.bursts.values) + [t.sustained, t.listener].compactMap { $0 }
            t = ([:], nil, nil)
            return list
        }
        for task in all { task.cancel() }
        for task in all { await task.value }
    }

    private func ensureListener(_ connection: NATSConnection) throws {
        let needed = tasks.withLock { $0.listener == nil }
        guard needed else { return }
        let task = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                for (subject, ok) in [(responseSubject, true), (MemeDefaults.errorSubject(for: responseSubject), false)] {
                    group.addTask { [self] in
                        guard let sub = try? await connection.subscribe(subject) else { return }
                        do {
                            for try await message in sub { answered(message.bytes, ok: ok) }
                        } catch {}
                    }
                }
            }
        }
        tasks.withLock { $0.listener = task }
    }

    private struct Answer: Decodable {
        var requestId: String?
        enum CodingKeys: String, CodingKey { case requestId = "request_id" }
    }

    private func answered(_ bytes: [UInt8], ok: Bool) {
        guard let id = (try? JSONDecoder().decode(Answer.self, from: Data(bytes)))?.requestId, id.hasPrefix(prefix) else { return }
        let now = Date().timeIntervalSince1970
        ledger.withLock { l in
            guard let submitted = l.waiting.removeValue(forKey: id) else { return }
            if ok {
                l.answered += 1
                l.latencies.append((now - submitted) * 1000)
                if l.latencies.count > 2000 { l.latencies.removeFirst(l.latencies.count - 2000) }
            } else {
                l.errors += 1
            }
        }
    }

    private func publish(count: Int, on connection: NATSConnection) async {
        let js = JetStream(connection, timeout: .seconds(5))
        await withTaskGroup(of: Void.self) { group in
            var started = 0
            func startOne() {
                let n = counter.add(1, ordering: .relaxed).newValue
                let id = "\(prefix)-\(n)"
                let now = Date().timeIntervalSince1970
                let request = MemeRequest(id: id, prompt: Self.prompts[n % Self.prompts.count], submittedAt: now)
                guard let body = try? JSONEncoder().encode(request) else { return }
                ledger.withLock { $0.sent += 1; $0.waiting[id] = now }
                group.addTask { [self] in
                    do {
                        _ = try await js.publish(subject, payload: Array(body), messageID: id)
                        ledger.withLock { $0.acked += 1 }
                    } catch {
                        ledger.withLock { $0.errors += 1; $0.waiting[id] = nil }
                    }
                }
            }
            while started < min(count, maxConcurrent) && !Task.isCancelled {
                startOne()
                started += 1
            }
            while await group.next() != nil {
                if started < count && !Task.isCancelled {
                    startOne()
                    started += 1
                }
            }
        }
    }
}
