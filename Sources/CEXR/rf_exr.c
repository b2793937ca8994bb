#include "rf_exr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_error[1024];

static void rf_exr_quiet_handler(exr_const_context_t ctxt, exr_result_t code, const char* msg) {
    (void) ctxt;
    snprintf(last_error, sizeof last_error, "%s", msg ? msg : exr_get_default_error_message(code));
}

exr_context_initializer_t rf_exr_initializer(void) {
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.error_handler_fn = rf_exr_quiet_handler;
    return init;
}

const char* rf_exr_last_error(void) { return last_error; }

void rf_exr_clear_error(void) { last_error[0] = 0; }

void rf_exr_box(exr_attr_box2i_t box, int32_t* out4) {
    out4[0] = box.min.x;
    out4[1] = box.min.y;
    out4[2] = box.max.x;
    out4[3] = box.max.y;
}

exr_attr_box2i_t rf_exr_make_box(int32_t minx, int32_t miny, int32_t maxx, int32_t maxy) {
    exr_attr_box2i_t box;
    box.min.x = minx;
    box.min.y = miny;
    box.max.x = maxx;
    box.max.y = maxy;
    return box;
}

/// The caller's layout for a channel: 32-bit floats, `pixel_stride` bytes apart, rows
/// `line_stride` bytes apart.
static void rf_exr_float_layout(exr_coding_channel_info_t* c, int32_t pixel_stride, int32_t line_stride) {
    c->user_pixel_stride = pixel_stride;
    c->user_line_stride = line_stride;
    c->user_data_type = EXR_PIXEL_FLOAT;
    c->user_bytes_per_element = 4;
}

void rf_exr_decode_channel(exr_decode_pipeline_t* decode, int index, uint8_t* ptr, int32_t pixel_stride, int32_t line_stride) {
    decode->channels[index].decode_to_ptr = ptr;
    rf_exr_float_layout(&decode->channels[index], pixel_stride, line_stride);
}

void rf_exr_encode_channel(exr_encode_pipeline_t* encode, int index, const uint8_t* ptr, int32_t pixel_stride, int32_t line_stride) {
    encode->channels[index].encode_from_ptr = ptr;
    rf_exr_float_layout(&encode->channels[index], pixel_stride, line_stride);
}

const char* rf_exr_decode_channel_name(const exr_decode_pipeline_t* decode, int index) {
    return decode->channels[index].channel_name;
}

const char* rf_exr_encode_channel_name(const exr_encode_pipeline_t* encode, int index) {
    return encode->channels[index].channel_name;
}

exr_decode_pipeline_t rf_exr_decode_pipeline(void) {
    exr_decode_pipeline_t p;
    memset(&p, 0, sizeof p);
    return p;
}

exr_encode_pipeline_t rf_exr_encode_pipeline(void) {
    exr_encode_pipeline_t p;
    memset(&p, 0, sizeof p);
    return p;
}

exr_result_t rf_exr_pack_and_compress(exr_encode_pipeline_t* e, rf_exr_chunk_bytes* out) {
    uint64_t need = e->chunk.unpacked_size;
    if (e->packed_buffer == NULL || e->packed_alloc_size < need) {
        free(e->packed_buffer);
        e->packed_buffer = malloc(need ? need : 1);
        if (!e->packed_buffer) return EXR_ERR_OUT_OF_MEMORY;
        e->packed_alloc_size = need;
    }
    exr_result_t rc = e->convert_and_pack_fn(e);
    if (rc != EXR_ERR_SUCCESS) return rc;
    const void* src = e->packed_buffer;
    uint64_t n = e->packed_bytes;
    if (rf_exr_libdeflate_enabled() && e->compress_fn && rf_exr_is_zip(e->chunk.compression)) {
        int level = -1;
        exr_get_zip_compression_level(e->context, e->part_index, &level);
        return rf_exr_zip_compress(e->packed_buffer, n, level < 0 ? 6 : level, out);
    }
    if (e->compress_fn) {
        rc = e->compress_fn(e);
        if (rc != EXR_ERR_SUCCESS) return rc;
        if (e->compressed_buffer && e->compressed_bytes < e->packed_bytes) {
            src = e->compressed_buffer;
            n = e->compressed_bytes;
        }
    }
    out->data = malloc(n ? n : 1);
    if (!out->data) return EXR_ERR_OUT_OF_MEMORY;
    memcpy(out->data, src, n);
    out->size = n;
    return EXR_ERR_SUCCESS;
}

void rf_exr_free_chunk(rf_exr_chunk_bytes* chunk) {
    free(chunk->data);
    chunk->data = NULL;
    chunk->size = 0;
}
