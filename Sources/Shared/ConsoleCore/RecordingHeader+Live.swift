import ConsoleRecording
import ConsoleUI
import Foundation
import MemeKit

extension RecordingHeader {
    /// The header of a recording of this console: its mode, where each source is read (credentials
    /// removed), the terminal, the time and the machine's UTC offset.
    public static func live(settings: ConsoleSettings, mode: ConsoleMode, terminal: TerminalSize,
                            start: Double = Date().timeIntervalSince1970, recorder: String) -> RecordingHeader {
        var sources = ["nats": SettingsReader.redacted(settings.natsURL), "prometheus": SettingsReader.redacted(settings.prometheusURL)]
        if let monitor = settings.natsMonitorURL { sources["nats_monitor"] = SettingsReader.redacted(monitor) }
        switch mode {
        case .local:
            sources["stand_in"] = SettingsReader.redacted(settings.localScalerURL)
        case .cluster:
            let k = settings.kubernetes
            sources["kubernetes"] = k.apiURL.map(SettingsReader.redacted)
                ?? (k.inCluster ? "in-cluster service account" : "kubeconfig \(k.kubeconfig ?? "~/.kube/config")" + (k.context.map { " context \($0)" } ?? ""))
        }
        return RecordingHeader(mode: mode, sources: sources, terminal: terminal, start: start,
                               utcOffsetSeconds: TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: start)),
                               intervalSeconds: settings.interval, recorder: recorder)
    }
}
