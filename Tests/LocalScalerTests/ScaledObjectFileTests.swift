import Autoscaling
import Foundation
import Testing
@testable import LocalScaler

/// The repository root, found from this file's path (Tests/LocalScalerTests/…).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let workerScaledObject = "\(repoRoot)/k8s/base/worker/scaledobject.yaml"

@Suite struct ScaledObjectFileTests {
    @Test func readsTheWorkersRealScaledObject() throws {
        let spec = try ScaledObjectFile.load(path: workerScaledObject)
        #expect(spec.name == "meme-worker")
        #expect(spec.stream == "MEMES")
        #expect(spec.consumer == "meme-generator")
        #expect(spec.account == "$G")
        #expect(spec.parameters == KEDA.Parameters(
            lagThreshold: 5, activationLagThreshold: 0, minReplicaCount: 0, maxReplicaCount: 10, cooldownPeriodSeconds: 60,
            pollingIntervalSeconds: 1, fallback: KEDA.Fallback(failureThreshold: 3, replicas: 2)))
        var documented = KEDA.Parameters.memeWorker
        documented.fallback = spec.parameters.fallback
        #expect(spec.parameters == documented, "KEDA.Parameters.memeWorker follows the file")
        #expect(spec.behavior.scaleDown.stabilizationWindowSeconds == 30)
        // Not in the file: Kubernetes' defaults.
        #expect(spec.behavior.scaleUp == .defaultScaleUp)
        #expect(spec.behavior.scaleDown.policies == HPA.ScalingRules.defaultScaleDown.policies)
    }

    @Test func kedaDefaultsForMissingFields() throws {
        let spec = try ScaledObjectFile.parse(yaml: Self.yaml(spec: "", metadata: ""), file: "so.yaml")
        #expect(spec.parameters == KEDA.Parameters(lagThreshold: 7))
        #expect(spec.parameters.pollingIntervalSeconds == 30)
        #expect(spec.parameters.cooldownPeriodSeconds == 300)
        #expect(spec.parameters.maxReplicaCount == 100)
        #expect(spec.behavior == HPA.Behavior())
    }

    @Test func readsTheHPABehaviour() throws {
        let spec = try ScaledObjectFile.parse(yaml: Self.yaml(spec: """
              advanced:
                horizontalPodAutoscalerConfig:
                  behavior:
                    scaleUp:
                      stabilizationWindowSeconds: 10
                      selectPolicy: Min
                      policies:
                        - type: Pods
                          value: 2
                          periodSeconds: 30
                    scaleDown:
                      selectPolicy: Disabled

            """, metadata: ""), file: "so.yaml")
        #expect(spec.behavior.scaleUp == HPA.ScalingRules(stabilizationWindowSeconds: 10, selectPolicy: .min,
                                                          policies: [HPA.ScalingPolicy(kind: .pods, value: 2, periodSeconds: 30)]))
        #expect(spec.behavior.scaleDown.selectPolicy == .disabled)
        #expect(spec.behavior.scaleDown.stabilizationWindowSeconds == 300)
    }

    @Test(arguments: [
        ("  maxReplicaCount: ten\n", "", "so.yaml: spec.maxReplicaCount must be a whole number, got 'ten' (line 8)"),
        ("  minReplicaCount: -1\n", "", "so.yaml: spec.minReplicaCount must be ≥ 0, got -1 (line 8)"),
        ("  minReplicaCount: 5\n  maxReplicaCount: 2\n", "", "so.yaml: spec.minReplicaCount (5) is above spec.maxReplicaCount (2) (line 8)"),
        ("  pollingInterval: [1]\n", "", "so.yaml: spec.pollingInterval must be a whole number, got a list (line 8)"),
        ("", "        activationLagThreshold: \"many\"\n", "so.yaml: spec.triggers[0].metadata.activationLagThreshold must be a whole number, got 'many' (line 14)"),
        ("  fallback:\n    replicas: 2\n", "", "so.yaml: spec.fallback needs failureThreshold and replicas (line 9)"),
        ("  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleDown:\n          policies:\n            - type: Pod\n              value: 1\n              periodSeconds: 1\n", "",
         "so.yaml: spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies[0].type must be Pods or Percent (line 13)"),
    ])
    func badFieldsNameFileFieldAndLine(spec: String, metadata: String, message: String) {
        #expect(throws: LocalScalerError(message)) { try ScaledObjectFile.parse(yaml: Self.yaml(spec: spec, metadata: metadata), file: "so.yaml") }
    }

    @Test func badDocuments() {
        #expect(throws: LocalScalerError("so.yaml: kind must be ScaledObject, got 'Deployment' (line 2)")) {
            try ScaledObjectFile.parse(yaml: "apiVersion: apps/v1\nkind: Deployment\nspec: {}\n", file: "so.yaml")
        }
        #expect(throws: LocalScalerError("so.yaml: spec.triggers has no trigger of type nats-jetstream (line 4)")) {
            try ScaledObjectFile.parse(yaml: "kind: ScaledObject\nspec:\n  triggers:\n    - type: cpu\n", file: "so.yaml")
        }
        // Without lagThreshold KEDA's nats-jetstream scaler uses 10 (KEDA.Defaults), as the cluster readers do.
        let bare = try? ScaledObjectFile.parse(yaml: "kind: ScaledObject\nspec:\n  triggers:\n    - type: nats-jetstream\n      metadata:\n        stream: S\n        consumer: C\n", file: "so.yaml")
        #expect(bare?.parameters == KEDA.Parameters(lagThreshold: KEDA.Defaults.lagThreshold))
        #expect(throws: LocalScalerError("so.yaml: the file is empty")) { try ScaledObjectFile.parse(yaml: "", file: "so.yaml") }
        #expect((try? ScaledObjectFile.parse(yaml: "kind: [unclosed", file: "so.yaml")) == nil)
        do {
            _ = try ScaledObjectFile.load(path: "/nonexistent/so.yaml")
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("/nonexistent/so.yaml: cannot read the ScaledObject"))
        }
    }

    @Test func flagsOverrideTheFile() throws {
        let file = try ScaledObjectFile.load(path: workerScaledObject)
        let spec = try ScalerOverrides(minReplicaCount: 1, maxReplicaCount: 4, lagThreshold: 10, activationLagThreshold: 0,
                                       pollingIntervalSeconds: 1, cooldownPeriodSeconds: 3, scaleDownStabilizationSeconds: 0).apply(to: file)
        #expect(spec.parameters == KEDA.Parameters(
            lagThreshold: 10, activationLagThreshold: 0, minReplicaCount: 1, maxReplicaCount: 4, cooldownPeriodSeconds: 3,
            pollingIntervalSeconds: 1, fallback: file.parameters.fallback))
        #expect(spec.behavior.scaleDown.stabilizationWindowSeconds == 0)
        #expect(try ScalerOverrides().apply(to: file) == file)
        #expect(throws: LocalScalerError("--polling-interval must be ≥ 1, got 0")) { try ScalerOverrides(pollingIntervalSeconds: 0).apply(to: file) }
        #expect(throws: LocalScalerError("minReplicaCount 11 is above maxReplicaCount 10 (check --min-replica-count / --max-replica-count)")) {
            try ScalerOverrides(minReplicaCount: 11).apply(to: file)
        }
    }

    /// A ScaledObject with extra lines in spec (2-space indented) and in the trigger metadata (8 spaces).
    static func yaml(spec: String, metadata: String) -> String {
        """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: test
        spec:
          scaleTargetRef:
            name: meme-worker

        """ + spec + """
          triggers:
            - type: nats-jetstream
              metadata:
                stream: MEMES
                consumer: meme-generator
                lagThreshold: "7"

        """ + metadata
    }
}
