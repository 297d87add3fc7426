import Autoscaling
import ConsoleUI

// The feedback trace of the conflict act: what the HPA stand-in saw at each sync, kept by the
// collector so the room sees the loop (the VPA raises the request, the utilisation falls, the HPA
// scales in, the usage per replica rises …), not just its latest turn.

/// How long the trace goes back.
let feedbackWindowSeconds = 300.0

/// Adds the HPA stand-in's newest sync (once per `read_at`) to each of its metrics' traces.
func recordFeedback(_ h: LocalHPAStatus, into traces: inout [String: [FeedbackSample]]) {
    guard let at = h.readAt else { return }
    for m in h.metrics {
        var list = traces[m.name] ?? []
        guard list.last?.at != at else { continue }
        list.append(FeedbackSample(at: at, request: m.request, usage: m.averageUsage, utilization: m.currentUtilization,
                                   replicas: h.replicas, desired: h.desiredReplicas))
        list.removeAll { at - $0.at > feedbackWindowSeconds }
        traces[m.name] = list
    }
}

/// The trace for `resource`, with each replica's request, usage and utilisation now; nil without such a metric.
func feedbackTrace(_ h: LocalHPAStatus, resource: String, samples: [FeedbackSample]) -> FeedbackTrace? {
    guard let m = h.metrics.first(where: { $0.name == resource }) else { return nil }
    let pods = h.pods.filter { !$0.terminating }.map { p -> FeedbackPod in
        let usage = resource == "cpu" ? p.cpuMillicores : p.memoryBytes
        let utilization = m.request > 0 ? usage.map { Int((Double($0) * 100 / Double(m.request)).rounded()) } : nil
        return FeedbackPod(name: p.name, request: m.request, usage: usage, utilization: utilization)
    }
    return FeedbackTrace(workload: "Process/\(h.workload)", resource: resource, targetUtilization: m.targetUtilization,
                         samples: samples, pods: pods)
}
