import ArgumentParser
import Autoscaling
import ConsoleCore
import CurlHTTP
import Foundation
import MemeKit
import SettingsFlags

/// `meme-console act keda-only|conflict|harmony`: switches the running demo between the talk's
/// acts (what the dashboard's K / C / H keys do). Thin wiring around `ActSwitch`.
struct Act: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "act",
        abstract: "Switch the demo between the talk's acts: keda-only, conflict, harmony.",
        discussion: """
            keda-only: only KEDA acts (locally the HPA and VPA stand-ins pause; in a cluster the Redis VPA recommends only \
            and the web VPA is deleted). conflict: a VPA on meme-web's CPU joins the HPA on the same CPU. harmony: each \
            autoscaler owns its own signal (the base). docs/demo-script.md tells what the room sees.

            Local mode posts to meme-stack (LOCAL_SCALER_URL/act/<name>). Cluster mode writes VerticalPodAutoscalers \
            through the Kubernetes API only with --allow-changes and the Role meme-console-acts \
            (k8s/components/console-acts/rbac.yaml); without the flag it writes nothing and prints what it would do.
            Exits 0 when the act was switched, 1 otherwise.
            """
    )

    @Argument(help: ArgumentHelp("keda-only, conflict or harmony.", valueName: "act")) var act: String
    @Option(name: .setting(MemeEnv.consoleMode), help: .setting(MemeEnv.consoleMode)) var mode: String?
    @Option(name: .setting(MemeEnv.localScalerURL), help: .setting(MemeEnv.localScalerURL)) var localScalerURL: String?
    @Option(name: .setting(MemeEnv.kubeconfig), help: .setting(MemeEnv.kubeconfig)) var kubeconfig: String?
    @Option(name: .setting(MemeEnv.kubeContext), help: .setting(MemeEnv.kubeContext)) var kubeContext: String?
    @Option(name: .setting(MemeEnv.kubeAPIURL), help: .setting(MemeEnv.kubeAPIURL)) var kubeAPIURL: String?
    @Flag(name: .customLong("in-cluster"), help: "Use the pod's service account.") var inCluster = false
    @Option(name: .setting(MemeEnv.namespace), help: .setting(MemeEnv.namespace)) var namespace: String?
    @Option(name: .setting(MemeEnv.cacheNamespace), help: .setting(MemeEnv.cacheNamespace)) var cacheNamespace: String?
    @Flag(name: .customLong("allow-changes"), help: "Cluster mode: let the act write VPAs (needs the Role meme-console-acts).")
    var allowChanges = false

    func run() async throws {
        let chosen: DemoAct
        do { chosen = try DemoAct.named(act) } catch { throw ValidationError(error.message) }
        var t = SettingsFlagTable()
        for (variable, value) in [
            (MemeEnv.consoleMode, mode), (MemeEnv.localScalerURL, localScalerURL), (MemeEnv.kubeconfig, kubeconfig),
            (MemeEnv.kubeContext, kubeContext), (MemeEnv.kubeAPIURL, kubeAPIURL), (MemeEnv.namespace, namespace),
            (MemeEnv.cacheNamespace, cacheNamespace),
        ] { t.set(variable, value) }
        t.warn(as: "meme-console act")
        var settings: ConsoleSettings
        do { settings = try ConsoleSettings.resolve(t.reader, inCluster: inCluster) } catch { throw ValidationError("\(error)") }
        settings.allowChanges = allowChanges
        let choice = await ModeSelection.choose(settings)
        let http = CurlHTTPClient()
        let switcher = ActSwitch(settings: settings, mode: choice.mode, connection: choice.connection, problem: choice.kubernetesProblem,
                                 http: http)
        do {
            let answer = try await switcher.run(chosen)
            await http.shutdown()
            print("\(choice.mode.rawValue): \(answer)")
        } catch {
            await http.shutdown()
            FileHandle.standardError.write(Data("meme-console: \(choice.mode.rawValue) mode: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
