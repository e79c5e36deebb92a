// PNG (libpng) and JPEG (libjpeg-turbo) codecs behind a longjmp-free API.
// See include/image_codecs.h.

#include "image_codecs.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <jpeglib.h>
#include <jerror.h>

static void set_error(char *buffer, size_t size, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(buffer, size, format, args);
    va_end(args);
}

/// Checks the header's dimensions against the limits; 0 if acceptable.
static int check_limits(int64_t width, int64_t height, wb_limits limits, char *error) {
    if (width <= 0 || height <= 0) {
        set_error(error, WB_IMAGE_ERROR_SIZE, "image has an empty size (%lldx%lld)",
                  (long long)width, (long long)height);
        return -1;
    }
    if (width > limits.max_side || height > limits.max_side) {
        set_error(error, WB_IMAGE_ERROR_SIZE, "image is %lldx%lld, larger than the limit of %d pixels per side",
                  (long long)width, (long long)height, limits.max_side);
        return -1;
    }
    if (width * height > limits.max_pixels) {
        set_error(error, WB_IMAGE_ERROR_SIZE, "image is %lldx%lld = %lld pixels, more than the limit of %lld",
                  (long long)width, (long long)height, (long long)(width * height), (long long)limits.max_pixels);
        return -1;
    }
    return 0;
}

void wb_image_free(wb_image *image) {
    if (image == NULL) return;
    free(image->pixels);
    image->pixels = NULL;
}

void wb_buffer_free(uint8_t *buffer) { free(buffer); }

// MARK: - PNG

typedef struct png_context {
    const uint8_t *data;
    size_t size;
    size_t position;
    char *error;
} png_context;

static void png_on_error(png_structp png, png_const_charp message) {
    png_context *context = (png_context *)png_get_error_ptr(png);
    set_error(context->error, WB_IMAGE_ERROR_SIZE, "corrupt PNG: %s", message);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;  // Pillow ignores what libpng only warns about (bad ancillary CRCs, gamma chunks).
}

static void png_read_memory(png_structp png, png_bytep out, png_size_t count) {
    png_context *context = (png_context *)png_get_io_ptr(png);
    if (count > context->size - context->position) {
        set_error(context->error, WB_IMAGE_ERROR_SIZE, "PNG file is truncated (%zu bytes)", context->size);
        png_longjmp(png, 1);
    }
    memcpy(out, context->data + context->position, count);
    context->position += count;
}

/// Big-endian 32-bit value at `p`.
static int64_t read_be32(const uint8_t *p) {
    return ((int64_t)p[0] << 24) | ((int64_t)p[1] << 16) | ((int64_t)p[2] << 8) | (int64_t)p[3];
}

int wb_decode_png(const uint8_t *data, size_t size, wb_limits limits, wb_image *out) {
    memset(out, 0, sizeof *out);
    // IHDR must be the first chunk: check the claimed size before libpng
    // allocates anything (its own user limits would only say "Invalid IHDR data").
    if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0 &&
        check_limits(read_be32(data + 16), read_be32(data + 20), limits, out->error) != 0) {
        return -1;
    }
    png_context context = {data, size, 0, out->error};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, png_on_error, png_on_warning);
    if (png == NULL) {
        set_error(out->error, WB_IMAGE_ERROR_SIZE, "out of memory creating a PNG reader");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        set_error(out->error, WB_IMAGE_ERROR_SIZE, "out of memory creating a PNG reader");
        return -1;
    }
    // Written between setjmp and a longjmp, read after it: volatile.
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        if (out->error[0] == 0) set_error(out->error, WB_IMAGE_ERROR_SIZE, "corrupt PNG");
        return -1;
    }
    png_set_read_fn(png, &context, png_read_memory);
    // libpng refuses larger headers itself too; ours gives the clearer message first.
    png_set_user_limits(png, (png_uint_32)limits.max_side, (png_uint_32)limits.max_side);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &depth, &color, &interlace, NULL, NULL);
    if (check_limits(width, height, limits, out->error) != 0) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    out->source_bit_depth = depth;
    out->source_palette = color == PNG_COLOR_TYPE_PALETTE;
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    // The high byte, as Pillow's "RGB;16B" unpackers take it (not a rounded rescale).
    if (depth == 16) png_set_strip_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if (channels < 1 || channels > 4 || row_bytes != (size_t)width * (size_t)channels) {
        set_error(out->error, WB_IMAGE_ERROR_SIZE, "unsupported PNG layout (%d channels, %zu bytes per row)",
                  channels, row_bytes);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    pixels = malloc(row_bytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (pixels == NULL || rows == NULL) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        set_error(out->error, WB_IMAGE_ERROR_SIZE, "out of memory for a %ux%u image", width, height);
        return -1;
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    // The chunks after the image data are not read: like Pillow, a file
    // whose pixels are complete but whose IEND is missing still opens.
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    out->width = (int)width;
    out->height = (int)height;
    out->channels = channels;
    out->pixels = pixels;
    out->error[0] = 0;
    return 0;
}

int wb_encode_png(const uint8_t *pixels, int width, int height, int channels,
                  uint8_t **out, size_t *out_size, char *error, size_t error_size) {
    *out = NULL;
    *out_size = 0;
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4) {
        set_error(error, error_size, "cannot encode a %dx%d image with %d channels as PNG", width, height, channels);
        return -1;
    }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    static const png_uint_32 formats[] = {PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
    image.format = formats[channels - 1];
    png_alloc_size_t size = 0;
    // First call measures, second writes (libpng's simplified API has no longjmp).
    if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) {
        set_error(error, error_size, "PNG encoding failed: %s", image.message);
        png_image_free(&image);
        return -1;
    }
    uint8_t *buffer = malloc(size);
    if (buffer == NULL) {
        set_error(error, error_size, "out of memory for a %zu-byte PNG", (size_t)size);
        return -1;
    }
    if (!png_image_write_to_memory(&image, buffer, &size, 0, pixels, 0, NULL)) {
        set_error(error, error_size, "PNG encoding failed: %s", image.message);
        png_image_free(&image);
        free(buffer);
        return -1;
    }
    *out = buffer;
    *out_size = size;
    return 0;
}

