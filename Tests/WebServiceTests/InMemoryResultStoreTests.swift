import Foundation
import MemeKit
import Synchronization
import Testing
@testable import WebService

@Suite struct InMemoryResultStoreTests {
    final class FakeClock: Sendable {
        let now = Mutex(1000.0)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
        var read: @Sendable () -> Double { { self.now.withLock { $0 } } }
    }

    func record(_ id: String, status: MemeRecord.Status = .queued, image: Int = 0, at time: Double = 0) -> MemeRecord {
        MemeRecord(
            id: id, status: status, prompt: "p \(id)", createdAt: time,
            image: image > 0 ? Data(repeating: 7, count: image) : nil)
    }

    @Test func recentIsNewestFirstAndUpdatesKeepTheirPlace() async throws {
        let store = InMemoryResultStore()
        for id in ["a", "b", "c"] { try await store.put(record(id), ttlSeconds: 60) }
        try await store.put(record("a", status: .done, image: 4), ttlSeconds: 60)
        #expect(try await store.recent(limit: 10).map(\.id) == ["c", "b", "a"])
        #expect(try await store.recent(limit: 2).map(\.id) == ["c", "b"])
        #expect(try await store.get(id: "a")?.status == .done)
    }

    @Test func queuedNeverHidesAFinishedResult() async throws {
        let store = InMemoryResultStore()
        try await store.put(record("a", status: .done, image: 4), ttlSeconds: 60)
        try await store.put(record("a", status: .queued), ttlSeconds: 60)
        #expect(try await store.get(id: "a")?.status == .done)
    }

    @Test func capacityDropsOldestRecords() async throws {
        let store = InMemoryResultStore(capacity: 3)
        for i in 0..<10 { try await store.put(record("r\(i)"), ttlSeconds: 60) }
        #expect(store.count == 3)
        #expect(try await store.recent(limit: 10).map(\.id) == ["r9", "r8", "r7"])
        #expect(try await store.get(id: "r0") == nil)
    }

    @Test func imageBudgetDropsOldestImagesButKeepsRecords() async throws {
        let store = InMemoryResultStore(capacity: 10, maxImageBytes: 250)
        for i in 0..<4 { try await store.put(record("r\(i)", status: .done, image: 100), ttlSeconds: 60) }
        #expect(store.count == 4)
        #expect(try await store.get(id: "r0")?.image == nil)
        #expect(try await store.get(id: "r1")?.image == nil)
        #expect(try await store.get(id: "r3")?.image?.count == 100)
    }

    @Test func recordsExpire() async throws {
        let clock = FakeClock()
        let store = InMemoryResultStore(clock: clock.read)
        try await store.put(record("a"), ttlSeconds: 10)
        clock.advance(9)
        #expect(try await store.get(id: "a") != nil)
        clock.advance(2)
        #expect(try await store.get(id: "a") == nil)
        #expect(try await store.recent(limit: 5).isEmpty)
    }

    @Test func orderListStaysBoundedUnderChurn() async throws {
        let store = InMemoryResultStore(capacity: 5)
        for i in 0..<10_000 { try await store.put(record("r\(i)"), ttlSeconds: 60) }
        #expect(store.count == 5)
        #expect(try await store.recent(limit: 5).map(\.id) == (9995...9999).reversed().map { "r\($0)" })
    }

    @Test func finishedOutcomeKeepsCaptionsAndSniffsImageType() throws {
        var queued = MemeRecord(queued: MemeRequest(prompt: "cat", topText: "TOP"), id: "x", at: 5)
        queued.fastMode = true
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        let done = try #require(MemeRecord.finished(
            .done(MemeResponse(requestId: "x", imageData: png.base64EncodedString(), prompt: "cat", timestamp: 9)),
            previous: queued, now: 10))
        #expect(done.status == .done && done.topText == "TOP" && done.createdAt == 5 && done.contentType == "image/png")
        #expect(done.view.imageURL == "/api/memes/x/image")
        let bad = MemeRecord.finished(.done(MemeResponse(requestId: "x", imageData: "", prompt: "cat", timestamp: 9)), previous: queued, now: 10)
        #expect(bad == nil)
        let failed = try #require(MemeRecord.finished(
            .failed(MemeErrorResponse(requestId: "y", error: "boom", timestamp: 3)), previous: nil, now: 4))
        #expect(failed.status == .error && failed.error == "boom" && failed.view.imageURL == nil)
    }
}
