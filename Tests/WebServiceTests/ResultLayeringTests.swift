import Foundation
import Hummingbird
import HummingbirdTesting
import MemeKit
import Testing
@testable import WebService

/// The seam the shared store plugs into. How results survive a restart and reach other replicas
/// (one image record, the worker's) is shown against real redis-server in OneResultRecordTests.
@Suite struct ResultLayeringTests {
    @Test func failingStoreDoesNotFailSubmits() async throws {
        struct BrokenStore: ResultStore {
            struct Down: Error {}
            func get(id: String) async throws -> MemeRecord? { throw Down() }
            func metadata(id: String) async throws -> MemeRecord? { throw Down() }
            func put(_ record: MemeRecord, ttlSeconds: Int) async throws { throw Down() }
            func recent(limit: Int) async throws -> [MemeRecord] { throw Down() }
        }
        let app = try Fixtures.app(queue: RecordingQueue(), store: BrokenStore()).buildApplication()
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/memes", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"prompt":"x"}"#)) { response in
                #expect(response.status == .accepted)
                return RouterTests.json(response)["id"] as? String ?? ""
            }
            try await client.execute(uri: "/api/memes/\(id)", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/memes", method: .get) { #expect($0.status == .ok) }
        }
    }
}
