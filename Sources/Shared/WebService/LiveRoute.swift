import Hummingbird
import HummingbirdWebSocket
import Logging

/// `GET /api/live` (WebSocket): `{"type":"stats",…}` at once and periodically, then
/// `{"type":"meme",…}` / `{"type":"error",…}` as results arrive. Messages from the browser are
/// read and ignored. A viewer that falls behind is dropped by the hub and closed here.
struct LiveRoute {
    let hub: LiveHub
    let book: MemeBook
    let metrics: WebMetrics
    let logger: Logger

    func register(on router: Router<WebRequestContext>) {
        router.ws("/api/live") { inbound, outbound, _ in
            guard let viewer = hub.tryConnect() else {
                // At WEB_MAX_VIEWERS: 1013 "try again later"; the page reconnects with backoff and polls meanwhile.
                metrics.websocketsRefused.increment()
                try await outbound.close(.unknown(1013), reason: "too many live viewers (\(hub.maxViewers)); try again later")
                return
            }
            defer { hub.disconnect(viewer.id) }
            // The newcomer sees the counters without waiting for the next tick; everyone else
            // learns the new viewer count on that tick.
            try await outbound.write(.text(book.statsMessage()))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Drain (and discard) what the browser sends; ends when it closes.
                    for try await _ in inbound {}
                }
                group.addTask {
                    for await message in viewer.messages {
                        try await outbound.write(.text(message))
                    }
                    // The stream ended while the socket is open: the hub dropped a slow viewer.
                    if Task.isCancelled { return }
                    try await outbound.close(.policyViolation, reason: "too slow; reconnect")
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
