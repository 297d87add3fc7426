// snapshot + size + UI state → frame. Pure: the same input always gives the same frame, so the
// layout is pinned by golden files. Layout: header, source status line, conflict banner (when two autoscalers fight), 1–3 columns of panels
// (rows go to the most important panels first; the rest are condensed or dropped), notice, key bar.

/// Renders the console. `clock` is the time of day to show in the header ("23:45:12"), if any;
/// `replay`, when the snapshot comes from a recording: the header says REPLAY and where, the key
/// bar and help list the replay's keys.
public func render(_ s: ConsoleSnapshot, size: TerminalSize, ui: UIState, clock: String? = nil, replay: ReplayBadge? = nil) -> Frame {
    var frame = Frame(size: size)
    let width = size.columns, height = size.rows
    guard width > 0, height > 0 else { return frame }

    drawHeader(&frame, s, ui: ui, clock: clock, replay: replay)
    if height >= 2 {
        if let replay { drawReplayKeyBar(&frame, row: height - 1, replay: replay) } else { drawKeyBar(&frame, row: height - 1, ui: ui) }
    }
    if height >= 3 { frame.draw(sourcesLine(s.sources, width: width), row: 1, column: 0, width: width) }

    var bodyTop = 2
    // Two autoscalers fighting: said under the sources line, before any panel (up to 3 lines on a tall screen).
    if height >= 8 {
        let banner = warningBanner(s.warnings, width: width, maxRows: height >= 20 ? 3 : 1)
        for line in banner {
            frame.fill(row: bodyTop, column: 0, width: width, height: 1, style: bannerStyle)
            frame.draw(line, row: bodyTop, column: 0, width: width)
            bodyTop += 1
        }
    }
    var bodyBottom = height - 1  // exclusive
    if let notice = s.notice, height >= 12 {
        bodyBottom -= 1
        frame.draw([Span("▶ ", .accent), Span(sanitize(notice), .accent)], row: bodyBottom, column: 0, width: width)
    }
    if bodyBottom > bodyTop { drawBody(&frame, s, ui: ui, top: bodyTop, height: bodyBottom - bodyTop, width: width) }

    switch ui.overlay {
    case .none: break
    case .help: replay == nil ? drawHelp(&frame) : drawHelp(&frame, keys: replayKeyHelp, title: "REPLAY KEYS — ? or Esc to close")
    case .confirmPurge: drawConfirm(&frame, s)
    case .confirmAct(let name): drawConfirmAct(&frame, name: name)
    }
    return frame
}

// MARK: - Body layout

private func drawBody(_ frame: inout Frame, _ s: ConsoleSnapshot, ui: UIState, top: Int, height: Int, width: Int) {
    let columnCount = width >= 150 ? 3 : (width >= 72 ? 2 : 1)
    let gap = 3
    let columnWidth = (width - gap * (columnCount - 1)) / columnCount
    // Panels of a stale source say so in their title (throughput says so per line: it has two sources).
    let replicaSource = s.mode == .local ? (s.sources.standIn ?? .disabled) : s.sources.kubernetes
    let workloadsPanel = { (w: Int) in ConsoleUI.workloadsPanel(s, width: w).marked(replicaSource) }
    let queuePanel = { (w: Int) in ConsoleUI.queuePanel(s, width: w).marked(s.sources.nats) }
    let autoscalersPanel = { (w: Int) in ConsoleUI.autoscalersPanel(s, width: w).marked(replicaSource) }
    let throughputPanel = { (w: Int) in ConsoleUI.throughputPanel(s, width: w) }
    let loadPanel = { (w: Int) in ConsoleUI.loadPanel(s, ui: ui, width: w) }
    // The conflict act's loop, under the autoscalers, only while an HPA and a VPA fight.
    let feedback = { (w: Int) in s.feedback.map { [ConsoleUI.feedbackPanel($0, width: w)] } ?? [] }
    let lastWidth = width - (columnCount - 1) * (columnWidth + gap)
    let columns: [[Panel]]
    switch columnCount {
    case 3:
        columns = [
            [workloadsPanel(columnWidth), autoscalersPanel(columnWidth)] + feedback(columnWidth),
            [queuePanel(columnWidth), throughputPanel(columnWidth), loadPanel(columnWidth)],
            [eventsPanel(s), recentPanel(s)],
        ]
    case 2 where s.mode == .local:
        // The KEDA stand-in's reasoning fills the left column (no HPA or VPA panel locally).
        columns = [
            [workloadsPanel(columnWidth), autoscalersPanel(columnWidth)] + feedback(columnWidth) + [loadPanel(columnWidth)],
            [queuePanel(lastWidth), throughputPanel(lastWidth), eventsPanel(s), recentPanel(s)],
        ]
    case 2:
        columns = [
            [workloadsPanel(columnWidth), autoscalersPanel(columnWidth)] + feedback(columnWidth) + [throughputPanel(columnWidth),
             loadPanel(columnWidth)],
            [queuePanel(lastWidth), eventsPanel(s), recentPanel(s)],
        ]
    default:
        columns = [[workloadsPanel(width), queuePanel(width), autoscalersPanel(width)] + feedback(width) + [
            throughputPanel(width), loadPanel(width), eventsPanel(s), recentPanel(s),
        ]]
    }
    for (i, panels) in columns.enumerated() {
        let left = i * (columnWidth + gap)
        let w = i == columnCount - 1 ? width - left : columnWidth
        if i > 0 {
            for r in top..<(top + height) { frame.put("│", row: r, column: left - 2, limit: 1, style: .dim) }
        }
        var row = top
        for (panel, rows) in zip(panels, allocate(panels, height: height)) where rows > 0 {
            drawPanel(&frame, panel, row: row, column: left, width: w, rows: rows)
            row += rows
        }
    }
}

