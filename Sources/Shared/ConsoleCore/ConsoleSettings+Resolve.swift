import MemeKit

extension ConsoleSettings {
    /// The environment names the dashboard reads (checked against `MemeEnv.all`).
    public static let environmentNames = QueueSettings.environmentNames + [
        MemeEnv.consoleMode, MemeEnv.consoleInterval, MemeEnv.natsMonitorURL, MemeEnv.prometheusURL, MemeEnv.localScalerURL, MemeEnv.consoleWebURL,
        MemeEnv.kubeconfig, MemeEnv.kubeContext, MemeEnv.kubeAPIURL, MemeEnv.kubernetesServiceHost, MemeEnv.kubernetesServicePort,
        MemeEnv.namespace, MemeEnv.cacheNamespace, MemeEnv.messagingNamespace,
    ] + StreamBounds.environmentNames

    /// The dashboard's settings, flag → environment → default; errors name the flag and the variable.
    /// `inCluster` is the `--in-cluster` flag (it has no variable: KUBERNETES_SERVICE_HOST implies it).
    public static func resolve(_ r: SettingsReader, inCluster: Bool = false) throws -> ConsoleSettings {
        var s = ConsoleSettings()
        let mode = try r.choice(MemeEnv.consoleMode, default: s.mode.rawValue, among: ModeRequest.allCases.map(\.rawValue))
        s.mode = ModeRequest(rawValue: mode) ?? .auto
        let queue = try QueueSettings.resolve(r)
        (s.natsURL, s.stream, s.consumer, s.requestSubject, s.responseSubject) =
            (queue.natsURL, queue.stream, queue.consumer, queue.requestSubject, queue.responseSubject)
        // One monitor URL per cluster member, comma-separated (as NATS_URL): each is read.
        let monitors = try r.servers(MemeEnv.natsMonitorURL, default: "", schemes: ["http", "https"])
        s.natsMonitorURL = monitors.isEmpty ? nil : monitors
        s.streamBounds = try StreamBounds.resolve(r)
        s.prometheusURL = try r.url(MemeEnv.prometheusURL, default: s.prometheusURL, schemes: ["http", "https"])
        s.localScalerURL = try r.url(MemeEnv.localScalerURL, default: s.localScalerURL, schemes: ["http", "https"])
        s.webURL = try r.url(MemeEnv.consoleWebURL, default: s.webURL, schemes: ["http", "https"])
        s.interval = try r.double(MemeEnv.consoleInterval, default: s.interval, range: 0.1...3600)
        s.appNamespace = try namespace(r, MemeEnv.namespace, s.appNamespace)
        s.cacheNamespace = try namespace(r, MemeEnv.cacheNamespace, s.cacheNamespace)
        s.messagingNamespace = try namespace(r, MemeEnv.messagingNamespace, s.messagingNamespace)
        s.kubernetes.apiURL = try r.optionalURL(MemeEnv.kubeAPIURL, schemes: ["http", "https"])
        // KUBECONFIG may list several files (kubectl merges them); the console reads the first.
        s.kubernetes.kubeconfig = r.optionalString(MemeEnv.kubeconfig)?.split(separator: ":").first.map(String.init)
        s.kubernetes.context = r.optionalString(MemeEnv.kubeContext)
        // In a pod (KUBERNETES_SERVICE_HOST set) with no other source named, the service account is the way in.
        s.kubernetes.inCluster = inCluster
            || (s.kubernetes.kubeconfig == nil && s.kubernetes.apiURL == nil && r.environment[MemeEnv.kubernetesServiceHost].map { !$0.isEmpty } == true)
        return s
    }

    /// A Kubernetes namespace: a DNS label (lower-case letters, digits, '-', at most 63).
    private static func namespace(_ r: SettingsReader, _ env: String, _ fallback: String) throws -> String {
        guard let (v, origin) = r.raw(env) else { return fallback }
        let ok = v.count <= 63 && v.first.map { $0.isLowercase || $0.isNumber } == true && v.last != "-"
            && v.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        guard ok else { throw SettingsError("\(origin) must be a Kubernetes namespace (lower-case letters, digits, '-'), got '\(v)'") }
        return v
    }
}
