import Autoscaling
import ClusterReaders
import CurlHTTP
import Foundation
import Logging
import MemeKit
import Prometheus
import Retry
import ServiceLifecycle
import Synchronization

/// Everything the KEDA stand-in needs.
public struct KEDAStandInSettings: Sendable {
    public var spec: ScaledObjectSpec
    /// NATS monitoring port, e.g. `http://127.0.0.1:8222` (KEDA's natsServerMonitoringEndpoint); on a
    /// cluster every member's, comma-separated.
    public var natsMonitorURL: String
    public var launch: ReplicaLaunch
    /// Declare the stream and consumer when missing (nil: leave it to someone else).
    public var jetStreamSetup: JetStreamSetup?

    public init(spec: ScaledObjectSpec, natsMonitorURL: String, launch: ReplicaLaunch, jetStreamSetup: JetStreamSetup? = nil) {
        self.spec = spec
        self.natsMonitorURL = natsMonitorURL
        self.launch = launch
        self.jetStreamSetup = jetStreamSetup
    }
}

/// A stand-in for KEDA + the HPA on one machine: every pollingInterval it reads the consumer lag
/// from NATS's /jsz as KEDA's nats-jetstream scaler does, decides like KEDA and the HPA
/// (`LocalScalingDecision`), and starts or stops worker processes to match. Crashed workers are
/// restarted. On graceful shutdown (SIGTERM/SIGINT through ServiceLifecycle) every worker gets
/// SIGTERM and the scaler returns once all have exited.
public final class KEDAStandIn: Service, Sendable {
    public let settings: KEDAStandInSettings
    public let metrics: ScalerMetrics
    private let logger: Logger
    private let pool: ReplicaPool
    private let problem = Mutex<String?>("no lag read yet")
    private let book: Mutex<StatusBook>

    public init(settings: KEDAStandInSettings, logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.settings = settings
        self.logger = logger
        metrics = ScalerMetrics(parameters: settings.spec.parameters, behavior: settings.spec.behavior, registry: registry)
        pool = ReplicaPool(launch: settings.launch, logger: logger)
        book = Mutex(StatusBook(spec: settings.spec, workload: settings.launch.namePrefix))
    }

    /// What `GET /status` serves: the numbers of the latest decision, all from one lag read.
    public var status: LocalScalerStatus { book.withLock { $0.status } }

    public func statusJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(status) else { return #"{"error":"cannot encode the status"}"# }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// nil once the lag has been read; else why not (for /readyz).
    public var notReadyReason: String? { problem.withLock { $0 } }

    public func run() async throws {
        let logger = self.logger
        let spec = settings.spec
        let p = spec.parameters
        logger.info("""
            following \(spec.name): \(spec.stream)/\(spec.consumer) via /jsz of \(settings.natsMonitorURL); lagThreshold \(p.lagThreshold), \
            activation \(p.activationLagThreshold), replicas \(p.minReplicaCount)…\(p.maxReplicaCount), polling \(p.pollingIntervalSeconds) s, \
            cooldown \(p.cooldownPeriodSeconds) s, scale-down stabilisation \(spec.behavior.scaleDown.stabilizationWindowSeconds) s
            """)
        let client = CurlHTTPClient()
        // On a cluster every member's /jsz, the consumer leader's numbers: the lag stays readable while a member is down.
        let members = JetStreamMembers(monitorURLs: ServerList.split(settings.natsMonitorURL), client: client)
        let setup = settings.jetStreamSetup.map { setup in Task { await Self.declare(setup, logger: logger) } }

        let clock = ContinuousClock()
        let start = clock.now
        var state = ScalerState()
        var nextPoll = clock.now
        var lastError: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let restarted = await pool.reap()
            if restarted > 0 { metrics.childRestarts.increment(by: Int64(restarted)) }
            if clock.now >= nextPoll {
                nextPoll = max(nextPoll + .seconds(p.pollingIntervalSeconds), clock.now)
                var lag: Int? = nil
                // When the lag was read (or the read failed): the time every number of this decision belongs to.
                var readAt = Date().timeIntervalSince1970
                var readClock = clock.now
                do {
                    let status = try await members.queuePage(stream: spec.stream, consumer: spec.consumer).page
                    readAt = Date().timeIntervalSince1970
                    readClock = clock.now
                    lag = status.kedaLag(stream: spec.stream, consumer: spec.consumer, account: spec.account)
                        ?? status.kedaLag(stream: spec.stream, consumer: spec.consumer)
                    if lag == nil { throw ClusterReadError(.notFound, "stream \(spec.stream) does not exist (yet)") }
                    if lastError != nil { logger.info("lag readable again") }
                    lastError = nil
                } catch {
                    let message = "cannot read the lag: \(error)"
                    if message != lastError { logger.warning("\(message)") }
                    lastError = message
                }
                problem.withLock { $0 = lastError }
                await poll(lag: lastError == nil ? lag : nil, state: &state, readAt: readAt, nowSeconds: (readClock - start).inSeconds)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        let running = await pool.replicas + pool.terminating
        logger.info("shutting down: stopping \(running) worker(s)")
        // Not cancellable: the children must be waited for even if this task is cancelled.
        await Task.detached { [pool] in await pool.stopAll() }.value
        metrics.replicas.set(0.0)
        metrics.terminating.set(0.0)
        setup?.cancel()
        await client.shutdown()
        logger.info("all workers stopped")
    }

    private func poll(lag: Int?, state: inout ScalerState, readAt: Double, nowSeconds: Double) async {
        let current = await pool.replicas
        let decision = state.poll(lag: lag, currentReplicas: current, spec: settings.spec, nowSeconds: nowSeconds)
        if let lag { metrics.lag.set(Double(lag)) }
        metrics.active.set(decision.active ? 1.0 : 0.0)
        metrics.consecutiveFailures.set(Double(state.consecutiveFailures))
        metrics.desiredReplicas.set(Double(decision.desiredReplicas))
        if let last = state.lastActiveSeconds {
            metrics.lastActive.set(readAt - (nowSeconds - last))
        }
        metrics.setDecision(decision.reason)
        if decision.desiredReplicas != current {
            logger.info("scale \(settings.launch.namePrefix) \(current) → \(decision.desiredReplicas): \(decision.reason)")
            do { try await pool.scale(to: decision.desiredReplicas) } catch { logger.error("\(error)") }
        }
        let replicas = await pool.replicas, terminating = await pool.terminating
        metrics.replicas.set(Double(replicas))
        metrics.terminating.set(Double(terminating))
        book.withLock {
            $0.record(decision: decision, lag: lag, readAt: readAt, nowSeconds: nowSeconds, from: current,
                      replicas: replicas, terminating: terminating)
        }
    }

    /// Retries until the stream and consumer exist (NATS may still be starting).
    private static func declare(_ setup: JetStreamSetup, logger: Logger) async {
        _ = try? await RetryPolicy.connect.run({ try await setup.ensure(logger: logger) }) { error, _, _ in
            logger.warning("cannot declare stream \(setup.stream) / consumer \(setup.consumer) yet: \(error); retrying")
        }
    }
}

extension Duration {
    var inSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
