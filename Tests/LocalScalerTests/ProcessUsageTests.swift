import Foundation
import Testing
@testable import LocalScaler

/// /proc parsing on text captured from real processes, and one measurement of this test process.
///
/// Captured on Linux 6.18 (x86_64, CLK_TCK 100) with `cat /proc/$PID/{stat,status,smaps_rollup}` from a
/// `redis-server --save '' --appendonly no` after `redis-cli --pipe` had loaded 200000 SET commands of
/// 200-byte values; the odd-name stat line from a copy of /bin/sleep named "we ird) (x". Tabs are written \t.
@Suite struct ProcessUsageTests {
    static let redisStat = "27375 (redis-server) S 27318 27318 17184 0 -1 4194560 16896 0 0 0 44 7 0 0 20 0 5 0 47013 126246912 17784 18446744073709551615 94489015136256 94489016278717 140732610138640 0 0 0 0 12293 17642 0 0 0 17 0 0 0 0 0 0 94489016762160 94489017135976 94489413955584 140732610144873 140732610144955 140732610144955 140732610146274 0\n"
    static let redisStatus = """
        Name:\tredis-server
        Umask:\t0022
        State:\tS (sleeping)
        Tgid:\t27375
        Ngid:\t0
        Pid:\t27375
        PPid:\t27318
        TracerPid:\t0
        Uid:\t0\t0\t0\t0
        Gid:\t0\t0\t0\t0
        FDSize:\t256
        Groups:\t\u{20}
        NStgid:\t27375
        NSpid:\t27375
        NSpgid:\t27318
        NSsid:\t17184
        Kthread:\t0
        VmPeak:\t  123288 kB
        VmSize:\t  123288 kB
        VmLck:\t       0 kB
        VmPin:\t       0 kB
        VmHWM:\t   71284 kB
        VmRSS:\t   71284 kB
        RssAnon:\t   61772 kB
        RssFile:\t    9512 kB
        RssShmem:\t       0 kB
        VmData:\t  106344 kB
        VmStk:\t     132 kB
        VmExe:\t    1116 kB
        VmLib:\t    9148 kB
        VmPTE:\t     224 kB
        VmSwap:\t       0 kB
        HugetlbPages:\t       0 kB
        CoreDumping:\t0
        THP_enabled:\t1
        untag_mask:\t0xffffffffffffffff
        Threads:\t5
        SigQ:\t0/96362
        SigPnd:\t0000000000000000
        ShdPnd:\t0000000000000000
        SigBlk:\t0000000000000000
        SigIgn:\t0000000000003005
        SigCgt:\t00000001000044ea
        CapInh:\t0000000000000000
        CapPrm:\t000001fffeffffff
        CapEff:\t000001fffeffffff
        CapBnd:\t000001fffeffffff
        CapAmb:\t0000000000000000
        NoNewPrivs:\t0
        Seccomp:\t0
        Seccomp_filters:\t0
        Speculation_Store_Bypass:\tvulnerable
        SpeculationIndirectBranch:\talways enabled
        Cpus_allowed:\t3
        Cpus_allowed_list:\t0-1
        Mems_allowed:\t00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001
        Mems_allowed_list:\t0
        voluntary_ctxt_switches:\t606
        nonvoluntary_ctxt_switches:\t237
        """
    static let redisSmapsRollup = """
        55eff028c000-7ffedd3c7000 ---p 00000000 00:00 0                          [rollup]
        Rss:               71284 kB
        Pss:               65795 kB
        Pss_Dirty:         61772 kB
        Pss_Anon:          61772 kB
        Pss_File:           4023 kB
        Pss_Shmem:             0 kB
        Shared_Clean:       6128 kB
        Shared_Dirty:          0 kB
        Private_Clean:      3384 kB
        Private_Dirty:     61772 kB
        Referenced:        71284 kB
        Anonymous:         61772 kB
        KSM:                   0 kB
        LazyFree:              0 kB
        AnonHugePages:         0 kB
        ShmemPmdMapped:        0 kB
        FilePmdMapped:         0 kB
        Shared_Hugetlb:        0 kB
        Private_Hugetlb:       0 kB
        Swap:                  0 kB
        SwapPss:               0 kB
        Locked:                0 kB
        """
    static let oddNameStat = "27657 (we ird) (x) S 27318 27318 17184 0 -1 4194304 141 0 0 0 0 0 0 0 20 0 1 0 47481 2990080 397 18446744073709551615 94570328985600 94570329003529 140735216969536 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 94570329017616 94570329018880 94570803236864 140735216974447 140735216974489 140735216974489 140735216975825 0\n"

    @Test func parsesStat() throws {
        let stat = try ProcessUsage.parseStat(Self.redisStat)
        #expect(stat == ProcessUsage.Stat(pid: 27375, command: "redis-server", state: "S", userTicks: 44, systemTicks: 7, startTicks: 47013))
        #expect(stat.cpuTicks == 51)
        // The name may hold spaces and parentheses: fields are counted from the last ")".
        let odd = try ProcessUsage.parseStat(Self.oddNameStat)
        #expect(odd.pid == 27657 && odd.command == "we ird) (x" && odd.startTicks == 47481 && odd.cpuTicks == 0)
    }

