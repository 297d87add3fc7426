// Snapshots used by the tests: a busy cluster scaling up, every source failing, a quiet local run.
@testable import ConsoleUI

enum Samples {
    static let busy = ConsoleSnapshot(
        sources: SourceStatuses(
            nats: .ok,
            prometheus: SourceStatus(state: .stale, error: "timeout after 2 s", ageSeconds: 12),
            kubernetes: .ok
        ),
        mode: .cluster,
        workloads: [
            Workload(name: "web", kind: "Deployment", replicas: 4, ready: 4, desired: 4,
                     history: [2, 2, 2, 3, 3, 4, 4, 4]),
            Workload(name: "worker", kind: "Deployment", replicas: 12, ready: 9, desired: 20,
                     history: [0, 0, 1, 1, 3, 6, 6, 12, 12]),
            Workload(name: "redis", kind: "StatefulSet", replicas: 1, ready: 1, desired: 1,
                     history: [1, 1, 1, 1, 1, 1]),
        ],
        queue: QueueStats(stream: "MEMES", consumer: "meme-generator", pending: 1180, ackPending: 24,
                          redelivered: 3, lag: 1204, lagThreshold: 10, ageSeconds: 0.3),
        autoscalers: Autoscalers(
            hpa: [
                HPAStatus(
                    name: "meme-web", targetRef: "Deployment/meme-web", min: 2, max: 4, current: 4, desired: 4,
                    metrics: [
                        HPAMetric(name: "cpu", current: 85, target: 70, kind: "Utilization", replicas: 5,
                                  explanation: "ceil(4 × 85/70) = 5"),
                        HPAMetric(name: "memory", current: 201_326_592, target: 268_435_456, kind: "AverageValue",
                                  replicas: 3, explanation: "ceil(4 × 192Mi/256Mi) = 3"),
                    ],
                    conditions: [
                        HPACondition(type: "AbleToScale", status: "True", reason: "ReadyForNewScale",
                                     message: "recommended size matches current size"),
                        HPACondition(type: "ScalingActive", status: "True", reason: "ValidMetricFound",
                                     message: "the HPA was able to compute the replica count"),
                        HPACondition(type: "ScalingLimited", status: "True", reason: "TooManyReplicas",
                                     message: "the desired replica count is more than the maximum"),
                    ],
                    lastScaleTime: "2026-11-28T23:41:07Z"
                )
            ],
            keda: [
                KEDAStatus(name: "meme-worker", targetRef: "Deployment/meme-worker", active: true, lag: 1204,
                           lagThreshold: 10, activationThreshold: 1, min: 0, max: 20, desired: 20,
                           fallback: KEDAFallback(failureThreshold: 3, replicas: 2), cooldownPeriodSeconds: 30,
                           source: "nats", ageSeconds: 0.3,
                           explanation: "lag 1204 > activation 1: active; ceil(1204 / 10) → 20 replicas (maxReplicaCount 20)")
            ],
            vpa: [
                VPAStatus(name: "redis-vpa", targetRef: "StatefulSet/redis", updateMode: "Off", containers: [
                    VPAContainer(
                        name: "redis",
                        target: Resources(cpuMillicores: 120, memoryBytes: 268_435_456),
                        lowerBound: Resources(cpuMillicores: 60, memoryBytes: 201_326_592),
                        upperBound: Resources(cpuMillicores: 400, memoryBytes: 536_870_912),
                        uncappedTarget: Resources(cpuMillicores: 120, memoryBytes: 268_435_456),
                        requests: Resources(cpuMillicores: 100, memoryBytes: 134_217_728),
                        verdict: "memory request below lower bound"
                    )
                ])
            ]
        ),
        throughput: Throughput(completedPerSecond: 38.4, errorsPerSecond: 0.2, p50Seconds: 0.84, p95Seconds: 2.6,
                               submittedPerSecond: 52),
        answers: AnswerRates(windowSeconds: 10, answered: 412, errors: 2, perSecond: 41.2, errorsPerSecond: 0.2,
                             p50Seconds: 3.2, p95Seconds: 7.9),
        load: LoadStats(sent: 1500, acked: 1500, answered: 310, errors: 2, inFlight: 1188, p50Milliseconds: 910,
                        p95Milliseconds: 2750, sustainedRate: 20, burstSize: 500),
        recent: [
            RecentMeme(id: "m-301", prompt: "one does not simply scale to zero", latencyMilliseconds: 812, ok: true),
            RecentMeme(id: "m-302", prompt: "cat in a hat", ok: false, error: "timeout"),
            RecentMeme(id: "m-303", prompt: "this is fine (the queue is on fire)", latencyMilliseconds: 1430, ok: true),
        ],
        events: [
            ScalingEvent(time: "2026-11-28T23:40:12Z", kind: "keda", message: "worker 0 → 3 (lag 37 > 1)"),
            ScalingEvent(time: "2026-11-28T23:40:42Z", kind: "keda", message: "worker 3 → 12 (lag 611)"),
            ScalingEvent(time: "2026-11-28T23:41:07Z", kind: "hpa", message: "web 3 → 4 (cpu 85% > 70%)"),
            ScalingEvent(time: "2026-11-28T23:41:30Z", kind: "warning", message: "web HPA at max 4"),
        ],
        paused: false,
        notice: "burst of 500 sent"
    )

