import Logging
import MemeKit
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// One process behind the proxy.
public struct ProxyEndpoint: Sendable, Equatable {
    public var name: String
    public var port: Int
    /// Answers /readyz. Connections go to ready endpoints; only when none is ready, to live ones.
    public var ready: Bool

    public init(name: String, port: Int, ready: Bool) {
        self.name = name
        self.port = port
        self.ready = ready
    }
}

/// The local stand-in for meme-web's Service: listens on the public port and passes each TCP
/// connection to one meme-web process (the one with the fewest open connections), so the
/// audience has one address however many processes the HPA stand-in runs. A process about to stop
/// is removed first (as Kubernetes removes a terminating pod from the endpoints), so new
/// connections never reach it while it drains; a connect that fails (the process just died) is
/// tried on another endpoint instead of being refused.
///
/// Why not SO_REUSEPORT on meme-web's own socket: Hummingbird 2 does not expose the option, and on
/// Linux connections queued on a listener that closes are reset, which would refuse requests at
/// every scale-in. What a TCP proxy loses, the client's address, the PROXY protocol line gives back.
public final class ServiceProxy: Sendable {
    public let host: String
    public let port: Int
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = Mutex(State())
    private let listener = Mutex<(any Channel)?>(nil)
    /// How long a new connection may wait for an endpoint (e.g. while the first process starts).
    private let waitForEndpoint: TimeAmount
    /// Start each connection to a process with a PROXY v1 line naming the client.
    private let sendsProxyHeader: Bool

    struct State {
        var endpoints: [ProxyEndpoint] = []
        /// Taken out by `remove(name:)` and not yet missing from an `update(endpoints:)`.
        var removed: Set<String> = []
        var open: [String: Int] = [:]
        /// Endpoints whose connect failed just now, skipped until this uptime (nanoseconds).
        var failedUntil: [String: UInt64] = [:]
        var cursor = 0
        var channels: [ObjectIdentifier: any Channel] = [:]
        var accepted = 0
        var refused = 0
    }

    public init(host: String, port: Int, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                waitForEndpoint: TimeAmount = .seconds(10), sendsProxyHeader: Bool = false) {
        self.sendsProxyHeader = sendsProxyHeader
        self.host = host
        self.port = port
        self.logger = logger
        self.group = group
        self.waitForEndpoint = waitForEndpoint
    }

