// The panels' content. Each panel offers variants from richest to poorest; the layout picks the
// richest that fits the rows it could give the panel.

/// One panel: a title row and content lines.
struct Panel {
    var title: String
    /// Lower is more important: gets rows first, dropped last.
    var priority: Int
    /// Content variants, richest first; the last is the fallback that is cut to fit.
    var variants: [[Line]]
    /// Lists (recent, events) can use any number of rows down to one.
    var isList = false
    /// Shown after the title when the data is old: "stale 12 s".
    var staleness: String?

    var minimumRows: Int { 1 + min(isList ? 1 : Int.max, variants.last?.count ?? 0) }
    var preferredRows: Int { 1 + (variants.first?.count ?? 0) }

    /// The lines to show in `rows` rows (title included).
    func content(rows: Int) -> [Line] {
        let room = rows - 1
        if let fit = variants.first(where: { $0.count <= room }) { return fit }
        return Array((variants.last ?? []).prefix(max(0, room)))
    }
}

/// "stale 12 s" when the section's source is stale (its data is the last good read).
func staleness(_ status: SourceStatus) -> String? {
    guard status.state == .stale else { return nil }
    return "stale" + (status.ageSeconds.map { " " + Format.decimal($0) + " s" } ?? "")
}

extension Panel {
    func marked(_ status: SourceStatus) -> Panel {
        var p = self
        p.staleness = ConsoleUI.staleness(status)
        return p
    }
}

/// Why a section is missing: "— kubernetes down: RBAC: cannot list hpa".
func unavailable(_ name: String, _ status: SourceStatus) -> Line {
    let why: String
    switch status.state {
    case .disabled: why = "\(name) disabled"
    case .ok, .stale: why = "no data from \(name) yet"
    case .down: why = "\(name) down" + (status.error.map { ": " + sanitize($0) } ?? "")
    }
    return [Span("— ", .dim), Span(why, status.state == .down ? .bad : .dim)]
}

/// Does a scale target ("Deployment/meme-worker") point at the workload named `name` ("worker")?
func targets(_ ref: String, _ name: String) -> Bool {
    let target = ref.split(separator: "/").last.map(String.init) ?? ref
    return target == name || target.hasSuffix("-" + name) || name.hasSuffix("-" + target)
}

// MARK: - Workloads

func workloadsPanel(_ s: ConsoleSnapshot, width: Int) -> Panel {
    let title = "REPLICAS"
    let replicaSource = s.mode == .local ? ("prometheus", s.sources.prometheus) : ("kubernetes", s.sources.kubernetes)
    guard let workloads = s.workloads else {
        return Panel(title: title, priority: 1, variants: [[unavailable(replicaSource.0, replicaSource.1)]])
    }
    if workloads.isEmpty {
        return Panel(title: title, priority: 1, variants: [[[Span("no workloads found", .dim)]]])
    }
    let nameWidth = min(10, max(6, workloads.map { displayWidth($0.name) }.max() ?? 6))
    let header: Line = [Span(String(repeating: " ", count: nameWidth) + " now ready want", .dim)]
    let rows = workloads.map { workloadRow($0, s.autoscalers, nameWidth: nameWidth, width: width) }
    let table = [header] + rows

    var variants: [[Line]] = []
    if let worker = workloads.first(where: { $0.name.contains("worker") }) ?? workloads.first {
        let digits = bigNumber(worker.replicas)
        let labels: [Line] = [
            [Span(sanitize(worker.name), .accent), Span(" replicas")],
            [Span("ready \(worker.ready) · want \(worker.desired)", .dim)],
            bounds(worker, s.autoscalers).map { [Span($0.text, $0.atMax ? .warn : .dim)] } ?? [],
        ]
        for font in [BigFont.large, .small] {
            let figureWidth = max(font.width(digits), font.width("00"))
            guard figureWidth + 2 + 18 <= width else { continue }
            variants.append(bigFigure(digits, font: font, style: replicaStyle(worker, s.autoscalers),
                                      figureWidth: figureWidth, labels: labels) + table)
        }
    }
    variants.append(table)
    variants.append(rows)
    return Panel(title: title, priority: 1, variants: variants)
}

