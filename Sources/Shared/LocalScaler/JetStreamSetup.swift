import Foundation
import JetStream
import Logging
import MemeKit
import MemeStream
import NATS

/// Creates the work-queue stream and the durable pull consumer when they are missing, as the
/// cluster's jetstream-setup Job does (k8s/base/nats/jetstream-setup-job.yaml): with zero workers
/// nobody else would, and KEDA can only read a lag for a consumer that exists. Existing objects are
/// left alone, so a worker's own declaration (same settings) is never overridden.
public struct JetStreamSetup: Sendable, Equatable {
    public var natsURL: String
    public var stream: String
    public var consumer: String
    public var subject: String
    public var ackWaitSeconds: Int
    public var maxDeliver: Int
    /// The workers' bounds and copies (R3 on `DEMO_NATS_CLUSTER=3`): whoever declares the stream first
    /// declares the same one.
    public var bounds: StreamBounds

    public init(natsURL: String, stream: String, consumer: String, subject: String = MemeDefaults.requestSubject,
                ackWaitSeconds: Int = MemeDefaults.ackWaitSeconds, maxDeliver: Int = MemeDefaults.maxDeliver,
                bounds: StreamBounds = StreamBounds()) {
        self.natsURL = natsURL
        self.stream = stream
        self.consumer = consumer
        self.subject = subject
        self.ackWaitSeconds = ackWaitSeconds
        self.maxDeliver = maxDeliver
        self.bounds = bounds
    }

    /// One attempt: creates what is missing (MemeStreamSetup logs what it created), or throws why it could not.
    public func ensure(logger: Logger) async throws {
        let servers = ServerList.split(natsURL)
        var options = NATSOptions(servers: servers, name: "meme-local-scaler")
        options.logger.logLevel = .warning
        let connection = try await NATSConnection.connect(options)
        do {
            try await MemeStreamSetup(stream: stream, consumer: consumer, requestSubject: subject,
                                      ackWaitSeconds: ackWaitSeconds, maxDeliver: maxDeliver, bounds: bounds).ensure(JetStream(connection), logger: logger)
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }
}
