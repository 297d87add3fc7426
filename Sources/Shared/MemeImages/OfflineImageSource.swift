import MemeKit

/// The default source with no network: a generated background for the prompt (gradient, pattern
/// and an emoji picked from its words) with the captions drawn on it. Deterministic per request.
public struct OfflineImageSource: ImageSource {
    public let name = "offline"
    private let renderer: MemeRenderer

    public init(renderer: MemeRenderer = .shared) {
        self.renderer = renderer
    }

    public func image(for request: MemeRequest) async throws -> GeneratedImage {
        let job = RenderJob(request: request)
        let meme: RenderedMeme
        do {
            meme = try await renderer.render(job)
        } catch var error as ImageSourceError {
            error.source = name
            throw error
        } catch {
            // The thread pool is shutting down: another worker (or this one later) can do it.
            throw ImageSourceError(.transient, source: name, message: "renderer unavailable: \(error)")
        }
        return GeneratedImage(bytes: meme.bytes, contentType: meme.format.contentType, width: meme.width,
                              height: meme.height, sourceName: name)
    }
}
