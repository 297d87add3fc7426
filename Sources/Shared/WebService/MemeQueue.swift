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

/// One result from a worker (MemeKit's answer type, decoded there).
public typealias MemeOutcome = MemeAnswer

public enum MemeQueueReadiness: Sendable, Equatable {
    case ready
    /// Not connected, or JetStream not answering; the reason is shown on `/readyz`.
    case notReady(String)
}

/// Why a submit failed. `message` is sent to the client: plain words, never the internals (subjects,
/// servers, timeouts) nor secrets; `detail` (with `underlying`, the NATS or JetStream error it came
/// from) is for the log.
public struct MemeQueueError: CausedError {
    public enum Kind: Sendable, Equatable {
        /// Not reachable or no acknowledgement in time: nothing was queued.
        case unavailable
        /// The queue is at its bound (discard new): nothing was queued.
        case full
        case other
    }

    public var message: String
    public var underlying: (any Error)?
    public var kind = Kind.other
    public var detail: String

    public init(_ message: String, underlying: (any Error)?) {
        (self.message, self.underlying, self.detail) = (message, underlying, message)
    }

    /// The broker is down or did not acknowledge in time.
    public static func unavailable(_ reason: String, underlying: (any Error)? = nil) -> MemeQueueError {
        var error = MemeQueueError(
            "the meme queue is not reachable right now, so your meme was not queued; try again in a few seconds", underlying: underlying)
        error.kind = .unavailable
        error.detail = "JetStream unavailable: \(reason)"
        return error
    }

    /// The stream refused the request because it holds as many as it may.
    public static func full(_ reason: String, underlying: (any Error)? = nil) -> MemeQueueError {
        var error = MemeQueueError("the meme queue is full, so your meme was not queued; try again in a minute", underlying: underlying)
        error.kind = .full
        error.detail = "stream full: \(reason)"
        return error
    }
}
