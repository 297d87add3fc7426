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

/// Why a submit failed. `message` is sent to the client (it must never contain secrets);
/// `underlying` keeps the NATS or JetStream error it came from.
public struct MemeQueueError: CausedError {
    public var message: String
    public var underlying: (any Error)?
    public init(_ message: String, underlying: (any Error)?) { (self.message, self.underlying) = (message, underlying) }

    /// The usual shape: the broker is down or did not acknowledge in time.
    public static func unavailable(_ reason: String, underlying: (any Error)? = nil) -> MemeQueueError {
        MemeQueueError("JetStream unavailable: \(reason)", underlying: underlying)
    }
}
