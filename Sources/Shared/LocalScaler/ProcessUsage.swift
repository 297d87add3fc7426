#if canImport(Glibc)
import Glibc
#endif
import Autoscaling
import Foundation

/// A process's CPU and memory as the local stand-ins measure them, from /proc (Linux only).
///
/// CPU: utime + stime from /proc/<pid>/stat (all threads, in clock ticks of 1/`ticksPerSecond` s,
/// 100 Hz here), turned into millicores over the interval between two samples; the resolution is
/// one tick per interval (10 ms per 15 s sync ≈ 0.7 m), so short intervals are coarse.
///
/// Memory: the process's private resident memory, RssAnon + RssShmem from /proc/<pid>/status
/// (heap, stacks, shared memory), which is what the stand-ins compare with a request. The kubelet
/// (and so the HPA and the VPA) counts the container cgroup's working set: memory.current −
/// inactive_file, i.e. anonymous memory, the page cache the container touched minus what went cold,
/// and kernel memory. For a Swift server the difference is the binary's and libraries' file pages:
/// 31 of meme-web's 34 MiB idle RSS (docs/benchmarks.md, "meme-web memory"), which the kernel
/// soon marks inactive and the working set then leaves out (16 MiB idle as the kubelet counts it).
/// Counting them (VmRSS, also in a sample) would put an idle meme-web at half its 64Mi request and
/// scale out a quiet web tier, as no cluster does. The local processes share one cgroup, so the
/// per-container figure cannot be read; private memory is the per-process stand-in.
public enum ProcessUsage {
    /// Fields of /proc/<pid>/stat the stand-ins use.
    public struct Stat: Sendable, Equatable {
        public var pid: Int32
        /// The executable name as the kernel keeps it (15 characters at most; may contain spaces and parentheses).
        public var command: String
        public var state: Character
        /// User and system CPU time of all threads, in clock ticks.
        public var userTicks: Int
        public var systemTicks: Int
        /// When the process started, in clock ticks after boot: with the pid, identifies one process (pids are reused).
        public var startTicks: Int
        public var cpuTicks: Int { userTicks + systemTicks }
    }

    /// Memory lines of /proc/<pid>/status, in bytes (the file gives kB = KiB).
    public struct Status: Sendable, Equatable {
        public var residentBytes: Int
        public var peakResidentBytes: Int
        public var anonymousBytes: Int
        public var fileBytes: Int
        public var sharedMemoryBytes: Int
    }

    /// /proc/<pid>/smaps_rollup, in bytes. PSS divides each shared page among the processes mapping it.
    public struct SmapsRollup: Sendable, Equatable {
        public var residentBytes: Int
        public var proportionalBytes: Int
        public var proportionalAnonymousBytes: Int
        public var proportionalFileBytes: Int
        public var anonymousBytes: Int
    }

    /// One reading of one process.
    public struct Sample: Sendable, Equatable {
        public var pid: Int32
        public var startTicks: Int
        public var cpuTicks: Int
        public var residentBytes: Int
        /// RssAnon + RssShmem: what the stand-ins count (see the type's comment).
        public var privateBytes: Int
        /// When it was taken, seconds on the caller's clock.
        public var atSeconds: Double
        public init(pid: Int32, startTicks: Int, cpuTicks: Int, residentBytes: Int, privateBytes: Int? = nil, atSeconds: Double) {
            self.pid = pid
            self.startTicks = startTicks
            self.cpuTicks = cpuTicks
            self.residentBytes = residentBytes
            self.privateBytes = privateBytes ?? residentBytes
            self.atSeconds = atSeconds
        }
    }

    /// CPU over an interval and memory at its end.
    public struct Usage: Sendable, Equatable {
        public var cpuMillicores: Int
        public var memoryBytes: Int
        public var intervalSeconds: Double
        public init(cpuMillicores: Int, memoryBytes: Int, intervalSeconds: Double) {
            self.cpuMillicores = cpuMillicores
            self.memoryBytes = memoryBytes
            self.intervalSeconds = intervalSeconds
        }
    }

    /// sysconf(_SC_CLK_TCK): the unit of the tick counts in /proc/<pid>/stat.
    public static let ticksPerSecond: Int = {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? ticks : 100
    }()

