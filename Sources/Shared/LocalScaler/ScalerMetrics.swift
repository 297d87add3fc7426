import Autoscaling
import Prometheus
import Synchronization

/// The local scaler's /metrics, read by meme-console in local mode instead of the Kubernetes API.
/// Every metric has HELP (`promtool check metrics` requires it).
public final class ScalerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let replicas: Gauge
    let desiredReplicas: Gauge
    let lag: Gauge
    let active: Gauge
    let consecutiveFailures: Gauge
    let childRestarts: Counter
    let terminating: Gauge
    let lastActive: Gauge
    private let decision = Mutex<(reason: String, gauge: Gauge)?>(nil)

    static let decisionName = "meme_local_scaler_decision_info"
    static let decisionHelp = "Always 1; the reason label holds the last scaling decision in words."

    public init(parameters p: KEDA.Parameters, behavior: HPA.Behavior, workload: String = "worker",
                registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let w = [("workload", workload)]
        replicas = registry.makeGauge(descriptor: .named("meme_local_scaler_replicas", help: "Worker processes running now (not counting ones draining after a scale-down)."), labels: w)
        desiredReplicas = registry.makeGauge(descriptor: .named("meme_local_scaler_desired_replicas", help: "Replicas the last KEDA + HPA decision asked for."), labels: w)
        lag = registry.makeGauge(descriptor: .named("meme_local_scaler_lag", help: "Consumer lag KEDA sees: num_pending + num_ack_pending (last successful read)."))
        active = registry.makeGauge(descriptor: .named("meme_local_scaler_active", help: "1 when lag > activationLagThreshold (KEDA's scaler is active), else 0."))
        consecutiveFailures = registry.makeGauge(descriptor: .named("meme_local_scaler_consecutive_failures", help: "Lag reads that failed in a row (fallback applies at the ScaledObject's failureThreshold)."))
        childRestarts = registry.makeCounter(descriptor: .named("meme_local_scaler_child_restarts_total", help: "Worker processes restarted after exiting without being asked."))
        terminating = registry.makeGauge(descriptor: .named("meme_local_scaler_terminating", help: "Worker processes told to stop (SIGTERM) and still draining."))
        lastActive = registry.makeGauge(descriptor: .named("meme_local_scaler_last_active_timestamp_seconds", help: "Unix time the scaler was last active (0 = never); scale to zero comes cooldownPeriod after it."))
        registry.makeGauge(descriptor: .named("meme_local_scaler_lag_threshold", help: "lagThreshold: target lag per replica.")).set(Double(p.lagThreshold))
        registry.makeGauge(descriptor: .named("meme_local_scaler_activation_lag_threshold", help: "activationLagThreshold: lag above which the scaler is active.")).set(Double(p.activationLagThreshold))
        registry.makeGauge(descriptor: .named("meme_local_scaler_min_replicas", help: "minReplicaCount.")).set(Double(p.minReplicaCount))
        registry.makeGauge(descriptor: .named("meme_local_scaler_max_replicas", help: "maxReplicaCount.")).set(Double(p.maxReplicaCount))
        registry.makeGauge(descriptor: .named("meme_local_scaler_polling_interval_seconds", help: "pollingInterval: seconds between lag reads.")).set(Double(p.pollingIntervalSeconds))
        registry.makeGauge(descriptor: .named("meme_local_scaler_cooldown_period_seconds", help: "cooldownPeriod: inactive seconds before scaling to zero.")).set(Double(p.cooldownPeriodSeconds))
        registry.makeGauge(descriptor: .named("meme_local_scaler_scale_down_stabilization_seconds", help: "HPA scale-down stabilisation window."))
            .set(Double(behavior.scaleDown.stabilizationWindowSeconds))
        setDecision("starting")
    }

    /// Replaces the single decision_info series.
    func setDecision(_ reason: String) {
        decision.withLock { current in
            if current?.reason == reason { return }
            if let old = current?.gauge { registry.unregisterGauge(old) }
            let gauge = registry.makeGauge(descriptor: .named(Self.decisionName, help: Self.decisionHelp), labels: [("reason", reason)])
            gauge.set(1.0)
            current = (reason, gauge)
        }
    }

    public func render() -> String { registry.emitToString() }
}

extension MetricNameDescriptor {
    /// A full metric name with HELP text (the names are fixed: the console reads them).
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
