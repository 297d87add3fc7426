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
    let replicaSource = s.mode == .local ? ("stand-in", s.sources.standIn ?? .disabled) : ("kubernetes", s.sources.kubernetes)
    // Where the counts were read and how long ago: locally the stand-in's decision (the KEDA line's reading).
    let age = s.mode == .local ? (s.autoscalers?.keda.first?.ageSeconds ?? replicaSource.1.ageSeconds) : replicaSource.1.ageSeconds
    let title = s.workloads == nil ? "REPLICAS" : "REPLICAS · \(replicaSource.0) \(Format.age(age))"
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
        let atMax = (k.desired ?? 0) >= k.max
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
    // In local mode the KEDA stand-in's reasoning has the left column to itself (autoscalers panel).
    let kedaHere = s.mode == .local ? [] : (s.autoscalers?.keda ?? [])
    guard let q = s.queue else {
        var lines = [unavailable("nats", s.sources.nats)]
        lines += kedaHere.flatMap { kedaLines($0, width: width, rich: false) }
        return Panel(title: "QUEUE", priority: 2, variants: [lines])
    }
    let title = "QUEUE " + sanitize(q.stream) + " / " + sanitize(q.consumer)
    let keda = s.autoscalers?.keda.first
    let threshold = q.lagThreshold ?? keda?.lagThreshold
    let lagStyle: CellStyle = threshold.map { q.lag > $0 ? .warn : .ok } ?? .strong
    let natsAge = "nats " + Format.age(q.ageSeconds ?? s.sources.nats.ageSeconds)

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
    var countsLine: Line = [
        Span("pending ", .dim), Span(String(q.pending), .strong),
        Span("  ack-pending ", .dim), Span(String(q.ackPending), .strong),
        Span("  redelivered ", .dim), Span(String(q.redelivered), q.redelivered > 0 ? .warn : .strong),
    ]
    // The stream's bound (discard new): at it, new memes are refused with "the queue is full".
    if let stored = q.messages, let bound = q.maxMessages {
        let full = stored >= bound
        countsLine += [Span("  stored ", .dim), Span(Format.int(stored) + " / " + Format.int(bound) + " max", full ? .warn : .strong)]
        if full { countsLine.append(Span(" FULL: new memes refused", .warn)) }
    }
    // Beside big digits their label names the reading; without them the counts do.
    let counts = wrap(countsLine, width: width)
    let countsAged = wrap(countsLine + [Span("  (\(natsAge))", .dim)], width: width)
    // A cluster: one line per nats-server after the counts (none on a single server).
    let cluster = s.natsCluster.map(natsClusterLines) ?? []
    let kedaRich = cluster + kedaHere.flatMap { kedaLines($0, width: width, rich: true) }
    let kedaPoor = cluster + kedaHere.flatMap { kedaLines($0, width: width, rich: false) }

    var variants: [[Line]] = []
    let digits = bigNumber(q.lag)
    // The third label: what KEDA asks for, and on which lag when its reading differs from these digits.
    var decision: Line = []
    if let keda, let desired = keda.desired {
        decision = keda.lag == q.lag ? [Span("→ ", .dim), Span(Format.count(desired, "replica"), .strong)]
            : [Span("KEDA → ", .dim), Span("\(desired)", .strong), Span(" (lag " + Format.int(keda.lag) + ")", .dim)]
    }
    let labels: [Line] = [
        [Span("lag", .accent), Span(" · " + natsAge, .dim)],
        [Span("threshold ", .dim), Span(Format.int(threshold), .strong)],
        decision,
    ]
    for font in [BigFont.large, .small] {
        let figureWidth = max(font.width(digits), font.width("00"))
        guard figureWidth + 2 + 18 <= width else { continue }
        let big = bigFigure(digits, font: font, style: lagStyle, figureWidth: figureWidth, labels: labels)
        variants.append(big + [barLine] + counts + kedaRich)
        variants.append(big + [barLine] + counts + kedaPoor)
    }
    variants.append([barLine] + countsAged + kedaRich)
    variants.append([barLine] + countsAged + kedaPoor)
    if let c = s.natsCluster { variants.append([barLine] + countsAged + [natsClusterSummary(c)]) }
    // Last resort, one line: "lag 1204/10 · pending 1180 → 20".
    var summary: Line = [Span("lag ", .dim), Span(String(q.lag) + (threshold.map { "/\($0)" } ?? ""), lagStyle),
                         Span(" · pending ", .dim), Span(String(q.pending), .strong)]
    if let keda, let desired = keda.desired {
        summary += [Span(" → ", .dim), Span(String(desired), desired >= keda.max ? .warn : .strong)]
    }
    summary.append(Span(" · " + natsAge, .dim))
    variants.append([summary])
    return Panel(title: title, priority: 2, variants: variants)
}

