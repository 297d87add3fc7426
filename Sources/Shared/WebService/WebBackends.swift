import Logging
import MemeKit
import Retry

/// meme-web's queue and result store, as `WebSettings` names them.
public enum WebBackends {
    /// The JetStream queue, waiting for NATS with the shared connect policy (NATS may start after
    /// meme-web: `./demo.sh`, a rolling cluster), and the Redis store. Redis is optional: without
    /// a URL results stay in this process's recent cache (and the worker's record, once Redis is back).
    public static func connect(_ settings: WebSettings, retry: RetryPolicy = .connect, logger: Logger) async throws
        -> (queue: any MemeQueue, store: (any ResultStore)?)
    {
        let queue = try await retry.run({ try await NATSMemeQueue.connect(settings.queue, logger: logger) }, onFailure: { error, _, wait in
            logger.warning("waiting for NATS", metadata: [
                "url": "\(SettingsReader.redacted(settings.queue.natsURL))", "error": "\(error)", "retry_in": "\(wait)",
            ])
        })
        return (queue, try settings.redisURL.map { try RedisResultStore(url: $0) })
    }
}