    // MARK: Parsers (pure)

    /// Parses /proc/<pid>/stat: "pid (comm) state ppid …", where comm may hold spaces and ")" so the
    /// fields are counted from the last ")". utime, stime and starttime are fields 14, 15 and 22 (proc(5)).
    public static func parseStat(_ text: String) throws(LocalScalerError) -> Stat {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close,
              let pid = Int32(text[..<open].trimmingCharacters(in: .whitespaces)) else {
            throw LocalScalerError("/proc/<pid>/stat: expected \"pid (comm) state …\", got \(preview(text))")
        }
        let command = String(text[text.index(after: open)..<close])
        // After ")": field 3 (state) is index 0, so field n is index n − 3.
        let fields = text[text.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        func field(_ n: Int, _ name: String) throws(LocalScalerError) -> Int {
            guard n - 3 < fields.count, let value = Int(fields[n - 3]), value >= 0 else {
                throw LocalScalerError("/proc/\(pid)/stat: field \(n) (\(name)) missing or not a number")
            }
            return value
        }
        guard let state = fields.first?.first else { throw LocalScalerError("/proc/\(pid)/stat: field 3 (state) missing") }
        return Stat(pid: pid, command: command, state: state, userTicks: try field(14, "utime"), systemTicks: try field(15, "stime"),
                    startTicks: try field(22, "starttime"))
    }

    /// Parses the Vm*/Rss* lines of /proc/<pid>/status.
    public static func parseStatus(_ text: String) throws(LocalScalerError) -> Status {
        let kib = try kibibytes(text, file: "/proc/<pid>/status", ["VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"])
        return Status(residentBytes: kib[0] * 1024, peakResidentBytes: kib[1] * 1024, anonymousBytes: kib[2] * 1024,
                      fileBytes: kib[3] * 1024, sharedMemoryBytes: kib[4] * 1024)
    }

    /// Parses /proc/<pid>/smaps_rollup.
    public static func parseSmapsRollup(_ text: String) throws(LocalScalerError) -> SmapsRollup {
        let kib = try kibibytes(text, file: "/proc/<pid>/smaps_rollup", ["Rss", "Pss", "Pss_Anon", "Pss_File", "Anonymous"])
        return SmapsRollup(residentBytes: kib[0] * 1024, proportionalBytes: kib[1] * 1024, proportionalAnonymousBytes: kib[2] * 1024,
                           proportionalFileBytes: kib[3] * 1024, anonymousBytes: kib[4] * 1024)
    }

    /// Millicores used between two samples of the same process; nil when they are not of the same
    /// process (pid reused) or not in time order.
    public static func usage(from earlier: Sample, to later: Sample, ticksPerSecond: Int = ticksPerSecond) -> Usage? {
        let seconds = later.atSeconds - earlier.atSeconds
        guard earlier.pid == later.pid, earlier.startTicks == later.startTicks, seconds > 0, later.cpuTicks >= earlier.cpuTicks else {
            return nil
        }
        let cpuSeconds = Double(later.cpuTicks - earlier.cpuTicks) / Double(ticksPerSecond)
        return Usage(cpuMillicores: Int((cpuSeconds / seconds * 1000).rounded()), memoryBytes: later.residentBytes, intervalSeconds: seconds)
    }

    // MARK: Readers

    /// Reads /proc/<pid>/stat and /proc/<pid>/status now; `atSeconds` is the caller's clock.
    public static func sample(pid: Int32, atSeconds: Double) throws(LocalScalerError) -> Sample {
        let stat = try parseStat(try read("/proc/\(pid)/stat"))
        let status = try parseStatus(try read("/proc/\(pid)/status"))
        return Sample(pid: pid, startTicks: stat.startTicks, cpuTicks: stat.cpuTicks, residentBytes: status.residentBytes,
                      privateBytes: status.anonymousBytes + status.sharedMemoryBytes, atSeconds: atSeconds)
    }

    /// Reads /proc/<pid>/smaps_rollup (Linux ≥ 4.14; readable for one's own processes).
    public static func smapsRollup(pid: Int32) throws(LocalScalerError) -> SmapsRollup {
        try parseSmapsRollup(try read("/proc/\(pid)/smaps_rollup"))
    }

    /// Samples `pid` twice, `interval` apart: its CPU over the interval and its memory at the end.
    public static func measure(pid: Int32, over interval: Duration) async throws -> Usage {
        let clock = ContinuousClock()
        let origin = clock.now
        func seconds() -> Double {
            let d = origin.duration(to: clock.now).components
            return Double(d.seconds) + Double(d.attoseconds) * 1e-18
        }
        let first = try sample(pid: pid, atSeconds: seconds())
        try await Task.sleep(for: interval)
        let second = try sample(pid: pid, atSeconds: seconds())
        guard let usage = usage(from: first, to: second) else {
            throw LocalScalerError("process \(pid) ended or was replaced while it was being measured")
        }
        return usage
    }

    private static func read(_ path: String) throws(LocalScalerError) -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LocalScalerError("\(path): cannot read (\((error as NSError).localizedDescription)); has the process ended?")
        }
    }

    private static func kibibytes(_ text: String, file: String, _ keys: [String]) throws(LocalScalerError) -> [Int] {
        var found: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            guard keys.contains(key) else { continue }
            let parts = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
                .flatMap { $0.split(separator: "\t") }
            guard parts.count == 2, parts[1] == "kB", let value = Int(parts[0]) else {
                throw LocalScalerError("\(file): line \"\(line)\" is not \"\(key): <n> kB\"")
            }
            found[key] = value
        }
        var result: [Int] = []
        for key in keys {
            guard let value = found[key] else { throw LocalScalerError("\(file): no \(key) line") }
            result.append(value)
        }
        return result
    }

    private static func preview(_ text: String) -> String {
        "\"" + String(text.prefix(40)).replacingOccurrences(of: "\n", with: "\\n") + (text.count > 40 ? "…\"" : "\"")
    }
}

