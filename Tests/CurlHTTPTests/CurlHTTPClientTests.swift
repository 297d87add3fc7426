import Foundation
import Testing
import TestServers
@testable import CurlHTTP

private func json(_ response: HTTPResponse) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
}

@Suite("CurlHTTPClient against a real local HTTP server")
struct CurlHTTPClientTests {
    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient()
        let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/hello"))
        #expect(response.status == 200)
        #expect(response.text == "hello")
        #expect(response.headers["content-type"] == "text/plain")
        #expect(response.headers.values("x-test") == ["one", "two"])
        await client.shutdown()
    }

    @Test func postSendsJSONBodyHeadersAndBearerToken() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient()
        let body = Array(#"{"inputs":"a cat","n":1}"#.utf8)
        let request = HTTPRequest.postJSON(
            url: "\(server.baseURL)/echo?x=1", json: body, headers: [("X-Request-Id", "r-1")],
            authorization: .bearer("hf_secret_token"))
        let response = try await client.send(request)
        #expect(response.status == 200)
        let echo = try json(response)
        #expect(echo["method"] as? String == "POST")
        #expect(echo["body"] as? String == #"{"inputs":"a cat","n":1}"#)
        let headers = try #require(echo["headers"] as? [String: String])
        #expect(headers["content-type"] == "application/json")
        #expect(headers["x-request-id"] == "r-1")
        #expect(headers["authorization"] == "Bearer hf_secret_token")
        #expect(headers["expect"] == nil)
        // The token never shows in what gets logged.
        #expect(!"\(request)".contains("hf_secret_token"))
        #expect(!"\(request.authorization!)".contains("hf_secret_token"))
        await client.shutdown()
    }

    @Test func otherMethodsAndBinaryBodies() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient()
        for method in [HTTPMethod.put, .patch, .delete] {
            let response = try await client.send(HTTPRequest(method: method, url: "\(server.baseURL)/echo", body: [0x00, 0x41, 0xff]))
            let echo = try json(response)
            #expect(echo["method"] as? String == method.rawValue)
            #expect(echo["body"] as? String == "\u{00}A\u{ff}")
        }
        let emptyPost = try await client.send(HTTPRequest(method: .post, url: "\(server.baseURL)/echo"))
        #expect(try json(emptyPost)["body"] as? String == "")
        let head = try await client.send(HTTPRequest(method: .head, url: "\(server.baseURL)/hello"))
        #expect(head.status == 200 && head.body.isEmpty)
        let basic = try await client.send(HTTPRequest(url: "\(server.baseURL)/echo", authorization: .basic(username: "admin", password: "pw")))
        let headers = try #require(try json(basic)["headers"] as? [String: String])
        #expect(headers["authorization"] == "Basic YWRtaW46cHc=")
        await client.shutdown()
    }

    @Test func errorStatusIsAResponseNotAnError() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient()
        let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/status/404"))
        #expect(response.status == 404)
        #expect(!response.isSuccess)
        #expect(try json(response)["status"] as? Int == 404)
        await client.shutdown()
    }

    @Test func retryAfterSecondsAndDate() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient()
        let response = try await client.send(HTTPRequest(method: .post, url: "\(server.baseURL)/retry?after=7"))
        #expect(response.status == 429)
        #expect(response.retryAfter() == .seconds(7))
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        let dated = HTTPResponse(status: 503, headers: HTTPHeaders([("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT")]))
        #expect(dated.retryAfter(now: now) == .seconds(30))
        #expect(HTTPResponse(status: 503, headers: HTTPHeaders([("Retry-After", "soon")])).retryAfter() == nil)
        await client.shutdown()
    }

    @Test func totalTimeoutOnASlowServer() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient()
        let request = HTTPRequest(url: "\(server.baseURL)/slow?seconds=5", timeouts: HTTPTimeouts(connect: .seconds(2), total: .milliseconds(500)))
        let error = await #expect(throws: HTTPClientError.self) { try await client.send(request) }
        #expect(error?.kind == .timedOut)
        #expect(error?.message == "timed out after 0.5 s waiting for GET http://127.0.0.1:\(server.port)/slow")
        await client.shutdown()
    }

    @Test func connectionRefused() async throws {
        let port = try FreePort.next()
        let client = CurlHTTPClient()
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/x", authorization: .bearer("tok")))
        }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.message == "connection refused to 127.0.0.1:\(port)")
        await client.shutdown()
    }

    @Test func invalidURLIsRejectedWithAClearMessage() async throws {
        let client = CurlHTTPClient()
        let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: "ftp://127.0.0.1/x")) }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message.contains("invalid URL") == true)
        let injected = await #expect(throws: HTTPClientError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:1/", headers: [("X-A", "b\r\nX-Evil: 1")]))
        }
        #expect(injected?.kind == .invalidRequest)
        await client.shutdown()
    }

    @Test func responseSizeLimit() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(maxResponseBytes: 1000))
        let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: "\(server.baseURL)/big?bytes=5000")) }
        #expect(error?.kind == .responseTooLarge)
        let ok = try await client.send(HTTPRequest(url: "\(server.baseURL)/big?bytes=1000"))
        #expect(ok.body.count == 1000)
        await client.shutdown()
    }

    @Test func cancellationAbortsASlowTransfer() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient()
        let task = Task { try await client.send(HTTPRequest(url: "\(server.baseURL)/slow?seconds=10")) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let started = ContinuousClock.now
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(8))
        #expect(throws: HTTPClientError.self) { try result.get() }
        await client.shutdown()
    }

    @Test func concurrentRequestsReuseHandles() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(maxConcurrentTransfers: 3))
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<20 {
                group.addTask { try await client.send(HTTPRequest(url: "\(server.baseURL)/status/\(200 + i % 3)")).status }
            }
            var statuses = [Int]()
            for try await status in group { statuses.append(status) }
            #expect(statuses.sorted() == (0..<20).map { 200 + $0 % 3 }.sorted())
        }
        await client.shutdown()
    }

    /// Prints a number for the report; asserts nothing about speed.
    @Test func sequentialRequestRate() async throws {
        let server = try TestHTTPServer()
        let client = CurlHTTPClient()
        let count = 50
        let started = ContinuousClock.now
        for _ in 0..<count { _ = try await client.send(HTTPRequest(url: "\(server.baseURL)/hello")) }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("CurlHTTP: \(count) sequential GETs to a local python http.server in \(String(format: "%.2f", seconds)) s (\(Int(Double(count) / seconds)) req/s)")
        await client.shutdown()
    }

    @Test func shutDownClientRefusesWork() async throws {
        let client = CurlHTTPClient()
        await client.shutdown()
        let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: "http://127.0.0.1:1/")) }
        #expect(error?.kind == .clientShutDown)
    }
}

