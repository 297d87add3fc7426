import NATS
import TestServers

/// Runs `body` and fails if it takes longer than `seconds` (tests never hang).
func withTimeout<T: Sendable>(_ seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw NATSError(.timeout, "test step timed out after \(seconds) s")
        }
        group.cancelAll()
        return value
    }
}

func connect(_ server: NATSServer, configure: (inout NATSOptions) -> Void = { _ in }) async throws -> NATSConnection {
    var options = NATSOptions(servers: [server.url], name: "nats-tests")
    configure(&options)
    return try await NATSConnection.connect(options)
}

/// Collects `count` messages from a subscription.
func collect(_ sub: NATSSubscription, _ count: Int, seconds: Double = 10) async throws -> [NATSMessage] {
    try await withTimeout(seconds) {
        var out: [NATSMessage] = []
        for try await message in sub {
            out.append(message)
            if out.count == count { break }
        }
        return out
    }
}
