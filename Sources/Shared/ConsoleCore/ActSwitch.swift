import Autoscaling
import ClusterReaders
import ConsoleUI
import CurlHTTP
import Foundation
import MemeKit

/// Switches the running demo between the talk's acts (`meme-console act`, the dashboard's K/C/H
/// keys). Local mode asks meme-stack (`POST <LOCAL_SCALER_URL>/act/<name>`); cluster mode writes
/// the VPAs through the Kubernetes API (`ClusterActs`), but only with --allow-changes: without it
/// nothing is written and the answer names the flag and the Role.
public struct ActSwitch: Sendable {
    enum Target: Sendable {
        case local(baseURL: String, client: CurlHTTPClient)
        case cluster(reader: KubernetesReader, writer: KubernetesWriter)
        case unavailable(String)
    }

    let target: Target
    let settings: ConsoleSettings

    /// `connection`: the cluster in cluster mode (nil: `problem` says why there is none).
    public init(settings: ConsoleSettings, mode: ConsoleMode, connection: KubernetesConnection?, problem: String? = nil,
                http: CurlHTTPClient, kubeClient: CurlHTTPClient? = nil) {
        self.settings = settings
        switch (mode, connection) {
        case (.local, _):
            target = .local(baseURL: settings.localScalerURL.hasSuffix("/") ? String(settings.localScalerURL.dropLast()) : settings.localScalerURL,
                            client: http)
        case (.cluster, let connection?):
            let reader = KubernetesReader(connection: connection, client: kubeClient ?? KubernetesReader.makeClient(for: connection))
            target = .cluster(reader: reader, writer: KubernetesWriter(reader: reader))
        case (.cluster, nil):
            target = .unavailable(problem ?? "no Kubernetes connection")
        }
    }

    /// The one-line answer (what changed), or an error that says what to do.
    public func run(_ act: DemoAct) async throws(ConsoleError) -> String {
        switch target {
        case .unavailable(let why):
            throw ConsoleError("act \(act.rawValue): \(why)")
        case .local(let baseURL, let client):
            let url = "\(baseURL)/act/\(act.rawValue)"
            let response: HTTPResponse
            do {
                response = try await client.send(HTTPRequest(method: .post, url: url, timeouts: HTTPTimeouts(connect: .seconds(2), total: .seconds(10))))
            } catch {
                throw ConsoleError("act \(act.rawValue): \(SettingsReader.redacted(url)): \(error.message) (is meme-stack running? LOCAL_SCALER_URL)",
                                   underlying: error)
            }
            let text = String(decoding: response.body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard response.isSuccess else {
                throw ConsoleError("act \(act.rawValue): meme-stack answered HTTP \(response.status)" + (text.isEmpty ? "" : ": \(text)")
                    + (response.status == 404 ? " (a meme-stack without acts?)" : ""))
            }
            return text
        case .cluster(let reader, let writer):
            let (app, cache) = (settings.appNamespace, settings.cacheNamespace)
            guard settings.allowChanges else {
                let existing = try? await reader.verticalPodAutoscalers(namespace: app)
                let plan = ClusterActs.plan(act, webVPAExists: existing?.contains { $0.name == ClusterActs.webVPA } ?? false,
                                            appNamespace: app, cacheNamespace: cache)
                throw ConsoleError("""
                    act \(act.rawValue) changes the cluster, and this console may not: start it with --allow-changes \
                    (and grant the Role \(ClusterActs.role), \(ClusterActs.roleFile)). Nothing was written; it would \
                    \(plan.map(\.description).joined(separator: "; "))
                    """)
            }
            do {
                let done = try await ClusterActs.apply(act, reader: reader, writer: writer, appNamespace: app, cacheNamespace: cache)
                return "act \(act.rawValue): \(act.summary) (\(done.map(\.description).joined(separator: "; ")))"
            } catch {
                throw ConsoleError("act \(act.rawValue): \(error.message)", underlying: error)
            }
        }
    }
}
