import Hummingbird

/// The operational endpoints every long-running program exposes: `/metrics` (Prometheus text),
/// `/healthz` (the process is alive) and `/readyz` (it can do its job: connected and consuming).
public struct OpsEndpoints: Sendable {
    public var metrics: @Sendable () -> String
    /// nil when ready, else the reason (shown in the 503 body so `kubectl describe` says why).
    public var notReadyReason: @Sendable () -> String?
    /// When set, `GET /status` serves this JSON document (the local scaler's decision).
    public var status: (@Sendable () -> String)?

    public init(metrics: @escaping @Sendable () -> String, notReadyReason: @escaping @Sendable () -> String?,
                status: (@Sendable () -> String)? = nil) {
        self.metrics = metrics
        self.notReadyReason = notReadyReason
        self.status = status
    }

    public func add<Context: RequestContext>(to router: Router<Context>) {
        let metrics = self.metrics
        let notReady = self.notReadyReason
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics())))
        }
        if let status {
            router.get("status") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                         body: .init(byteBuffer: ByteBuffer(string: status())))
            }
        }
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, _ in
            if let reason = notReady() {
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "not ready: \(reason)\n")))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        }
    }

    /// A Hummingbird application serving only these endpoints on `host:port`.
    public func application(host: String, port: Int) -> some ApplicationProtocol {
        let router = Router()
        add(to: router)
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil))
    }
}