private extension String {
    var trimmingLeadingSpace: String { String(drop(while: { $0 == " " })) }
}

/// "worker", or "stand-in 0.4s" / "nats 1s": where the KEDA line's numbers were read and how long ago.
private func kedaProvenance(_ k: KEDAStatus) -> String? {
    guard let source = k.source else { return nil }
    return source + " " + Format.age(k.ageSeconds)
}

/// The KEDA head line (wrapped to `width`), then with `rich` the activation/fallback details, the
/// inactive line with its scale-to-zero countdown, and the arithmetic; nothing is cut with "…".
func kedaLines(_ k: KEDAStatus, width: Int, rich: Bool) -> [Line] {
    let atMax = (k.desired ?? 0) >= k.max
    var head: Line = [
        Span("KEDA ", .dim), Span(sanitize(k.name) + " ", .accent),
        Span(k.active ? "ACTIVE" : "inactive", k.active ? CellStyle(.ok, bold: true) : .dim),
    ]
    let natsTrigger = k.trigger == nil || k.trigger == "nats-jetstream"
    if natsTrigger {
        head += [
            Span("  lag ", .dim), Span(Format.int(k.lag) + "/" + Format.int(k.lagThreshold), .strong),
            Span(" → ", .dim), Span(Format.int(k.desired), atMax ? .warn : .strong),
        ]
    } else {
        head += [Span("  trigger ", .dim), Span(sanitize(k.trigger ?? "none"), .strong)]
    }
    head.append(Span(" [\(k.min)–\(k.max)]", atMax ? .warn : .dim))
    if k.scaleToZeroPending, let left = k.scaleToZeroInSeconds, left > 0 {
        head += [Span(" → 0 in ", .dim), Span(Format.clock(left), .warn)]
    }
    if let provenance = kedaProvenance(k) { head.append(Span("  " + provenance, .dim)) }
    if !rich, k.fallback != nil { head.append(Span(" fallback", .dim)) }
    // Too wide: name and state on one line, the numbers on the next (not "→" / "20" apart).
    let heads: [Line] = head.reduce(0, { $0 + displayWidth($1.text) }) <= width ? [head]
        : wrap(Array(head.prefix(3)), width: width) + wrap([Span("  ")] + head.dropFirst(3).enumerated().map { i, span in
            Span(i == 0 ? String(span.text.drop { $0 == " " }) : span.text, span.style)
        }, width: width)
    guard rich else { return heads }
    var lines: [Line] = []
    var detail: Line = []
    // While inactive the activation threshold is in the inactive line.
    if natsTrigger, k.active { detail.append(Span("  activation " + Format.int(k.activationThreshold), .dim)) }
    if let f = k.fallback {
        detail.append(Span((detail.isEmpty ? "  " : " · ") + "fallback \(f.replicas) after \(f.failureThreshold) failures", .dim))
    }
    if !natsTrigger {
        detail.append(Span((detail.isEmpty ? "  " : " · ") + "not nats-jetstream: lag, threshold and desired unknown", .dim))
    }
    if !detail.isEmpty { lines.append(detail) }
    // The countdown to zero is what the explanation cannot say (it was written at the reading); other
    // inactive states are in the explanation already.
    if !k.active && (k.scaleToZeroPending || k.explanation.isEmpty) { lines.append(inactiveLine(k)) }
    // The scale to zero is in the inactive line; another countdown (its HPA's held scale-down) gets its own.
    if let c = k.countdown, c.action != "scale to zero" { lines.append(countdownLine(c, rule: true)) }
    if !k.explanation.isEmpty { lines.append([Span("  " + sanitize(k.explanation), .dim)]) }
    return heads + wrap(lines, width: width)
}

