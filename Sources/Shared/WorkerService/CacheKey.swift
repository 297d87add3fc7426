import MemeKit

/// Redis keys used by the worker.
public enum CacheKey {
    /// Derived from everything that changes the image, so a hit is always the same picture.
    /// The version segment is bumped whenever the renderer's output changes.
    public static func image(for r: MemeRequest, source: String) -> String {
        var parts = ["meme", "v1", source, r.prompt, "\(r.fastMode ?? false)", "\(r.smallImage ?? false)"]
        parts.append(r.topText ?? "")
        parts.append(r.bottomText ?? "")
        parts.append(r.template ?? "")
        // Length-prefix each part so "a:b" + "c" never collides with "a" + "b:c".
        return parts.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    }
}