    static let allDown = ConsoleSnapshot(
        sources: SourceStatuses(
            nats: SourceStatus(state: .down, error: "connection refused (127.0.0.1:4222)"),
            prometheus: SourceStatus(state: .stale, ageSeconds: 12),
            kubernetes: SourceStatus(state: .down, error: "RBAC: cannot list hpa")
        ),
        mode: .cluster
    )

    /// Local mode, paused: the stand-in's /status says one worker is draining the last messages.
    static let local = ConsoleSnapshot(
        sources: SourceStatuses(nats: .ok, prometheus: .ok, kubernetes: .disabled, standIn: .ok),
        mode: .local,
        workloads: [
            Workload(name: "worker", kind: "Process", replicas: 0, ready: 0, desired: 0, history: [0, 1, 2, 1, 0]),
        ],
        queue: QueueStats(stream: "MEMES", consumer: "meme-generator", pending: 0, ackPending: 0, redelivered: 0,
                          lag: 0, lagThreshold: 5, ageSeconds: 1),
        autoscalers: Autoscalers(keda: [
            KEDAStatus(name: "worker", targetRef: "Process/worker", active: false, lag: 0, lagThreshold: 5, activationThreshold: 1,
                       min: 0, max: 10, desired: 0, cooldownPeriodSeconds: 30, source: "stand-in", ageSeconds: 0.4,
                       explanation: "lag 0 ≤ activation 1: inactive; stays at 0")
        ]),
        throughput: Throughput(completedPerSecond: 0, errorsPerSecond: 0),
        answers: AnswerRates(windowSeconds: 10, answered: 0, errors: 0, perSecond: 0, errorsPerSecond: 0),
        paused: true
    )

    /// Local mode under steady light load: the stand-in is inactive (lag 0 ≤ activation 0) with one
    /// worker left, and 27 s of cooldownPeriod to go before it scales to zero. Its reading (lag 50 at
    /// the decision that started the worker) is older than the queue's.
    static let localCooldown = ConsoleSnapshot(
        sources: SourceStatuses(nats: .ok, prometheus: .ok, kubernetes: .disabled, standIn: SourceStatus(state: .ok, ageSeconds: 0)),
        mode: .local,
        workloads: [Workload(name: "worker", kind: "Process", replicas: 1, ready: 1, desired: 1, history: [0, 1, 1, 1])],
        queue: QueueStats(stream: "MEMES", consumer: "meme-generator", pending: 0, ackPending: 0, redelivered: 0,
                          lag: 0, lagThreshold: 5, ageSeconds: 1),
        autoscalers: Autoscalers(keda: [
            KEDAStatus(name: "worker", targetRef: "Process/worker", active: false, lag: 0, lagThreshold: 5, activationThreshold: 0,
                       min: 0, max: 10, desired: 1, cooldownPeriodSeconds: 30, scaleToZeroInSeconds: 27, source: "stand-in",
                       ageSeconds: 0.4,
                       explanation: "lag 0, inactive (cooldown): lag 0 / 5 → 1 replica (the HPA's floor) ⇒ 1")
        ]),
        throughput: Throughput(completedPerSecond: 8.9, errorsPerSecond: 0, p50Seconds: 0.025, p95Seconds: 0.081, submittedPerSecond: 9),
        answers: AnswerRates(windowSeconds: 10, answered: 0, errors: 0, perSecond: 0, errorsPerSecond: 0),
        load: LoadStats(sent: 1000, acked: 1000, answered: 1000, errors: 0, inFlight: 0, p50Milliseconds: 3200, p95Milliseconds: 9100,
                        burstSize: 500),
        events: [
            ScalingEvent(time: "2026-11-28T23:44:31Z", kind: "keda",
                         message: "worker 0 → 1 (lag 50): lag 50 > activation 0: active; ceil(50 / 5) → 10 replicas"),
        ],
        notice: "purged 1 message from MEMES"
    )