/// Turns successive samples of several processes into per-process usage: each new sample is
/// compared with the previous one of the same process (same pid and start time). A process seen for
/// the first time, or a reused pid, has no CPU figure until its second sample.
public struct UsageWindow: Sendable, Equatable {
    public private(set) var previous: [Int32: ProcessUsage.Sample] = [:]
    /// The latest usage of each process that has one.
    public private(set) var usage: [Int32: ProcessUsage.Usage] = [:]
    public let ticksPerSecond: Int

    public init(ticksPerSecond: Int = ProcessUsage.ticksPerSecond) {
        self.ticksPerSecond = ticksPerSecond
    }

    /// Records a sample; returns the usage since the process's previous sample, if there is one.
    @discardableResult
    public mutating func record(_ sample: ProcessUsage.Sample) -> ProcessUsage.Usage? {
        defer { previous[sample.pid] = sample }
        guard let before = previous[sample.pid],
              let u = ProcessUsage.usage(from: before, to: sample, ticksPerSecond: ticksPerSecond) else {
            usage[sample.pid] = nil
            return nil
        }
        usage[sample.pid] = u
        return u
    }

    /// Drops a process that ended (or was stopped) so its figures stop counting.
    public mutating func forget(pid: Int32) {
        previous[pid] = nil
        usage[pid] = nil
    }

    /// Keeps only these processes.
    public mutating func retain(pids: Set<Int32>) {
        previous = previous.filter { pids.contains($0.key) }
        usage = usage.filter { pids.contains($0.key) }
    }
}

extension UsageWindow {
    /// Samples each process now: its private memory always, its CPU since its previous sample (nil the
    /// first time). Processes not listed are forgotten. A process that is gone is left out.
    public mutating func sample(_ pids: [Int32], at seconds: Double) -> [Int32: ResourceAmounts] {
        var result: [Int32: ResourceAmounts] = [:]
        for pid in pids {
            guard let s = try? ProcessUsage.sample(pid: pid, atSeconds: seconds) else { continue }
            result[pid] = ResourceAmounts(cpuMillicores: record(s)?.cpuMillicores, memoryBytes: s.privateBytes)
        }
        retain(pids: Set(pids))
        return result
    }
}
