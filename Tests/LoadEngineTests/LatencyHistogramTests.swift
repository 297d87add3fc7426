import Testing
@testable import LoadEngine

struct LatencyHistogramTests {
    @Test func emptyHasNoPercentiles() {
        let h = LatencyHistogram()
        #expect(h.quantile(0.5) == nil)
        #expect(h.summary == LatencySummary())
    }

    @Test func percentilesAreWithinTwoPercent() {
        var h = LatencyHistogram()
        for v in 1...1000 { h.record(milliseconds: Double(v)) }
        let s = h.summary
        #expect(s.count == 1000)
        #expect(abs((s.p50 ?? 0) - 500) <= 500 * 0.021)
        #expect(abs((s.p95 ?? 0) - 950) <= 950 * 0.021)
        #expect(abs((s.p99 ?? 0) - 990) <= 990 * 0.021)
        #expect(s.max == 1000)
        #expect(s.mean == 500.5)
    }

    @Test func singleValueIsExactAndExtremesAreClamped() {
        var h = LatencyHistogram()
        h.record(milliseconds: 42)
        #expect(h.quantile(0.5) == 42)
        #expect(h.quantile(0) == 42)
        #expect(h.quantile(1) == 42)
        h.record(milliseconds: -5)  // clock skew: counted as 0
        h.record(milliseconds: .nan)  // ignored
        h.record(milliseconds: 1e12)  // beyond the last bucket: still counted, max exact
        #expect(h.count == 3)
        #expect(h.minimum == 0)
        #expect(h.maximum == 1e12)
        #expect(h.quantile(1) == 1e12)
    }

    @Test func memoryIsFixed() {
        var h = LatencyHistogram()
        let before = MemoryLayout<LatencyHistogram>.size
        for i in 0..<100_000 { h.record(milliseconds: Double(i % 5000) / 3) }
        #expect(MemoryLayout<LatencyHistogram>.size == before)
        #expect(LatencyHistogram.bucket(for: 1e15) == LatencyHistogram.bucketCount - 1)
        #expect(LatencyHistogram.bucket(for: 0.05) == 0)
    }
}
