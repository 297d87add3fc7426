import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import OpsHTTP

@Suite struct OpsHTTPTests {
    @Test func endpointsAnswer() async throws {
        let ready = Mutex<String?>("NATS not connected")
        let ops = OpsEndpoints(metrics: { "# HELP x y\n# TYPE x counter\nx 1\n" }, notReadyReason: { ready.withLock { $0 } })
        let router = Router()
        ops.add(to: router)
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("x 1"))
                #expect(r.headers[.contentType]?.hasPrefix("text/plain") == true)
            }
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { r in
                #expect(r.status == .serviceUnavailable)
                #expect(String(buffer: r.body).contains("NATS not connected"))
            }
            ready.withLock { $0 = nil }
            try await client.execute(uri: "/readyz", method: .get) { r in #expect(r.status == .ok) }
        }
    }

    @Test func statusIsServedOnlyWhenGiven() async throws {
        let plain = Router()
        OpsEndpoints(metrics: { "" }, notReadyReason: { nil }).add(to: plain)
        try await Application(router: plain).test(.router) { client in
            try await client.execute(uri: "/status", method: .get) { r in #expect(r.status == .notFound) }
        }
        let router = Router()
        OpsEndpoints(metrics: { "" }, notReadyReason: { nil }, status: { #"{"version":1}"# }).add(to: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/status", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json")
                #expect(String(buffer: r.body) == #"{"version":1}"#)
            }
        }
    }
}
