import Synchronization
import Testing
@testable import WebService

@Suite struct LiveHubTests {
    @Test func viewersGetBroadcastsInOrder() async throws {
        let hub = LiveHub(bufferLimit: 8)
        let viewer = hub.connect()
        #expect(hub.viewerCount == 1)
        hub.broadcast("one")
        hub.broadcast("two")
        var iterator = viewer.messages.makeAsyncIterator()
        #expect(await iterator.next() == "one")
        #expect(await iterator.next() == "two")
        hub.disconnect(viewer.id)
        #expect(hub.viewerCount == 0)
        #expect(await iterator.next() == nil)
    }

    @Test func slowViewerIsDroppedNotBufferedWithoutBound() async throws {
        let changes = Mutex<[(Int, Bool)]>([])
        let hub = LiveHub(bufferLimit: 3) { open, dropped in changes.withLock { $0.append((open, dropped)) } }
        let slow = hub.connect()
        let fast = hub.connect()
        var fastIterator = fast.messages.makeAsyncIterator()
        for i in 0..<10 {
            hub.broadcast("m\(i)")
            #expect(await fastIterator.next() == "m\(i)")   // the reader keeps up
        }
        #expect(hub.viewerCount == 1)
        #expect(hub.droppedCount == 1)
        #expect(changes.withLock { $0.contains { $0.1 } })
        // The slow viewer sees what fitted in its buffer, then the end of its stream.
        var received: [String] = []
        for await message in slow.messages { received.append(message) }
        #expect(received == ["m0", "m1", "m2"])
    }

    @Test func closeAllEndsEveryStream() async {
        let hub = LiveHub()
        let a = hub.connect(), b = hub.connect()
        hub.closeAll()
        for await _ in a.messages {}
        for await _ in b.messages {}
        #expect(hub.viewerCount == 0)
    }
}
