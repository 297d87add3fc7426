import Autoscaling
import Foundation
import Testing
@testable import LocalScaler

/// The stand-ins read the repository's real manifests (k8s/base, found from this file's path: `repoRoot`
/// in ScaledObjectFileTests.swift) and refuse broken ones with the file, field path and line.
@Suite struct AutoscalerManifestsTests {
    let web = "\(repoRoot)/k8s/base/web"
    let redis = "\(repoRoot)/k8s/base/redis"

    // MARK: The real files

    @Test func memeWebHPA() throws {
        let hpa = try AutoscalerManifests.loadHPA(path: "\(web)/hpa.yaml")
        #expect(hpa.name == "meme-web")
        #expect(hpa.targetKind == "Deployment" && hpa.targetName == "meme-web")
        #expect(hpa.minReplicas == 1 && hpa.maxReplicas == 5)
        #expect(hpa.metrics == [.init(resource: .cpu, averageUtilization: 30), .init(resource: .memory, averageUtilization: 50)])
        #expect(hpa.behavior == HPA.Behavior(
            scaleUp: .init(stabilizationWindowSeconds: 0, selectPolicy: .max,
                           policies: [.init(kind: .percent, value: 100, periodSeconds: 15), .init(kind: .pods, value: 2, periodSeconds: 15)]),
            scaleDown: .init(stabilizationWindowSeconds: 300, selectPolicy: .max, policies: [.init(kind: .percent, value: 50, periodSeconds: 60)])))
        #expect(hpa.tolerance == 0.1)
        let readings = hpa.readings(utilization: [.cpu: 93, .memory: nil])
        #expect(readings == [.init(name: "cpu", target: .utilization(percent: 30), current: 93),
                             .init(name: "memory", target: .utilization(percent: 50), current: nil)])
    }

    @Test func utilizationAsTheControllerComputesIt() {
        // docs/auto-scaling.md worked example: two pods at 9m and 12m of a 10m request, 40Mi and 44Mi of 64Mi.
        #expect(HPAManifest.utilization(usages: [9, 12], requestPerPod: 10) == 105)
        #expect(HPAManifest.utilization(usages: [40 << 20, 44 << 20], requestPerPod: 64 << 20) == 65, "65.6 truncated")
        #expect(HPAManifest.utilization(usages: [], requestPerPod: 10) == nil)
        #expect(HPAManifest.utilization(usages: [5], requestPerPod: 0) == nil)
    }

    @Test func redisVPA() throws {
        let vpa = try AutoscalerManifests.loadVPA(path: "\(redis)/vpa.yaml", container: "redis")
        #expect(vpa.name == "redis")
        #expect(vpa.targetKind == "StatefulSet" && vpa.targetName == "redis")
        #expect(vpa.updateMode == .recreate)
        #expect(vpa.minReplicas == 1)
        #expect(vpa.containerPolicy == VPA.ContainerPolicy(
            containerName: "redis", mode: .auto, controlledResources: [.cpu, .memory], controlledValues: .requestsOnly,
            minAllowed: .init(cpuMillis: 100, memoryBytes: 512 << 20), maxAllowed: .init(cpuMillis: 1000, memoryBytes: 1 << 30)))
        #expect(vpa.memoryAggregationIntervalSeconds == nil)
        // The exporter sidecar is Off; a container the VPA does not name gets the CRD's defaults.
        #expect(try AutoscalerManifests.loadVPA(path: "\(redis)/vpa.yaml", container: "redis-exporter").containerPolicy.mode == .off)
        #expect(try AutoscalerManifests.loadVPA(path: "\(redis)/vpa.yaml", container: "other").containerPolicy == VPA.ContainerPolicy(containerName: "other"))
    }

    @Test func workloads() throws {
        let webContainer = try AutoscalerManifests.loadWorkload(path: "\(web)/deployment.yaml", container: "meme-web")
        #expect(webContainer.workloadKind == "Deployment" && webContainer.workloadName == "meme-web")
        #expect(webContainer.requests == VPA.Amounts(cpuMillis: 10, memoryBytes: 64 << 20))
        #expect(webContainer.limits == VPA.Amounts(cpuMillis: 100, memoryBytes: 128 << 20))
        #expect(webContainer.redisMaxmemoryBytes == nil)
        let redisContainer = try AutoscalerManifests.loadWorkload(path: "\(redis)/statefulset.yaml", container: "redis")
        #expect(redisContainer.workloadKind == "StatefulSet" && redisContainer.workloadName == "redis")
        #expect(redisContainer.requests == VPA.Amounts(cpuMillis: 100, memoryBytes: 512 << 20))
        #expect(redisContainer.limits == VPA.Amounts(cpuMillis: 1000, memoryBytes: 1 << 30))
        #expect(redisContainer.redisMaxmemoryBytes == 400 << 20, "400mb in Redis units is 400 × 1024²")
        #expect(redisContainer.args.contains("allkeys-lru"))
        let exporter = try AutoscalerManifests.loadWorkload(path: "\(redis)/statefulset.yaml", container: "redis-exporter")
        #expect(exporter.requests == VPA.Amounts(cpuMillis: 10, memoryBytes: 32 << 20))
    }

    @Test func redisMemoryUnits() {
        #expect(AutoscalerManifests.redisBytes("400mb") == 419_430_400)
        #expect(AutoscalerManifests.redisBytes("400MB") == 419_430_400)
        #expect(AutoscalerManifests.redisBytes("400m") == 400_000_000)
        #expect(AutoscalerManifests.redisBytes("1gb") == 1 << 30)
        #expect(AutoscalerManifests.redisBytes("1k") == 1000)
        #expect(AutoscalerManifests.redisBytes("1024") == 1024)
        #expect(AutoscalerManifests.redisBytes("lots") == nil)
        #expect(AutoscalerManifests.redisBytes("1tb") == nil)
        #expect(AutoscalerManifests.redisBytes("") == nil)
    }

    // MARK: Defaults

    @Test func hpaDefaults() throws {
        // No metrics: 80 % CPU; no minReplicas: 1; no behaviour: the Kubernetes defaults.
        let hpa = try AutoscalerManifests.parseHPA(yaml: Self.hpa(""), file: "hpa.yaml")
        #expect(hpa.metrics == [.init(resource: .cpu, averageUtilization: 80)])
        #expect(hpa.minReplicas == 1)
        #expect(hpa.behavior == HPA.Behavior())
        // A partial behaviour is merged with the defaults; one tolerance for both directions.
        let partial = try AutoscalerManifests.parseHPA(yaml: Self.hpa("""
              behavior:
                scaleDown:
                  stabilizationWindowSeconds: 60
                  tolerance: 0.05
                scaleUp:
                  tolerance: 50m

            """), file: "hpa.yaml")
        #expect(partial.behavior.scaleDown == .init(stabilizationWindowSeconds: 60, policies: HPA.ScalingRules.defaultScaleDown.policies))
        #expect(partial.behavior.scaleUp == .defaultScaleUp)
        #expect(partial.tolerance == 0.05)
    }

    @Test func vpaDefaults() throws {
        let yaml = """
            apiVersion: autoscaling.k8s.io/v1
            kind: VerticalPodAutoscaler
            metadata:
              name: v
            spec:
              targetRef:
                kind: StatefulSet
                name: redis
              resourcePolicy:
                containerPolicies:
                  - containerName: "*"
                    controlledResources: [memory]
                    memoryAggregationIntervalSeconds: 60

            """
        let vpa = try AutoscalerManifests.parseVPA(yaml: yaml, file: "vpa.yaml", container: "redis")
        #expect(vpa.updateMode == .recreate, "the CRD's default")
        #expect(vpa.minReplicas == nil)
        #expect(vpa.containerPolicy == VPA.ContainerPolicy(containerName: "redis", controlledResources: [.memory]))
        #expect(vpa.memoryAggregationIntervalSeconds == 60)
    }

    // MARK: Broken inputs

    @Test(arguments: [
        ("  minReplicas: 0\n", "hpa.yaml: spec.minReplicas must be ≥ 1, got 0 (line 10)"),
        ("  minReplicas: 5\n", "hpa.yaml: spec.minReplicas (5) is above spec.maxReplicas (4) (line 10)"),
        ("  metrics:\n    - type: Pods\n      pods: {}\n", "hpa.yaml: spec.metrics[0].type is Pods; the local stand-in measures only Resource metrics (cpu, memory) of its own processes (line 11)"),
        ("  metrics:\n    - type: Resource\n      resource:\n        name: ephemeral-storage\n        target: {type: Utilization, averageUtilization: 50}\n",
         "hpa.yaml: spec.metrics[0].resource.name is ephemeral-storage; the local stand-in measures cpu and memory only (line 13)"),
        ("  metrics:\n    - type: Resource\n      resource:\n        name: memory\n        target:\n          type: AverageValue\n          averageValue: 32Mi\n",
         "hpa.yaml: spec.metrics[0].resource.target.type is AverageValue; the local stand-in supports Utilization targets (percent of the request) only (line 15)"),
        ("  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        target:\n          type: Utilization\n",
         "hpa.yaml: spec.metrics[0].resource.target.averageUtilization is missing (a Utilization target needs it) (line 15)"),
        ("  metrics:\n    - type: Resource\n      resource: {name: cpu, target: {type: Utilization, averageUtilization: 30}}\n    - type: Resource\n      resource: {name: cpu, target: {type: Utilization, averageUtilization: 40}}\n",
         "hpa.yaml: spec.metrics lists cpu twice (line 11)"),
        ("  behavior:\n    scaleDown:\n      policies:\n        - type: Percent\n          value: 10\n          periodSeconds: 3600\n",
         "hpa.yaml: spec.behavior.scaleDown.policies[0].periodSeconds must be ≤ 1800, got 3600 (line 15)"),
        ("  behavior:\n    scaleUp:\n      stabilizationWindowSeconds: soon\n",
         "hpa.yaml: spec.behavior.scaleUp.stabilizationWindowSeconds must be a whole number, got 'soon' (line 12)"),
        ("  behavior:\n    scaleUp:\n      tolerance: 0.05\n",
         "hpa.yaml: spec.behavior.scaleUp.tolerance (0.05) differs from spec.behavior.scaleDown.tolerance (0.1); the local stand-in applies one tolerance to both directions (line 11)"),
        ("  behavior:\n    scaleUp:\n      tolerance: little\n",
         "hpa.yaml: spec.behavior.scaleUp.tolerance must be a non-negative quantity such as 0.05 or 50m, got 'little' (line 12)"),
    ])
    func brokenHPA(spec: String, message: String) {
        #expect(throws: LocalScalerError(message)) { try AutoscalerManifests.parseHPA(yaml: Self.hpa(spec), file: "hpa.yaml") }
    }

    @Test func brokenHPADocuments() {
        #expect(throws: LocalScalerError("hpa.yaml: apiVersion must be autoscaling/v2, got 'autoscaling/v1' (line 1)")) {
            try AutoscalerManifests.parseHPA(yaml: Self.hpa("").replacingOccurrences(of: "autoscaling/v2", with: "autoscaling/v1"), file: "hpa.yaml")
        }
        #expect(throws: LocalScalerError("hpa.yaml: spec.maxReplicas is missing (the API requires it) (line 6)")) {
            try AutoscalerManifests.parseHPA(yaml: Self.hpa("").replacingOccurrences(of: "  maxReplicas: 4\n", with: ""), file: "hpa.yaml")
        }
        #expect(throws: LocalScalerError("hpa.yaml: kind must be HorizontalPodAutoscaler, got 'Deployment' (line 2)")) {
            try AutoscalerManifests.parseHPA(yaml: "apiVersion: apps/v1\nkind: Deployment\n", file: "hpa.yaml")
        }
        #expect(throws: LocalScalerError("hpa.yaml: spec.scaleTargetRef is missing (line 5)")) {
            try AutoscalerManifests.parseHPA(yaml: "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\nspec:\n  maxReplicas: 2\n", file: "hpa.yaml")
        }
        #expect(throws: LocalScalerError("hpa.yaml: the file is empty")) { try AutoscalerManifests.parseHPA(yaml: "", file: "hpa.yaml") }
        #expect((try? AutoscalerManifests.parseHPA(yaml: "kind: [unclosed", file: "hpa.yaml")) == nil)
        do {
            _ = try AutoscalerManifests.loadHPA(path: "/nonexistent/hpa.yaml")
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("/nonexistent/hpa.yaml: cannot read the HorizontalPodAutoscaler"))
        }
    }

    @Test(arguments: [
        ("    updateMode: InPlace\n", "",
         "vpa.yaml: spec.updatePolicy.updateMode is 'InPlace'; the local stand-in knows Off, Initial, Recreate, InPlaceOrRecreate and Auto (line 10)"),
        ("    minReplicas: 0\n", "", "vpa.yaml: spec.updatePolicy.minReplicas must be ≥ 1, got 0 (line 10)"),
        ("", "        mode: Sometimes\n", "vpa.yaml: spec.resourcePolicy.containerPolicies[0].mode must be Auto or Off, got 'Sometimes' (line 13)"),
        ("", "        controlledResources: [cpu, nvidia.com/gpu]\n",
         "vpa.yaml: spec.resourcePolicy.containerPolicies[0].controlledResources[1] is 'nvidia.com/gpu'; the local stand-in recommends cpu and memory only (line 13)"),
        ("", "        controlledValues: LimitsOnly\n",
         "vpa.yaml: spec.resourcePolicy.containerPolicies[0].controlledValues must be RequestsAndLimits or RequestsOnly, got 'LimitsOnly' (line 13)"),
        ("", "        minAllowed:\n          memory: lots\n",
         "vpa.yaml: spec.resourcePolicy.containerPolicies[0].minAllowed.memory is not a quantity: invalid quantity \"lots\": expected a number such as 100m, 1.5 or 2Gi (line 14)"),
        ("", "        minAllowed: {memory: 2Gi}\n        maxAllowed: {memory: 1Gi}\n",
         "vpa.yaml: spec.resourcePolicy.containerPolicies[0].minAllowed.memory (2Gi) is above spec.resourcePolicy.containerPolicies[0].maxAllowed.memory (1Gi) (line 13)"),
        ("", "        maxAllowed: {ephemeral-storage: 1Gi}\n",
         "vpa.yaml: spec.resourcePolicy.containerPolicies[0].maxAllowed.ephemeral-storage is not supported by the local stand-ins (cpu and memory only) (line 13)"),
    ])
    func brokenVPA(updatePolicy: String, containerPolicy: String, message: String) {
        let yaml = """
            apiVersion: autoscaling.k8s.io/v1
            kind: VerticalPodAutoscaler
            metadata:
              name: redis
            spec:
              targetRef:
                kind: StatefulSet
                name: redis
              updatePolicy:

            """ + updatePolicy + """
              resourcePolicy:
                containerPolicies:
                  - containerName: redis

            """ + containerPolicy
        #expect(throws: LocalScalerError(message)) { try AutoscalerManifests.parseVPA(yaml: yaml, file: "vpa.yaml", container: "redis") }
    }

    @Test(arguments: [
        ("redis", "          resources:\n            requests:\n              cpu: fast\n",
         "sts.yaml: spec.template.spec.containers[0].resources.requests.cpu is not a quantity: invalid quantity \"fast\": expected a number such as 100m, 1.5 or 2Gi (line 12)"),
        ("redis", "          resources:\n            limits:\n              memory: -1Gi\n",
         "sts.yaml: spec.template.spec.containers[0].resources.limits.memory must not be negative, got -1Gi (line 12)"),
        ("redis", "          args: [\"--maxmemory\", \"huge\"]\n",
         "sts.yaml: spec.template.spec.containers[0].args[1] must give --maxmemory a size such as 400mb, 1gb or 419430400, got 'huge' (line 10)"),
        ("redis", "          args: [\"--maxmemory\"]\n",
         "sts.yaml: spec.template.spec.containers[0].args[1] must give --maxmemory a size such as 400mb, 1gb or 419430400, got nothing (line 10)"),
        ("cache", "", "sts.yaml: spec.template.spec.containers has no container named cache (found: redis) (line 9)"),
    ])
    func brokenWorkload(container: String, extra: String, message: String) {
        let yaml = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: redis
            spec:
              template:
                spec:
                  containers:
                    - name: redis

            """ + extra
        #expect(throws: LocalScalerError(message)) { try AutoscalerManifests.parseWorkload(yaml: yaml, file: "sts.yaml", container: container) }
        #expect(throws: LocalScalerError("job.yaml: kind must be Deployment or StatefulSet, got 'Job' (line 2)")) {
            try AutoscalerManifests.parseWorkload(yaml: "apiVersion: batch/v1\nkind: Job\n", file: "job.yaml", container: "x")
        }
    }

    /// An HPA with extra 2-space-indented lines in spec, from line 10.
    static func hpa(_ spec: String) -> String {
        """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
        spec:
          scaleTargetRef:
            kind: Deployment
            name: meme-web
          maxReplicas: 4

        """ + spec
    }
}
