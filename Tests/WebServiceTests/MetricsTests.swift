import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WebService

@Suite struct MetricsTests {
    /// Runs `promtool check metrics` on the page; returns its exit status and output.
    static func promtool(_ page: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool", "check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(page.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func metricsPageIsPromtoolCleanAndCountsRoutes() async throws {
        let web = try Fixtures.app(queue: RecordingQueue())
        try await web.buildApplication().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { _ in }
            try await client.execute(uri: "/nope", method: .get) { _ in }
            try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"prompt":"x"}"#)) { _ in }
            try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "bad")) { _ in }
            // Not on the audience's port (issue 18 item 6) …
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
        }
        // … on the ops port (WEB_METRICS_ADDR), with the probes.
        try await Application(router: web.buildOpsRouter()).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            let page = try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                return String(buffer: response.body)
            }
            #expect(page.contains(#"meme_web_requests_total{route="/",status="200"} 1"#))
            // /nope and the public /metrics.
            #expect(page.contains(#"meme_web_requests_total{route="unmatched",status="404"} 2"#))
            #expect(page.contains(#"meme_web_requests_total{route="/api/memes",status="202"} 1"#))
            #expect(page.contains(#"meme_web_requests_total{route="/api/memes",status="400"} 1"#))
            #expect(page.contains("meme_web_request_duration_seconds_bucket{"))
            #expect(page.contains("meme_web_websockets_open 0"))
            #expect(page.contains("meme_web_memes_submitted_total 1"))
            #expect(page.contains(#"meme_web_redis_errors_total{op="write"} 0"#))
            #expect(page.contains("meme_web_websockets_refused_total 0"))
            let (status, output) = try Self.promtool(page)
            #expect(status == 0, "promtool: \(output)\n\(page)")
        }
    }
}
