import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Free loopback TCP ports, chosen by the kernel (bind to port 0), so parallel test runs never collide.
public enum FreePort {
    /// Ports this process has handed out: nothing binds them until the server starts, so the kernel
    /// may offer one again (a cluster member's route port once equalled the stack's NATS port).
    private static let handedOut = Mutex(Set<Int>())

    /// A port free now and not handed out before by this process.
    public static func next() throws -> Int {
        for _ in 0..<100 {
            let port = try kernelChoice()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw ServerProcessError("no free loopback port the kernel offered was new to this process")
    }

    private static func kernelChoice() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerProcessError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ServerProcessError("bind() failed: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw ServerProcessError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// The first port of `count` consecutive ports nobody listens on, outside `avoiding`. Ports
    /// found this way are not reserved: fine for tests on one machine, where the kernel's
    /// ephemeral range (32768+) stays clear of this search's range.
    public static func block(_ count: Int, avoiding: [Range<Int>] = []) throws -> Int {
        var base = 20000 + Int.random(in: 0..<500) * 16
        for _ in 0..<400 {
            let range = base..<(base + count)
            if !avoiding.contains(where: { $0.overlaps(range) }), !range.contains(where: isListening) { return base }
            base += count + 3
            if base + count > 32000 { base = 20000 }
        }
        throw ServerProcessError("no block of \(count) free ports between 20000 and 32000")
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

public struct ServerProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
