import NIOPosix
import Synchronization

/// An HTTP/1.1 client over libcurl. Transfers block, so they run on the client's own
/// `NIOThreadPool` threads, never on the Swift concurrency pool. Easy handles are pooled and
/// reused, which keeps connections alive between requests to the same server.
///
/// Call `shutdown()` when done; releasing the client without it also stops its threads.
public final class CurlHTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let threadPool: NIOThreadPool
    private let idleHandles = Mutex<[EasyHandle]>([])
    private let isShutDown = Atomic<Bool>(false)

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        self.configuration = configuration
        threadPool = NIOThreadPool(numberOfThreads: max(1, configuration.maxConcurrentTransfers))
        threadPool.start()
    }

    deinit {
        if !isShutDown.load(ordering: .relaxed) { threadPool.shutdownGracefully { _ in } }
    }

    /// Sends `request` and waits for the whole response. HTTP error statuses are returned, not thrown.
    /// Throws `HTTPClientError` for connection, TLS, timeout and cancellation failures.
    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        if Task.isCancelled { throw HTTPClientError(.cancelled, "cancelled: \(request)") }
        let cancel = CancelFlag()
        let configuration = self.configuration
        let result: Result<HTTPResponse, HTTPClientError>
        do {
            result = try await withTaskCancellationHandler {
                try await threadPool.runIfActive { [self] in
                    Result { () throws(HTTPClientError) -> HTTPResponse in
                        let handle = try checkOut()
                        defer { checkIn(handle) }
                        return try handle.perform(request, configuration: configuration, cancel: cancel)
                    }
                }
            } onCancel: {
                cancel.cancel()
            }
        } catch {
            throw HTTPClientError(.clientShutDown, "HTTP client is shut down: \(request)")
        }
        return try result.get()
    }

    /// Stops the transfer threads after running transfers finish.
    public func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .relaxed) else { return }
        try? await threadPool.shutdownGracefully()
    }

    private func checkOut() throws(HTTPClientError) -> EasyHandle {
        if let handle = idleHandles.withLock({ $0.popLast() }) { return handle }
        return try EasyHandle()
    }

    private func checkIn(_ handle: EasyHandle) {
        idleHandles.withLock { handles in
            if handles.count < configuration.maxConcurrentTransfers { handles.append(handle) }
        }
    }
}
