import Autoscaling
import Foundation
import LocalScaler

extension LocalStack {
    /// `POST /act/<name>`: switches the stand-ins to one of the talk's acts (docs/operations.md).
    /// keda-only pauses the HPA and VPA stand-ins (they keep measuring); harmony lets them act;
    /// conflict also starts a VPA stand-in on meme-web acting on CPU (k8s/components/act-conflict).
    public func switchAct(to name: String) async throws(StackError) -> String {
        let act: DemoAct
        do { act = try DemoAct.named(name) } catch { throw StackError(error.message) }
        guard let hpa else { throw StackError("this stack runs no web tier: the acts switch meme-web's autoscalers (start it without --only)") }
        let webVPASpec: VPAStandInSpec?
        if act == .conflict {
            do { webVPASpec = try StandInSpecs.loadWebVPA(manifests: settings.manifests, tuning: settings.tuning) } catch {
                throw StackError("act conflict: \(error)")
            }
        } else {
            webVPASpec = nil
        }
        await stopWebVPA()
        let pause = act == .kedaOnly ? "act keda-only" : nil
        hpa.setPaused(pause)
        vpa?.setPaused(pause)
        if let webVPASpec {
            startWebVPA(webVPASpec, hpa: hpa)
        } else {
            // New web processes start with the Deployment's requests again; running ones keep theirs until replaced.
            await hpa.setTemplate(specs.hpa.requests)
        }
        actState.withLock { $0 = act }
        logger.info("act \(act.rawValue): \(act.summary)")
        return "act \(act.rawValue): \(act.summary)\n"
    }

    public var act: DemoAct { actState.withLock { $0 } }

    private func startWebVPA(_ spec: VPAStandInSpec, hpa: HPAStandIn) {
        let stand = VPAStandIn(spec: spec, logger: logger, registry: registry,
                               pids: { await hpa.replicas().filter { !$0.terminating }.map(\.pid) }) { requests in
            // The eviction: each web process restarts with the new request while the proxy serves from the others.
            let replaced = try await hpa.rollOut(requests: requests)
            return VPARestartReport(keysBefore: nil, keysAfter: nil, downSeconds: 0, replaced: replaced)
        }
        let task = Task<Void, Never> { _ = try? await stand.run() }
        webVPAStandIn.withLock { $0 = (stand, task) }
    }

    /// Stops the conflict act's web VPA stand-in (waits for a rollout in progress to notice).
    func stopWebVPA() async {
        guard let running = webVPAStandIn.withLock({ s in defer { s = nil }; return s }) else { return }
        running.task.cancel()
        await running.task.value
    }
}