/// "inactive: lag 0 ≤ activation 0; scale to zero in 0:27 (cooldownPeriod 30 s)": what happens next
/// under steady load, before it happens.
private func inactiveLine(_ k: KEDAStatus) -> Line {
    var line: Line = [Span("  inactive", .dim)]
    if let activation = k.activationThreshold {
        line.append(Span(k.lag.map { ": lag \($0) ≤ activation \(activation)" } ?? ": lag unknown (activation \(activation))", .dim))
    }
    let cooldown = k.cooldownPeriodSeconds.map { " (cooldownPeriod \($0) s)" } ?? " (cooldownPeriod)"
    if k.min > 0 {
        line.append(Span("; stays at minReplicaCount \(k.min)", .dim))
    } else if k.desired == 0 {
        line.append(Span("; at zero", .dim))
    } else if let left = k.scaleToZeroInSeconds {
        line += left > 0 ? [Span("; scale to zero in ", .dim), Span(Format.clock(left), .warn), Span(cooldown, .dim)]
            : [Span("; cooldown over: scales to zero at the next poll", .warn)]
    } else {
        line.append(Span("; scale to zero: when unknown (no lastActiveTime)", .dim))
    }
    return line
}

// MARK: - Autoscalers (HPA, VPA)

func autoscalersPanel(_ s: ConsoleSnapshot, width: Int) -> Panel {
    let title = "AUTOSCALERS"
    if s.mode == .local { return localAutoscalersPanel(s, width: width) }
    guard let a = s.autoscalers else {
        return Panel(title: title, priority: 3, variants: [[unavailable("kubernetes", s.sources.kubernetes)]])
    }
    // Add-ons that could not be read ("no VPA installed") are said here, not only in the JSON.
    let notes: [Line] = s.sources.kubernetes.state == .ok ? (s.sources.kubernetes.error.map {
        wrap([Span("note: " + sanitize($0), .dim)], width: width)
    } ?? []) : []
    if a.hpa.isEmpty && a.vpa.isEmpty {
        let none: Line = [Span(a.keda.isEmpty ? "no HPA / KEDA / VPA found" : "no HPA or VPA found (KEDA under the queue)", .dim)]
        return Panel(title: title, priority: 3, variants: [wrap(none, width: width) + notes])
    }
    let rich = a.hpa.flatMap { hpaLines($0, detail: 2) } + a.vpa.flatMap { vpaLines($0, rich: true) }
    let medium = a.hpa.flatMap { hpaLines($0, detail: 1) } + a.vpa.flatMap { vpaLines($0, rich: true) }
    let poor = a.hpa.flatMap { hpaLines($0, detail: 0) } + a.vpa.flatMap { vpaLines($0, rich: false) }
    return Panel(title: title, priority: 3, variants: [wrap(rich, width: width) + notes, wrap(medium, width: width) + notes,
                                                       wrap(poor, width: width) + notes, poor])
}

/// Local mode: the three stand-ins (KEDA on the workers, the HPA on meme-web, the VPA on Redis), each
/// line saying it is a stand-in and how old its reading is; KEDA first, with its full reasoning.
private func localAutoscalersPanel(_ s: ConsoleSnapshot, width: Int) -> Panel {
    let title = "AUTOSCALERS (local stand-ins)"
    guard let a = s.autoscalers, !(a.keda.isEmpty && a.hpa.isEmpty && a.vpa.isEmpty) else {
        return Panel(title: title, priority: 3, variants: [[unavailable("stand-in", s.sources.standIn ?? .disabled)]])
    }
    let absent: [Line] = a.hpa.isEmpty && a.vpa.isEmpty
        ? wrap([Span("no HPA or VPA stand-in: this stack runs no web tier or Redis", .dim)], width: width) : []
    func lines(keda rich: Bool, detail: Int, vpaRich: Bool) -> [Line] {
        a.keda.flatMap { kedaLines($0, width: width, rich: rich) }
            + wrap(a.hpa.flatMap { hpaLines($0, detail: detail) } + a.vpa.flatMap { vpaLines($0, rich: vpaRich) }, width: width)
    }
    return Panel(title: title, priority: 3, variants: [
        lines(keda: true, detail: 2, vpaRich: true) + absent, lines(keda: true, detail: 1, vpaRich: true),
        lines(keda: false, detail: 1, vpaRich: false), lines(keda: false, detail: 0, vpaRich: false),
    ])
}