/// Rows per panel (0 = dropped). Every panel first gets its poorest variant, in priority order,
/// while they fit (the first that does not fit gets what is left, cut, if that is 2 rows or more); then,
/// with 2 rows kept back for the most important list when they are free, panels move up one variant
/// at a time, taking turns in priority order, so the important panels grow first without starving the
/// next ones; lists (events, recent memes) take what is left.
func allocate(_ panels: [Panel], height: Int) -> [Int] {
    var rows = Array(repeating: 0, count: panels.count)
    var level = Array(repeating: -1, count: panels.count)  // index into variants; -1 = dropped
    var left = height
    let order = panels.indices.sorted { panels[$0].priority < panels[$1].priority }
    for i in order where !panels[i].isList {
        let want = panels[i].minimumRows
        if want <= left {
            rows[i] = want
        } else if left >= 2 {
            rows[i] = left  // cut rather than give the rows to a less important panel
        } else {
            continue
        }
        left -= rows[i]
        level[i] = panels[i].variants.count - 1
    }
    // The first list (the scaling events) keeps its title and newest line before the others grow:
    // what just happened matters more on stage than a richer variant of a lower panel.
    let reserved = order.first { panels[$0].isList }.map { panels[$0].minimumRows }.flatMap { $0 <= left ? $0 : nil } ?? 0
    left -= reserved
    var grew = true
    while grew {
        grew = false
        for i in order where level[i] > 0 && !panels[i].isList {
            let next = 1 + panels[i].variants[level[i] - 1].count
            if next - rows[i] <= left {
                left -= next - rows[i]
                rows[i] = next
                level[i] -= 1
                grew = true
            }
        }
    }
    left += reserved
    for i in order where panels[i].isList && left >= panels[i].minimumRows {
        rows[i] = min(left, panels[i].preferredRows)
        left -= rows[i]
    }
    return rows
}

private func drawPanel(_ frame: inout Frame, _ panel: Panel, row: Int, column: Int, width: Int, rows: Int) {
    let title = " " + panel.title + " "
    let note = panel.staleness.map { $0 + " " } ?? ""
    let rule = String(repeating: "─", count: max(0, width - 1 - displayWidth(title) - displayWidth(note)))
    frame.draw([Span("─", .dim), Span(title, .accent), Span(note, .warn), Span(rule, .dim)],
               row: row, column: column, width: width)
    for (i, line) in panel.content(rows: rows).enumerated() {
        frame.draw(line, row: row + 1 + i, column: column, width: width)
    }
}

// MARK: - Header, sources, key bar

private func drawHeader(_ frame: inout Frame, _ s: ConsoleSnapshot, ui: UIState, clock: String?, replay: ReplayBadge?) {
    let width = frame.size.columns
    let bar = CellStyle(.accent, bold: true, reverse: true)
    frame.fill(row: 0, column: 0, width: width, height: 1, style: bar)
    let paused = ui.paused || s.paused
    var right: Span = paused ? Span(" ‖ PAUSED ", CellStyle(.warn, bold: true, reverse: true))
        : Span(" ● live ", bar)
    var left: Line = [Span(width >= 40 ? " MEME CONSOLE " : " MEME ", bar), Span(" " + s.mode.rawValue + " ", bar)]
    if let clock { left.append(Span(" " + sanitize(clock) + " ", bar)) }
    if let replay {
        // Never "live": the badge takes the right, as long as the clock and mode keep 14 columns.
        let leftWidth = left.reduce(0) { $0 + displayWidth($1.text) }
        let variants = replay.variants()
        let badge = variants.first { displayWidth($0) + min(leftWidth, 14) <= width } ?? variants[variants.count - 1]
        right = Span(badge, CellStyle(.warn, bold: true, reverse: true))
        if let key = replay.key, width >= leftWidth + displayWidth(badge) + 4 + displayWidth(key) {
            left.append(Span(" ⌨ " + sanitize(key) + " ", CellStyle(.warn, bold: true, reverse: true)))
        }
    }
    let rightWidth = displayWidth(right.text)
    frame.draw(left, row: 0, column: 0, width: max(0, width - rightWidth))
    if width >= rightWidth + 6 { frame.draw([right], row: 0, column: width - rightWidth, width: rightWidth) }
}

