import CurlHTTP
import Logging
import MemeImages

/// Chooses the image source: Hugging Face when a token is configured, else the offline renderer.
public enum ImageSources {
    public static func make(settings: WorkerSettings, logger: Logger) throws -> any ImageSource {
        guard let token = settings.hfToken else { return OfflineImageSource() }
        let timeout = Duration.milliseconds(Int64(settings.hfTimeoutSeconds * 1000))
        let configuration = HuggingFaceConfiguration(
            token: token, modelURL: settings.hfURL, fastModelURL: settings.hfFastURL, timeout: timeout,
            connectTimeout: min(timeout, .seconds(10)))
        // One transfer thread per request slot: each in-flight meme waits on at most one HTTP call.
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(
            maxConcurrentTransfers: settings.concurrency, userAgent: "meme-worker"))
        logger.info("images from Hugging Face: \(configuration)")
        return HuggingFaceSource(configuration: configuration, client: client)
    }
}
