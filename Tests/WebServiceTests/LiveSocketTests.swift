import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import MemeKit
import Synchronization
import Testing
@testable import WebService

/// The /api/live WebSocket over a real socket (`.live`): stats on connect, meme pushes, viewer
/// count. The queue is the in-test recorder; the NATS path is covered by the system tests.
@Suite struct LiveSocketTests {
    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    @Test func pushesStatsAndMemes() async throws {
        let queue = RecordingQueue()
        let web = try Fixtures.app(queue: queue)
        let app = web.buildApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let id = try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"prompt":"socket cat"}"#)) {
                RouterTests.json($0)["id"] as? String ?? ""
            }
            #expect(!id.isEmpty)
            let received = Mutex<[String]>([])
            var logger = Logger(label: "ws-test")
            logger.logLevel = .critical
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/live", logger: logger) { inbound, _, _ in
                var sentOutcome = false
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message, let object = Self.object(text) else { continue }
                    received.withLock { $0.append(text) }
                    if !sentOutcome, object["type"] as? String == "stats" {
                        #expect(object["viewers"] as? Int == 1)
                        #expect(object["queued"] as? Int == 1)
                        sentOutcome = true
                        queue.emit(.done(MemeResponse(
                            requestId: id, imageData: Data(Fixtures.png).base64EncodedString(), prompt: "socket cat", timestamp: 1)))
                    }
                    if object["type"] as? String == "meme" { return }
                }
            }
            let meme = try #require(received.withLock { $0 }.compactMap(Self.object).first { $0["type"] as? String == "meme" })
            #expect(meme["id"] as? String == id)
            #expect(meme["prompt"] as? String == "socket cat")
            #expect(meme["image_url"] as? String == "/api/memes/\(id)/image")
            #expect(meme["image_data"] == nil)   // images are fetched by URL, never pushed
            #expect(try await eventually { web.hub.viewerCount == 0 })
            #expect(String(decoding: web.metrics.page(), as: UTF8.self).contains("meme_web_websockets_open 0"))
        }
    }
}
