import CPangoCairo
import Glibc

/// One Pango font map + context + caption layout: the per-thread state of the renderer.
///
/// Not safe for concurrent use: ``MemeRenderer`` hands each engine to one thread at a time
/// (hence `@unchecked Sendable`). Owns its GObjects and releases them in `deinit`.
final class RenderEngine: @unchecked Sendable {
    static let captionFont = "DejaVu Sans Bold"
    static let emojiFont = "Noto Color Emoji"

    private let fontMap: UnsafeMutablePointer<PangoFontMap>
    private let context: OpaquePointer
    private let layout: OpaquePointer
    private let captionDescription: OpaquePointer
    private let emojiDescription: OpaquePointer

    init() {
        // A private font map per engine: Pango font maps are not thread-safe.
        fontMap = pango_cairo_font_map_new()
        context = pango_font_map_create_context(fontMap)
        layout = pango_layout_new(context)
        captionDescription = pango_font_description_from_string(Self.captionFont)
        emojiDescription = pango_font_description_from_string(Self.emojiFont)
        pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD)
    }

    deinit {
        pango_font_description_free(captionDescription)
        pango_font_description_free(emojiDescription)
        g_object_unref(UnsafeMutableRawPointer(layout))
        g_object_unref(UnsafeMutableRawPointer(context))
        g_object_unref(UnsafeMutableRawPointer(fontMap))
    }

    // MARK: Whole image

    func render(_ job: RenderJob) throws -> RenderedMeme {
        var top: CaptionLayout.Fit?
        var bottom: CaptionLayout.Fit?
        let surface = try drawSurface(job, top: &top, bottom: &bottom)
        defer { cairo_surface_destroy(surface) }
        let bytes = switch job.format {
        case .png: try ImageCodec.encodePNG(surface, settings: .fast)
        case .jpeg(let quality): try ImageCodec.encodeJPEG(surface, quality: quality)
        }
        return RenderedMeme(bytes: bytes, format: job.format, width: job.size, height: job.size, top: top, bottom: bottom)
    }

    func drawSurface(_ job: RenderJob) throws -> OpaquePointer {
        var top: CaptionLayout.Fit?
        var bottom: CaptionLayout.Fit?
        return try drawSurface(job, top: &top, bottom: &bottom)
    }

    /// Draws the meme into a new RGB24 surface owned by the caller.
    func drawSurface(_ job: RenderJob, top: inout CaptionLayout.Fit?, bottom: inout CaptionLayout.Fit?) throws -> OpaquePointer {
        guard (16...4096).contains(job.size) else {
            throw ImageSourceError.rendering("image size \(job.size) is outside 16...4096 pixels")
        }
        let size = job.size
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(size), Int32(size))!
        var handedOver = false
        defer { if !handedOver { cairo_surface_destroy(surface) } }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw ImageSourceError.rendering("cannot allocate a \(size)×\(size) image")
        }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        pango_cairo_update_context(cr, context)
        pango_layout_context_changed(layout)

        switch job.background {
        case .solid(let red, let green, let blue):
            cairo_set_source_rgb(cr, red, green, blue)
            cairo_paint(cr)
        case .image(let bytes):
            try drawImage(bytes, cr: cr, size: size)
        case .generated(let seed):
            drawGenerated(OfflineArt(seed: seed), cr: cr, size: size)
        }

        let geometry = CaptionLayout(imageSize: size)
        if let text = job.captions.top {
            top = drawCaption(text, geometry: geometry, atTop: true, cr: cr)
        }
        if let text = job.captions.bottom {
            bottom = drawCaption(text, geometry: geometry, atTop: false, cr: cr)
        }
        guard cairo_status(cr) == CAIRO_STATUS_SUCCESS else {
            throw ImageSourceError.rendering("drawing failed: \(String(cString: cairo_status_to_string(cairo_status(cr))))")
        }
        cairo_surface_flush(surface)
        handedOver = true
        return surface
    }

    // MARK: Captions

    /// Configures the shared layout for `text` at `fontSize` and measures it (outline included).
    private func measure(_ text: String, fontSize: Int, geometry: CaptionLayout, ellipsize: Bool) -> CaptionLayout.Measurement {
        let outline = Int(geometry.outlineWidth(fontSize: fontSize).rounded(.up))
        pango_font_description_set_absolute_size(captionDescription, Double(fontSize) * Double(PANGO_SCALE))
        pango_layout_set_font_description(layout, captionDescription)
        pango_layout_set_width(layout, Int32((geometry.boxWidth - outline) * Int(PANGO_SCALE)))
        pango_layout_set_height(layout, ellipsize ? Int32(-geometry.maxLines) : -1)
        pango_layout_set_ellipsize(layout, ellipsize ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE)
        pango_layout_set_text(layout, text, -1)
        var logical = PangoRectangle()
        pango_layout_get_pixel_extents(layout, nil, &logical)
        return CaptionLayout.Measurement(
            lineCount: Int(pango_layout_get_line_count(layout)),
            width: Int(logical.width) + outline,
            height: Int(logical.height) + outline)
    }

    /// Chooses the caption's font size without drawing (for tests and callers that want to know).
    func fitCaption(_ text: String, imageSize: Int) -> CaptionLayout.Fit {
        let geometry = CaptionLayout(imageSize: imageSize)
        return geometry.fit { measure(text, fontSize: $0, geometry: geometry, ellipsize: false) }
    }

    private func drawCaption(_ text: String, geometry: CaptionLayout, atTop: Bool, cr: OpaquePointer) -> CaptionLayout.Fit {
        var fit = geometry.fit { measure(text, fontSize: $0, geometry: geometry, ellipsize: false) }
        let final = measure(text, fontSize: fit.fontSize, geometry: geometry, ellipsize: !fit.fits)
        fit.lineCount = final.lineCount
        let outline = geometry.outlineWidth(fontSize: fit.fontSize)
        var logical = PangoRectangle()
        pango_layout_get_pixel_extents(layout, nil, &logical)
        let x = Double(geometry.margin) + outline / 2
        let y = atTop
            ? Double(geometry.margin) - Double(logical.y)
            : Double(geometry.imageSize - geometry.margin - Int(logical.height) - Int(logical.y))

        // Outline: stroke the glyph outlines. Then fill with show_layout rather than fill(): colour
        // emoji are bitmaps with no outline path, and would vanish from a path fill.
        cairo_save(cr)
        cairo_move_to(cr, x, y)
        pango_cairo_layout_path(cr, layout)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND)
        cairo_set_line_width(cr, outline)
        cairo_set_source_rgb(cr, 0, 0, 0)
        cairo_stroke(cr)
        cairo_move_to(cr, x, y)
        cairo_set_source_rgb(cr, 1, 1, 1)
        pango_cairo_show_layout(cr, layout)
        cairo_restore(cr)
        return fit
    }

    // MARK: Backgrounds

    private func drawImage(_ bytes: [UInt8], cr: OpaquePointer, size: Int) throws {
        let image = try ImageCodec.decode(bytes, minEdge: size)
        defer { cairo_surface_destroy(image) }
        let width = Double(cairo_image_surface_get_width(image))
        let height = Double(cairo_image_surface_get_height(image))
        guard width > 0, height > 0 else { throw ImageSourceError.rendering("background image is empty") }
        // Cover the square (like CSS object-fit: cover), centred.
        let scale = max(Double(size) / width, Double(size) / height)
        cairo_save(cr)
        cairo_translate(cr, (Double(size) - width * scale) / 2, (Double(size) - height * scale) / 2)
        cairo_scale(cr, scale, scale)
        cairo_set_source_surface(cr, image, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD)
        // Without PAD the filter samples black beyond the image and darkens the edges.
        cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD)
        cairo_paint(cr)
        cairo_restore(cr)
    }

    private func drawGenerated(_ art: OfflineArt, cr: OpaquePointer, size: Int) {
        let s = Double(size)
        let c = s / 2
        // Gradient along `angle` through the centre.
        let radians = art.angle * .pi / 180
        let dx = cos(radians) * c, dy = sin(radians) * c
        let gradient = cairo_pattern_create_linear(c - dx, c - dy, c + dx, c + dy)!
        cairo_pattern_add_color_stop_rgb(gradient, 0, art.from.red, art.from.green, art.from.blue)
        cairo_pattern_add_color_stop_rgb(gradient, 1, art.to.red, art.to.green, art.to.blue)
        cairo_set_source(cr, gradient)
        cairo_paint(cr)
        cairo_pattern_destroy(gradient)

        if let layers = OfflineLayers.forSize(size) {
            // The same layers from cached coverage masks (OfflineLayers): one pixman pass each.
            cairo_set_source_rgba(cr, 1, 1, 1, 0.10)
            layers.patterns[art.pattern.rawValue].paint(cr)
            cairo_set_source_rgb(cr, 0, 0, 0)
            layers.vignette.paint(cr)
            cairo_set_source_rgb(cr, 1, 1, 1)
            layers.glow.paint(cr)
        } else {
            cairo_save(cr)
            cairo_set_source_rgba(cr, 1, 1, 1, 0.10)
            OfflineGeometry.drawPattern(art.pattern, cr, size: s)
            cairo_restore(cr)
            // Vignette: darker edges make the white captions pop on light palettes.
            OfflineGeometry.setVignette(cr, size: s)
            cairo_paint(cr)
            // Soft glow behind the emoji.
            OfflineGeometry.setGlow(cr, size: s)
            cairo_paint(cr)
        }

        // The emoji, centred on the glow.
        let emojiCentreY = OfflineGeometry.emojiCentreY(size: s)
        let emojiLayout = pango_layout_new(context)!
        defer { g_object_unref(UnsafeMutableRawPointer(emojiLayout)) }
        pango_font_description_set_absolute_size(emojiDescription, s * 0.30 * Double(PANGO_SCALE))
        pango_layout_set_font_description(emojiLayout, emojiDescription)
        pango_layout_set_text(emojiLayout, art.emoji, -1)
        var ink = PangoRectangle()
        pango_layout_get_pixel_extents(emojiLayout, &ink, nil)
        cairo_move_to(cr, c - Double(ink.x) - Double(ink.width) / 2, emojiCentreY - Double(ink.y) - Double(ink.height) / 2)
        pango_cairo_show_layout(cr, emojiLayout)
    }
}