private func replicaStyle(_ w: Workload, _ a: Autoscalers?) -> CellStyle {
    if w.ready < w.replicas || w.replicas != w.desired { return CellStyle(.warn, bold: true) }
    if bounds(w, a)?.atMax == true { return CellStyle(.warn, bold: true) }
    return CellStyle(.ok, bold: true)
}

/// The autoscaler bounds of a workload: "HPA 2–10", flagged when it sits at its maximum.
private func bounds(_ w: Workload, _ a: Autoscalers?) -> (text: String, atMax: Bool)? {
    guard let a else { return nil }
    if let h = a.hpa.first(where: { targets($0.targetRef, w.name) }) {
        let atMax = h.current >= h.max || h.desired >= h.max
        return ("HPA \(h.min)–\(h.max)" + (atMax ? " AT MAX" : ""), atMax)
    }
    if let k = a.keda.first(where: { targets($0.targetRef, w.name) }) {
        let atMax = k.desired >= k.max
        return ("KEDA \(k.min)–\(k.max)" + (atMax ? " AT MAX" : ""), atMax)
    }
    if a.vpa.contains(where: { targets($0.targetRef, w.name) }) { return ("VPA", false) }
    return nil
}

private func workloadRow(_ w: Workload, _ a: Autoscalers?, nameWidth: Int, width: Int) -> Line {
    let name = truncate(sanitize(w.name), toWidth: nameWidth)
    var line: Line = [
        Span(name + String(repeating: " ", count: max(0, nameWidth - displayWidth(name))), .accent),
        Span(pad(String(w.replicas), 4), replicaStyle(w, a)),
        Span(pad(String(w.ready), 6), w.ready < w.replicas ? .warn : .plain),
        Span(pad(String(w.desired), 5), .strong),
    ]
    if let b = bounds(w, a) { line.append(Span(" " + b.text, b.atMax ? .warn : .dim)) }
    let used = line.reduce(0) { $0 + displayWidth($1.text) }
    if let history = w.history, !history.isEmpty, width - used >= 6 {
        line.append(Span(" "))
        line.append(Span(sparkline(history, width: min(24, width - used - 1)), .accent))
    }
    return line
}

/// Right-aligns `text` in `width` columns.
func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - displayWidth(text))) + text
}

// MARK: - Queue and KEDA

func queuePanel(_ s: ConsoleSnapshot, width: Int) -> Panel {
    guard let q = s.queue else {
        var lines = [unavailable("nats", s.sources.nats)]
        lines += (s.autoscalers?.keda ?? []).flatMap { kedaLines($0, width: width, rich: false) }
        return Panel(title: "QUEUE", priority: 2, variants: [lines])
    }
    let title = "QUEUE " + sanitize(q.stream) + " / " + sanitize(q.consumer)
    let keda = s.autoscalers?.keda.first
    let threshold = q.lagThreshold ?? keda?.lagThreshold
    let lagStyle: CellStyle = threshold.map { q.lag > $0 ? .warn : .ok } ?? .strong

    // The bar is full where KEDA would ask for its maximum (lag = threshold × max).
    var barLine: Line = [Span("lag ", .dim)]
    let label = " \(q.lag)" + (threshold.map { " / \($0)" } ?? "")
    let barWidth = max(0, min(40, width - 4 - displayWidth(label) - 2))
    if let threshold, threshold > 0, barWidth >= 4 {
        let full = Double(threshold * max(1, keda?.max ?? 1))
        let (filled, empty) = bar(Double(q.lag) / full, width: barWidth)
        barLine += [Span("▕", .dim), Span(filled, lagStyle), Span(empty, .dim), Span("▏", .dim), Span(label, lagStyle)]
    } else {
        barLine += [Span(label.trimmingLeadingSpace, lagStyle)]
    }
    let counts: Line = [
        Span("pending ", .dim), Span(String(q.pending), .strong),
        Span("  ack-pending ", .dim), Span(String(q.ackPending), .strong),
        Span("  redelivered ", .dim), Span(String(q.redelivered), q.redelivered > 0 ? .warn : .strong),
    ]
    let kedaRich = (s.autoscalers?.keda ?? []).flatMap { kedaLines($0, width: width, rich: true) }
    let kedaPoor = (s.autoscalers?.keda ?? []).flatMap { kedaLines($0, width: width, rich: false) }

    var variants: [[Line]] = []
    let digits = bigNumber(q.lag)
    let labels: [Line] = [
        [Span("lag", .accent), Span(" (what KEDA sees)", .dim)],
        [Span("threshold ", .dim), Span(Format.int(threshold), .strong)],
        keda.map { [Span("→ ", .dim), Span("\($0.desired) replicas", .strong)] } ?? [],
    ]
    for font in [BigFont.large, .small] {
        let figureWidth = max(font.width(digits), font.width("00"))
        guard figureWidth + 2 + 18 <= width else { continue }
        let big = bigFigure(digits, font: font, style: lagStyle, figureWidth: figureWidth, labels: labels)
        variants.append(big + [barLine, counts] + kedaRich)
        variants.append(big + [barLine, counts] + kedaPoor)
    }
    variants.append([barLine, counts] + kedaRich)
    variants.append([barLine, counts] + kedaPoor)
    // Last resort, one line: "lag 1204/10 · pending 1180 → 20".
    var summary: Line = [Span("lag ", .dim), Span(String(q.lag) + (threshold.map { "/\($0)" } ?? ""), lagStyle),
                         Span(" · pending ", .dim), Span(String(q.pending), .strong)]
    if let keda { summary += [Span(" → ", .dim), Span(String(keda.desired), keda.desired >= keda.max ? .warn : .strong)] }
    variants.append([summary])
    return Panel(title: title, priority: 2, variants: variants)
}

