import CPangoCairo
import Glibc
import Synchronization

/// The parts of the offline picture that depend only on the image size (and the pattern), not on
/// the prompt: the vignette, the glow behind the emoji and the four patterns, each kept as an 8-bit
/// coverage mask. Painting a colour through a mask is one cheap pixman pass, where drawing them
/// anew cost half of each render (two full-image radial gradients and the pattern's rasterisation:
/// docs/benchmarks.md, "where the time goes").
///
/// Made once per size and shared read-only by every engine and thread: a mask is plain bytes, and
/// each use wraps them in its own short-lived cairo surface, so no cairo object is shared.
final class OfflineLayers: Sendable {
    /// One A8 mask and where its top-left corner goes on the picture.
    struct Mask: Sendable {
        let bytes: [UInt8]
        let width: Int
        let height: Int
        let stride: Int
        let x: Int
        let y: Int

        /// Paints the current source of `cr` through this mask.
        func paint(_ cr: OpaquePointer) {
            bytes.withUnsafeBufferPointer { buffer in
                // cairo only reads a mask; the mutable pointer is its API's, not a licence to write.
                let data = UnsafeMutablePointer(mutating: buffer.baseAddress!)
                let surface = cairo_image_surface_create_for_data(data, CAIRO_FORMAT_A8, Int32(width), Int32(height), Int32(stride))!
                cairo_mask_surface(cr, surface, Double(x), Double(y))
                cairo_surface_finish(surface)
                cairo_surface_destroy(surface)
            }
        }
    }

    let size: Int
    let vignette: Mask
    let glow: Mask
    let patterns: [Mask]

    /// Largest edge whose layers are kept (1024² needs ≈ 6 MB of masks); larger pictures are drawn
    /// layer by layer as before.
    static let maxCachedSize = 1024
    /// Sizes kept at once: the worker uses two (512 and 1024).
    static let maxCachedSizes = 4
    private static let cache = Mutex<[Int: OfflineLayers]>([:])

    /// The layers for `size`, made on first use; nil for sizes not cached.
    static func forSize(_ size: Int) -> OfflineLayers? {
        guard size <= maxCachedSize else { return nil }
        return cache.withLock { cache in
            if let layers = cache[size] { return layers }
            guard cache.count < maxCachedSizes else { return nil }
            let layers = OfflineLayers(size: size)
            cache[size] = layers
            return layers
        }
    }

    private init(size: Int) {
        self.size = size
        let s = Double(size)
        vignette = Self.mask(x: 0, y: 0, width: size, height: size) { cr in
            OfflineGeometry.setVignette(cr, size: s)
            cairo_paint(cr)
        }
        // The glow is transparent beyond its radius: keep only its bounding square.
        let (cx, cy, r) = (s / 2, OfflineGeometry.emojiCentreY(size: s), OfflineGeometry.glowRadius(size: s))
        let x0 = Int((cx - r).rounded(.down)), y0 = Int((cy - r).rounded(.down))
        let x1 = Int((cx + r).rounded(.up)), y1 = Int((cy + r).rounded(.up))
        glow = Self.mask(x: x0, y: y0, width: x1 - x0, height: y1 - y0) { cr in
            cairo_translate(cr, Double(-x0), Double(-y0))
            OfflineGeometry.setGlow(cr, size: s)
            cairo_paint(cr)
        }
        patterns = OfflineArt.Pattern.allCases.map { pattern in
            Self.mask(x: 0, y: 0, width: size, height: size) { cr in
                cairo_set_source_rgba(cr, 1, 1, 1, 1)
                OfflineGeometry.drawPattern(pattern, cr, size: s)
            }
        }
    }

    /// Draws into a new A8 surface and keeps its bytes.
    private static func mask(x: Int, y: Int, width: Int, height: Int, draw: (OpaquePointer) -> Void) -> Mask {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_A8, Int32(width), Int32(height))!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        draw(cr)
        cairo_destroy(cr)
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        let bytes = Array(UnsafeBufferPointer(start: data, count: stride * height))
        return Mask(bytes: bytes, width: width, height: height, stride: stride, x: x, y: y)
    }
}

/// The offline picture's shapes, shared by the direct drawing and the cached masks so both draw
/// exactly the same thing.
enum OfflineGeometry {
    static func emojiCentreY(size s: Double) -> Double { s / 2 * 0.95 }
    static func glowRadius(size s: Double) -> Double { s * 0.30 }

    /// Vignette: transparent within a quarter of the edge from the centre, 40 % black at three quarters.
    static func setVignette(_ cr: OpaquePointer, size s: Double) {
        let c = s / 2
        let vignette = cairo_pattern_create_radial(c, c, s * 0.25, c, c, s * 0.75)!
        cairo_pattern_add_color_stop_rgba(vignette, 0, 0, 0, 0, 0)
        cairo_pattern_add_color_stop_rgba(vignette, 1, 0, 0, 0, 0.40)
        cairo_set_source(cr, vignette)
        cairo_pattern_destroy(vignette)
    }

    /// Glow behind the emoji: 45 % white at its centre, fading out at 30 % of the edge.
    static func setGlow(_ cr: OpaquePointer, size s: Double) {
        let c = s / 2, y = emojiCentreY(size: s)
        let glow = cairo_pattern_create_radial(c, y, 0, c, y, glowRadius(size: s))!
        cairo_pattern_add_color_stop_rgba(glow, 0, 1, 1, 1, 0.45)
        cairo_pattern_add_color_stop_rgba(glow, 1, 1, 1, 1, 0)
        cairo_set_source(cr, glow)
        cairo_pattern_destroy(glow)
    }

    /// Fills or strokes the pattern with the current source.
    static func drawPattern(_ pattern: OfflineArt.Pattern, _ cr: OpaquePointer, size s: Double) {
        let c = s / 2
        switch pattern {
        case .stripes:
            cairo_set_line_width(cr, s / 24)
            var offset = -s
            while offset < s {
                cairo_move_to(cr, offset, s)
                cairo_line_to(cr, offset + s, 0)
                offset += s / 8
            }
            cairo_stroke(cr)
        case .dots:
            let step = s / 12
            for row in 0...12 {
                for column in 0...12 {
                    let shift = row % 2 == 0 ? 0 : step / 2
                    cairo_new_sub_path(cr)
                    cairo_arc(cr, Double(column) * step + shift, Double(row) * step, step / 6, 0, 2 * .pi)
                }
            }
            cairo_fill(cr)
        case .rings:
            cairo_set_line_width(cr, s / 40)
            var radius = s / 10
            while radius < s {
                cairo_new_sub_path(cr)
                cairo_arc(cr, c, c * 0.9, radius, 0, 2 * .pi)
                radius += s / 10
            }
            cairo_stroke(cr)
        case .sunburst:
            let rays = 16
            for ray in 0..<rays where ray % 2 == 0 {
                let a0 = Double(ray) * 2 * .pi / Double(rays)
                let a1 = Double(ray + 1) * 2 * .pi / Double(rays)
                cairo_move_to(cr, c, c * 0.9)
                cairo_line_to(cr, c + cos(a0) * s, c * 0.9 + sin(a0) * s)
                cairo_line_to(cr, c + cos(a1) * s, c * 0.9 + sin(a1) * s)
                cairo_close_path(cr)
            }
            cairo_fill(cr)
        }
    }
}
