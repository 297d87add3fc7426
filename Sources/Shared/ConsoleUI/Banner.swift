// The conflict banner: one line per pair of autoscalers fighting over one workload, under the
// sources line, in reverse red so the room sees it before the panels.

let bannerStyle = CellStyle(.bad, bold: true, reverse: true)

/// At most `maxRows` lines, one per pair of objects (their resources joined: "cpu, memory"), each
/// the longest of: the whole explanation, both objects with kinds in full, abbreviated kinds; a last
/// line "+N more" when they do not all fit. Nothing when there are no warnings.
func warningBanner(_ warnings: [AutoscalerWarning], width: Int, maxRows: Int) -> [Line] {
    guard !warnings.isEmpty, maxRows > 0, width > 0 else { return [] }
    // One line per pair: an HPA on cpu and memory against a default VPA is one fight, not two.
    var pairs: [(first: AutoscalerWarning, resources: [String])] = []
    for w in warnings {
        if let i = pairs.firstIndex(where: { $0.first.objects == w.objects && $0.first.workload == w.workload }) {
            pairs[i].resources.append(w.resource)
        } else {
            pairs.append((w, [w.resource]))
        }
    }
    let shown = pairs.count <= maxRows ? pairs : Array(pairs.prefix(maxRows - 1))
    var lines = shown.map { bannerLine($0.first, resources: $0.resources, width: width) }
    if shown.count < pairs.count {
        let more = pairs.count - shown.count
        lines.append([Span(truncate(" ⚠ +\(more) more conflict\(more == 1 ? "" : "s") (--once --json lists them all)", toWidth: width), bannerStyle)])
    }
    return lines
}

private func bannerLine(_ w: AutoscalerWarning, resources: [String], width: Int) -> Line {
    let what = resources.joined(separator: ", ")
    let objects = w.objects.map(sanitize)
    let short = objects.map(abbreviatedKind)
    let workload = sanitize(w.workload)
    let name = workload.split(separator: "/").last.map(String.init) ?? workload
    let candidates = [
        // The explanation says the objects and the loop; with several resources it names the first only.
        resources.count == 1 ? " ⚠ CONFLICT " + sanitize(w.message) : nil,
        " ⚠ CONFLICT on \(what) of \(workload): \(objects.joined(separator: " ⇄ "))",
        " ⚠ CONFLICT on \(what) of \(workload): \(short.joined(separator: " ⇄ "))",
        " ⚠ \(what) of \(name): \(short.joined(separator: " ⇄ "))",
    ].compactMap { $0 }
    let text = candidates.first { displayWidth($0) <= width } ?? truncate(candidates[candidates.count - 1], toWidth: width)
    return [Span(text, bannerStyle)]
}

/// "HorizontalPodAutoscaler meme-web" → "HPA meme-web".
private func abbreviatedKind(_ object: String) -> String {
    for (long, short) in [("HorizontalPodAutoscaler ", "HPA "), ("VerticalPodAutoscaler ", "VPA "), ("ScaledObject ", "KEDA ")]
    where object.hasPrefix(long) {
        return short + object.dropFirst(long.count)
    }
    return object
}