    /// Local mode with all three stand-ins (issue 11): meme-web scaled out by the HPA stand-in and
    /// held by its stabilisation window, the workers by the KEDA stand-in, Redis sized by the VPA stand-in.
    static var localStandIns: ConsoleSnapshot {
        var s = localCooldown
        s.workloads = [
            Workload(name: "web", kind: "Process", replicas: 3, ready: 3, desired: 3, history: [1, 1, 3, 3, 3]),
            Workload(name: "worker", kind: "Process", replicas: 1, ready: 1, desired: 1, history: [0, 1, 1, 1]),
            Workload(name: "redis", kind: "Process", replicas: 1, ready: 1, desired: 1, history: [1, 1, 1, 1]),
        ]
        s.autoscalers?.hpa = [
            HPAStatus(name: "meme-web", targetRef: "Process/web", min: 1, max: 5, current: 3, desired: 3, metrics: [
                HPAMetric(name: "cpu", current: 12, target: 30, kind: "Utilization", replicas: 2, explanation: "cpu 12% / 30% → 2 replicas"),
                HPAMetric(name: "memory", current: 21, target: 50, kind: "Utilization", replicas: 2, explanation: "memory 21% / 50% → 2 replicas"),
            ], source: "local stand-in for the HPA", ageSeconds: 1.2, note: "sync 5 s (15 s in a cluster), memory = private RSS",
               scaleDownInSeconds: 245,
               countdown: AutoscalerCountdown(action: "scale-down allowed", seconds: 245, bound: "exact",
                                              rule: "scaleDown window: a higher recommendation in it holds 3")),
        ]
        s.autoscalers?.vpa = [
            VPAStatus(name: "redis", targetRef: "Process/redis", updateMode: "Recreate", containers: [
                VPAContainer(name: "redis", target: Resources(cpuMillicores: 100, memoryBytes: 536_870_912),
                             lowerBound: Resources(cpuMillicores: 100, memoryBytes: 536_870_912),
                             upperBound: Resources(cpuMillicores: 514, memoryBytes: 1_073_741_824),
                             uncappedTarget: Resources(cpuMillicores: 25, memoryBytes: 262_144_000),
                             requests: Resources(cpuMillicores: 100, memoryBytes: 536_870_912),
                             verdict: "cpu request 100m within [100m, 514m]; memory request 512Mi within [512Mi, 1Gi]"),
            ], source: "local stand-in for the VPA", ageSeconds: 0.8,
               note: "half-life 5 min (24 h in a cluster), 148 samples, maxmemory 400Mi", nextCheckInSeconds: 12, evictions: 1,
               countdown: AutoscalerCountdown(action: "updater check", seconds: 12, bound: "exact",
                                              rule: "updater every 30 s; requests within bounds")),
        ]
        s.load.web = WebTrafficStats(sent: 1200, ok: 1200, failed: 0, rate: 100)
        s.events.append(ScalingEvent(time: "2026-11-28T23:44:50Z", kind: "hpa",
                                     message: "web 1 → 3: cpu 240% / 30% → 8 replicas; memory 20% / 50% → 1 replica ⇒ 3 (scale-up policy allows 3)"))
        return s
    }

