import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestServers
@testable import WebService

/// The page fast path (StaticFastPath): which requests it answers, that its answers equal the
/// router's, that they are counted, and that pipelined requests are answered in order.
@Suite struct StaticFastPathTests {
    static let assets = try! StaticAssets.load(directory: Fixtures.publicDirectory)
    static let page = StaticPage(assets: assets, serverName: "meme-web")

    static func request(_ method: HTTPRequest.Method, _ path: String, _ fields: HTTPFields = [:]) -> HTTPRequest {
        HTTPRequest(method: method, scheme: nil, authority: "x", path: path, headerFields: fields)
    }

    @Test func answersThePageRoutesOnly() throws {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        let index = try #require(Self.page.answer(Self.request(.get, "/"), date: date))
        #expect(index.response.status == .ok && index.route == "/")
        #expect(index.body?.readableBytes == Int(index.response.headerFields[.contentLength] ?? ""))
        #expect(index.response.headerFields[.date] == date && index.response.headerFields[.server] == "meme-web")
        #expect(index.response.headerFields[.contentSecurityPolicy] == SecurityHeadersMiddleware.contentSecurityPolicy)
        #expect(index.response.headerFields[.cacheControl] == "no-cache")

        #expect(Self.page.answer(Self.request(.get, "/?utm=talk"), date: date)?.route == "/")
        #expect(Self.page.answer(Self.request(.get, "/wall"), date: date)?.route == "/wall")
        #expect(Self.page.answer(Self.request(.get, "/assets/app.js"), date: date)?.route == "/assets/{name}")
        let head = try #require(Self.page.answer(Self.request(.head, "/"), date: date))
        #expect(head.body == nil && head.response.headerFields[.contentLength] == index.response.headerFields[.contentLength])

        let etag = try #require(index.response.headerFields[.eTag])
        let revalidated = try #require(Self.page.answer(Self.request(.get, "/", [.ifNoneMatch: etag]), date: date))
        #expect(revalidated.response.status == .notModified && revalidated.body == nil)

        // Left to the router: other routes and methods, missing files, bodies, Connection: close.
        for request in [
            Self.request(.post, "/"), Self.request(.get, "/api/memes"), Self.request(.get, "/metrics"),
            Self.request(.get, "/assets/nope.js"), Self.request(.head, "/assets/app.js"), Self.request(.get, "/wall/x"),
            Self.request(.get, "/", [.connection: "close"]), Self.request(.get, "/", [.contentLength: "3"]),
            Self.request(.get, "/", [.transferEncoding: "chunked"]),
        ] {
            #expect(Self.page.answer(request, date: date) == nil, "\(request.method) \(request.path ?? "")")
        }
    }

    @Test func dateHeaderIsIMFFixdate() {
        var t = tm()
        var seconds = time_t(784_111_777)
        gmtime_r(&seconds, &t)
        #expect(HTTPDate.format(t) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    typealias Seen = (status: HTTPResponse.Status, headers: [String: String], body: String)
    @Sendable static func seen(_ response: TestResponse) -> Seen {
        var headers: [String: String] = [:]
        for field in response.headers where field.name != .date && field.name != .connection && field.name != .server {
            headers[field.name.canonicalName] = field.value
        }
        return (response.status, headers, String(buffer: response.body))
    }

    /// Status, headers (but Date) and body of every page file: the same through the socket (fast
    /// path) as through the router.
    @Test func socketAnswersEqualTheRouters() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()).buildApplication()
        let liveApp = try Fixtures.app(queue: RecordingQueue())
        let live = liveApp.buildApplication()
        let cases: [(String, HTTPRequest.Method)] = Self.assets.paths.map { ($0, .get) } + [("/", .head), ("/wall", .head)]
        let fromRouter = try await app.test(.router) { client in
            var seen: [Seen] = []
            for (uri, method) in cases { seen.append(try await client.execute(uri: uri, method: method) { Self.seen($0) }) }
            return seen
        }
        try await live.test(.live) { client in
            for ((uri, method), expected) in zip(cases, fromRouter) {
                let got = try await client.execute(uri: uri, method: method) { Self.seen($0) }
                #expect(got.status == expected.status, "\(method) \(uri)")
                #expect(got.body == expected.body, "\(method) \(uri)")
                #expect(got.headers == expected.headers, "\(method) \(uri)")
            }
            let etag = Self.assets.asset(for: "/")!.etag
            try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: etag]) { #expect($0.status == .notModified) }
            // /metrics lives on the ops listener (not the audience's port): read the registry behind it.
            let metrics = String(decoding: liveApp.metrics.page(), as: UTF8.self)
            // GET and HEAD of / (one each), counted as the router would.
            #expect(metrics.contains(#"meme_web_requests_total{route="/",status="200"} 2"#), "\(metrics)")
            #expect(metrics.contains(#"meme_web_requests_total{route="/",status="304"} 1"#))
            #expect(metrics.contains(#"meme_web_requests_total{route="/assets/{name}",status="200"}"#))
        }
    }

    /// Several requests in one write, page and router requests mixed: answers come in request
    /// order (a page request behind an unanswered router request waits its turn).
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()).buildApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let body = #"{"prompt":"pipelined cat"}"#
            let wire = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /api/memes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                + "GET /wall HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /no-such-route HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let reply = try RawHTTP.exchange(port: port, Array(wire.utf8))
            let statuses = RawHTTP.statusLines(reply)
            #expect(statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 202 Accepted", "HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"],
                    "\(reply.prefix(3000))")
        }
    }
}

/// A blocking loopback TCP exchange: write the bytes, read until the server closes.
enum RawHTTP {
    /// The status line of each response in `reply`, walking them by Content-Length.
    static func statusLines(_ reply: String) -> [String] {
        var rest = Substring(reply)
        var lines: [String] = []
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = rest[..<headEnd.lowerBound].components(separatedBy: "\r\n")
            lines.append(head[0])
            let length = head.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            rest = rest[headEnd.upperBound...]
            rest = rest.utf8.count >= length ? Substring(String(decoding: Array(rest.utf8).dropFirst(length), as: UTF8.self)) : ""
        }
        return lines
    }

    static func exchange(port: Int, _ bytes: [UInt8], timeoutSeconds: Int = 10) throws -> String {
        guard let received = LoopbackExchange.send(bytes, port: port, timeoutSeconds: timeoutSeconds, untilClosed: true) else {
            throw WebServiceError("no answer from :\(port)")
        }
        return String(decoding: received, as: UTF8.self)
    }
}
