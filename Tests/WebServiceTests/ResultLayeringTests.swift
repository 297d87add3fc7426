import Foundation
import Hummingbird
import HummingbirdTesting
import MemeKit
import Testing
@testable import WebService

/// The seam a Redis-backed store plugs into: results written through `ResultStore` are found
/// by a fresh meme-web instance whose own cache is empty (what a restart looks like).
/// The shared store here is the in-memory one; the Redis-backed run is a system test.
@Suite struct ResultLayeringTests {
    @Test func freshInstanceFindsResultsThroughTheSharedStore() async throws {
        let shared = InMemoryResultStore()
        let queue = RecordingQueue()
        let first = try Fixtures.app(queue: queue, store: shared).buildApplication()
        let id = try await first.test(.router) { client in
            let id = try await client.execute(uri: "/api/memes", method: .post, body: ByteBuffer(string: #"{"prompt":"kept","top_text":"T"}"#)) {
                RouterTests.json($0)["id"] as? String ?? ""
            }
            queue.emit(.done(MemeResponse(requestId: id, imageData: Data(Fixtures.png).base64EncodedString(), prompt: "kept", timestamp: 1)))
            #expect(try await eventually { try await shared.get(id: id)?.status == .done })
            return id
        }
        let second = try Fixtures.app(queue: RecordingQueue(), store: shared).buildApplication()
        try await second.test(.router) { client in
            try await client.execute(uri: "/api/memes/\(id)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(RouterTests.json(response)["status"] as? String == "done")
                #expect(RouterTests.json(response)["top_text"] as? String == "T")
            }
            try await client.execute(uri: "/api/memes/\(id)/image", method: .get) { response in
                #expect(Array(buffer: response.body) == Fixtures.png)
            }
            try await client.execute(uri: "/api/memes?limit=5", method: .get) { response in
                let memes = RouterTests.json(response)["memes"] as? [[String: Any]] ?? []
                #expect(memes.first?["id"] as? String == id)
            }
        }
    }

    @Test func failingStoreDoesNotFailSubmits() async throws {
        struct BrokenStore: ResultStore {
            struct Down: Error {}
            func get(id: String) async throws -> MemeRecord? { throw Down() }
            func put(_ record: MemeRecord, ttlSeconds: Int) async throws { throw Down() }
            func recent(limit: Int) async throws -> [MemeRecord] { throw Down() }
        }
        let app = try Fixtures.app(queue: RecordingQueue(), store: BrokenStore()).buildApplication()
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/memes", method: .post, body: ByteBuffer(string: #"{"prompt":"x"}"#)) { response in
                #expect(response.status == .accepted)
                return RouterTests.json(response)["id"] as? String ?? ""
            }
            try await client.execute(uri: "/api/memes/\(id)", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/memes", method: .get) { #expect($0.status == .ok) }
        }
    }
}
