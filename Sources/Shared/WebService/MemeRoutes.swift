import Foundation
import HTTPTypes
import Hummingbird
import MemeKit

/// The JSON API: submit, look up, fetch the image, list recent memes.
struct MemeRoutes {
    let app: MemeWebApp

    func register(on router: Router<WebRequestContext>) {
        router.post("/api/memes") { request, context in try await submit(request, context) }
        router.get("/api/memes") { request, context in try await list(request, context) }
        router.get("/api/memes/{id}") { _, context in try await lookup(context) }
        router.get("/api/memes/{id}/image") { request, context in try await image(request, context) }
        // A plain GET on the WebSocket path (no Upgrade header) gets a clear answer, not a 404.
        router.get("/api/live") { _, _ -> Response in
            throw APIError(.upgradeRequired, "/api/live is a WebSocket endpoint", headers: [.upgrade: "websocket"])
        }
    }

    func submit(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        let settings = app.settings
        let address = ClientAddress.resolve(
            forwardedFor: request.headers[.xForwardedFor], peer: context.peerAddress, trustProxy: settings.trustProxy,
            trustedProxies: settings.trustedProxies)
        let browser: String?
        do { browser = try ClientAddress.browserID(request.headers[.memeClient]) } catch { throw APIError(.badRequest, "\(error)") }
        if case .limited(let retryAfter, let scope) = app.limiter.check(address: address, browserID: browser, now: Date().timeIntervalSince1970) {
            throw APIError(.tooManyRequests, SubmitLimiter.message(scope, retryAfter: retryAfter),
                           headers: [.retryAfter: String(retryAfter)])
        }
        // Only application/json: a form or text/plain POST is what another site can make a visitor's
        // browser send without a CORS preflight.
        guard let contentType = request.headers[.contentType], Self.isJSON(contentType) else {
            let sent = request.headers[.contentType].map { "not '\($0.prefix(80))'" } ?? "and none was sent"
            throw APIError(.unsupportedMediaType, "Content-Type must be application/json, \(sent)")
        }
        // The rest of the body is not read: the connection closes after this answer.
        let tooLarge = APIError(.contentTooLarge, "request body is over \(settings.maxBodyBytes) bytes", headers: [.connection: "close"])
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxBodyBytes {
            throw tooLarge
        }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: settings.maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch {
            // The client went away (or timed out) mid-body: its problem, not an error of ours.
            context.logger.debug("request body ended early", metadata: ["error": "\(error)"])
            throw APIError(.badRequest, "request body ended before it was complete", headers: [.connection: "close"])
        }
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        guard !bytes.isEmpty else { throw APIError(.badRequest, "request body is empty; send a JSON object with 'prompt'") }
        var meme: MemeRequest
        switch MemeRequestDecoder.decode(bytes, fallbackID: nil, limits: settings.limits) {
        case .success(let decoded): meme = decoded
        case .failure(let error): throw APIError(.badRequest, error.message)
        }
        // The id is always ours: a client-chosen id could collide with (and overwrite) someone else's.
        let id = UUID().uuidString.lowercased()
        let now = Date().timeIntervalSince1970
        meme.id = id
        meme.submittedAt = now
        // What is published must be what the worker accepts: the same limit, on the same bytes.
        if case .failure(let error) = MemeRequestEncoder.encode(meme, limits: settings.limits) {
            throw APIError(.contentTooLarge, error.message)
        }
        let record = MemeRecord(queued: meme, id: id, at: now)
        // Cached before the publish: a fast worker may answer before `submit` returns.
        app.book.cache.store(record, ttlSeconds: settings.resultTTLSeconds)
        do {
            try await withTimeout(seconds: settings.submitTimeoutSeconds) { [queue = app.queue, meme] in
                try await queue.submit(meme)
            }
        } catch {
            app.book.cache.discard(id: id)
            let failure = error as? MemeQueueError ?? MemeQueueError.unavailable("\(error)")
            context.logger.warning("submit failed", metadata: ["id": "\(id)", "error": "\(failure.detail)"])
            throw APIError(.serviceUnavailable, failure.message, headers: [.retryAfter: failure.kind == .full ? "30" : "2"])
        }
        await app.book.accepted(record)
        var response = JSONBody.response(.accepted, ["id": id, "status": "queued"])
        response.headers[.location] = "/api/memes/\(id)"
        return response
    }

