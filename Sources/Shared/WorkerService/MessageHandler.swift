import Foundation
import JetStream
import Logging
import MemeImages
import MemeKit
import NATS
import RedisCache

/// Handles one JetStream delivery end to end: validate → image → publish the answer → keep the
/// result for late readers → ack. The ack happens only after the answer is published; bad input
/// is answered with an error and terminated; transient failures are NAKed with backoff, and on
/// the last allowed delivery answered with an error instead (see `DeliveryPolicy`).
public struct MessageHandler: Sendable {
    let settings: WorkerSettings
    let connection: NATSConnection
    let pipeline: ImagePipeline
    let results: RedisClient?
    let metrics: WorkerMetrics
    let logger: Logger
    /// The consumer's real max_deliver (it may have been created by someone else).
    let policy: DeliveryPolicy

    public init(settings: WorkerSettings, connection: NATSConnection, pipeline: ImagePipeline, results: RedisClient?,
                metrics: WorkerMetrics, logger: Logger, maxDeliver: Int) {
        self.settings = settings
        self.connection = connection
        self.pipeline = pipeline
        self.results = results
        self.metrics = metrics
        self.logger = logger
        self.policy = DeliveryPolicy(maxDeliver: maxDeliver)
    }

    public func handle(_ message: JetStreamMessage) async {
        metrics.requests.increment()
        metrics.inFlight.increment()
        defer { metrics.inFlight.decrement() }
        let started = ContinuousClock.now
        let delivery = Int(message.metadata.numDelivered)
        let headerID = message.headers?[NATSHeaderName.messageID]
        let limits = MemeRequestLimits(maxPromptCharacters: settings.maxPromptCharacters)

        let request: MemeRequest
        switch MemeRequestDecoder.decode(message.payload.readableBytesView, fallbackID: headerID, limits: limits) {
        case .failure(let error):
            logger.info("rejected request", metadata: ["id": "\(error.requestID)", "error": "\(error.message)"])
            await finish(message, id: error.requestID, request: nil, decision: .failAndTerminate(error.message), started: started)
            return
        case .success(var decoded):
            if decoded.id == nil { decoded.id = headerID ?? UUID().uuidString.lowercased() }
            request = decoded
        }
        let id = request.id ?? unknownRequestID

        // Long work tells JetStream "still working" so ack_wait does not expire mid-render.
        let heartbeat = Task {
            let every = Duration.milliseconds(max(200, settings.ackWaitSeconds * 1000 / 2))
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if Task.isCancelled { break }
                try? await message.inProgress()
            }
        }
        let outcome = await attempt(request, id: id)
        heartbeat.cancel()
        await finish(message, id: id, request: request, decision: policy.decide(outcome, delivery: delivery), started: started)
    }

    private func attempt(_ request: MemeRequest, id: String) async -> AttemptOutcome {
        let result: ImagePipeline.Result
        do {
            result = try await pipeline.image(for: request)
        } catch let error as ImageSourceError {
            logger.warning("image source failed", metadata: ["id": "\(id)", "error": "\(error)"])
            return error.isTransient
                ? .transient(error.description, retryAfterSeconds: error.retryAfter?.seconds)
                : .permanent(error.description)
        } catch {
            return .transient("image generation failed: \(error)", retryAfterSeconds: nil)
        }
        let response = MemeResponse(
            requestId: id, imageData: Data(result.image.bytes).base64EncodedString(), prompt: request.prompt,
            timestamp: UInt64(Date().timeIntervalSince1970), contentType: result.image.contentType, cached: result.cached,
            worker: settings.workerName, generationMs: (result.generationSeconds * 1000).rounded(),
            submittedAt: request.submittedAt)
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(response))
        } catch {
            return .permanent("could not encode the response: \(error)")
        }
        if let limit = connection.serverInfo?.maxPayload, body.count > limit {
            return .permanent("the response is \(body.count) bytes; the NATS server's max_payload is \(limit) bytes")
        }
        do {
            // Confirmed: an answer written to a server that dies before it routed it is published again
            // after the reconnect (at least once) instead of lost with the socket.
            try await connection.publishConfirmed(settings.responseSubject, payload: body)
        } catch {
            return .transient("could not publish the response: \(error)", retryAfterSeconds: nil)
        }
        await keep(id: id, body: body, metadata: .answered(
            id: id, request: request, error: nil, imageBytes: result.image.bytes.count, contentType: result.image.contentType,
            worker: settings.workerName, at: Date().timeIntervalSince1970))
        return .succeeded
    }

    private func finish(_ message: JetStreamMessage, id: String, request: MemeRequest?, decision: DeliveryDecision,
                        started: ContinuousClock.Instant) async {
        do {
            switch decision {
            case .ack:
                try await message.ack()
                metrics.completed()
            case .nak(let delay):
                metrics.naks.increment()
                logger.info("will retry", metadata: ["id": "\(id)", "delay_s": "\(delay)"])
                try await message.nak(delay: .milliseconds(Int64(delay * 1000)))
            case .failAndTerminate(let why):
                metrics.errors.increment()
                let error = MemeErrorResponse(requestId: id, error: why, timestamp: UInt64(Date().timeIntervalSince1970))
                let body = Array((try? JSONEncoder().encode(error)) ?? Data())
                try await connection.publishConfirmed(settings.errorSubject, payload: body)
                await keep(id: id, body: body, metadata: .answered(
                    id: id, request: request, error: why, imageBytes: nil, contentType: nil, worker: settings.workerName,
                    at: Date().timeIntervalSince1970))
                try await message.term(reason: String(why.prefix(200)))
            }
        } catch {
            // The message comes back after ack_wait; nothing is lost.
            logger.warning("could not settle message", metadata: ["id": "\(id)", "error": "\(error)"])
        }
        metrics.processing.record((ContinuousClock.now - started).seconds)
    }

    /// Best effort: the result by id for late readers, its metadata for listings, and the id in the
    /// recent list. The result is the one stored copy of the image: meme-web replicas read it
    /// (ResultKeys) and never write it again; listings read only the metadata (a few hundred bytes).
    private func keep(id: String, body: [UInt8], metadata: ResultMetadata) async {
        guard let results else { return }
        do {
            try await results.set(ResultKeys.result(id: id), body, ttlSeconds: settings.resultTTLSeconds)
            try await results.set(ResultKeys.metadata(id: id), Array(try JSONEncoder().encode(metadata)), ttlSeconds: settings.resultTTLSeconds)
            try await results.pushRecent(ResultKeys.recentList, Array(id.utf8), keep: 200)
        } catch {
            metrics.cacheErrors.increment()
        }
    }
}
