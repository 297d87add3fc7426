import Autoscaling
import ClusterReaders
import ConsoleUI

// The conflict warnings: whatever autoscaler objects were read, in the plain values
// `AutoscalerConflicts.detect` takes, and its findings as the snapshot's `warnings`.

/// Cluster mode: the HPAs (KEDA's included), VPAs and ScaledObjects read from the Kubernetes API.
func clusterWarnings(_ cluster: ClusterReading) -> [AutoscalerWarning] {
    typealias C = AutoscalerConflicts
    let hpas = cluster.hpas.map { h in
        C.HPAObject(name: h.name, target: C.Target(kind: h.scaleTargetKind, name: h.scaleTargetName, namespace: h.namespace),
                    resourceMetrics: h.metrics.compactMap { m in
                        guard m.type == "Resource" || m.type == "ContainerResource", let r = VPA.Resource(rawValue: m.name) else { return nil }
                        return C.ResourceMetric(r, container: m.type == "ContainerResource" ? m.container : nil)
                    },
                    scaledObject: h.scaledObject)
    }
    let vpas = cluster.vpas.compactMap { v -> C.VPAObject? in
        guard let kind = v.targetKind, let name = v.targetName else { return nil }
        let workload = cluster.workloads.first { $0.kind == kind && $0.name == name && $0.namespace == v.namespace }
        return C.VPAObject(name: v.name, target: C.Target(kind: kind, name: name, namespace: v.namespace), updateMode: v.updateMode,
                           containerPolicies: v.containerPolicies, containers: workload.map { $0.containers.map(\.name) })
    }
    // KEDA scales Deployments unless scaleTargetRef says otherwise; the reader keeps the name only.
    let scaledObjects = cluster.scaledObjects.map {
        C.ScaledObjectRef(name: $0.name, target: C.Target(kind: "Deployment", name: $0.scaleTargetName, namespace: $0.namespace),
                          hpaName: $0.hpaName)
    }
    return C.detect(hpas: hpas, vpas: vpas, scaledObjects: scaledObjects).map(warning)
}

/// Local mode: the stand-ins in meme-stack's /status (`hpa`, `vpa`, `web_vpa`, KEDA at the top level).
func localWarnings(_ status: LocalScalerStatus) -> [AutoscalerWarning] {
    typealias C = AutoscalerConflicts
    let hpas = status.hpa.map { h in
        [C.HPAObject(name: h.name, target: C.Target(kind: "Process", name: h.workload),
                     resourceMetrics: h.metrics.compactMap { VPA.Resource(rawValue: $0.name).map { C.ResourceMetric($0) } })]
    } ?? []
    let vpas = [status.webVPA, status.vpa].compactMap { $0 }.map { v in
        let policy = VPA.ContainerPolicy(containerName: v.container, controlledResources: v.controlledResources.compactMap(VPA.Resource.init),
                                         controlledValues: VPA.ControlledValues(rawValue: v.controlledValues) ?? .requestsAndLimits)
        return C.VPAObject(name: v.name, target: C.Target(kind: "Process", name: v.workload), updateMode: VPA.UpdateMode(rawValue: v.updateMode),
                           containerPolicies: [policy], containers: [v.container])
    }
    let keda = C.ScaledObjectRef(name: status.workload, target: C.Target(kind: "Process", name: status.workload))
    return C.detect(hpas: hpas, vpas: vpas, scaledObjects: [keda]).map(warning)
}

private func warning(_ c: AutoscalerConflicts.Conflict) -> AutoscalerWarning {
    AutoscalerWarning(kind: c.kind.rawValue, workload: c.target.description, objects: [c.first, c.second], resource: c.resource,
                      message: c.message)
}
