import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Which requests the page fast path answers, and with what: a pure decision, unit-tested apart
/// from any socket. Exactly the router's page routes (GET and HEAD of `/` and `/wall`, GET of
/// `/assets/<name>`), for files that exist, on requests without a body that keep the connection
/// open; everything else goes to the router.
struct StaticPage: Sendable {
    let assets: StaticAssets
    /// The `Server` header the application adds to router responses.
    let serverName: String?

    /// A response ready to write, and the route label it is counted under.
    struct Answer {
        var response: HTTPResponse
        var body: ByteBuffer?
        var route: String
    }

    func answer(_ request: HTTPRequest, date: String) -> Answer? {
        let head: Bool
        switch request.method {
        case .get: head = false
        case .head: head = true
        default: return nil
        }
        guard var path = request.path else { return nil }
        if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
        let route: String
        if path == "/" || path == "/wall" {
            route = path
        } else if path.hasPrefix("/assets/"), !head {
            route = "/assets/{name}"
        } else {
            return nil
        }
        let fields = request.headerFields
        // The router closes the connection after a `Connection: close` request; a body would have
        // to be read and discarded. Both are rare for a page load: leave them to the router.
        if fields[.connection]?.lowercased() == "close" || fields[.contentLength].map({ $0 != "0" }) == true
            || fields[.transferEncoding] != nil {
            return nil
        }
        guard let reply = assets.reply(path: path, ifNoneMatch: fields[.ifNoneMatch], head: head) else { return nil }
        var headers = reply.headers
        SecurityHeadersMiddleware.add(to: &headers)
        headers[.date] = date
        if let serverName { headers[.server] = serverName }
        if reply.body == nil, reply.status == .notModified { headers[.contentLength] = nil }
        return Answer(response: HTTPResponse(status: reply.status, headerFields: headers), body: reply.body, route: route)
    }
}

/// Answers page requests (`/`, `/wall`, `/assets/…`) on the event loop, before they reach
/// Hummingbird's router. A page request through the router costs a hop to a Swift concurrency
/// task and back plus the middleware chain — about 50 µs of CPU against nginx's 11 µs for the same
/// file (docs/benchmarks.md, "Web"); answered here it costs the HTTP codec and one write.
///
/// Order is kept: while a request handed to the router has not been answered, later page requests
/// on the connection go to the router too (HTTP/1.1 answers in request order). Requests answered
/// here are counted in `meme_web_requests_total` under the router's route labels. Hummingbird's
/// connection-state handler (idle timeout, closing at shutdown) does not see them; its idle
/// timeout is not set for meme-web.
final class StaticFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let page: StaticPage
    private let metrics: WebMetrics
    private enum Reading {
        case idle
        /// Answering this request here once its end arrives.
        case answering(StaticPage.Answer, ContinuousClock.Instant)
        /// Passing this request's parts to the router.
        case forwarding
    }
    private var reading = Reading.idle
    /// Requests handed to the router whose response has not ended yet.
    private var routerPending = 0
    private var date = HTTPDate()

    init(page: StaticPage, metrics: WebMetrics) {
        self.page = page
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (part, reading) {
        case (.head(let request), _):
            if routerPending == 0, let answer = page.answer(request, date: date.now()) {
                reading = .answering(answer, .now)
            } else {
                reading = .forwarding
                routerPending += 1
                context.fireChannelRead(data)
            }
        case (.body, .answering):
            break
        case (.end, .answering(let answer, let start)):
            reading = .idle
            context.write(wrapOutboundOut(.head(answer.response)), promise: nil)
            if let body = answer.body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            metrics.record(route: answer.route, status: answer.response.status.code, duration: .now - start)
        case (.end, _):
            reading = .idle
            context.fireChannelRead(data)
        case (.body, _):
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routerPending > 0 { routerPending -= 1 }
        context.write(data, promise: promise)
    }
}

/// The `Date` header value (RFC 9110 IMF-fixdate), formatted at most once a second.
struct HTTPDate {
    private var second = -1
    private var text = ""

    mutating func now() -> String {
        var time = Glibc.time(nil)
        guard Int(time) != second else { return text }
        var parts = tm()
        gmtime_r(&time, &parts)
        second = Int(time)
        text = Self.format(parts)
        return text
    }

    static func format(_ t: tm) -> String {
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(1900 + t.tm_year) "
            + "\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}