private extension String {
    var trimmingLeadingSpace: String { String(drop(while: { $0 == " " })) }
}

func kedaLines(_ k: KEDAStatus, width: Int, rich: Bool) -> [Line] {
    var head: Line = [
        Span("KEDA ", .dim), Span(sanitize(k.name) + " ", .accent),
        Span(k.active ? "ACTIVE" : "inactive", k.active ? CellStyle(.ok, bold: true) : .dim),
        Span("  lag ", .dim), Span(Format.int(k.lag) + "/\(k.lagThreshold)", .strong),
        Span(" → ", .dim), Span(String(k.desired), k.desired >= k.max ? .warn : .strong),
        Span(" [\(k.min)–\(k.max)]", k.desired >= k.max ? .warn : .dim),
    ]
    if !rich, k.fallback != nil { head.append(Span(" fallback", .dim)) }
    guard rich else { return [head] }
    var lines = [head]
    var detail: Line = [Span("  activation \(k.activationThreshold)", .dim)]
    if let f = k.fallback {
        detail.append(Span(" · fallback \(f.replicas) after \(f.failureThreshold) failures", .dim))
    }
    lines.append(detail)
    if !k.explanation.isEmpty { lines.append([Span("  " + sanitize(k.explanation), .dim)]) }
    return lines
}

// MARK: - Autoscalers (HPA, VPA)

func autoscalersPanel(_ s: ConsoleSnapshot, width: Int) -> Panel {
    let title = "AUTOSCALERS"
    guard let a = s.autoscalers else {
        return Panel(title: title, priority: 3, variants: [[unavailable("kubernetes", s.sources.kubernetes)]])
    }
    if a.hpa.isEmpty && a.vpa.isEmpty {
        let none: Line = [Span(a.keda.isEmpty ? "no HPA / KEDA / VPA found" : "no HPA or VPA (KEDA under queue)", .dim)]
        return Panel(title: title, priority: 3, variants: [[none]])
    }
    let rich = a.hpa.flatMap { hpaLines($0, detail: 2) } + a.vpa.flatMap { vpaLines($0, rich: true) }
    let medium = a.hpa.flatMap { hpaLines($0, detail: 1) } + a.vpa.flatMap { vpaLines($0, rich: true) }
    let poor = a.hpa.flatMap { hpaLines($0, detail: 0) } + a.vpa.flatMap { vpaLines($0, rich: false) }
    return Panel(title: title, priority: 3, variants: [rich, medium, poor])
}

