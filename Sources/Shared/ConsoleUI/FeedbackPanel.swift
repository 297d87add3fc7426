// The conflict act's feedback trace: the VPA's request, the usage and utilisation the HPA measured
// and the replicas it wanted, as sparklines over the last minutes, then each replica now, so the
// room sees the loop turn (request up → utilisation down → fewer replicas → usage per replica up …).

/// Shown only while `s.feedback` is set (an HPA and a VPA fighting over one resource, local mode).
func feedbackPanel(_ f: FeedbackTrace, width: Int) -> Panel {
    let cpu = f.resource == "cpu"
    let fmt = { (v: Int?) -> String in cpu ? Format.cpu(v) : Format.bytes(v) }
    let workload = sanitize(f.workload.split(separator: "/").last.map(String.init) ?? f.workload)
    let title = "FEEDBACK \(workload) \(sanitize(f.resource)): VPA request ⇄ HPA"
    let last = f.samples.last
    let labelWidth = 9
    // The sparklines take what the values leave; one column per HPA sync, newest on the right.
    let sparkWidth = max(1, min(max(f.samples.count, 1), width - labelWidth - 20))
    func row(_ label: String, _ values: [Int], _ value: [Span]) -> Line {
        [Span(label + String(repeating: " ", count: max(0, labelWidth - label.count)), .dim),
         Span(f.samples.isEmpty ? "" : sparkline(values, width: sparkWidth) + " ", .accent)] + value
    }
    let over = (last?.utilization ?? 0) > f.targetUtilization
    let rows: [Line] = [
        row("request", f.samples.map(\.request), [Span(fmt(last?.request), .strong), Span(" per replica (VPA)", .dim)]),
        row("usage", f.samples.map { $0.usage ?? 0 }, [Span(fmt(last?.usage), .strong), Span(" per replica", .dim)]),
        row("util", f.samples.map { $0.utilization ?? 0 },
            [Span(last?.utilization.map { "\($0)%" } ?? "?", over ? .warn : .ok), Span(" / \(f.targetUtilization)%", .dim)]),
        row("desired", f.samples.map(\.desired), [Span(Format.int(last?.desired), .strong),
                                                  Span(" of \(Format.int(last?.replicas)) (HPA)", .dim)]),
    ]
    let covered = f.samples.count >= 2 ? f.samples[f.samples.count - 1].at - f.samples[0].at : 0
    let span: Line = [Span("  \(f.samples.count) HPA sync\(f.samples.count == 1 ? "" : "s") over \(Format.clock(covered)), oldest left", .dim)]
    let pods: [Line] = f.pods.map { p in
        [Span("  " + truncate(sanitize(p.name), toWidth: 12) + " ", .dim), Span("req " + fmt(p.request)),
         Span(" use " + fmt(p.usage)), Span(" " + (p.utilization.map { "\($0)%" } ?? "?"), (p.utilization ?? 0) > f.targetUtilization ? .warn : .ok)]
    }
    let summary: Line = [Span("req ", .dim), Span(fmt(last?.request), .strong), Span(" · util ", .dim),
                         Span(last?.utilization.map { "\($0)%" } ?? "?", over ? .warn : .ok), Span("/\(f.targetUtilization)%", .dim),
                         Span(" → ", .dim), Span(Format.int(last?.desired), .strong)]
    return Panel(title: title, priority: 4, variants: [rows + [span] + pods, rows + pods, rows, [rows[0], rows[2], rows[3]], [summary]])
}