    /// `DEMO_NATS_CLUSTER=3` with member n-1 SIGKILLed (issue 15): what `NATSClusterMerge` makes of the real
    /// captures Tests/Fixtures/nats/jsz-cluster-killed-n-1.* (ConsoleCoreTests checks the merge gives exactly this).
    static var natsClusterMemberDown: NATSClusterStats {
        NATSClusterStats(name: "memes", metaLeader: "n-2", servers: [
            NATSServerStats(name: "n-1", url: "http://127.0.0.1:34001", up: false,
                            error: "NATS monitor: connection refused to 127.0.0.1:34001",
                            stream: NATSReplicaStats(current: false, lag: 10, activeSeconds: 9.9),
                            consumer: NATSReplicaStats(current: true, activeSeconds: 9.2)),
            NATSServerStats(name: "n-2", url: "http://127.0.0.1:34002", up: true,
                            stream: NATSReplicaStats(current: true, activeSeconds: 1), consumer: NATSReplicaStats(current: true, activeSeconds: 0.2)),
            NATSServerStats(name: "n-3", url: "http://127.0.0.1:34003", up: true, streamLeader: true, consumerLeader: true),
        ])
    }

    static var localNATSCluster: ConsoleSnapshot {
        var s = localStandIns
        s.natsCluster = natsClusterMemberDown
        return s
    }

    static var localNATSClusterHealthy: ConsoleSnapshot {
        var s = localStandIns
        var c = natsClusterMemberDown
        c.servers[0].up = true
        c.servers[0].error = nil
        c.servers[0].stream = NATSReplicaStats(current: true, activeSeconds: 0.8)
        c.servers[0].consumer = NATSReplicaStats(current: true, activeSeconds: 0.2)
        s.natsCluster = c
        return s
    }

    /// The conflict act in local mode (issue 13): a web VPA stand-in sets the cpu request of meme-web while the HPA
    /// stand-in scales it on cpu utilisation; the warning as `AutoscalerConflicts` words it.
    static var localConflict: ConsoleSnapshot {
        var s = localStandIns
        s.autoscalers?.vpa.insert(
            VPAStatus(name: "meme-web", targetRef: "Process/web", updateMode: "Auto", containers: [
                VPAContainer(name: "meme-web", target: Resources(cpuMillicores: 250), lowerBound: Resources(cpuMillicores: 180),
                             upperBound: Resources(cpuMillicores: 900), uncappedTarget: Resources(cpuMillicores: 250),
                             requests: Resources(cpuMillicores: 100), verdict: "cpu request 100m below lower bound 180m: evict, set to 250m"),
            ], source: "local stand-in for the VPA", ageSeconds: 0.6, nextCheckInSeconds: 8, evictions: 2,
            countdown: AutoscalerCountdown(action: "eviction", seconds: 8, bound: "exact",
                                           rule: "updater every 30 s; a request outside [lowerBound, upperBound]: evicts")),
            at: 0)
        // The loop over the last minute: the VPA raised the request 100m → 180m → 250m, the utilisation fell,
        // the HPA scaled in 3 → 1, the usage per replica rose.
        let requests = [100, 100, 100, 100, 180, 180, 180, 250, 250, 250, 250, 250]
        let usages = [30, 30, 32, 31, 33, 40, 45, 52, 60, 62, 64, 65]
        let desired = [3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1]
        let replicas = [3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1]
        s.feedback = FeedbackTrace(
            workload: "Process/web", resource: "cpu", targetUtilization: 30,
            samples: (0..<12).map { i in
                FeedbackSample(at: 1_764_625_140 + Double(i * 5), request: requests[i], usage: usages[i],
                               utilization: Int((Double(usages[i]) * 100 / Double(requests[i])).rounded()), replicas: replicas[i], desired: desired[i])
            },
            pods: [FeedbackPod(name: "web-1", request: 250, usage: 65, utilization: 26)])
        s.warnings = [webHPAAndVPA("cpu", workload: "Process/web")]
        return s
    }

    /// meme-web's HPA and VPA on `resource`, worded as `AutoscalerConflicts` words it.
    static func webHPAAndVPA(_ resource: String, workload: String) -> AutoscalerWarning {
        AutoscalerWarning(
            kind: "hpa-vpa", workload: workload, objects: ["HorizontalPodAutoscaler meme-web", "VerticalPodAutoscaler meme-web"],
            resource: resource,
            message: "HPA meme-web scales \(workload) on \(resource) utilisation while VPA meme-web (Auto) sets its \(resource) "
                + "requests and limits: a higher request lowers the utilisation the HPA sees, so it scales in and the load per pod rises")
    }