    func lookup(_ context: WebRequestContext) async throws -> Response {
        let record = try await findRecord(context)
        return JSONBody.response(.ok, record.view)
    }

    func image(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        let record = try await findRecord(context, image: true)
        guard record.status == .done, let image = record.image else {
            let detail = record.status == .error ? ": \(record.error ?? "failed")" : ""
            throw APIError(
                record.status == .done ? .notFound : .conflict,
                record.status == .done
                    ? "the image of meme '\(record.id)' has expired"
                    : "meme '\(record.id)' has no image (status \(record.status.rawValue))\(detail)")
        }
        // A meme's image never changes, so its id (plus size) is a strong validator.
        let etag = "\"\(record.id)-\(image.count)\""
        var headers: HTTPFields = [
            .contentType: record.contentType ?? ImageType.sniff(image), .eTag: etag,
            .cacheControl: "public, max-age=31536000, immutable",
        ]
        if request.headers[.ifNoneMatch] == etag {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(image.count)
        headers[.contentDisposition] = "inline; filename=\"meme-\(record.id).\(fileExtension(headers[.contentType]))\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: image)))
    }

    func list(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        let address = ClientAddress.resolve(
            forwardedFor: request.headers[.xForwardedFor], peer: context.peerAddress, trustProxy: app.settings.trustProxy,
            trustedProxies: app.settings.trustedProxies)
        if case .limited(let retryAfter) = app.listLimiter.check(client: address, now: Date().timeIntervalSince1970) {
            throw APIError(.tooManyRequests, "too many list requests from your address; try again in \(retryAfter) s",
                           headers: [.retryAfter: String(retryAfter)])
        }
        let max = app.settings.maxListLimit
        var limit = min(24, max)
        if let raw = request.uri.queryParameters.get("limit") {
            guard let value = Int(raw), (1...max).contains(value) else {
                throw APIError(.badRequest, "query 'limit' must be a whole number from 1 to \(max)")
            }
            limit = value
        }
        // Concurrent and repeated calls within a second share one walk of the store.
        let body = await app.lists.body(limit: limit) { [app, limit] in
            let records = await app.book.recent(limit: limit)
            let counts = app.book.currentCounts
            return JSONBody.encode(MemeList(
                memes: records.map(\.view), queued: counts.queued, done: counts.done, errors: counts.errors,
                viewers: app.hub.viewerCount))
        }
        return JSONBody.response(.ok, encoded: body)
    }

    /// `application/json`, optionally with parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String) -> Bool {
        contentType.split(separator: ";", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    func findRecord(_ context: WebRequestContext, image: Bool = false) async throws -> MemeRecord {
        let id = try context.parameters.require("id")
        guard !id.isEmpty, id.count <= 128 else { throw APIError(.badRequest, "meme id must be 1 to 128 characters") }
        guard let record = await app.book.find(id: id, image: image) else {
            throw APIError(.notFound, "no meme with id '\(id)'")
        }
        return record
    }

    func fileExtension(_ contentType: String?) -> String {
        switch contentType {
        case "image/png": "png"
        case "image/jpeg": "jpg"
        case "image/svg+xml": "svg"
        case "image/webp": "webp"
        case "image/gif": "gif"
        default: "bin"
        }
    }
}

struct MemeList: Encodable {
    let memes: [MemeView]
    let queued, done, errors, viewers: Int
}

/// Runs `operation`, giving up after `seconds` with `MemeQueueError.unavailable`.
func withTimeout(seconds: Double, _ operation: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            throw MemeQueueError.unavailable("no acknowledgement within \(seconds) s")
        }
        defer { group.cancelAll() }
        try await group.next()
    }
}
