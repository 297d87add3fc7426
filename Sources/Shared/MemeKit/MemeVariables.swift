/// One environment variable a program reads: its flag, who reads it, its default and what it means.
/// `MemeEnv.all` lists every one; docs/operations.md's configuration table is checked against it.
public struct MemeVariable: Sendable, Hashable {
    public enum Program: String, Sendable, Hashable, CaseIterable, Comparable {
        case worker = "meme-worker"
        case stack = "meme-stack up"
        case web = "meme-web"
        case console = "meme-console"
        case load = "meme-console load"

        public static func < (a: Program, b: Program) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }

        /// The short name used in the docs' table.
        public var short: String {
            switch self {
            case .worker: "worker"
            case .stack: "stack"
            case .web: "web"
            case .console: "console"
            case .load: "load"
            }
        }
    }

    public var name: String
    public var programs: [Program]
    /// As shown in the docs and `--help`; "" when unset means "off" or "none".
    public var defaultValue: String
    /// One line: what the setting does.
    public var summary: String
    /// False for a secret (environment or file only, never a flag: it would show in `ps`) and for
    /// variables the platform sets (`KUBERNETES_SERVICE_HOST`).
    public var hasFlag: Bool
    /// Former spellings of the flag: still accepted, hidden from `--help`, deprecated.
    public var deprecatedFlags: [String]

    public init(_ name: String, _ programs: [Program], default defaultValue: String = "", _ summary: String,
                hasFlag: Bool = true, deprecatedFlags: [String] = []) {
        self.name = name
        self.programs = programs
        self.defaultValue = defaultValue
        self.summary = summary
        self.hasFlag = hasFlag
        self.deprecatedFlags = deprecatedFlags
    }

    /// The flag without its dashes (`nats-ack-wait`), nil when there is none.
    public var flag: String? { hasFlag ? MemeEnv.flagName(name) : nil }
}

extension MemeEnv {
    /// Prefixes that name the program a variable belongs to; its flag drops them (the program is
    /// already named by the command): WEB_RATE_LIMIT → `meme-web --rate-limit`. Longest first.
    public static let programPrefixes = ["MEME_CONSOLE_", "MEME_", "WEB_", "WORKER_", "DEMO_"]

    /// The one rule from variable to flag: the program prefix dropped, lower case, '-' for '_'.
    /// NATS_REQUEST_SUBJECT → nats-request-subject, MEME_CONSOLE_INTERVAL → interval.
    public static func flagName(_ variable: String) -> String {
        var name = Substring(variable)
        if let prefix = programPrefixes.first(where: { variable.hasPrefix($0) && variable.count > $0.count }) {
            name = name.dropFirst(prefix.count)
        }
        return name.lowercased().replacingOccurrences(of: "_", with: "-")
    }

    /// The flag of a listed variable (nil for secrets and platform variables); the rule's result
    /// for a name not in the list.
    public static func flag(for variable: String) -> String? {
        guard let known = byName[variable] else { return flagName(variable) }
        return known.flag
    }

    public static func variable(_ name: String) -> MemeVariable? { byName[name] }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Every variable the programs read, in the order of the docs' table.
    public static let all: [MemeVariable] = queue + worker + web + console + stack

