// Pango + Cairo (+ libjpeg for JPEG backgrounds and photo answers, libpng) for the MemeImages module.
// Only MemeImages imports this module; nothing else calls these C libraries.
#ifndef MEME_CPANGOCAIRO_SHIM_H
#define MEME_CPANGOCAIRO_SHIM_H

#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>
#include <stdlib.h>

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

/// libjpeg error handling for one (de)compression: errors jump back with their text, warnings are silent.
static inline struct jpeg_error_mgr *meme_jpeg_errors(struct meme_jpeg_error *jerr) {
    struct jpeg_error_mgr *manager = jpeg_std_error(&jerr->pub);
    jerr->pub.error_exit = meme_jpeg_error_exit;
    jerr->pub.emit_message = meme_jpeg_silence;
    jerr->message[0] = 0;
    return manager;
}

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
    cinfo.err = meme_jpeg_errors(&jerr);
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


/// Encodes a CAIRO_FORMAT_RGB24 image surface as a baseline JPEG (4:2:0, optimised Huffman tables)
/// into a malloc'd buffer (`*out`, to be released with free()). Returns 0 on success, -1 on failure
/// with a message in `message` (always NUL-terminated).
static inline int meme_encode_jpeg_rgb24(cairo_surface_t *surface, int quality, unsigned char **out,
                                         unsigned long *out_length, char *message, size_t message_size) {
    struct jpeg_compress_struct cinfo;
    struct meme_jpeg_error jerr;
    unsigned char *volatile buffer = NULL;
    unsigned long volatile length = 0;
    message[0] = 0;
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = meme_jpeg_errors(&jerr);
    if (setjmp(jerr.jump)) {
        snprintf(message, message_size, "%s", jerr.message[0] ? jerr.message : "JPEG encoding failed");
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, (unsigned long *)&length);
    cinfo.image_width = (JDIMENSION)cairo_image_surface_get_width(surface);
    cinfo.image_height = (JDIMENSION)cairo_image_surface_get_height(surface);
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_EXT_BGRX; // byte order of CAIRO_FORMAT_RGB24 on little-endian
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    cinfo.optimize_coding = TRUE;
    jpeg_start_compress(&cinfo, TRUE);
    unsigned char *pixels = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = pixels + (size_t)cinfo.next_scanline * (size_t)stride;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_length = length;
    return 0;
}


// PNG encoding with a chosen zlib level/strategy and row filter: cairo's own writer uses libpng's
// defaults (level 6, adaptive filtering), which spend most of a render's time in zlib.
struct meme_png_buffer {
    unsigned char *data;
    size_t length;
    size_t capacity;
};

static void meme_png_write(png_structp png, png_bytep bytes, png_size_t length) {
    struct meme_png_buffer *buffer = (struct meme_png_buffer *)png_get_io_ptr(png);
    if (buffer->length + length > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 65536;
        while (capacity < buffer->length + length) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(buffer->data, capacity);
        if (!grown) png_error(png, "out of memory");
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, bytes, length);
    buffer->length += length;
}

static void meme_png_flush(png_structp png) { (void)png; }

/// Encodes a CAIRO_FORMAT_RGB24 image surface as an 8-bit RGB PNG into a malloc'd buffer
/// (`*out`, to be released with free()). Returns 0 on success, -1 on failure.
static inline int meme_encode_png_rgb24(cairo_surface_t *surface, int level, int strategy, int filters,
                                        unsigned char **out, size_t *out_length) {
    struct meme_png_buffer buffer = {NULL, 0, 0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png) return -1;
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_write_struct(&png, NULL); return -1; }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(buffer.data);
        return -1;
    }
    int width = cairo_image_surface_get_width(surface);
    int height = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    unsigned char *pixels = cairo_image_surface_get_data(surface);
    png_set_write_fn(png, &buffer, meme_png_write, meme_png_flush);
    png_set_compression_level(png, level);
    png_set_compression_strategy(png, strategy);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    // Cairo RGB24 is a native-endian 0x00RRGGBB word: B,G,R,X bytes on little-endian machines.
    png_set_bgr(png);
    png_set_filler(png, 0, PNG_FILLER_AFTER);
    for (int y = 0; y < height; y++) png_write_row(png, pixels + (size_t)y * (size_t)stride);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = buffer.data;
    *out_length = buffer.length;
    return 0;
}

#endif
