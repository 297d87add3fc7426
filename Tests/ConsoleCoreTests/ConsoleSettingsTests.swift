import MemeKit
import SettingsCases
import Testing
@testable import ConsoleCore

@Suite struct ConsoleSettingsTests {
    @Test func defaultsWorkLocally() throws {
        let s = try ConsoleSettings.resolve(SettingsReader(environment: [:]))
        #expect(s.mode == .auto && s.queue == QueueSettings() && s.natsMonitorURL == nil)
        #expect(s.prometheusURL == "http://127.0.0.1:9090" && s.localScalerURL == "http://127.0.0.1:9190" && s.interval == 1)
        #expect(s.appNamespace == "meme-generator" && s.cacheNamespace == "cache" && s.messagingNamespace == "messaging")
        #expect(s.kubernetes == ConsoleSettings.Kubernetes())
    }

    /// Every variable: from the environment, the flag winning, a bad value naming flag and variable.
    @Test func everyVariable() {
        let cases: [SettingCase<ConsoleSettings>] = [
            SettingCase(MemeEnv.consoleMode, "local", bad: "remote") { $0.mode == .local },
            SettingCase(MemeEnv.natsURL, "nats://a:1,nats://b:2", bad: "nats://") { $0.queue.servers == ["nats://a:1", "nats://b:2"] },
            SettingCase(MemeEnv.natsStream, "S", bad: "S*") { $0.stream == "S" },
            SettingCase(MemeEnv.natsConsumer, "c", bad: "c>") { $0.consumer == "c" },
            SettingCase(MemeEnv.requestSubject, "a.b", bad: "a b") { $0.requestSubject == "a.b" },
            SettingCase(MemeEnv.responseSubject, "c.d", bad: ".c") { $0.responseSubject == "c.d" },
            SettingCase(MemeEnv.natsMonitorURL, "http://n:8222,http://m:8223", bad: "http://n:8222,m:8223") {
                $0.natsMonitorURL == "http://n:8222,http://m:8223"
            },
            SettingCase(MemeEnv.prometheusURL, "https://p", bad: "p:9090") { $0.prometheusURL == "https://p" },
            SettingCase(MemeEnv.localScalerURL, "http://s:1", bad: "nats://s") { $0.localScalerURL == "http://s:1" },
            SettingCase(MemeEnv.consoleWebURL, "http://w:1", bad: "w:1") { $0.webURL == "http://w:1" },
            SettingCase(MemeEnv.consoleInterval, "0.5", bad: "0") { $0.interval == 0.5 },
            SettingCase(MemeEnv.kubeconfig, "/k/a:/k/b") { $0.kubernetes.kubeconfig == "/k/a" },
            SettingCase(MemeEnv.kubeContext, "kind-demo") { $0.kubernetes.context == "kind-demo" },
            SettingCase(MemeEnv.kubeAPIURL, "http://127.0.0.1:8001", bad: "127.0.0.1:8001") { $0.kubernetes.apiURL == "http://127.0.0.1:8001" },
            SettingCase(MemeEnv.kubernetesServiceHost, "10.0.0.1") { $0.kubernetes.inCluster },
            SettingCase(MemeEnv.namespace, "demo-1", bad: "Demo") { $0.appNamespace == "demo-1" },
            SettingCase(MemeEnv.cacheNamespace, "c", bad: "c_1") { $0.cacheNamespace == "c" },
            SettingCase(MemeEnv.messagingNamespace, "m", bad: "-m") { $0.messagingNamespace == "m" },
            SettingCase(MemeEnv.streamMaxMessages, "20", bad: "0") { $0.streamBounds.maxMessages == 20 },
            SettingCase(MemeEnv.streamMaxBytes, "1048576", bad: "12") { $0.streamBounds.maxBytes == 1_048_576 },
            SettingCase(MemeEnv.streamReplicas, "3", bad: "7") { $0.streamBounds.replicas == 3 },
        ]
        let problems = settingsProblems(cases, reads: ConsoleSettings.environmentNames, without: [MemeEnv.kubernetesServicePort],
                                        resolve: { try ConsoleSettings.resolve($0) })
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func theServiceAccountIsUsedInAPodUnlessAnotherSourceIsNamed() throws {
        let pod = ["KUBERNETES_SERVICE_HOST": "10.0.0.1"]
        #expect(try ConsoleSettings.resolve(SettingsReader(environment: pod)).kubernetes.inCluster)
        #expect(try !ConsoleSettings.resolve(SettingsReader(flags: ["KUBECONFIG": "/k"], environment: pod)).kubernetes.inCluster)
        #expect(try !ConsoleSettings.resolve(SettingsReader(environment: pod.merging(["KUBE_API_URL": "http://p"]) { a, _ in a })).kubernetes.inCluster)
        #expect(try ConsoleSettings.resolve(SettingsReader(environment: [:]), inCluster: true).kubernetes.inCluster)
    }

    @Test func localModeNeedsNoCluster() async throws {
        var s = try ConsoleSettings.resolve(SettingsReader(environment: [:]))
        s.mode = .local
        let local = await ModeSelection.choose(s)
        #expect(local.mode == .local && local.connection == nil && local.notice == nil)
        s.mode = .cluster
        s.kubernetes.kubeconfig = "/nonexistent/kubeconfig"
        let cluster = await ModeSelection.choose(s)
        #expect(cluster.mode == .cluster && cluster.connection == nil && cluster.kubernetesProblem == "cannot read kubeconfig /nonexistent/kubeconfig")
        s.mode = .auto
        let auto = await ModeSelection.choose(s)
        #expect(auto.mode == .local && auto.notice == "local mode: no cluster (cannot read kubeconfig /nonexistent/kubeconfig)")
    }
}
