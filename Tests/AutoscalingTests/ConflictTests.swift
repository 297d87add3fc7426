import Testing
@testable import Autoscaling

/// Worked examples of `AutoscalerConflicts.detect`, from real objects: this repository's manifests
/// (k8s/base/web/hpa.yaml, k8s/base/redis/vpa.yaml), the meme-generator captures in
/// Tests/Fixtures/meme-generator-results (conflict-hpa-snippet.txt: keda-hpa-meme-backend and the HPA
/// meme-backend on Deployment/meme-backend) and the KEDA HPA capture keda-hpa-prometheus-external-openshift.json.
@Suite struct ConflictTests {
    typealias C = AutoscalerConflicts
    let web = C.Target(kind: "Deployment", name: "meme-web", namespace: "meme-generator")
    /// k8s/base/web/hpa.yaml: Resource cpu 30 %, Resource memory 50 %.
    var webHPA: C.HPAObject { C.HPAObject(name: "meme-web", target: web, resourceMetrics: [C.ResourceMetric(.cpu), C.ResourceMetric(.memory)]) }

    func webVPA(_ mode: VPA.UpdateMode?, _ policies: [VPA.ContainerPolicy] = [], containers: [String]? = ["meme-web"]) -> C.VPAObject {
        C.VPAObject(name: "meme-web", target: web, updateMode: mode, containerPolicies: policies, containers: containers)
    }

