import MemeKit

/// Where meme-web sends requests and hears about results. The production conformer publishes to
/// JetStream (`meme.request`, `Nats-Msg-Id` = id, awaiting the PubAck) and subscribes to
/// `meme.response` / `meme.response.error`; tests and the dev loopback use other conformers.
public protocol MemeQueue: Sendable {
    /// Stores one request. Returns only once the broker has acknowledged it (a JetStream PubAck),
    /// so an HTTP 202 means the request is durable.
    /// - Throws: `MemeQueueError` when the broker cannot take it (e.g. "JetStream unavailable: …").
    func submit(_ request: MemeRequest) async throws

    /// Results as they arrive, from any worker, for any request. Each call returns a new stream;
    /// meme-web calls it once at start-up and keeps reading for its whole life.
    func outcomes() -> AsyncStream<MemeOutcome>

    /// Whether submits can succeed right now (for `/readyz`).
    func readiness() async -> MemeQueueReadiness
}

/// One result from a worker.
public enum MemeOutcome: Sendable, Equatable {
    case done(MemeResponse)
    case failed(MemeErrorResponse)
}

public enum MemeQueueReadiness: Sendable, Equatable {
    case ready
    /// Not connected, or JetStream not answering; the reason is shown on `/readyz`.
    case notReady(String)
}

/// Why a submit failed. `message` is sent to the client: plain words, never the internals (subjects,
/// servers, timeouts) nor secrets; `detail` is for the log.
public struct MemeQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not reachable or no acknowledgement in time: nothing was queued.
        case unavailable
        /// The queue is at its bound (discard new): nothing was queued.
        case full
        case other
    }

    public var kind: Kind
    public var message: String
    public var detail: String

    public init(_ message: String) {
        self.init(kind: .other, message: message, detail: message)
    }

    public init(kind: Kind = .other, message: String, detail: String) {
        self.kind = kind
        self.message = message
        self.detail = detail
    }

    public var description: String { detail }

    /// The broker is down or did not acknowledge in time.
    public static func unavailable(_ detail: String) -> MemeQueueError {
        MemeQueueError(kind: .unavailable, message: "the meme queue is not reachable right now, so your meme was not queued; try again in a few seconds",
                       detail: "JetStream unavailable: \(detail)")
    }

    /// The stream refused the request because it holds as many as it may.
    public static func full(_ detail: String) -> MemeQueueError {
        MemeQueueError(kind: .full, message: "the meme queue is full, so your meme was not queued; try again in a minute",
                       detail: "stream full: \(detail)")
    }
}