    @Test func parsesStatusAndSmapsRollup() throws {
        let status = try ProcessUsage.parseStatus(Self.redisStatus)
        #expect(status == ProcessUsage.Status(residentBytes: 71284 * 1024, peakResidentBytes: 71284 * 1024, anonymousBytes: 61772 * 1024,
                                              fileBytes: 9512 * 1024, sharedMemoryBytes: 0))
        #expect(status.residentBytes == status.anonymousBytes + status.fileBytes + status.sharedMemoryBytes)
        let rollup = try ProcessUsage.parseSmapsRollup(Self.redisSmapsRollup)
        #expect(rollup == ProcessUsage.SmapsRollup(residentBytes: 71284 * 1024, proportionalBytes: 65795 * 1024,
                                                   proportionalAnonymousBytes: 61772 * 1024, proportionalFileBytes: 4023 * 1024,
                                                   anonymousBytes: 61772 * 1024))
        // Shared library pages count in full in RSS and in part in PSS.
        #expect(rollup.proportionalBytes < rollup.residentBytes)
    }

    @Test func brokenProcText() {
        #expect(throws: LocalScalerError("/proc/<pid>/stat: expected \"pid (comm) state …\", got \"\"")) { try ProcessUsage.parseStat("") }
        #expect(throws: LocalScalerError("/proc/27375/stat: field 22 (starttime) missing or not a number")) {
            try ProcessUsage.parseStat("27375 (redis-server) S 27318 27318 17184 0 -1 4194560 16896 0 0 0 44 7 0 0 20 0 5 0\n")
        }
        #expect(throws: LocalScalerError("/proc/<pid>/status: no VmRSS line")) { try ProcessUsage.parseStatus("Name:\tkthreadd\n") }
        #expect(throws: LocalScalerError("/proc/<pid>/status: line \"VmRSS:\tmany kB\" is not \"VmRSS: <n> kB\"")) {
            try ProcessUsage.parseStatus("VmRSS:\tmany kB\n")
        }
        #expect(throws: LocalScalerError.self) { try ProcessUsage.sample(pid: Int32.max, atSeconds: 0) }
    }

    @Test func usageBetweenSamples() {
        let a = ProcessUsage.Sample(pid: 10, startTicks: 500, cpuTicks: 1000, residentBytes: 1 << 20, atSeconds: 100)
        let b = ProcessUsage.Sample(pid: 10, startTicks: 500, cpuTicks: 1150, residentBytes: 2 << 20, atSeconds: 115)
        // 150 ticks = 1.5 s of CPU in 15 s: 100 millicores.
        #expect(ProcessUsage.usage(from: a, to: b, ticksPerSecond: 100) == ProcessUsage.Usage(cpuMillicores: 100, memoryBytes: 2 << 20, intervalSeconds: 15))
        var reused = b
        reused.startTicks = 900
        #expect(ProcessUsage.usage(from: a, to: reused, ticksPerSecond: 100) == nil, "a reused pid is another process")
        #expect(ProcessUsage.usage(from: b, to: a, ticksPerSecond: 100) == nil, "not in time order")

        var window = UsageWindow(ticksPerSecond: 100)
        let firstUsage = window.record(a)
        #expect(firstUsage == nil, "first sample: no interval yet")
        let secondUsage = window.record(b)
        #expect(secondUsage?.cpuMillicores == 100)
        #expect(window.usage[10]?.memoryBytes == 2 << 20)
        let afterReuse = window.record(reused)
        #expect(afterReuse == nil)
        #expect(window.usage[10] == nil)
        window.record(ProcessUsage.Sample(pid: 11, startTicks: 1, cpuTicks: 0, residentBytes: 1, atSeconds: 0))
        window.record(ProcessUsage.Sample(pid: 11, startTicks: 1, cpuTicks: 30, residentBytes: 1, atSeconds: 1.5))
        #expect(window.usage[11]?.cpuMillicores == 200)
        window.retain(pids: [10])
        #expect(window.usage[11] == nil && window.previous[11] == nil)
        window.forget(pid: 10)
        #expect(window.previous.isEmpty)
    }

    /// Burns CPU in this process until the kernel has counted 5 more ticks, then compares the figures
    /// with /proc/self/status. Counting CPU, not wall time, so a busy machine only makes it slower.
    @Test func samplesThisProcess() async throws {
        let pid = getpid()
        #expect(ProcessUsage.ticksPerSecond > 0)
        let clock = ContinuousClock()
        let origin = clock.now
        func now() -> Double {
            let d = origin.duration(to: clock.now).components
            return Double(d.seconds) + Double(d.attoseconds) * 1e-18
        }
        let first = try ProcessUsage.sample(pid: pid, atSeconds: now())
        var x: UInt64 = 1
        var second = first
        while second.cpuTicks < first.cpuTicks + 5 && now() < 60 {
            for i in 0..<200_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
            second = try ProcessUsage.sample(pid: pid, atSeconds: now())
        }
        #expect(x != 0)
        #expect(second.startTicks == first.startTicks)
        let usage = try #require(ProcessUsage.usage(from: first, to: second))
        #expect(usage.cpuMillicores > 0)
        #expect(usage.memoryBytes > 1 << 20)
        let status = try ProcessUsage.parseStatus(String(contentsOfFile: "/proc/self/status", encoding: .utf8))
        #expect(abs(status.residentBytes - usage.memoryBytes) < 64 << 20, "RSS read twice a moment apart")
        let rollup = try ProcessUsage.smapsRollup(pid: pid)
        #expect(rollup.residentBytes > 0 && rollup.proportionalBytes <= rollup.residentBytes)
        let measured = try await ProcessUsage.measure(pid: pid, over: .milliseconds(100))
        #expect(measured.cpuMillicores >= 0 && measured.memoryBytes > 0 && measured.intervalSeconds >= 0.1)
    }
}