/// detail 0: one line; 1: plus a line per metric and unusual conditions; 2: plus explanations and all conditions.
func hpaLines(_ h: HPAStatus, detail: Int) -> [Line] {
    let atMax = h.desired >= h.max
    var head: Line = [
        Span("HPA ", .dim), Span(sanitize(h.name) + " ", .accent),
        Span("\(h.current)", .strong), Span(" → ", .dim), Span("\(h.desired)", atMax ? .warn : .strong),
        Span(" [\(h.min)–\(h.max)]", atMax ? .warn : .dim),
    ]
    if atMax { head.append(Span(" AT MAX", .warn)) }
    if detail == 0 {
        for m in h.metrics {
            head += [Span("  \(sanitize(m.name)) ", .dim), Span(metricValue(m, m.current) + "/" + metricValue(m, m.target))]
        }
        return [head]
    }
    var lines = [head]
    for m in h.metrics {
        let over = (m.current ?? 0) > m.target
        var line: Line = [
            Span("  " + sanitize(m.name) + " ", .dim),
            Span(metricValue(m, m.current), m.current == nil ? .bad : (over ? .warn : .ok)),
            Span(" / " + metricValue(m, m.target), .dim),
            Span(" → ", .dim), Span(Format.int(m.replicas), .strong),
        ]
        if detail >= 2, !m.explanation.isEmpty { line.append(Span("  " + sanitize(m.explanation), .dim)) }
        lines.append(line)
    }
    for c in h.conditions where detail >= 2 || isUnusual(c) {
        let bad = isUnusual(c)
        var line: Line = [Span("  " + sanitize(c.type) + " " + sanitize(c.status) + " ", bad ? .warn : .dim),
                          Span(sanitize(c.reason), bad ? .warn : .dim)]
        if detail >= 2 && !c.message.isEmpty { line.append(Span(": " + sanitize(c.message), .dim)) }
        lines.append(line)
    }
    return lines
}

/// A condition worth a presenter's attention: a failing check or a limit being hit.
private func isUnusual(_ c: HPACondition) -> Bool {
    (c.type == "ScalingLimited" && c.status == "True") || (c.type != "ScalingLimited" && c.status != "True")
}

/// A metric value in its unit: percent for utilisation, millicores for cpu, bytes for memory.
func metricValue(_ m: HPAMetric, _ value: Double?) -> String {
    guard let value else { return "?" }
    if m.kind == "Utilization" { return Format.decimal(value) + "%" }
    switch m.name {
    case "cpu": return Format.cpu(Int(value.rounded()))
    case "memory": return Format.bytes(Int(value.rounded()))
    default: return Format.decimal(value)
    }
}

func vpaLines(_ v: VPAStatus, rich: Bool) -> [Line] {
    var lines: [Line] = [[Span("VPA ", .dim), Span(sanitize(v.name) + " ", .accent), Span("mode " + sanitize(v.updateMode), .dim)]]
    for c in v.containers {
        if !rich {
            lines.append([
                Span("  " + sanitize(c.name) + " cpu ", .dim), Span(Format.cpu(c.target?.cpuMillicores), .strong),
                Span(" (req " + Format.cpu(c.requests?.cpuMillicores) + ")", .dim),
                Span(" mem ", .dim), Span(Format.bytes(c.target?.memoryBytes), .strong),
                Span(" (req " + Format.bytes(c.requests?.memoryBytes) + ")", .dim),
            ])
            continue
        }
        for (label, pick, fmt) in [
            ("cpu", { (r: Resources?) in r?.cpuMillicores }, Format.cpu),
            ("mem", { (r: Resources?) in r?.memoryBytes }, Format.bytes),
        ] as [(String, (Resources?) -> Int?, (Int?) -> String)] {
            let request = pick(c.requests)
            let lower = pick(c.lowerBound), upper = pick(c.upperBound)
            let outside = request.map { r in (lower.map { r < $0 } ?? false) || (upper.map { r > $0 } ?? false) } ?? false
            lines.append([
                Span("  " + truncate(sanitize(c.name), toWidth: 8) + " " + label + " ", .dim),
                Span("target ", .dim), Span(fmt(pick(c.target)), .strong),
                Span(" [" + fmt(lower) + "–" + fmt(upper) + "]", .dim),
                Span(" uncapped " + fmt(pick(c.uncappedTarget)), .dim),
                Span(" req ", .dim), Span(fmt(request), outside ? .warn : .plain),
            ])
        }
        if let verdict = c.verdict { lines.append([Span("  → " + sanitize(verdict), .warn)]) }
    }
    return lines
}

