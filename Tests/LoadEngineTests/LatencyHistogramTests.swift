import Foundation
import Testing
@testable import LoadEngine

struct LatencyHistogramTests {
    /// Two significant digits: a reading is within 1 % of the exact value.
    static func close(_ value: Double?, _ exact: Double) -> Bool {
        guard let value else { return false }
        return abs(value - exact) <= exact * 0.01
    }

    @Test func emptyHasNoPercentiles() {
        let h = LatencyHistogram()
        #expect(h.quantile(0.5) == nil)
        #expect(h.summary == LatencySummary())
    }

    @Test func percentilesAreWithinOnePercent() {
        var h = LatencyHistogram()
        for v in 1...1000 { h.record(milliseconds: Double(v)) }
        let s = h.summary
        #expect(s.count == 1000)
        #expect(Self.close(s.p50, 500))
        #expect(Self.close(s.p95, 950))
        #expect(Self.close(s.p99, 990))
        #expect(s.max == 1000)
        #expect(Self.close(s.mean, 500.5))
    }

    @Test func precisionHoldsFromMicrosecondsToMinutes() {
        // 0.2 ms … ~100 s: every decade keeps its two digits.
        let values = (0..<60).map { 0.2 * pow(10, Double($0) / 10) }
        var h = LatencyHistogram()
        for v in values { h.record(milliseconds: v) }
        let sorted = values.sorted()
        for q in [0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
            let exact = sorted[max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1)]
            #expect(Self.close(h.quantile(q), exact), "q \(q)")
        }
    }

    @Test func singleValueIsExactAndExtremesAreClamped() {
        var h = LatencyHistogram()
        h.record(milliseconds: 42)
        #expect(h.quantile(0.5) == 42)
        #expect(h.quantile(0) == 42)
        #expect(h.quantile(1) == 42)
        #expect(h.summary.max == 42 && h.summary.mean.map { Self.close($0, 42) } == true)
        h.record(milliseconds: -5)  // clock skew: counted as 0
        h.record(milliseconds: .nan)  // ignored
        h.record(milliseconds: 1e12)  // beyond the range: counted as a day
        #expect(h.count == 3)
        #expect(h.quantile(0) == 0)
        #expect(h.quantile(1) == 86_400_000)
    }

    @Test func memoryIsFixed() {
        var h = LatencyHistogram()
        let before = h.footprintBytes
        for i in 0..<100_000 { h.record(milliseconds: Double(i % 5000) / 3) }
        h.record(milliseconds: 1e15)
        #expect(h.footprintBytes == before)
        #expect(before < 64 * 1024)
    }
}
