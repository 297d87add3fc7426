import Foundation

/// CPU and memory of processes between two samples (temporary: replaced by ProcessUsage's window).
struct ProcessSampler: Sendable {
    struct Usage: Sendable, Equatable {
        var cpuMillicores: Int?
        var memoryBytes: Int?
    }

    private var last: [Int32: (ticks: Int, at: Double)] = [:]
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Usage of each pid: CPU since the previous sample of that pid (nil the first time), RSS now.
    mutating func sample(_ pids: [Int32], at seconds: Double) -> [Int32: Usage] {
        var result: [Int32: Usage] = [:]
        var next: [Int32: (ticks: Int, at: Double)] = [:]
        for pid in pids {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command: state is field 3; utime 14, stime 15, rss 24 (1-based, as proc(5) counts).
            guard fields.count > 21, let utime = Int(fields[11]), let stime = Int(fields[12]), let rss = Int(fields[21]) else { continue }
            let ticks = utime + stime
            var cpu: Int?
            if let previous = last[pid], seconds > previous.at {
                cpu = Int((Double(ticks - previous.ticks) / Self.ticksPerSecond / (seconds - previous.at) * 1000).rounded())
            }
            result[pid] = Usage(cpuMillicores: cpu, memoryBytes: rss * Self.pageSize)
            next[pid] = (ticks, seconds)
        }
        last = next
        return result
    }
}