@Suite("CurlHTTPClient over TLS")
struct CurlHTTPTLSTests {
    @Test func trustsCAGivenAsPEMBytesAndSendsClientCertificateBlobs() async throws {
        let server = try TestHTTPServer(https: true)
        let certificate = try Array(Data(contentsOf: URL(fileURLWithPath: server.certificatePath)))
        let key = try Array(Data(contentsOf: URL(fileURLWithPath: server.keyPath)))
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(tls: TLSOptions(
            certificateAuthority: .data(certificate), clientCertificate: .data(certificate), clientKey: .data(key))))
        let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/echo"))
        #expect(response.status == 200)
        let subject = try #require(try json(response)["client_cert_subject"] as? [String: Any])
        #expect(subject["commonName"] as? String == "curlhttp-test")
        await client.shutdown()
    }

    @Test func trustsCAFileAndClientCertificateFiles() async throws {
        let server = try TestHTTPServer(https: true)
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(tls: TLSOptions(
            certificateAuthority: .file(server.certificatePath), clientCertificate: .file(server.certificatePath),
            clientKey: .file(server.keyPath))))
        let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/echo"))
        #expect(response.status == 200)
        #expect(try json(response)["client_cert_subject"] is [String: Any])
        await client.shutdown()
    }

    @Test func unknownCAFailsUnlessInsecure() async throws {
        let server = try TestHTTPServer(https: true)
        let strict = CurlHTTPClient()
        let error = await #expect(throws: HTTPClientError.self) { try await strict.send(HTTPRequest(url: "\(server.baseURL)/hello")) }
        #expect(error?.kind == .tls)
        #expect(error?.message.hasPrefix("TLS error with 127.0.0.1:\(server.port)") == true)
        await strict.shutdown()
        let insecure = CurlHTTPClient(configuration: HTTPClientConfiguration(tls: TLSOptions(insecureSkipVerify: true)))
        #expect(try await insecure.send(HTTPRequest(url: "\(server.baseURL)/hello")).text == "hello")
        await insecure.shutdown()
    }
}

@Suite("URL parts and Base64")
struct URLPartsTests {
    @Test func splitsAndRedacts() throws {
        let parts = try #require(URLParts("https://user:pw@example.test:6443/api/v1/pods?token=abc"))
        #expect(parts.hostPort == "example.test:6443")
        #expect(parts.redacted == "https://example.test:6443/api/v1/pods")
        #expect(URLParts("http://[::1]/x")?.hostPort == "[::1]:80")
        #expect(URLParts("http://h:99999/") == nil)
        #expect(URLParts("127.0.0.1:80") == nil)
        #expect(Base64.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
        #expect(Base64.encode(Array("any carnal pleasu".utf8)) == "YW55IGNhcm5hbCBwbGVhc3U=")
    }
}