/// "local stand-in for the HPA · sync 5 s (15 s in a cluster), memory = RSS · 0.4s old"
private func provenance(_ source: String?, note: String?, age: Double?) -> Line? {
    guard let source else { return nil }
    var text = "  " + sanitize(source)
    if let note, !note.isEmpty { text += " · " + sanitize(note) }
    if let age { text += " · " + Format.decimal(age) + "s old" }
    return [Span(text, .dim)]
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
    if let p = provenance(h.source, note: detail >= 2 ? h.note : nil, age: h.ageSeconds) { lines.append(p) }
    if let c = h.countdown {
        lines.append(countdownLine(c, rule: detail >= 2))
    } else if let held = h.scaleDownInSeconds {
        lines.append([Span("  scale-down held by the stabilisation window: ", .dim), Span(Format.clock(held), .accent), Span(" left", .dim)])
    }
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
    var head: Line = [Span("VPA ", .dim), Span(sanitize(v.name) + " ", .accent), Span("mode " + sanitize(v.updateMode), .dim)]
    if let evictions = v.evictions, evictions > 0 { head.append(Span(" · \(evictions) eviction\(evictions == 1 ? "" : "s")", .warn)) }
    var lines: [Line] = [head]
    if let p = provenance(v.source, note: rich ? v.note : nil, age: v.ageSeconds) { lines.append(p) }
    for c in v.containers {
        // Poor: no labels, and the uncapped target only when the cap holds the target below it.
        for (label, pick, fmt) in [
            ("cpu", { (r: Resources?) in r?.cpuMillicores }, Format.cpu),
            ("mem", { (r: Resources?) in r?.memoryBytes }, Format.bytes),
        ] as [(String, (Resources?) -> Int?, (Int?) -> String)] {
            let request = pick(c.requests)
            let lower = pick(c.lowerBound), upper = pick(c.upperBound)
            let outside = request.map { r in (lower.map { r < $0 } ?? false) || (upper.map { r > $0 } ?? false) } ?? false
            let capped = uncapped(pick(c.uncappedTarget), target: pick(c.target), fmt)
            lines.append([
                Span("  " + truncate(sanitize(c.name), toWidth: 8) + " " + label + " ", .dim),
                Span(rich ? "target " : "", .dim), Span(fmt(pick(c.target)), .strong),
                Span(" [" + fmt(lower) + "–" + fmt(upper) + "]", .dim),
            ] + (rich || capped.far ? [capped.span] : []) + [
                Span(" req ", .dim), Span(fmt(request), outside ? .warn : .plain),
            ])
        }
        if rich, let verdict = c.verdict { lines.append([Span("  → " + sanitize(verdict), .warn)]) }
    }
    if let c = v.countdown {
        // The rule matters when something will happen; a check that changes nothing just says when.
        lines.append(countdownLine(c, rule: rich && c.action == "eviction"))
    } else if rich, let next = v.nextCheckInSeconds {
        lines.append([Span("  next updater check in ", .dim), Span(Format.clock(next), .accent)])
    }
    return lines
}

/// "  next: scale-down allowed in ≥ 4:25 · lastScaleTime + scaleDown window 300 s …": what the
/// autoscaler does next and when, with `rule` the reason (wrapped by the panel, never cut).
func countdownLine(_ c: AutoscalerCountdown, rule: Bool) -> Line {
    var line: Line = [Span("  next: " + sanitize(c.action) + " in ", .dim), Span(c.shown, c.action == "eviction" ? .warn : .accent)]
    if rule { line.append(Span(" · " + sanitize(c.rule), .dim)) }
    return line
}

