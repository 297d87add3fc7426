import MemeKit
import NIOPosix
import Synchronization

/// Draws classic memes (white outlined captions at top and bottom) as PNG or JPEG with Pango and Cairo.
///
/// Safe to share between tasks and threads: each render borrows a private ``RenderEngine``
/// (font map + layout) from a pool, so renders run in parallel without sharing Pango state.
/// `render(_:)` runs the blocking C work on a `NIOThreadPool`, never on the Swift concurrency pool;
/// `renderSync(_:)` runs on the caller's thread (CLI, benchmark).
public final class MemeRenderer: Sendable {
    private let threadPool: NIOThreadPool
    private let idle = Mutex<[RenderEngine]>([])
    private static let maxIdleEngines = 8

    /// A renderer for the whole process, on `NIOThreadPool.singleton`.
    public static let shared = MemeRenderer()

    /// - Parameter threadPool: where `render(_:)` runs; must be started (the singleton is).
    public init(threadPool: NIOThreadPool = .singleton) {
        self.threadPool = threadPool
    }

    /// Renders on the thread pool; safe to call from many tasks at once.
    public func render(_ job: RenderJob) async throws -> RenderedMeme {
        try await threadPool.runIfActive { [self] in try renderSync(job) }
    }

    /// Renders on the calling thread (blocks it for ~10–50 ms).
    public func renderSync(_ job: RenderJob) throws -> RenderedMeme {
        try withEngine { try $0.render(job) }
    }

    /// The font size and line count a caption gets on an image of `imageSize` pixels.
    public func fitCaption(_ text: String, imageSize: Int) -> CaptionLayout.Fit {
        withEngine { $0.fitCaption(text, imageSize: imageSize) }
    }

    /// One call for previews (`meme-worker render`): the offline meme for a request, as PNG bytes.
    public static func renderOffline(request: MemeRequest) throws -> [UInt8] {
        try shared.renderSync(RenderJob(request: request)).bytes
    }

    private func withEngine<T>(_ body: (RenderEngine) throws -> T) rethrows -> T {
        let engine = idle.withLock { $0.popLast() } ?? RenderEngine()
        // Keep a few idle engines (each holds a font map and glyph caches, a few MB); a burst of
        // callers beyond that gets engines that are freed afterwards.
        defer { idle.withLock { if $0.count < Self.maxIdleEngines { $0.append(engine) } } }
        return try body(engine)
    }
}
