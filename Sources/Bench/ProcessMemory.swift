import Foundation

/// One process's memory as /proc and (when it has a memory cgroup of its own) the kernel's cgroup
/// accounting see it, for comparing with a pod's memory request and its HPA target.
///
/// The HPA's memory utilisation is the kubelet's *working set*: the container cgroup's usage minus
/// its inactive file pages (cgroup v2: `memory.current` − `inactive_file`; v1: `usage_in_bytes` −
/// `total_inactive_file`). A process that shares its cgroup with others (a shell session, this
/// benchmark) has no such figure of its own. Then it is rebuilt from the process's own pages:
/// every resident page from `/proc/<pid>/pagemap`, looked up in `/proc/kpageflags` (root only):
/// anonymous pages count, file pages count only while on the active LRU list, plus page tables.
/// That is what the cgroup would charge for this process alone, less kernel objects such as
/// socket buffers (small when idle). Without root, the upper bound (all resident file pages
/// counted) is used.
///
/// The active/inactive state of a file page is the machine's, not the process's: a library other
/// programs use a lot (libc, the Swift runtime on a build machine) is active here, where a pod's
/// own copy from its image might not be. So the rebuilt figure leans high, never low.
struct ProcessMemory {
    var rssKiB: Int
    var anonKiB: Int
    var fileKiB: Int
    var pageTablesKiB: Int
    var peakKiB: Int
    /// Usage − inactive file of the process's own memory cgroup; nil when it shares its cgroup.
    var cgroupWorkingSetKiB: Int?
    var cgroupPath: String?

    /// Resident file pages on the active LRU list (nil when /proc/kpageflags cannot be read).
    var activeFileKiB: Int?

    /// Anonymous + active file pages + page tables (all file pages when their state is unknown).
    var workingSetEstimateKiB: Int { anonKiB + (activeFileKiB ?? fileKiB) + pageTablesKiB }
    /// Every resident page counted, as if all file pages were active.
    var workingSetUpperKiB: Int { anonKiB + fileKiB + pageTablesKiB }
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
        memory.activeFileKiB = activeFilePages(pid: pid).map { $0 * 4 }
        return memory
    }

    /// Resident file-backed pages of `pid` that sit on the active LRU list (4 KiB pages).
    static func activeFilePages(pid: Int32) -> Int? {
        guard let maps = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8),
              let pagemap = FileHandle(forReadingAtPath: "/proc/\(pid)/pagemap"),
              let flags = FileHandle(forReadingAtPath: "/proc/kpageflags") else { return nil }
        defer { try? pagemap.close(); try? flags.close() }
        let pageSize = 4096
        var active = 0
        var seen = false
        for line in maps.split(separator: "\n") where !line.hasSuffix("[vsyscall]") {
            let range = line.prefix { $0 != " " }.split(separator: "-")
            guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16) else { continue }
            let pages = Int((end - start) / UInt64(pageSize))
            guard (try? pagemap.seek(toOffset: start / UInt64(pageSize) * 8)) != nil,
                  let entries = try? pagemap.read(upToCount: pages * 8), entries.count == pages * 8 else { continue }
            for index in 0..<pages {
                let entry = entries.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
                guard entry >> 63 & 1 == 1 else { continue }               // present
                let frame = entry & ((1 << 55) - 1)
                guard frame != 0,                                            // 0: no permission to see frames
                      (try? flags.seek(toOffset: frame * 8)) != nil,
                      let raw = try? flags.read(upToCount: 8), raw.count == 8 else { continue }
                seen = true
                let bits = raw.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let anonymous = bits >> 12 & 1 == 1, onActiveList = bits >> 6 & 1 == 1
                if !anonymous && onActiveList { active += 1 }
            }
        }
        return seen ? active : nil
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
        if let cgroupPath { return "cgroup \(cgroupPath): usage − inactive_file" }
        if activeFileKiB != nil {
            return "rebuilt from pagemap + kpageflags: anon + active file + page tables (meme-web shares its cgroup here); "
                + "all file pages counted: \(Self.mib(workingSetUpperKiB))"
        }
        return "upper bound: anon + all file + page tables (meme-web shares its cgroup here; kpageflags unreadable)"
    }
}
