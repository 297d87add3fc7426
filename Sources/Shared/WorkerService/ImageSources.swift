import Logging
import MemeImages

/// Chooses the image source: offline unless a Hugging Face token is configured.
public enum ImageSources {
    public static func make(settings: WorkerSettings, logger: Logger) throws -> any ImageSource {
        guard settings.hfToken != nil else { return OfflineImageSource() }
        logger.warning("HF_API_TOKEN is set but the Hugging Face source is not built yet; using the offline renderer")
        return OfflineImageSource()
    }
}