    @Test func hpaOnCPUAndMemoryAndAVPAWithDefaultPolicyConflictOnBoth() {
        // No resourcePolicy: the VPA controls cpu and memory of every container, RequestsAndLimits.
        let found = C.detect(hpas: [webHPA], vpas: [webVPA(.recreate)])
        #expect(found.map(\.resource) == ["cpu", "memory"])
        #expect(found.allSatisfy { $0.kind == .hpaAndVPA && $0.target == web })
        #expect(found[0].first == "HorizontalPodAutoscaler meme-web")
        #expect(found[0].second == "VerticalPodAutoscaler meme-web")
        #expect(found[0].message == "HPA meme-web scales Deployment/meme-web on cpu utilisation while VPA meme-web (Recreate) sets its cpu "
            + "requests and limits: a higher request lowers the utilisation the HPA sees, so it scales in and the load per pod rises")
    }

    @Test func updateModeNilIsAutoAndInitialStillConflicts() {
        #expect(C.detect(hpas: [webHPA], vpas: [webVPA(nil)]).first?.message.contains("(Auto)") == true)
        // Initial sets requests only when a pod is created, and the HPA creates pods.
        #expect(C.detect(hpas: [webHPA], vpas: [webVPA(.initial)]).count == 2)
        #expect(C.detect(hpas: [webHPA], vpas: [webVPA(.inPlaceOrRecreate)]).count == 2)
    }

    @Test func modeOffIsNoConflict() {
        #expect(C.detect(hpas: [webHPA], vpas: [webVPA(.off)]).isEmpty)
        // The container's own policy Off: the VPA does not touch it.
        #expect(C.detect(hpas: [webHPA], vpas: [webVPA(.auto, [VPA.ContainerPolicy(containerName: "meme-web", mode: .off)])]).isEmpty)
    }

    @Test func harmonyMemoryOnlyVPAConflictsOnlyWithAMemoryMetric() {
        // The harmony act: the VPA on memory only. With this repo's HPA (cpu and memory) memory still fights;
        // with a cpu-only HPA nothing does.
        let memoryOnly = webVPA(.auto, [VPA.ContainerPolicy(containerName: "*", controlledResources: [.memory], controlledValues: .requestsOnly)])
        let both = C.detect(hpas: [webHPA], vpas: [memoryOnly])
        #expect(both.map(\.resource) == ["memory"])
        #expect(both[0].message.contains("sets its memory requests:"))
        var cpuOnly = webHPA
        cpuOnly.resourceMetrics = [C.ResourceMetric(.cpu)]
        #expect(C.detect(hpas: [cpuOnly], vpas: [memoryOnly]).isEmpty)
    }

    @Test func containerPoliciesOfRedisVPA() {
        // k8s/base/redis/vpa.yaml: redis cpu+memory RequestsOnly, redis-exporter mode Off.
        let redis = C.Target(kind: "StatefulSet", name: "redis", namespace: "cache")
        let vpa = C.VPAObject(name: "redis", target: redis, updateMode: .recreate, containerPolicies: [
            VPA.ContainerPolicy(containerName: "redis", controlledValues: .requestsOnly),
            VPA.ContainerPolicy(containerName: "redis-exporter", mode: .off),
        ], containers: ["redis", "redis-exporter"])
        let podCPU = C.HPAObject(name: "redis", target: redis, resourceMetrics: [C.ResourceMetric(.cpu)])
        #expect(C.detect(hpas: [podCPU], vpas: [vpa]).map(\.resource) == ["cpu"])
        // A ContainerResource metric on the exporter alone: the VPA leaves that container alone.
        let exporterCPU = C.HPAObject(name: "redis", target: redis, resourceMetrics: [C.ResourceMetric(.cpu, container: "redis-exporter")])
        #expect(C.detect(hpas: [exporterCPU], vpas: [vpa]).isEmpty)
        let redisCPU = C.HPAObject(name: "redis", target: redis, resourceMetrics: [C.ResourceMetric(.cpu, container: "redis")])
        #expect(C.detect(hpas: [redisCPU], vpas: [vpa]).first?.message.contains("cpu utilisation of container redis") == true)
        // Containers not read: the named redis policy still acts on some container.
        var unknown = vpa
        unknown.containers = nil
        #expect(C.detect(hpas: [podCPU], vpas: [unknown]).count == 1)
    }

    @Test func differentWorkloadOrNamespaceIsNoConflict() {
        var other = webVPA(.auto)
        other.target = C.Target(kind: "Deployment", name: "meme-web", namespace: "staging")
        #expect(C.detect(hpas: [webHPA], vpas: [other]).isEmpty)
        other.target = C.Target(kind: "StatefulSet", name: "meme-web", namespace: "meme-generator")
        #expect(C.detect(hpas: [webHPA], vpas: [other]).isEmpty)
        // An HPA on an external metric only (KEDA's) and a VPA on the same workload: different signals.
        let external = C.HPAObject(name: "keda-hpa-meme-worker", target: web, resourceMetrics: [])
        #expect(C.detect(hpas: [external], vpas: [webVPA(.auto)]).isEmpty)
    }

    @Test func secondHPAOnAKEDAScaledDeployment() {
        // conflict-hpa-snippet.txt (GKE, KEDA 2.18): keda-hpa-meme-backend (label scaledobject.keda.sh/name=meme-backend)
        // and the HPA meme-backend (cpu 50 %, memory 80 %), both on Deployment/meme-backend.
        let backend = C.Target(kind: "Deployment", name: "meme-backend", namespace: "meme-generator")
        let kedaHPA = C.HPAObject(name: "keda-hpa-meme-backend", target: backend, resourceMetrics: [], scaledObject: "meme-backend")
        let manual = C.HPAObject(name: "meme-backend", target: backend, resourceMetrics: [C.ResourceMetric(.cpu), C.ResourceMetric(.memory)])
        let so = C.ScaledObjectRef(name: "meme-backend", target: backend)
        let found = C.detect(hpas: [kedaHPA, manual], vpas: [], scaledObjects: [so])
        #expect(found.count == 1)
        #expect(found[0].kind == .twoHPAs)
        #expect(found[0].resource == "replicas")
        #expect(found[0].first == "ScaledObject meme-backend")
        #expect(found[0].second == "HorizontalPodAutoscaler meme-backend")
        #expect(found[0].message == "ScaledObject meme-backend (through HPA keda-hpa-meme-backend) and HPA meme-backend both set the replicas "
            + "of Deployment/meme-backend: each overwrites the other's count at every sync")
        // The KEDA HPA alone (or with its ScaledObject) is one autoscaler, not two.
        #expect(C.detect(hpas: [kedaHPA], vpas: [], scaledObjects: [so]).isEmpty)
        // KEDA's HPA recognised by name when the owner is not known (keda-hpa-<ScaledObject>).
        var unlabelled = kedaHPA
        unlabelled.scaledObject = nil
        #expect(C.detect(hpas: [unlabelled], vpas: [], scaledObjects: [so]).isEmpty)
        // Without the ScaledObject read, its HPA and the manual one are still two HPAs on one Deployment.
        #expect(C.detect(hpas: [kedaHPA, manual], vpas: []).map(\.second) == ["HorizontalPodAutoscaler meme-backend"])
    }

    @Test func kedaHPANameFromStatus() {
        // keda-hpa-prometheus-external-openshift.json: owner ScaledObject test-app-scale-on-worker-role, target Deployment/test-app.
        let app = C.Target(kind: "Deployment", name: "test-app", namespace: "openshift-ingress-operator")
        let custom = C.ScaledObjectRef(name: "test-app-scale-on-worker-role", target: app, hpaName: "custom-hpa")
        let hpa = C.HPAObject(name: "custom-hpa", target: app, resourceMetrics: [])
        #expect(custom.hpa == "custom-hpa")
        #expect(C.detect(hpas: [hpa], vpas: [], scaledObjects: [custom]).isEmpty)
        let other = C.HPAObject(name: "keda-hpa-test-app-scale-on-worker-role", target: app, resourceMetrics: [])
        #expect(C.detect(hpas: [other], vpas: [], scaledObjects: [custom]).count == 1)
    }
}
