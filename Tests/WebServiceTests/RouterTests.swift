import Foundation
import Hummingbird
import HummingbirdTesting
import MemeKit
import Testing
@testable import WebService

/// HTTP-layer tests through `app.test(.router)`: validation, errors, headers, limits, static files.
@Suite struct RouterTests {
    /// The JSON object body, or [:] when the body is not one (the checks then fail by name).
    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
    }

    static func error(_ response: TestResponse) -> String { json(response)["error"] as? String ?? "" }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    @Test func submitAcceptsAndPublishesWithOurID() async throws {
        let queue = RecordingQueue()
        let app = try Fixtures.app(queue: queue).buildApplication()
        try await app.test(.router) { client in
            let id = try await client.execute(
                uri: "/api/memes", method: .post, headers: Self.jsonHeaders,
                body: Self.body(#"{"id":"mine","prompt":"  cat programmer  ","fast_mode":true,"small_image":false,"top_text":"TOP","bottom_text":"BOTTOM","extra":1}"#)
            ) { response in
                #expect(response.status == .accepted)
                let body = Self.json(response)
                #expect(body["status"] as? String == "queued")
                let id = try #require(body["id"] as? String)
                #expect(id != "mine")   // clients never choose ids
                #expect(response.headers[.location] == "/api/memes/\(id)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                return id
            }
            let sent = try #require(queue.submitted.first)
            #expect(sent.id == id && sent.prompt == "cat programmer" && sent.fastMode == true && sent.smallImage == false)
            #expect(sent.topText == "TOP" && sent.bottomText == "BOTTOM" && sent.submittedAt != nil)

            try await client.execute(uri: "/api/memes/\(id)", method: .get) { response in
                #expect(response.status == .ok)
                let body = Self.json(response)
                #expect(body["status"] as? String == "queued" && body["prompt"] as? String == "cat programmer")
                #expect(body["image_url"] == nil)
            }
            try await client.execute(uri: "/api/memes/\(id)/image", method: .get) { response in
                #expect(response.status == .conflict)
                #expect(Self.error(response).contains("status queued"))
            }

            queue.emit(.done(MemeResponse(
                requestId: id, imageData: Data(Fixtures.png).base64EncodedString(), prompt: "cat programmer", timestamp: 1)))
            #expect(try await eventually {
                try await client.execute(uri: "/api/memes/\(id)", method: .get) { Self.json($0)["status"] as? String == "done" }
            })
            let etag = try await client.execute(uri: "/api/memes/\(id)", method: .get) { response in
                let body = Self.json(response)
                #expect(body["image_url"] as? String == "/api/memes/\(id)/image")
                #expect(body["top_text"] as? String == "TOP")
                return try await client.execute(uri: "/api/memes/\(id)/image", method: .get) { image in
                    #expect(image.status == .ok)
                    #expect(Array(buffer: image.body) == Fixtures.png)
                    #expect(image.headers[.contentType] == "image/png")
                    #expect(image.headers[.cacheControl]?.contains("max-age=31536000") == true)
                    return try #require(image.headers[.eTag])
                }
            }
            try await client.execute(uri: "/api/memes/\(id)/image", method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test func workerErrorIsReported() async throws {
        let queue = RecordingQueue()
        let app = try Fixtures.app(queue: queue).buildApplication()
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: Self.body(#"{"prompt":"x"}"#)) {
                try #require(Self.json($0)["id"] as? String)
            }
            queue.emit(.failed(MemeErrorResponse(requestId: id, error: "image source down", timestamp: 1)))
            #expect(try await eventually {
                try await client.execute(uri: "/api/memes/\(id)", method: .get) { Self.json($0)["error"] as? String == "image source down" }
            })
            try await client.execute(uri: "/api/memes/\(id)", method: .get) { #expect(Self.json($0)["status"] as? String == "error") }
        }
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        ("[1,2]", "must be a JSON object"),
        (#"{"prompt": 5}"#, "'prompt' must be a string"),
        (#"{"prompt": "   "}"#, "'prompt' is empty"),
        (#"{"fast_mode": true}"#, "'prompt' is missing"),
        (#"{"prompt": "x", "fast_mode": "yes"}"#, "'fast_mode' must be true or false"),
        (#"{"prompt": "x", "top_text": 3}"#, "'top_text' must be a string"),
        ("", "body is empty"),
    ])
    func badInputIs400NamingTheProblem(input: String, expected: String) async throws {
        let queue = RecordingQueue()
        let app = try Fixtures.app(queue: queue).buildApplication()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/memes", method: .post, headers: Self.jsonHeaders, body: Self.body(input)) { response in
                #expect(response.status == .badRequest)
                let message = try #require(Self.json(response)["error"] as? String)
                #expect(message.contains(expected), "\(message)")
            }
        }
        #expect(queue.submitted.isEmpty)
    }

    @Test func oversizedPromptAndBodyAreRefused() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()).buildApplication()
        try await app.test(.router) { client in
            let longPrompt = String(repeating: "a", count: MemeDefaults.maxPromptCharacters + 1)
            try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: Self.body(#"{"prompt":"\#(longPrompt)"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.error(response).contains("the limit is \(MemeDefaults.maxPromptCharacters)"))
            }
            let huge = String(repeating: "b", count: 17 * 1024)
            try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: Self.body(#"{"prompt":"x","pad":"\#(huge)"}"#)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Self.error(response).contains("16384 bytes"))
            }
            // Only application/json (what another site cannot make a browser send without a preflight).
            for type in ["text/plain", "text/notjson", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
                try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: type], body: Self.body(#"{"prompt":"x"}"#)) { response in
                    #expect(response.status == .unsupportedMediaType, "\(type)")
                    #expect(Self.error(response).contains("application/json"))
                }
            }
            try await client.execute(uri: "/api/memes", method: .post, body: Self.body(#"{"prompt":"x"}"#)) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(Self.error(response) == "Content-Type must be application/json, and none was sent")
            }
            try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "Application/JSON; charset=utf-8"],
                                     body: Self.body(#"{"prompt":"x"}"#)) { #expect($0.status == .accepted) }
            // Under the body limit, but over what the worker accepts once id and submitted_at are added:
            // refused here rather than accepted and then failed by the worker (issue 18 item 3).
            let clusters = String(repeating: "e" + String(repeating: "\u{301}", count: 15), count: 500)
            var body = #"{"prompt":"\#(clusters)","top_text":"t\#(String(repeating: "\u{301}", count: 420))"}"#
            body += String(repeating: " ", count: MemeDefaults.maxRequestBytes - 1 - body.utf8.count)
            #expect(body.utf8.count == MemeDefaults.maxRequestBytes - 1)
            try await client.execute(uri: "/api/memes", method: .post, headers: Self.jsonHeaders, body: Self.body(body)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Self.error(response).contains("as queued; the limit is \(MemeDefaults.maxRequestBytes)"), "\(Self.error(response))")
            }
        }
    }

    @Test func unknownRoutesAndIDsAreJSON404() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()).buildApplication()
        try await app.test(.router) { client in
            for uri in ["/nope", "/api/memes/unknown-id", "/api/memes/unknown-id/image", "/assets/missing.js"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    #expect(!(Self.json(response)["error"] as? String ?? "").isEmpty)
                }
            }
            try await client.execute(uri: "/api/memes", method: .delete) { response in
                #expect((400..<500).contains(response.status.code))
                #expect(Self.json(response)["error"] is String)
            }
            try await client.execute(uri: "/api/live", method: .get) { response in
                #expect(response.status == .upgradeRequired)
            }
        }
    }

    @Test func queueUnavailableIs503WithAPlainReason() async throws {
        let queue = RecordingQueue()
        queue.refuse(with: .unavailable("not connected to nats://127.0.0.1:1"))
        let app = try Fixtures.app(queue: queue).buildApplication()
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: Self.body(#"{"prompt":"x"}"#)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                let message = try #require(Self.json(response)["error"] as? String)
                // Users get plain words; the subject, server and timeout stay in the log.
                #expect(message == MemeQueueError.unavailable("").message)
                #expect(!message.contains("nats://") && !message.contains("JetStream"))
                return message
            }
            _ = id
            // Nothing is listed for a refused submit.
            try await client.execute(uri: "/api/memes", method: .get) { response in
                #expect((Self.json(response)["memes"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func rateLimitPerForwardedClientGives429WithRetryAfter() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()) {
            $0.trustProxy = true
            // Slow refill, so a busy machine cannot earn a token back between the requests.
            $0.rateLimit = 0.01
            $0.rateBurst = 3
        }.buildApplication()
        try await app.test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json", .xForwardedFor: "198.51.100.7"], body: Self.body(#"{"prompt":"x"}"#)) {
                    #expect($0.status == .accepted)
                }
            }
            try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json", .xForwardedFor: "198.51.100.7, 10.0.0.2"], body: Self.body(#"{"prompt":"x"}"#)) { response in
                #expect(response.status == .tooManyRequests)
                #expect((90...100).contains(Int(response.headers[.retryAfter] ?? "") ?? 0), "\(response.headers[.retryAfter] ?? "none")")
                #expect(Self.error(response).contains("too many requests"))
            }
            try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json", .xForwardedFor: "198.51.100.8"], body: Self.body(#"{"prompt":"x"}"#)) {
                #expect($0.status == .accepted)
            }
        }
    }

    @Test func securityHeadersOnPagesAndErrors() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()).buildApplication()
        try await app.test(.router) { client in
            for (uri, method) in [("/", HTTPRequest.Method.get), ("/wall", .get), ("/nope", .get), ("/api/memes", .post)] {
                try await client.execute(uri: uri, method: method, body: Self.body("x")) { response in
                    let csp = try #require(response.headers[.contentSecurityPolicy], "\(uri)")
                    #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"))
                    #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"))
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[.referrerPolicy] == "no-referrer")
                }
            }
        }
    }

    @Test func staticFilesHaveTypesETagsAndCaching() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()).buildApplication()
        try await app.test(.router) { client in
            let expected: [(String, String)] = [
                ("/", "text/html"), ("/wall", "text/html"), ("/assets/app.js", "text/javascript"),
                ("/assets/wall.js", "text/javascript"), ("/assets/api.js", "text/javascript"),
                ("/assets/live.js", "text/javascript"), ("/assets/style.css", "text/css"),
                ("/assets/favicon.svg", "image/svg+xml"),
            ]
            for (uri, type) in expected {
                let etag = try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(uri)")
                    #expect(response.headers[.cacheControl] != nil)
                    #expect(response.body.readableBytes > 0)
                    return try #require(response.headers[.eTag])
                }
                try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: etag]) {
                    #expect($0.status == .notModified, "\(uri)")
                }
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(String(buffer: response.body).contains("/assets/app.js"))
            }
        }
    }

    @Test func listReturnsNewestFirstAndValidatesLimit() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()).buildApplication()
        try await app.test(.router) { client in
            var ids: [String] = []
            for prompt in ["one", "two", "three"] {
                ids.append(try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: Self.body(#"{"prompt":"\#(prompt)"}"#)) {
                    try #require(Self.json($0)["id"] as? String)
                })
                try await Task.sleep(for: .milliseconds(5))
            }
            try await client.execute(uri: "/api/memes?limit=2", method: .get) { response in
                let body = Self.json(response)
                let memes = try #require(body["memes"] as? [[String: Any]])
                #expect(memes.compactMap { $0["prompt"] as? String } == ["three", "two"])
                #expect(body["queued"] as? Int == 3)
            }
            for bad in ["0", "abc", "101", "-1"] {
                try await client.execute(uri: "/api/memes?limit=\(bad)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(Self.error(response).contains("limit"))
                }
            }
        }
    }

    @Test func healthAndReadiness() async throws {
        let queue = RecordingQueue()
        let app = try Fixtures.app(queue: queue).buildApplication()
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            queue.setReadiness(.notReady("NATS disconnected"))
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(Self.json(response)["error"] as? String == "NATS disconnected")
            }
        }
    }
}