    /// The conflict act in a cluster: a default VPA on meme-web (cpu and memory) against its HPA, and a second HPA
    /// on the KEDA-scaled worker (the shapes of Tests/Fixtures/meme-generator-results/conflict-hpa-snippet.txt).
    static var clusterConflict: ConsoleSnapshot {
        var s = busy
        // conflict-manual-hpa-describe.txt: AbleToScale ScaleDownStabilized, the last rescale 35 s ago, a 300 s window.
        s.autoscalers?.hpa[0].conditions[0] = HPACondition(
            type: "AbleToScale", status: "True", reason: "ScaleDownStabilized",
            message: "recent recommendations were higher than current one, applying the highest recent recommendation")
        s.autoscalers?.hpa[0].countdown = AutoscalerCountdown(
            action: "scale-down allowed", seconds: 265, bound: "earliest",
            rule: "lastScaleTime + scaleDown window 300 s (ScaleDownStabilized; recommendations not published)")
        s.autoscalers?.vpa.append(VPAStatus(name: "meme-web", targetRef: "Deployment/meme-web", updateMode: "Auto", containers: [
            VPAContainer(name: "meme-web", target: Resources(cpuMillicores: 250, memoryBytes: 268_435_456),
                         lowerBound: Resources(cpuMillicores: 180, memoryBytes: 201_326_592),
                         upperBound: Resources(cpuMillicores: 900, memoryBytes: 536_870_912),
                         requests: Resources(cpuMillicores: 250, memoryBytes: 268_435_456), verdict: "requests within bounds"),
        ], countdown: AutoscalerCountdown(action: "updater check", seconds: 60, bound: "latest",
                                          rule: "updater every 60 s, phase not published; requests within bounds")))
        s.autoscalers?.keda[0].active = false
        s.autoscalers?.keda[0].lag = 0
        s.autoscalers?.keda[0].desired = 12
        s.autoscalers?.keda[0].scaleToZeroInSeconds = 27
        s.autoscalers?.keda[0].explanation = "lag 0 ≤ activation 1: inactive, cooldown 27 s left → 12 replicas"
        s.autoscalers?.keda[0].countdown = AutoscalerCountdown(action: "scale to zero", seconds: 27, bound: "exact",
                                                               rule: "cooldownPeriod 30 s since last active")
        s.warnings = [webHPAAndVPA("cpu", workload: "Deployment/meme-web"), webHPAAndVPA("memory", workload: "Deployment/meme-web"), AutoscalerWarning(
            kind: "two-hpas", workload: "Deployment/meme-worker", objects: ["ScaledObject meme-worker", "HorizontalPodAutoscaler meme-worker"],
            resource: "replicas",
            message: "ScaledObject meme-worker (through HPA keda-hpa-meme-worker) and HPA meme-worker both set the replicas of "
                + "Deployment/meme-worker: each overwrites the other's count at every sync")]
        return s
    }

    /// The VPA numbers the issue quotes (a redis VPA capped at 200m with an uncapped 1469m target and
    /// 8.96Gi of memory): nothing of them may be lost to "…" at 80×24.
    static var capped: ConsoleSnapshot {
        var s = busy
        s.autoscalers?.vpa = [
            VPAStatus(name: "redis-vpa", targetRef: "StatefulSet/redis", updateMode: "Off", containers: [
                VPAContainer(
                    name: "redis",
                    target: Resources(cpuMillicores: 200, memoryBytes: 9_616_998_332),
                    lowerBound: Resources(cpuMillicores: 100, memoryBytes: 268_435_456),
                    upperBound: Resources(cpuMillicores: 200, memoryBytes: 24 * 1024 * 1024 * 1024),
                    uncappedTarget: Resources(cpuMillicores: 1469, memoryBytes: 9_616_998_332),
                    requests: Resources(cpuMillicores: 100, memoryBytes: 134_217_728),
                    verdict: "cpu request 100m below target 200m"
                )
            ])
        ]
        return s
    }

    /// Audience text with wide characters, emoji and an escape sequence.
    static var wide: ConsoleSnapshot {
        var s = local
        s.paused = false
        s.recent = [
            RecentMeme(id: "a", prompt: "猫がキーボードの上で寝ている", latencyMilliseconds: 640, ok: true),
            RecentMeme(id: "b", prompt: "deploy on friday 🔥🚀 👨‍👩‍👧 🇫🇷", latencyMilliseconds: 1200, ok: true),
            RecentMeme(id: "c", prompt: "\u{1B}[2Jgotcha\tbell\u{7}", ok: false, error: "rejected: 不正な入力"),
        ]
        return s
    }
}
