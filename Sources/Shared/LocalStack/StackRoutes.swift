import Hummingbird
import OpsHTTP

extension LocalStack {
    /// The stack's own listener: /status (the three stand-ins), /metrics, /healthz, /readyz,
    /// /stack (where everything is), POST /services/<name>/<stop|kill|start|restart> and
    /// POST /act/<keda-only|conflict|harmony> (GET /act: the current one).
    public func application(host: String, port: Int) -> some ApplicationProtocol {
        let router = Router()
        OpsEndpoints(metrics: { [registry] in registry.emitToString() }, notReadyReason: { [self] in notReadyReason },
                     status: { [self] in statusJSON() }).add(to: router)
        router.get("stack") { [self] _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(string: await manifest().json())))
        }
        router.post("services/:name/:action") { [self] _, context in
            let name = context.parameters.get("name") ?? ""
            let action = context.parameters.get("action") ?? ""
            do {
                let text = try await control(service: name, action: action)
                return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
            } catch let error as StackError {
                return Response(status: .badRequest, headers: [.contentType: "text/plain"],
                                body: .init(byteBuffer: ByteBuffer(string: error.message + "\n")))
            }
        }
        router.get("act") { [self] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(string: act.rawValue + "\n")))
        }
        router.post("act/:name") { [self] _, context in
            do {
                let text = try await switchAct(to: context.parameters.get("name") ?? "")
                return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
            } catch let error as StackError {
                return Response(status: .badRequest, headers: [.contentType: "text/plain"],
                                body: .init(byteBuffer: ByteBuffer(string: error.message + "\n")))
            }
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil))
    }
}