/// "nats ok │ prometheus stale 12 s │ kubernetes down: RBAC: cannot list hpa", condensed to fit;
/// in local mode the KEDA stand-in's /status is a source too.
func sourcesLine(_ sources: SourceStatuses, width: Int) -> Line {
    var named = [("nats", "nats", sources.nats), ("prometheus", "prom", sources.prometheus),
                 ("kubernetes", "k8s", sources.kubernetes)]
    if let standIn = sources.standIn { named.insert(("stand-in", "scaler", standIn), at: 1) }
    func line(short: Bool, errorWidth: Int?) -> Line {
        var out: Line = []
        for (i, (long, abbrev, status)) in named.enumerated() {
            if i > 0 { out.append(Span(errorWidth == 0 && short ? " " : " │ ", .dim)) }
            let style: CellStyle
            var text = (short ? abbrev : long) + " "
            switch status.state {
            case .ok: style = .ok; text += "ok"
            case .disabled: style = .dim; text += "off"
            case .stale:
                style = .warn
                text += "stale" + (status.ageSeconds.map { " " + Format.decimal($0) + (short ? "s" : " s") } ?? "")
            case .down: style = .bad; text += "down"
            }
            if let error = status.error, status.state == .down || status.state == .stale, errorWidth != 0 {
                let why = sanitize(error)
                text += ": " + (errorWidth.map { truncate(why, toWidth: $0) } ?? why)
            }
            out.append(Span(text, style))
        }
        return out
    }
    let fits = { (l: Line) in l.reduce(0) { $0 + displayWidth($1.text) } <= width }
    for candidate in [line(short: false, errorWidth: nil), line(short: false, errorWidth: 24),
                      line(short: false, errorWidth: 16), line(short: true, errorWidth: 16),
                      line(short: true, errorWidth: 8), line(short: true, errorWidth: 0)] where fits(candidate) {
        return candidate
    }
    return line(short: true, errorWidth: 0)
}

private func drawKeyBar(_ frame: inout Frame, row: Int, ui: UIState) {
    let rate = Format.decimal(ui.rate) + "/s"
    let web = (key: "w", long: ui.webTraffic ? "web ON" : "web off", short: ui.webTraffic ? "on" : "off")
    // The web-traffic key is the first to go when the bar is narrow (the ? help lists it).
    drawKeyItems(&frame, row: row, droppable: "w", items: [
        ("s", "submit", ""),
        ("b", "burst \(ui.burstSize)", "\(ui.burstSize)"),
        ("+-", "N", ""),
        ("l", ui.sustained ? "load ON \(rate)" : "load off \(rate)", ui.sustained ? "on" : "off"),
        ("[]", "rate", ""),
        web,
        ("p", "purge", ""),
        ("␣", ui.paused ? "resume" : "pause", ""),
        ("?", "help", "help"),
        ("q", "quit", "quit"),
    ])
}

private func drawReplayKeyBar(_ frame: inout Frame, row: Int, replay: ReplayBadge) {
    drawKeyItems(&frame, row: row, items: [
        ("␣", replay.paused || replay.position >= replay.duration ? "play" : "pause", ""),
        ("←→", "seek \(Int(replaySeekSeconds)) s", ""),
        ("+-", "speed" + (replay.speed.map { " ×" + ReplayBadge.speed($0) } ?? ""), ""),
        ("?", "help", "help"),
        ("q", "quit", "quit"),
    ])
}

