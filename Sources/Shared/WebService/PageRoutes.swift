import HTTPTypes
import Hummingbird

/// `/`, `/wall` and `/assets/{name}` from memory, with ETag revalidation.
struct PageRoutes {
    let assets: StaticAssets

    func register(on router: Router<WebRequestContext>) {
        router.get("/") { request, _ in try serve("/", request) }
        router.head("/") { request, _ in try serve("/", request, head: true) }
        router.get("/wall") { request, _ in try serve("/wall", request) }
        router.head("/wall") { request, _ in try serve("/wall", request, head: true) }
        router.get("/assets/{name}") { request, context in
            let name = try context.parameters.require("name")
            return try serve("/assets/\(name)", request)
        }
    }

    func serve(_ path: String, _ request: Request, head: Bool = false) throws -> Response {
        guard let reply = assets.reply(path: path, ifNoneMatch: request.headers[.ifNoneMatch], head: head) else {
            throw APIError(.notFound, "no file at \(request.uri.path)")
        }
        return Response(status: reply.status, headers: reply.headers, body: reply.body.map { .init(byteBuffer: $0) } ?? .init())
    }
}

/// `/healthz`, `/readyz`, `/metrics`.
struct OpsRoutes {
    let queue: any MemeQueue
    let metrics: WebMetrics

    func register<Context: RequestContext>(on router: Router<Context>, metrics withMetrics: Bool) {
        router.get("/healthz") { _, _ in JSONBody.response(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in
            switch await queue.readiness() {
            case .ready: return JSONBody.response(.ok, ["status": "ready"])
            case .notReady(let reason): return JSONBody.response(.serviceUnavailable, ["status": "not ready", "error": reason])
            }
        }
        guard withMetrics else { return }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.page())))
        }
    }
}
