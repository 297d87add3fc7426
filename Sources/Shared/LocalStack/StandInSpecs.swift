import Autoscaling
import LocalScaler

/// The three stand-ins' specs, read from the same Kubernetes objects the cluster applies
/// (k8s/base), so the local demo and the cluster scale by the same numbers.
public struct StandInSpecs: Sendable {
    public var keda: ScaledObjectSpec
    public var hpa: HPAStandInSpec
    public var vpa: VPAStandInSpec

    public init(keda: ScaledObjectSpec, hpa: HPAStandInSpec, vpa: VPAStandInSpec) {
        self.keda = keda
        self.hpa = hpa
        self.vpa = vpa
    }

    /// The objects' paths under `manifests` (k8s/base).
    public enum File {
        public static let scaledObject = "worker/scaledobject.yaml"
        public static let hpa = "web/hpa.yaml"
        public static let webDeployment = "web/deployment.yaml"
        public static let vpa = "redis/vpa.yaml"
        public static let redisStatefulSet = "redis/statefulset.yaml"
        /// The conflict act's web VPA, next to the base: k8s/components/act-conflict.
        public static let webVPA = "../components/act-conflict/web-vpa.yaml"
    }

    /// The conflict act's VPA stand-in on meme-web, from the object the cluster gets
    /// (k8s/components/act-conflict/web-vpa.yaml) and the Deployment's requests and limits.
    public static func loadWebVPA(manifests: String, tuning: StandInTuning) throws -> VPAStandInSpec {
        let hpaObject = try AutoscalerManifests.loadHPA(path: "\(manifests)/\(File.hpa)")
        let object = try AutoscalerManifests.loadVPA(path: "\(manifests)/\(File.webVPA)", container: hpaObject.targetName)
        let web = try AutoscalerManifests.loadWorkload(path: "\(manifests)/\(File.webDeployment)", container: hpaObject.targetName)
        guard object.targetName == hpaObject.targetName else {
            throw StackError("\(manifests)/\(File.webVPA): spec.targetRef.name is \(object.targetName), the HPA scales \(hpaObject.targetName)")
        }
        return VPAStandInSpec(
            name: object.name, workload: "web", updateMode: object.updateMode, policy: object.containerPolicy,
            requests: web.requests, limits: web.limits, maxMemoryFraction: 0, sampleIntervalSeconds: tuning.vpaSampleIntervalSeconds,
            halfLifeSeconds: tuning.actVPAHalfLifeSeconds, updateIntervalSeconds: tuning.actVPAUpdateIntervalSeconds)
    }

    /// Reads every object; errors name the file and field. `overrides` are the KEDA flags.
    public static func load(manifests: String, tuning: StandInTuning, overrides: ScalerOverrides = ScalerOverrides()) throws -> StandInSpecs {
        let keda = try overrides.apply(to: ScaledObjectFile.load(path: "\(manifests)/\(File.scaledObject)"))
        let hpaObject = try AutoscalerManifests.loadHPA(path: "\(manifests)/\(File.hpa)")
        let web = try AutoscalerManifests.loadWorkload(path: "\(manifests)/\(File.webDeployment)", container: hpaObject.targetName)
        var behavior = hpaObject.behavior
        if let window = tuning.hpaScaleDownStabilizationSeconds { behavior.scaleDown.stabilizationWindowSeconds = window }
        let hpa = HPAStandInSpec(
            name: hpaObject.name, minReplicas: hpaObject.minReplicas, maxReplicas: min(hpaObject.maxReplicas, StackSettings.maxProcesses),
            cpuTargetUtilization: hpaObject.metrics.first { $0.resource == .cpu }?.averageUtilization,
            memoryTargetUtilization: hpaObject.metrics.first { $0.resource == .memory }?.averageUtilization,
            behavior: behavior, requests: web.requests, syncPeriodSeconds: tuning.hpaSyncPeriodSeconds, tolerance: hpaObject.tolerance,
            initialReadinessDelaySeconds: tuning.hpaInitialReadinessDelaySeconds)
        let vpaObject = try AutoscalerManifests.loadVPA(path: "\(manifests)/\(File.vpa)", container: "redis")
        var updateMode = vpaObject.updateMode
        if let text = tuning.vpaUpdateMode {
            guard let mode = VPA.UpdateMode(rawValue: text) else {
                throw StackError("--vpa-mode must be Off, Initial, Recreate, InPlaceOrRecreate or Auto, got '\(text)'")
            }
            updateMode = mode
        }
        let redis = try AutoscalerManifests.loadWorkload(path: "\(manifests)/\(File.redisStatefulSet)", container: "redis")
        guard let memory = redis.requests.memoryBytes, memory > 0 else {
            throw StackError("\(manifests)/\(File.redisStatefulSet): container redis has no memory request")
        }
        let fraction = redis.redisMaxmemoryBytes.map { Double($0) / Double(memory) } ?? 0.75
        let vpa = VPAStandInSpec(
            name: vpaObject.name, workload: "redis", updateMode: updateMode, policy: vpaObject.containerPolicy,
            requests: redis.requests, limits: redis.limits, maxMemoryFraction: fraction,
            sampleIntervalSeconds: tuning.vpaSampleIntervalSeconds, halfLifeSeconds: tuning.vpaHalfLifeSeconds,
            updateIntervalSeconds: tuning.vpaUpdateIntervalSeconds)
        guard keda.parameters.maxReplicaCount <= StackSettings.maxProcesses else {
            throw StackError("\(manifests)/\(File.scaledObject): maxReplicaCount \(keda.parameters.maxReplicaCount) is more than the "
                + "\(StackSettings.maxProcesses) worker processes the local stack has ports for (--max-replica-count lowers it)")
        }
        return StandInSpecs(keda: keda, hpa: hpa, vpa: vpa)
    }
}
