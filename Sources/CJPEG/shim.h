// libjpeg(-turbo) through a few C helpers that never exit the process.
//
// libjpeg reports a fatal error by calling `error_exit`, which by default prints and calls
// exit(), and must not return. The documented remedy is setjmp/longjmp, which Swift cannot
// express, so decoding and encoding run entirely inside these static C functions: the jump
// only ever crosses libjpeg's own C frames, never a Swift one.
//
// libjpeg also *recovers* from corrupt or truncated data (it pads a truncated scan with grey
// and emits a warning). Sharp would rather skip such a file than train on invented pixels, so
// a warning is treated as an error too.
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

/// Capacity of the message buffers the helpers fill on failure.
#define SHARP_JPEG_MESSAGE_LENGTH JMSG_LENGTH_MAX

typedef struct sharp_jpeg_error_manager {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} sharp_jpeg_error_manager;

static void sharp_jpeg_error_exit(j_common_ptr info) {
    sharp_jpeg_error_manager *manager = (sharp_jpeg_error_manager *)info->err;
    info->err->format_message(info, manager->message);
    longjmp(manager->jump, 1);
}

static void sharp_jpeg_emit_message(j_common_ptr info, int level) {
    if (level < 0) sharp_jpeg_error_exit(info);  // -1 is a warning: corrupt data was "recovered"
}

static void sharp_jpeg_output_message(j_common_ptr info) { (void)info; }

static void sharp_jpeg_install(sharp_jpeg_error_manager *manager) {
    jpeg_std_error(&manager->pub);
    manager->pub.error_exit = sharp_jpeg_error_exit;
    manager->pub.emit_message = sharp_jpeg_emit_message;
    manager->pub.output_message = sharp_jpeg_output_message;
    manager->message[0] = 0;
}

/// Decodes a JPEG held in memory to 8-bit grey (1 component, for greyscale files) or RGB (3).
/// With `output == NULL` only the header is read. Returns 0 on success; on failure returns -1
/// and copies libjpeg's message into `message` (SHARP_JPEG_MESSAGE_LENGTH bytes).
static int sharp_jpeg_decode(const unsigned char *data, unsigned long size, unsigned char *output,
                             unsigned long capacity, int *width, int *height, int *components, char *message) {
    struct jpeg_decompress_struct info;
    sharp_jpeg_error_manager manager;
    memset(&info, 0, sizeof info);
    info.err = &manager.pub;
    sharp_jpeg_install(&manager);
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&info);
        memcpy(message, manager.message, JMSG_LENGTH_MAX);
        return -1;
    }
    jpeg_create_decompress(&info);
    info.err = &manager.pub;
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_calc_output_dimensions(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *components = info.output_components;
    if (output == NULL) {
        jpeg_destroy_decompress(&info);
        return 0;
    }
    unsigned long stride = (unsigned long)info.output_width * (unsigned long)info.output_components;
    if (stride * info.output_height > capacity) {
        jpeg_destroy_decompress(&info);
        snprintf(message, JMSG_LENGTH_MAX, "output buffer too small");
        return -1;
    }
    jpeg_start_decompress(&info);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = output + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return 0;
}

/// Encodes 8-bit grey (`components` 1) or RGB (3) pixels as a baseline JPEG into `output`
/// (`capacity` bytes). Returns the encoded size, or -1 on failure (message as above, including
/// "output buffer too small").
static long sharp_jpeg_encode(const unsigned char *pixels, int width, int height, int components, int quality,
                              unsigned char *output, unsigned long capacity, char *message) {
    struct jpeg_compress_struct info;
    sharp_jpeg_error_manager manager;
    // libjpeg replaces a too-small destination with a malloc'ed one; remember ours to notice.
    unsigned char *buffer = output;
    unsigned long size = capacity;
    memset(&info, 0, sizeof info);
    info.err = &manager.pub;
    sharp_jpeg_install(&manager);
    if (setjmp(manager.jump)) {
        jpeg_destroy_compress(&info);
        memcpy(message, manager.message, JMSG_LENGTH_MAX);
        return -1;
    }
    jpeg_create_compress(&info);
    info.err = &manager.pub;
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = components;
    info.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    unsigned long stride = (unsigned long)width * (unsigned long)components;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * info.next_scanline);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    if (buffer != output) {
        free(buffer);
        snprintf(message, JMSG_LENGTH_MAX, "output buffer too small");
        return -1;
    }
    return (long)size;
}
