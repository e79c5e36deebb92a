#ifndef WORKBENCH_IMAGE_CODECS_H
#define WORKBENCH_IMAGE_CODECS_H

// PNG and JPEG decoding from memory, PNG encoding, for the Swift side of
// workbench (Sources/Tensors/Data/ImageDecoding.swift).
//
// libpng and libjpeg report errors by longjmp-ing out of their callbacks,
// which Swift frames must never be unwound through. These functions keep
// every setjmp/longjmp inside C and return 0 on success or -1 with a
// message in `error` — never a crash, whatever the bytes.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Size of the message buffer of `wb_image`.
#define WB_IMAGE_ERROR_SIZE 200

/// A decoded 8-bit image: `height` rows of `width * channels` bytes
/// (HWC, channels interleaved). `pixels` is malloc'ed; free it with
/// `wb_image_free`.
typedef struct wb_image {
    int width;
    int height;
    /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    int channels;
    /// Bits per sample in the file (1, 2, 4, 8 or 16) before reduction to 8.
    int source_bit_depth;
    /// Non-zero when the PNG held a palette (expanded to RGB or RGBA here).
    int source_palette;
    uint8_t *pixels;
    /// Why decoding failed, NUL-terminated (empty on success).
    char error[WB_IMAGE_ERROR_SIZE];
} wb_image;

/// Limits checked from the header, before any pixel buffer is allocated.
typedef struct wb_limits {
    /// Largest width or height accepted.
    int max_side;
    /// Largest width * height accepted.
    int64_t max_pixels;
} wb_limits;

/// Decodes a PNG the way Pillow reads it: palettes expanded (to RGBA when the
/// file has a tRNS chunk), gray below 8 bits expanded, 16-bit samples reduced
/// to their high byte, gamma and colour chunks ignored.
int wb_decode_png(const uint8_t *data, size_t size, wb_limits limits, wb_image *out);

/// Decodes a baseline or progressive JPEG with libjpeg's defaults (islow
/// IDCT, fancy upsampling), as Pillow does: gray stays 1 channel, YCbCr
/// becomes RGB, CMYK/YCCK becomes RGB with Pillow's conversion (Adobe
/// inverted samples). A file that ends before its image data is complete is
/// an error (Pillow: "image file is truncated").
int wb_decode_jpeg(const uint8_t *data, size_t size, wb_limits limits, wb_image *out);

/// Frees the pixels of a decoded image (safe on a zeroed or failed one).
void wb_image_free(wb_image *image);

/// Encodes 8-bit HWC pixels (1, 2, 3 or 4 channels) as a PNG. On success
/// `*out` is malloc'ed (free it with `wb_buffer_free`) and `*out_size` set.
int wb_encode_png(const uint8_t *pixels, int width, int height, int channels,
                  uint8_t **out, size_t *out_size, char *error, size_t error_size);

/// Frees a buffer returned by `wb_encode_png`.
void wb_buffer_free(uint8_t *buffer);

#ifdef __cplusplus
}
#endif

#endif
