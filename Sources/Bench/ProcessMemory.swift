import Foundation

/// One process's memory as /proc and (when it has a memory cgroup of its own) the kernel's cgroup
/// accounting see it, for comparing with a pod's memory request and its HPA target.
///
/// The HPA's memory utilisation is the kubelet's *working set*: the container cgroup's usage minus
/// its inactive file pages (cgroup v2: `memory.current` − `inactive_file`; v1: `usage_in_bytes` −
/// `total_inactive_file`). A process that shares its cgroup with others (a shell session, this
/// benchmark) has no such figure of its own; then `workingSetEstimateKiB` stands in for it:
/// resident anonymous memory + resident file pages (the binary and libraries it runs, which a pod
/// is charged for and keeps active) + its page tables. That is what the cgroup would charge for
/// this process alone, less kernel objects such as socket buffers (small when idle).
struct ProcessMemory {
    var rssKiB: Int
    var anonKiB: Int
    var fileKiB: Int
    var pageTablesKiB: Int
    var peakKiB: Int
    /// Usage − inactive file of the process's own memory cgroup; nil when it shares its cgroup.
    var cgroupWorkingSetKiB: Int?
    var cgroupPath: String?

    var workingSetEstimateKiB: Int { anonKiB + fileKiB + pageTablesKiB }
    /// The kubelet's figure when there is one, else the estimate.
    var workingSetKiB: Int { cgroupWorkingSetKiB ?? workingSetEstimateKiB }

    static func read(pid: Int32) -> ProcessMemory? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var fields: [String: Int] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            if parts.count >= 2, let kib = Int(parts[1]) { fields[String(parts[0])] = kib }
        }
        guard let rss = fields["VmRSS"] else { return nil }
        var memory = ProcessMemory(
            rssKiB: rss, anonKiB: fields["RssAnon"] ?? 0, fileKiB: fields["RssFile"] ?? 0,
            pageTablesKiB: fields["VmPTE"] ?? 0, peakKiB: fields["VmHWM"] ?? rss)
        if let (path, workingSet) = ownCgroupWorkingSet(pid: pid) {
            memory.cgroupPath = path
            memory.cgroupWorkingSetKiB = workingSet
        }
        return memory
    }

    /// The working set of the memory cgroup `pid` is in, if no other process is in it.
    static func ownCgroupWorkingSet(pid: Int32) -> (String, Int)? {
        guard let lines = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        for line in lines.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count == 3 else { continue }
            let (controllers, path) = (parts[1], parts[2])
            let directory: String, usageFile: String, inactiveKey: String
            if controllers.split(separator: ",").contains("memory") {
                (directory, usageFile, inactiveKey) = ("/sys/fs/cgroup/memory" + path, "memory.usage_in_bytes", "total_inactive_file")
            } else if controllers.isEmpty, parts[0] == "0",
                      FileManager.default.fileExists(atPath: "/sys/fs/cgroup" + path + "/memory.current") {
                (directory, usageFile, inactiveKey) = ("/sys/fs/cgroup" + path, "memory.current", "inactive_file")
            } else {
                continue
            }
            guard let procs = try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8),
                  procs.split(separator: "\n") == [Substring(String(pid))],
                  let usage = (try? String(contentsOfFile: directory + "/" + usageFile, encoding: .utf8))
                      .flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                  let stat = try? String(contentsOfFile: directory + "/memory.stat", encoding: .utf8) else { continue }
            let inactive = stat.split(separator: "\n").first { $0.hasPrefix(inactiveKey + " ") }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            return (path, (usage - inactive) / 1024)
        }
        return nil
    }

    static func mib(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }

    /// "31.2 MiB (anon 20.1, file 10.8, page tables 0.3)".
    var breakdown: String {
        Self.mib(rssKiB) + String(format: " (anon %.1f, file %.1f, page tables %.1f)",
                             Double(anonKiB) / 1024, Double(fileKiB) / 1024, Double(pageTablesKiB) / 1024)
    }

    /// How the working set was measured.
    var workingSetSource: String {
        cgroupPath.map { "cgroup \($0): usage − inactive_file" } ?? "estimate: anon + file + page tables (meme-web shares its cgroup here)"
    }
}
