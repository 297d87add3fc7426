import Foundation
import Logging
import MemeKit
import Synchronization
@testable import WebService

/// An in-test `MemeQueue` for HTTP-layer tests (validation, headers, limits, the live hub):
/// it records submits, can be made to refuse them, and lets the test push outcomes.
/// It stands in for the broker only; tests of the live NATS path use real servers.
final class RecordingQueue: MemeQueue {
    private let state = Mutex<(submitted: [MemeRequest], failure: MemeQueueError?, ready: MemeQueueReadiness)>(([], nil, .ready))
    private let subscribers = Mutex([AsyncStream<MemeOutcome>.Continuation]())

    var submitted: [MemeRequest] { state.withLock { $0.submitted } }

    func refuse(with error: MemeQueueError?) { state.withLock { $0.failure = error } }
    func setReadiness(_ readiness: MemeQueueReadiness) { state.withLock { $0.ready = readiness } }

    func submit(_ request: MemeRequest) async throws {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            state.submitted.append(request)
        }
    }

    func outcomes() -> AsyncStream<MemeOutcome> {
        let (stream, continuation) = AsyncStream<MemeOutcome>.makeStream()
        subscribers.withLock { $0.append(continuation) }
        return stream
    }

    func readiness() async -> MemeQueueReadiness { state.withLock { $0.ready } }

    func emit(_ outcome: MemeOutcome) {
        for continuation in subscribers.withLock({ $0 }) { continuation.yield(outcome) }
    }
}

enum Fixtures {
    /// The real page files of the meme-web executable.
    static let publicDirectory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Web/Public").path

    /// A 1×1 PNG.
    static let png: [UInt8] = Array(Data(base64Encoded:
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!)

    static func settings(_ configure: (inout WebSettings) -> Void = { _ in }) -> WebSettings {
        var settings = WebSettings()
        settings.host = "127.0.0.1"
        settings.port = 0
        settings.publicDirectory = publicDirectory
        settings.statsIntervalSeconds = 0.2
        configure(&settings)
        return settings
    }

    static func app(queue: RecordingQueue, store: (any ResultStore)? = nil, _ configure: (inout WebSettings) -> Void = { _ in }) throws -> MemeWebApp {
        var logger = Logger(label: "meme-web-test")
        logger.logLevel = .critical
        return try MemeWebApp(settings: settings(configure), queue: queue, store: store, logger: logger)
    }
}

/// Polls `condition` until true or `timeout` passes (generous: tests never assert speed).
func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