/// "uncapped 1469m = 7.3× the 200m cap": the VPA's teaching point, when its resource policy holds the
/// target below what it measured; `far` (warning colour, shown even in the poor variant) from 1.5×.
private func uncapped(_ value: Int?, target: Int?, _ fmt: (Int?) -> String) -> (span: Span, far: Bool) {
    guard let value, let target, target > 0, value > target else { return (Span(" uncapped " + fmt(value), .dim), false) }
    let ratio = Double(value) / Double(target)
    let far = ratio >= 1.5
    return (Span(" uncapped " + fmt(value) + " = " + Format.decimal(ratio) + "× the " + fmt(target) + " cap", far ? .warn : .dim), far)
}

// MARK: - Throughput and load

/// Each line says where its numbers come from: answers this console saw (short window), or
/// Prometheus (1-minute window; processing latency measured by the worker).
func throughputPanel(_ s: ConsoleSnapshot, width: Int) -> Panel {
    var lines: [Line] = []
    if let a = s.answers {
        lines.append([
            Span("done ", .dim), Span(Format.rate(a.perSecond), .ok),
            Span("  errors ", .dim), Span(Format.rate(a.errorsPerSecond), a.errorsPerSecond > 0 ? .bad : .plain),
            Span("  (seen, \(Format.decimal(a.windowSeconds)) s)", .dim),
        ])
        lines.append([
            Span("end-to-end p50 ", .dim), Span(Format.seconds(a.p50Seconds), .strong),
            Span("  p95 ", .dim), Span(Format.seconds(a.p95Seconds), .strong),
        ])
    } else {
        lines.append(unavailable("nats", s.sources.nats) + [Span(" (answers)", .dim)])
    }
    let stale = staleness(s.sources.prometheus).map { ", " + $0 } ?? ""
    if let t = s.throughput {
        lines.append([
            Span("processing p50 ", .dim), Span(Format.seconds(t.p50Seconds), .strong),
            Span("  p95 ", .dim), Span(Format.seconds(t.p95Seconds), .strong),
            Span(" (worker" + stale + ")", stale.isEmpty ? .dim : .warn),
        ])
        lines.append([Span("prometheus 1m: done ", .dim), Span(Format.rate(t.completedPerSecond))]
            + (t.submittedPerSecond.map { [Span("  in ", .dim), Span(Format.rate($0))] } ?? [])
            + (t.errorsPerSecond > 0 ? [Span("  errors ", .dim), Span(Format.rate(t.errorsPerSecond), .bad)] : []))
    } else {
        lines.append(unavailable("prometheus", s.sources.prometheus) + [Span(" (processing time)", .dim)])
    }
    let wrapped = wrap(lines, width: width)
    let short = wrap(Array(lines.prefix(3)), width: width)
    // One line: "done 41/s (10 s) · e2e 3.2 s · proc 840 ms".
    var compact: Line = []
    if let a = s.answers {
        compact += [Span("done ", .dim), Span(Format.rate(a.perSecond), .ok), Span(" (\(Format.decimal(a.windowSeconds)) s)", .dim),
                    Span(" · e2e ", .dim), Span(Format.seconds(a.p50Seconds), .strong)]
    }
    if let t = s.throughput { compact += [Span(" · proc ", .dim), Span(Format.seconds(t.p50Seconds), .strong)] }
    return Panel(title: "THROUGHPUT", priority: 4, variants: [wrapped, short, compact.isEmpty ? [lines[0]] : [compact]])
}

func loadPanel(_ s: ConsoleSnapshot, ui: UIState, width: Int) -> Panel {
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
    var web: [Line] = []
    if let w = l.web {
        var line: Line = [Span("web traffic ", .dim),
                          w.rate.map { Span("ON " + Format.rate($0), CellStyle(.ok, bold: true)) } ?? Span("off", .dim),
                          Span("  pages ", .dim), Span(String(w.ok), .ok)]
        if w.failed > 0 { line += [Span("  failed ", .dim), Span(String(w.failed), .bad)] }
        web = [line]
    }
    return Panel(title: "LOAD (this console)", priority: 5,
                 variants: [wrap([counts, settings] + web, width: width), wrap([counts] + web, width: width), [counts]])
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