// MARK: - JPEG

typedef struct jpeg_context {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    int truncated;
    size_t size;
    char *error;
} jpeg_context;

static void jpeg_on_error(j_common_ptr cinfo) {
    jpeg_context *context = (jpeg_context *)cinfo->err;
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    if (context->truncated) {
        // The data ran out first; what libjpeg then trips over is a consequence.
        set_error(context->error, WB_IMAGE_ERROR_SIZE, "JPEG file is truncated (%zu bytes; %s)", context->size, message);
    } else {
        set_error(context->error, WB_IMAGE_ERROR_SIZE, "corrupt JPEG: %s", message);
    }
    longjmp(context->jump, 1);
}

static void jpeg_on_message(j_common_ptr cinfo, int level) {
    jpeg_context *context = (jpeg_context *)cinfo->err;
    // Warnings (level -1) are ignored as Pillow ignores them, except running
    // out of data: libjpeg then pads the image with gray, Pillow refuses it.
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) context->truncated = 1;
}

/// Pillow's MULDIV255: a * b / 255, rounded.
static inline int muldiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

int wb_decode_jpeg(const uint8_t *data, size_t size, wb_limits limits, wb_image *out) {
    memset(out, 0, sizeof *out);
    struct jpeg_decompress_struct cinfo;
    jpeg_context context;
    memset(&context, 0, sizeof context);
    context.error = out->error;
    context.size = size;
    cinfo.err = jpeg_std_error(&context.manager);
    context.manager.error_exit = jpeg_on_error;
    context.manager.emit_message = jpeg_on_message;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile row = NULL;
    if (setjmp(context.jump)) {
        free(pixels);
        free(row);
        jpeg_destroy_decompress(&cinfo);
        if (out->error[0] == 0) set_error(out->error, WB_IMAGE_ERROR_SIZE, "corrupt JPEG");
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (context.truncated) {
        jpeg_destroy_decompress(&cinfo);
        set_error(out->error, WB_IMAGE_ERROR_SIZE, "JPEG file is truncated (%zu bytes)", size);
        return -1;
    }
    if (check_limits(cinfo.image_width, cinfo.image_height, limits, out->error) != 0) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cmyk) {
        cinfo.out_color_space = JCS_CMYK;
    } else if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    } else {
        cinfo.out_color_space = JCS_RGB;
    }
    jpeg_start_decompress(&cinfo);
    int width = (int)cinfo.output_width, height = (int)cinfo.output_height;
    int components = cinfo.output_components;
    int channels = cmyk ? 3 : components;
    if (check_limits(width, height, limits, out->error) != 0 || (channels != 1 && channels != 3)) {
        if (out->error[0] == 0) {
            set_error(out->error, WB_IMAGE_ERROR_SIZE, "unsupported JPEG layout (%d components)", components);
        }
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    size_t out_row = (size_t)width * (size_t)channels;
    pixels = malloc(out_row * (size_t)height);
    row = malloc((size_t)width * (size_t)components);
    if (pixels == NULL || row == NULL) {
        free(pixels);
        free(row);
        jpeg_destroy_decompress(&cinfo);
        set_error(out->error, WB_IMAGE_ERROR_SIZE, "out of memory for a %dx%d image", width, height);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        int y = (int)cinfo.output_scanline;
        JSAMPROW target = cmyk ? (JSAMPROW)row : (JSAMPROW)(pixels + (size_t)y * out_row);
        if (jpeg_read_scanlines(&cinfo, &target, 1) != 1) break;
        if (cmyk) {
            // Pillow reads CMYK JPEGs as "CMYK;I" (Adobe's inverted samples),
            // then converts: channel = (255 - k) - (c * (255 - k)) / 255.
            uint8_t *dst = pixels + (size_t)y * out_row;
            for (int x = 0; x < width; x++) {
                const uint8_t *s = row + (size_t)x * 4;
                int nk = s[3];  // 255 - k, with k = 255 - stored
                for (int c = 0; c < 3; c++) {
                    int v = nk - muldiv255(255 - s[c], nk);
                    dst[x * 3 + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
                }
            }
        }
        if (context.truncated) break;
    }
    if (context.truncated || cinfo.output_scanline < cinfo.output_height) {
        free(pixels);
        free(row);
        jpeg_destroy_decompress(&cinfo);
        set_error(out->error, WB_IMAGE_ERROR_SIZE, "JPEG file is truncated (%zu bytes)", size);
        return -1;
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    out->width = width;
    out->height = height;
    out->channels = channels;
    out->source_bit_depth = 8;
    out->pixels = pixels;
    out->error[0] = 0;
    return 0;
}
