// Pango + Cairo (+ libjpeg for JPEG backgrounds) for the MemeImages module.
// Only MemeImages imports this module; nothing else calls these C libraries.
#ifndef MEME_CPANGOCAIRO_SHIM_H
#define MEME_CPANGOCAIRO_SHIM_H

#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

// PANGO_SCALE is a macro Swift sees, but keep a typed constant for clarity.
static inline int meme_pango_scale(void) { return PANGO_SCALE; }

// libjpeg reports fatal errors through error_exit, which must not return:
// jump back to meme_decode_jpeg with the formatted message instead of exit()ing the process.
struct meme_jpeg_error {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void meme_jpeg_error_exit(j_common_ptr cinfo) {
    struct meme_jpeg_error *err = (struct meme_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

static void meme_jpeg_silence(j_common_ptr cinfo, int level) { (void)cinfo; (void)level; }

/// Decodes JPEG bytes into a new CAIRO_FORMAT_RGB24 surface, using libjpeg's DCT scaling so the
/// decoded image is the smallest power-of-two reduction that still covers `min_edge` pixels.
/// Returns NULL on failure with a message in `message` (always NUL-terminated).
static inline cairo_surface_t *meme_decode_jpeg(const unsigned char *data, unsigned long length,
                                                int min_edge, int max_pixels,
                                                char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    struct meme_jpeg_error jerr;
    cairo_surface_t *volatile surface = NULL;
    message[0] = 0;
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = meme_jpeg_error_exit;
    jerr.pub.emit_message = meme_jpeg_silence;
    jerr.message[0] = 0;
    if (setjmp(jerr.jump)) {
        snprintf(message, message_size, "%s", jerr.message[0] ? jerr.message : "JPEG decoding failed");
        jpeg_destroy_decompress(&cinfo);
        if (surface) cairo_surface_destroy(surface);
        return NULL;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, length);
    jpeg_read_header(&cinfo, TRUE);
    if ((long)cinfo.image_width * (long)cinfo.image_height > (long)max_pixels) {
        snprintf(message, message_size, "JPEG is %ux%u, larger than the %d pixel limit",
                 cinfo.image_width, cinfo.image_height, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return NULL;
    }
    unsigned int smaller = cinfo.image_width < cinfo.image_height ? cinfo.image_width : cinfo.image_height;
    unsigned int denom = 1;
    while (denom < 8 && smaller / (denom * 2) >= (unsigned int)min_edge) denom *= 2;
    cinfo.scale_num = 1;
    cinfo.scale_denom = denom;
    cinfo.out_color_space = JCS_EXT_BGRX; // byte order of CAIRO_FORMAT_RGB24 on little-endian
    jpeg_start_decompress(&cinfo);
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)cinfo.output_width, (int)cinfo.output_height);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        snprintf(message, message_size, "cannot allocate a %ux%u surface", cinfo.output_width, cinfo.output_height);
        jpeg_destroy_decompress(&cinfo);
        cairo_surface_destroy(surface);
        return NULL;
    }
    cairo_surface_flush(surface);
    unsigned char *pixels = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * (size_t)stride;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    cairo_surface_mark_dirty(surface);
    return surface;
}

#endif