    static let queue: [MemeVariable] = [
        MemeVariable(natsURL, [.worker, .web, .console, .load, .stack], default: MemeDefaults.natsURL,
                     "NATS server(s), comma separated as the nats CLI takes them; `nats://user:pass@…` or `nats://token@…` for auth"),
        MemeVariable(natsStream, [.worker, .web, .console, .load], default: MemeDefaults.stream,
                     "JetStream stream of requests, created if missing (WorkQueue, file storage, 2 min duplicate window)",
                     deprecatedFlags: ["stream"]),
        MemeVariable(natsConsumer, [.worker, .web, .console, .load], default: MemeDefaults.consumer,
                     "durable pull consumer the workers share and KEDA reads the lag of, created if missing",
                     deprecatedFlags: ["consumer"]),
        MemeVariable(requestSubject, [.worker, .web, .console, .load], default: MemeDefaults.requestSubject,
                     "subject requests are published on", deprecatedFlags: ["request-subject"]),
        MemeVariable(responseSubject, [.worker, .web, .console, .load], default: MemeDefaults.responseSubject,
                     "subject answers are published on; errors on `<subject>.error`", deprecatedFlags: ["response-subject"]),
        MemeVariable(ackWait, [.worker], default: String(MemeDefaults.ackWaitSeconds),
                     "seconds before an un-acked delivery comes back"),
        MemeVariable(maxDeliver, [.worker], default: String(MemeDefaults.maxDeliver),
                     "deliveries before a transient failure is answered with an error"),
        MemeVariable(natsMonitorURL, [.stack, .console], default: "http://127.0.0.1:8222 (stack); unset (console)",
                     "nats-server monitor URL; its `/jsz` gives the lag as KEDA reads it (the console reads consumer info over NATS when unset; the stack sets it when it runs nats). Comma-separated for a cluster, one per member: the console reads each and shows every server (the stack's KEDA stand-in reads the first)"),
        MemeVariable(redisURL, [.worker, .web, .stack], default: MemeDefaults.redisURL,
                     "image cache (worker) and results by id (worker, web); `off` runs without Redis"),
        MemeVariable(resultTTL, [.worker, .web], default: String(MemeDefaults.resultTTLSeconds),
                     "seconds a result (worker) or its metadata (web) is kept by id"),
        MemeVariable(maxPromptChars, [.worker, .web], default: String(MemeDefaults.maxPromptCharacters),
                     "longest prompt accepted, in characters"),
        MemeVariable(streamMaxMessages, [.worker, .web, .console], default: String(MemeDefaults.streamMaxMessages),
                     "requests the stream holds (discard new: then a submit is refused as \"full\"), set when this program creates it or finds it unbounded"),
        MemeVariable(streamMaxBytes, [.worker, .web, .console], default: String(MemeDefaults.streamMaxBytes),
                     "bytes the stream holds (discard new), as `NATS_STREAM_MAX_MSGS`"),
        MemeVariable(streamReplicas, [.worker, .web, .console], default: String(MemeDefaults.streamReplicas),
                     "copies of the stream and its consumer when this program creates them: 1 on one nats-server, 3 on a 3-node JetStream cluster (an existing stream with another count is reported in the log, not changed)"),
        MemeVariable(logLevel, [.worker, .web], default: "info",
                     "trace, debug, info, notice, warning, error or critical"),
    ]

    static let worker: [MemeVariable] = [
        MemeVariable(cacheTTL, [.worker], default: String(MemeDefaults.cacheTTLSeconds), "seconds an image stays in the cache"),
        MemeVariable(hfToken, [.worker], "Hugging Face token; without it memes are made offline. A secret: never a flag, never logged",
                     hasFlag: false),
        MemeVariable(hfTokenFile, [.worker], "file holding the Hugging Face token (a mounted Secret)", hasFlag: false),
        MemeVariable(hfURL, [.worker], default: "FLUX.1-schnell on the HF router",
                     "model used with a token when neither `fast_mode` nor `small_image` is asked for"),
        MemeVariable(hfFastURL, [.worker], default: "FLUX.1-schnell on the HF router", "model used for `fast_mode` or `small_image`"),
        MemeVariable(hfTimeout, [.worker], default: "60", "seconds one Hugging Face image may take, retries included"),
        MemeVariable(metricsAddress, [.worker], default: MemeDefaults.workerMetricsAddress,
                     "listen address of `/metrics`, `/healthz`, `/readyz` (the manifests set `0.0.0.0:9090`)"),
        MemeVariable(workerConcurrency, [.worker], default: "2", "requests processed at a time",
                     deprecatedFlags: ["worker-concurrency"]),
        MemeVariable(workerDrainGrace, [.worker], default: "20", "seconds in-flight work may take after SIGTERM (pods get 30)",
                     deprecatedFlags: ["worker-drain-grace"]),
        MemeVariable(workerName, [.worker], default: "the host name", "reported in answers (`worker`) and logs",
                     deprecatedFlags: ["worker-name"]),
    ]

