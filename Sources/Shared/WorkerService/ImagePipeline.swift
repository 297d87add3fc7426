import Foundation
import Logging
import MemeImages
import MemeKit
import RedisCache

/// Cache → image source → cache. Redis trouble never stops a meme: it is counted and skipped.
public struct ImagePipeline: Sendable {
    public let source: any ImageSource
    public let cache: RedisClient?
    public let cacheTTLSeconds: Int
    let metrics: WorkerMetrics
    let logger: Logger

    public init(source: any ImageSource, cache: RedisClient?, cacheTTLSeconds: Int, metrics: WorkerMetrics, logger: Logger) {
        self.source = source
        self.cache = cache
        self.cacheTTLSeconds = cacheTTLSeconds
        self.metrics = metrics
        self.logger = logger
    }

    public struct Result: Sendable {
        public var image: GeneratedImage
        public var cached: Bool
        public var generationSeconds: Double
    }

    /// Throws `ImageSourceError` (transient or permanent) when the source fails.
    public func image(for request: MemeRequest) async throws -> Result {
        let key = CacheKey.image(for: request, source: source.name)
        if let cache {
            do {
                if let bytes = try await cache.get(key), !bytes.isEmpty {
                    metrics.cacheHits.increment()
                    let size = request.imageSize
                    return Result(
                        image: GeneratedImage(bytes: bytes, contentType: Self.contentType(of: bytes), width: size, height: size, sourceName: source.name),
                        cached: true, generationSeconds: 0)
                }
                metrics.cacheMisses.increment()
            } catch {
                metrics.cacheErrors.increment()
                logger.warning("cache read skipped", metadata: ["error": "\(error)"])
            }
        }
        let started = ContinuousClock.now
        let image = try await source.image(for: request)
        let seconds = (ContinuousClock.now - started).seconds
        metrics.generation.record(seconds)
        if let cache {
            do {
                try await cache.set(key, image.bytes, ttlSeconds: cacheTTLSeconds)
            } catch {
                metrics.cacheErrors.increment()
                logger.warning("cache write skipped", metadata: ["error": "\(error)"])
            }
        }
        return Result(image: image, cached: false, generationSeconds: seconds)
    }

    static func contentType(of bytes: [UInt8]) -> String {
        ImageFormat.sniff(bytes)?.contentType ?? "image/png"
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
