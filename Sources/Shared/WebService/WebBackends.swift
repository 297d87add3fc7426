import Logging
import MemeKit
import Retry

/// meme-web's queue and result store, as `WebSettings` names them.
public enum WebBackends {
    /// The JetStream queue, not connected yet: as a service of the app it waits for NATS with the
    /// shared connect policy (NATS may start after meme-web: `./demo.sh`, a rolling cluster) while
    /// meme-web already listens and says "not ready"; and the Redis store. Redis is optional: without
    /// a URL results stay in this process's recent cache (and the worker's record, once Redis is back).
    public static func make(_ settings: WebSettings, retry: RetryPolicy = .connect, logger: Logger) throws
        -> (queue: any MemeQueue, store: (any ResultStore)?)
    {
        let queue = NATSMemeQueue(settings.queue, streamBounds: settings.streamBounds, retry: retry, logger: logger)
        return (queue, try settings.redisURL.map { try RedisResultStore(url: $0) })
    }
}
