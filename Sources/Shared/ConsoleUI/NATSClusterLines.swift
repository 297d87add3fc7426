// The queue panel's cluster table: one line per nats-server, under the queue's numbers.

/// "cluster memes · 2/3 up · meta leader n-2", a header row, then per server:
/// "n-3     up     leader    leader" / "n-1     down   lag 10    ok".
func natsClusterLines(_ c: NATSClusterStats) -> [Line] {
    let up = c.servers.filter(\.up).count
    var header: Line = [Span("cluster ", .dim)]
    if let name = c.name { header.append(Span(sanitize(name) + " ", .strong)) }
    header.append(Span("\(up)/\(c.servers.count) up", up == c.servers.count ? .ok : .bad))
    if let meta = c.metaLeader { header.append(Span(" · meta leader " + sanitize(meta), .dim)) }
    let nameWidth = max(6, c.servers.map { displayWidth(sanitize($0.name)) }.max() ?? 0) + 2
    let columns = [nameWidth, 7, 10]
    func cells(_ texts: [Span]) -> Line {
        texts.enumerated().map { i, span in
            i < columns.count ? Span(span.text + String(repeating: " ", count: max(1, columns[i] - displayWidth(span.text))), span.style) : span
        }
    }
    var lines: [Line] = [header, cells([Span("server", .dim), Span("state", .dim), Span("stream", .dim), Span("consumer", .dim)])]
    for server in c.servers {
        lines.append(cells([
            Span(sanitize(server.name), .strong),
            server.up ? Span("up", .ok) : Span("down", .bad),
            replicaSpan(leader: server.streamLeader, server.stream),
            replicaSpan(leader: server.consumerLeader, server.consumer),
        ]))
    }
    return lines
}

/// One line for the tightest layouts: "cluster 2/3 up · leader n-3".
func natsClusterSummary(_ c: NATSClusterStats) -> Line {
    let up = c.servers.filter(\.up).count
    var line: Line = [Span("cluster ", .dim), Span("\(up)/\(c.servers.count) up", up == c.servers.count ? .ok : .bad)]
    if let leader = c.servers.first(where: \.streamLeader) { line.append(Span(" · leader " + sanitize(leader.name), .dim)) }
    return line
}

/// "leader", "ok" (current), "lag 10", "behind" (not current, no lag reported), "?" (the leader's page was not read).
private func replicaSpan(leader: Bool, _ replica: NATSReplicaStats?) -> Span {
    if leader { return Span("leader", .accent) }
    guard let replica else { return Span("?", .dim) }
    if replica.current { return Span("ok", .ok) }
    return Span(replica.lag.map { "lag \($0)" } ?? "behind", .warn)
}