    static let web: [MemeVariable] = [
        MemeVariable(host, [.web], default: "0.0.0.0", "address to listen on"),
        MemeVariable(port, [.web], default: String(MemeDefaults.webPort), "HTTP port"),
        MemeVariable(publicURL, [.web], default: "this machine's LAN address and port",
                     "the address the wall shows and puts in its QR code, e.g. `https://memes.example.org`"),
        MemeVariable(webPublicAddress, [.web], default: "HOST:PORT",
                     "`host:port` the audience reaches this meme-web on when it runs behind a proxy (meme-stack sets it); the wall shows it"),
        MemeVariable(webPublicDir, [.web], default: "found next to the program",
                     "folder with index.html, wall.html and assets/"),
        MemeVariable(webRateLimit, [.web], default: "5", "submits per second per client (its `X-Meme-Client`, else its address); 0 disables"),
        MemeVariable(webRateBurst, [.web], default: "20", "submits one client may make at once"),
        MemeVariable(webAddressRateLimit, [.web], default: "50", "submits per second from one address, all its clients together; 0 disables"),
        MemeVariable(webAddressRateBurst, [.web], default: "200", "submits one address may make at once"),
        MemeVariable(webGlobalRateLimit, [.web], default: "100", "submits per second into one meme-web altogether; 0 disables"),
        MemeVariable(webGlobalRateBurst, [.web], default: "400", "submits into one meme-web at once"),
        MemeVariable(webTrustedProxy, [.web], default: "false",
                     "trust the first `X-Forwarded-For` hop from any peer (only behind your own proxy)"),
        MemeVariable(webTrustedProxies, [.web], "comma-separated proxy addresses or IPv4 CIDR ranges whose `X-Forwarded-For` is believed"),
        MemeVariable(webProxyProtocol, [.web], default: "false",
                     "read a PROXY protocol v1 line first on each connection and take the client address from it (meme-stack's web port sends one)"),
        MemeVariable(webRecentCapacity, [.web], default: "1000", "recent memes kept in memory for the wall"),
        MemeVariable(webStatsInterval, [.web], default: "2", "seconds between live `stats` messages"),
        MemeVariable(webMetricsAddress, [.web], default: MemeDefaults.webMetricsAddress,
                     "listen address of `/metrics`, `/healthz`, `/readyz` for Prometheus and probes, not the audience's port (the manifests set `0.0.0.0:9090`)"),
        MemeVariable(webHeaderTimeout, [.web], default: "10", "seconds a connection has to send a request's headers; then 408 and close"),
        MemeVariable(webIdleTimeout, [.web], default: "75", "seconds a keep-alive connection may sit idle between requests"),
        MemeVariable(webBodyTimeout, [.web], default: "10", "seconds a request body has to arrive in full; then 408 and close"),
        MemeVariable(webSubmitTimeout, [.web], default: "5", "seconds a submit waits for JetStream's acknowledgement (same id retried) before 503"),
        MemeVariable(webMaxViewers, [.web], default: String(MemeDefaults.webMaxViewers),
                     "open `/api/live` WebSockets; one more is closed at once with 1013 \"try again later\""),
        MemeVariable(webListRateLimit, [.web], default: "2", "`GET /api/memes` per second per client address (bursts of ten times that); 0 disables"),
    ]