// MARK: - Throughput and load

func throughputPanel(_ s: ConsoleSnapshot) -> Panel {
    let title = "THROUGHPUT (prometheus)"
    guard let t = s.throughput else {
        return Panel(title: title, priority: 4, variants: [[unavailable("prometheus", s.sources.prometheus)]])
    }
    let rates: Line = [
        Span("done ", .dim), Span(Format.rate(t.completedPerSecond), .ok),
        Span("  errors ", .dim), Span(Format.rate(t.errorsPerSecond), t.errorsPerSecond > 0 ? .bad : .plain),
    ] + (t.submittedPerSecond.map { [Span("  in ", .dim), Span(Format.rate($0))] } ?? [])
    let latency: Line = [
        Span("latency p50 ", .dim), Span(Format.seconds(t.p50Seconds), .strong),
        Span("  p95 ", .dim), Span(Format.seconds(t.p95Seconds), .strong),
    ]
    return Panel(title: title, priority: 4, variants: [[rates, latency], [rates + [Span("  ")] + latency]])
}

func loadPanel(_ s: ConsoleSnapshot, ui: UIState) -> Panel {
    let l = s.load
    let counts: Line = [
        Span("sent ", .dim), Span(String(l.sent), .strong), Span("  acked ", .dim), Span(String(l.acked)),
        Span("  answered ", .dim), Span(String(l.answered), .ok),
        Span("  errors ", .dim), Span(String(l.errors), l.errors > 0 ? .bad : .plain),
        Span("  in flight ", .dim), Span(String(l.inFlight)),
    ]
    let sustained: Span = l.sustainedRate.map { Span("ON " + Format.rate($0), CellStyle(.ok, bold: true)) }
        ?? Span("off", .dim)
    let settings: Line = [
        Span("p50 ", .dim), Span(Format.milliseconds(l.p50Milliseconds)),
        Span("  p95 ", .dim), Span(Format.milliseconds(l.p95Milliseconds)),
        Span("  sustained ", .dim), sustained,
        Span("  burst ", .dim), Span(String(ui.burstSize), .strong),
    ]
    return Panel(title: "LOAD (this console)", priority: 5, variants: [[counts, settings], [counts]])
}

// MARK: - Recent memes and events

func recentPanel(_ s: ConsoleSnapshot) -> Panel {
    guard !s.recent.isEmpty else {
        return Panel(title: "RECENT MEMES", priority: 7, variants: [[[Span("none yet: press s or b", .dim)]]], isList: true)
    }
    let lines: [Line] = s.recent.reversed().map { m in
        if m.ok {
            return [Span("✓ ", .ok), Span(pad(Format.milliseconds(m.latencyMilliseconds), 7) + "  ", .dim),
                    Span(sanitize(m.prompt))]
        }
        return [Span("✗ ", .bad), Span(sanitize(m.error ?? "failed"), .bad), Span("  " + sanitize(m.prompt), .dim)]
    }
    return Panel(title: "RECENT MEMES", priority: 7, variants: [lines], isList: true)
}

func eventsPanel(_ s: ConsoleSnapshot) -> Panel {
    guard !s.events.isEmpty else {
        return Panel(title: "SCALING EVENTS", priority: 6, variants: [[[Span("no scaling events yet", .dim)]]], isList: true)
    }
    let lines: [Line] = s.events.reversed().map { e in
        let kind = sanitize(e.kind)
        let style: CellStyle = kind == "warning" || kind == "error" ? .warn : .accent
        return [Span(Format.timeOfDay(sanitize(e.time)) + " ", .dim),
                Span(kind + String(repeating: " ", count: max(0, 5 - displayWidth(kind))) + " ", style),
                Span(sanitize(e.message))]
    }
    return Panel(title: "SCALING EVENTS", priority: 6, variants: [lines], isList: true)
}
