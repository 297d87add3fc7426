import Foundation
import HTTPTypes
import Hummingbird

/// Records `meme_web_requests_total{route,status}` and the latency histogram. Outermost, so it
/// sees the final status of every request, including errors turned into JSON.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let metrics: WebMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.record(route: Self.route(context), status: response.status.code, duration: .now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(route: Self.route(context), status: status, duration: .now - start)
            throw error
        }
    }

    /// The matched route pattern; every request that matched none shares one label, so
    /// scanners probing random paths cannot grow the series count.
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unmatched" }
        return path
    }
}

/// Security headers on every response: a strict CSP (no inline script or style), no MIME sniffing,
/// no referrer leaks, no framing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.add(to: &response.headers)
        return response
    }

    /// Also used by StaticFastPath, which answers page requests before they reach the router.
    static func add(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        headers[.xFrameOptions] = "DENY"
    }
}

/// Turns every error (including "no such route") into a JSON body `{"error": "..."}` with the
/// right status, so clients always get a readable reason.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as HTTPError {
            let message = error.body ?? Self.defaultMessage(for: error.status, request: request)
            var response = APIError(error.status, message).response()
            for field in error.headers where field.name != .contentType && field.name != .contentLength {
                response.headers.append(field)
            }
            return response
        } catch let error as any HTTPResponseError {
            return APIError(error.status, Self.defaultMessage(for: error.status, request: request)).response()
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            return APIError(.internalServerError, "internal error").response()
        }
    }

    static func defaultMessage(for status: HTTPResponse.Status, request: Request) -> String {
        switch status {
        case .notFound: "no route for \(request.method) \(request.uri.path)"
        case .methodNotAllowed: "method \(request.method) is not allowed on \(request.uri.path)"
        case .contentTooLarge: "request body is too large"
        default: status.reasonPhrase.lowercased()
        }
    }
}

/// An HTTP error with a JSON body `{"error": message}` (plus optional headers such as Retry-After).
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    func response() -> Response {
        var response = JSONBody.response(status, ["error": message])
        for field in headers { response.headers.append(field) }
        return response
    }
}

enum JSONBody {
    static func response(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        response(status, encoded: encode(value))
    }

    static func response(_ status: HTTPResponse.Status, encoded: ByteBuffer) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: encoded))
    }

    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    /// The page's per-browser id, for rate limiting behind a shared address.
    static let memeClient = Self("X-Meme-Client")!
}