    static let console: [MemeVariable] = [
        MemeVariable(consoleMode, [.console], default: "auto", "auto, cluster or local; auto is cluster when a Kubernetes API answers"),
        MemeVariable(consoleInterval, [.console], default: "1", "seconds between reads of each source (0.1–3600); failing sources back off to 30 s"),
        MemeVariable(prometheusURL, [.console], default: MemeDefaults.prometheusURL, "Prometheus base URL (rates and latency)"),
        MemeVariable(localScalerURL, [.console], default: "http://127.0.0.1:9190",
                     "local mode: meme-stack's control URL; its `/status` gives the KEDA, HPA and VPA stand-ins' numbers and decisions"),
        MemeVariable(consoleWebURL, [.console], default: "http://127.0.0.1:\(MemeDefaults.webPort)",
                     "meme-web (or the stack's web port) for the `w` key's page loads"),
        MemeVariable(kubeconfig, [.console], default: "~/.kube/config", "kubeconfig file"),
        MemeVariable(kubeContext, [.console], default: "its current-context", "kubeconfig context"),
        MemeVariable(kubeAPIURL, [.console], "plain Kubernetes API URL, e.g. a `kubectl proxy` at http://127.0.0.1:8001",
                     deprecatedFlags: ["kube-api"]),
        MemeVariable(kubernetesServiceHost, [.console], "set by Kubernetes in a pod: use the service account (as `--in-cluster`)",
                     hasFlag: false),
        MemeVariable(kubernetesServicePort, [.console], "set by Kubernetes in a pod, with the host", hasFlag: false),
        MemeVariable(namespace, [.console], default: "meme-generator", "namespace of meme-web and meme-worker, their HPA and ScaledObject"),
        MemeVariable(cacheNamespace, [.console], default: "cache", "namespace of redis and its VPA"),
        MemeVariable(messagingNamespace, [.console], default: "messaging", "namespace of the nats StatefulSet"),
    ]

    static let stack: [MemeVariable] = [
        MemeVariable(demoDir, [.stack], default: ".demo", "state, logs and stack.json of the local stack"),
        MemeVariable(demoWebHost, [.stack], default: "0.0.0.0", "address the web port listens on (0.0.0.0: phones on the LAN reach it)"),
        MemeVariable(demoNATSPort, [.stack], default: "4222", "nats-server's client port"),
        MemeVariable(demoNATSMonitorPort, [.stack], default: "8222", "nats-server's monitoring port (`/jsz`, `/healthz`)"),
        MemeVariable(demoNATSCluster, [.stack], default: "1",
                     "nats-servers: 1, or 3 (or 5) as a JetStream cluster on loopback (member N: client port `DEMO_NATS_PORT` + N − 1, monitor `DEMO_NATS_MONITOR_PORT` + N − 1, route 6222 + N − 1) with the stream replicated (`NATS_STREAM_REPLICAS` set to 3) and every member's URL in `NATS_URL`"),
        MemeVariable(demoRedisPort, [.stack], default: "6379", "redis-server's port"),
        MemeVariable(demoRedisExporterPort, [.stack], default: "9121", "redis-exporter's `/metrics` port"),
        MemeVariable(demoPrometheusPort, [.stack], default: "9090", "prometheus's port"),
        MemeVariable(demoWebPort, [.stack], default: "8080", "the audience's port: the proxy in front of the meme-web processes"),
        MemeVariable(demoWebProcessBasePort, [.stack], default: "9180", "meme-web process N listens on base + N − 1 (behind the proxy)"),
        MemeVariable(demoWebMetricsBasePort, [.stack], default: "9200", "meme-web process N serves `/metrics` on base + N − 1"),
        MemeVariable(demoControlPort, [.stack], default: "9190",
                     "the stack's `/status`, `/stack`, `/metrics`, `/healthz`, `/readyz`, `POST /services/<name>/<action>` and `POST /act/<name>`"),
        MemeVariable(demoWorkerMetricsBasePort, [.stack], default: "9100", "meme-worker N serves `/metrics` on base + N − 1"),
    ]

    /// The docs' configuration table (docs/operations.md), one row per variable.
    public static func markdownTable() -> String {
        var lines = ["| variable | flag | read by | default | meaning |", "|---|---|---|---|---|"]
        for v in all {
            var flag = v.flag.map { "`--\($0)`" } ?? "—"
            if !v.deprecatedFlags.isEmpty {
                flag += " (deprecated: " + v.deprecatedFlags.map { "`--\($0)`" }.joined(separator: ", ") + ")"
            }
            let programs = v.programs.sorted().map(\.short).joined(separator: ", ")
            // A value in code style; a description ("the host name") as words.
            let value = v.defaultValue.isEmpty ? "unset" : v.defaultValue.contains(" ") ? v.defaultValue : "`\(v.defaultValue)`"
            lines.append("| `\(v.name)` | \(flag) | \(programs) | \(value) | \(v.summary) |")
        }
        return lines.joined(separator: "\n")
    }
}