/// The key bar: long labels, then tighter gaps, then short labels, whichever fits first.
/// `droppable`: a key left out, before the labels get short, when the bar does not fit.
private func drawKeyItems(_ frame: inout Frame, row: Int, droppable: String? = nil, items all: [(key: String, long: String, short: String)]) {
    let width = frame.size.columns
    func line(_ items: [(key: String, long: String, short: String)], long: Bool, gap: String) -> Line {
        var out: Line = []
        for (i, item) in items.enumerated() {
            out.append(Span(item.key, .key))
            let label = long ? item.long : item.short
            // No gap after the last item: a trailing space past the edge would make draw cut "quit" to "qui…".
            out.append(Span((label.isEmpty ? "" : " " + label) + (i == items.count - 1 ? "" : gap)))
        }
        return out
    }
    let fewer = all.filter { $0.key != droppable }
    var candidates = [line(all, long: true, gap: "  "), line(all, long: true, gap: " ")]
    if fewer.count < all.count { candidates += [line(fewer, long: true, gap: "  "), line(fewer, long: true, gap: " ")] }
    candidates.append(line(all, long: false, gap: " "))
    let chosen = candidates.first { $0.reduce(0) { $0 + displayWidth($1.text) } <= width } ?? candidates[candidates.count - 1]
    frame.draw(chosen, row: row, column: 0, width: width)
}

// MARK: - Overlays

/// Draws a bordered box centred on the frame, with `lines` inside; clipped on tiny terminals.
private func drawBox(_ frame: inout Frame, title: String, lines: [Line], style: CellStyle = .plain) {
    let inner = min(frame.size.columns - 4, max(displayWidth(title) + 4, lines.map { l in l.reduce(0) { $0 + displayWidth($1.text) } }.max() ?? 0))
    let boxWidth = inner + 4
    let boxHeight = min(frame.size.rows, lines.count + 2)
    guard inner > 0, boxHeight >= 3 else {
        // No room for a box: show the title alone on the middle row.
        frame.fill(row: frame.size.rows / 2, column: 0, width: frame.size.columns, height: 1, style: .key)
        frame.draw([Span(title, .key)], row: frame.size.rows / 2, column: 0, width: frame.size.columns)
        return
    }
    let top = (frame.size.rows - boxHeight) / 2, left = (frame.size.columns - boxWidth) / 2
    frame.fill(row: top, column: left, width: boxWidth, height: boxHeight, style: style)
    let border = CellStyle(.accent, bold: true)
    let titleText = " " + title + " "
    frame.draw([Span("┌─", border), Span(titleText, .accent),
                Span(String(repeating: "─", count: max(0, boxWidth - 3 - displayWidth(titleText))) + "┐", border)],
               row: top, column: left, width: boxWidth)
    for r in 1..<(boxHeight - 1) {
        frame.put("│", row: top + r, column: left, limit: 1, style: border)
        frame.put("│", row: top + r, column: left + boxWidth - 1, limit: 1, style: border)
        frame.draw(lines[r - 1], row: top + r, column: left + 2, width: inner)
    }
    frame.put("└" + String(repeating: "─", count: max(0, boxWidth - 2)) + "┘", row: top + boxHeight - 1, column: left,
              limit: boxWidth, style: border)
}

private func drawHelp(_ frame: inout Frame, keys: [(keys: String, meaning: String)] = keyHelp, title: String = "KEYS — ? or Esc to close") {
    let keyWidth = keys.map { displayWidth($0.keys) }.max() ?? 0
    let lines: [Line] = keys.map { [Span(pad($0.keys, keyWidth), .key), Span("  " + $0.meaning)] }
    drawBox(&frame, title: title, lines: lines)
}

/// The act switch's confirmation: what the act changes, before anything does.
private func drawConfirmAct(_ frame: inout Frame, name: String) {
    let meaning: [String: String] = [
        "keda-only": "only KEDA acts; the HPA and the VPA hold still",
        "conflict": "a VPA on meme-web's CPU joins the HPA on the same CPU: they fight",
        "harmony": "each autoscaler owns its own signal (HPA CPU/memory, VPA Redis, KEDA lag)",
    ]
    let lines: [Line] = [
        [Span("Switch the demo to act "), Span(sanitize(name), .accent), Span("?")],
        [Span(meaning[name] ?? "")],
        [],
        [Span("y", .key), Span(" switch    "), Span("n", .key), Span(" / "), Span("Esc", .key), Span(" cancel")],
    ]
    drawBox(&frame, title: "SWITCH ACT?", lines: lines)
}

private func drawConfirm(_ frame: inout Frame, _ s: ConsoleSnapshot) {
    var lines: [Line] = []
    if let q = s.queue {
        lines.append([Span("Delete every message in stream "), Span(sanitize(q.stream), .accent), Span("?")])
        lines.append([Span("\(q.pending) pending, \(q.ackPending) ack-pending will be lost.", .warn)])
    } else {
        lines.append([Span("Delete every message in the queue?")])
    }
    lines.append([])
    lines.append([Span("y", .key), Span(" purge    "), Span("n", .key), Span(" / "), Span("Esc", .key), Span(" cancel")])
    drawBox(&frame, title: "PURGE QUEUE?", lines: lines)
}