    /// Binds the public port; throws a clear error when it is taken.
    public func start() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] child in
                // Joined to a meme-web process once active: only then do reads and writes on it work.
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(OnActive { [self] in accept(child) })
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            listener.withLock { $0 = channel }
        } catch {
            throw StackError("cannot listen on \(host):\(port) for meme-web: \(error)")
        }
    }

    /// Replaces the endpoint list (the stack calls this after every readiness round). An endpoint
    /// removed since stays out: the round may have listed its process before it was told to stop.
    public func update(endpoints: [ProxyEndpoint]) {
        state.withLock { s in
            // A name the round no longer lists has been seen stopping: a later process may reuse it.
            s.removed.formIntersection(endpoints.map(\.name))
            s.endpoints = endpoints.filter { !s.removed.contains($0.name) }
        }
    }

    /// Takes one endpoint out of the rotation at once (before its process gets SIGTERM).
    public func remove(name: String) {
        state.withLock {
            $0.endpoints.removeAll { $0.name == name }
            $0.removed.insert(name)
        }
    }

    /// Open connections per endpoint.
    public var openConnections: [String: Int] { state.withLock { $0.open } }

    /// Connections passed on and connections closed for want of an endpoint, since start.
    public var counts: (accepted: Int, refused: Int) { state.withLock { ($0.accepted, $0.refused) } }

    /// Stops listening and closes every proxied connection.
    public func stop() async {
        let channel = listener.withLock { c -> (any Channel)? in defer { c = nil }; return c }
        try? await channel?.close()
        let open = state.withLock { Array($0.channels.values) }
        for c in open { try? await c.close() }
    }

    // MARK: - Connections

    private func accept(_ child: any Channel) {
        let deadline = NIODeadline.now() + waitForEndpoint
        let closed = NIOLockedValueBox(false)
        child.closeFuture.whenComplete { _ in closed.withLockedValue { $0 = true } }
        connect(child, deadline: deadline, closed: closed)
    }

    /// The ready endpoint with the fewest open connections (ties in turn), else any live one.
    private func pick() -> ProxyEndpoint? {
        let now = NIODeadline.now().uptimeNanoseconds
        return state.withLock { s in
            let usable = s.endpoints.filter { (s.failedUntil[$0.name] ?? 0) <= now }
            let pool = usable.contains(where: \.ready) ? usable.filter(\.ready) : usable
            guard !pool.isEmpty else { return nil }
            s.cursor &+= 1
            let fewest = pool.map { s.open[$0.name] ?? 0 }.min()!
            let candidates = pool.filter { (s.open[$0.name] ?? 0) == fewest }
            return candidates[s.cursor % candidates.count]
        }
    }

    /// `closed`: the client hung up (the child is not active yet while its initializer runs, so that is what is checked).
    private func connect(_ child: any Channel, deadline: NIODeadline, closed: NIOLockedValueBox<Bool>) {
        guard !closed.withLockedValue({ $0 }) else { return }
        guard let endpoint = pick() else {
            if NIODeadline.now() >= deadline {
                state.withLock { $0.refused += 1 }
                logger.warning("no meme-web process to take a connection from \(child.remoteAddress?.description ?? "?"): closed")
                child.close(promise: nil)
                return
            }
            child.eventLoop.scheduleTask(in: .milliseconds(100)) { [self] in connect(child, deadline: deadline, closed: closed) }
            return
        }
        // An address, not a host name: connect(host:) would resolve "127.0.0.1" (happy eyeballs and
        // all) for every connection, which costs more than the connection.
        guard let address = try? SocketAddress(ipAddress: "127.0.0.1", port: endpoint.port) else {
            child.close(promise: nil)
            return
        }
        ClientBootstrap(group: child.eventLoop)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(2))
            .connect(to: address)
            .whenComplete { [self] result in
                switch result {
                case .success(let peer):
                    join(child, peer, endpoint: endpoint, closed: closed)
                case .failure(let error):
                    // The process is gone or not listening yet: skip it for a moment and try another.
                    let until = NIODeadline.now().uptimeNanoseconds + 1_000_000_000
                    state.withLock { $0.failedUntil[endpoint.name] = until }
                    logger.debug("connect to \(endpoint.name) (port \(endpoint.port)) failed: \(error); trying another")
                    connect(child, deadline: deadline, closed: closed)
                }
            }
    }

    private func join(_ child: any Channel, _ peer: any Channel, endpoint: ProxyEndpoint, closed: NIOLockedValueBox<Bool>) {
        guard !closed.withLockedValue({ $0 }) else {
            peer.close(promise: nil)
            return
        }
        // Both channels live on the child's event loop (the client bootstrap used it), which runs this.
        let (a, b) = GlueHandler.pair()
        do {
            try child.pipeline.syncOperations.addHandler(a)
            try peer.pipeline.syncOperations.addHandler(b)
        } catch {
            child.close(promise: nil)
            peer.close(promise: nil)
            return
        }
        let key = ObjectIdentifier(child)
        state.withLock {
            $0.open[endpoint.name, default: 0] += 1
            $0.accepted += 1
            $0.channels[key] = child
        }
        child.closeFuture.whenComplete { [self] _ in
            state.withLock {
                $0.open[endpoint.name, default: 1] -= 1
                $0.channels[key] = nil
            }
        }
        // Who the client is, for meme-web's per-address limits (it reads the line: WEB_PROXY_PROTOCOL).
        if sendsProxyHeader, let source = child.remoteAddress, let destination = child.localAddress,
           let sourceIP = source.ipAddress, let destinationIP = destination.ipAddress, let sp = source.port, let dp = destination.port {
            let line = ProxyProtocolV1.line(sourceIP: sourceIP, sourcePort: sp, destinationIP: destinationIP, destinationPort: dp)
            peer.write(ByteBuffer(string: line), promise: nil)
        }
        _ = child.setOption(ChannelOptions.autoRead, value: true)
        _ = peer.setOption(ChannelOptions.autoRead, value: true)
        child.read()
        peer.read()
    }
}

/// Calls `action` when the channel becomes active (an accepted connection, ready for reads and writes).
private final class OnActive: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let action: () -> Void

    init(_ action: @escaping () -> Void) { self.action = action }

    func channelActive(context: ChannelHandlerContext) {
        action()
        context.fireChannelActive()
    }
}
