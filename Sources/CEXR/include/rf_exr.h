// A few helpers around OpenEXRCore's C API (libopenexr-dev 3.1, <OpenEXR/openexr.h>) that Swift
// cannot express directly: the default context initializer is a macro, and the coding channel
// structs hold their pointers in anonymous unions.
#ifndef RF_EXR_H
#define RF_EXR_H

#include <OpenEXR/openexr.h>

/// A context initializer with the library's defaults whose error handler stores the last message
/// of this thread (see rf_exr_last_error) instead of printing it.
exr_context_initializer_t rf_exr_initializer(void);

/// The last error message the library reported on this thread ("" if none).
const char* rf_exr_last_error(void);

/// Forgets the last error message of this thread.
void rf_exr_clear_error(void);

/// min.x, min.y, max.x, max.y of a box.
void rf_exr_box(exr_attr_box2i_t box, int32_t* out4);

/// A box from its corners.
exr_attr_box2i_t rf_exr_make_box(int32_t minx, int32_t miny, int32_t maxx, int32_t maxy);

/// Channel `index` of a decode pipeline decodes to 32-bit floats at `ptr` (NULL: skipped).
void rf_exr_decode_channel(exr_decode_pipeline_t* decode, int index, uint8_t* ptr, int32_t pixel_stride, int32_t line_stride);

/// Channel `index` of an encode pipeline encodes from 32-bit floats at `ptr`.
void rf_exr_encode_channel(exr_encode_pipeline_t* encode, int index, const uint8_t* ptr, int32_t pixel_stride, int32_t line_stride);

/// The name of channel `index` of a decode or encode pipeline.
const char* rf_exr_decode_channel_name(const exr_decode_pipeline_t* decode, int index);
const char* rf_exr_encode_channel_name(const exr_encode_pipeline_t* encode, int index);

/// A zeroed pipeline, as the library expects before initialisation.
exr_decode_pipeline_t rf_exr_decode_pipeline(void);
exr_encode_pipeline_t rf_exr_encode_pipeline(void);

/// Compressed bytes of one chunk, captured instead of written (so chunks can be compressed on
/// several threads and written in file order afterwards). `data` is malloc'ed; free it with
/// rf_exr_free_chunk.
typedef struct {
    void* data;
    uint64_t size;
} rf_exr_chunk_bytes;

/// Packs and compresses the chunk `encode` was initialised for (after
/// exr_encoding_choose_default_routines) and stores its final bytes in `out`, without writing:
/// OpenEXR 3.1's exr_encoding_run insists on writing chunks in order, so chunks are compressed on
/// several threads with this and written in order with exr_write_scanline_chunk /
/// exr_write_tile_chunk. A chunk that does not shrink is stored uncompressed, as the format allows.
exr_result_t rf_exr_pack_and_compress(exr_encode_pipeline_t* encode, rf_exr_chunk_bytes* out);

void rf_exr_free_chunk(rf_exr_chunk_bytes* chunk);

/// ZIP and ZIPS chunks are compressed and decompressed with libdeflate (rf_zip.c) rather than
/// the library's zlib: the same format, faster. On by default; off (0) only to check one against
/// the other.
void rf_exr_set_libdeflate(int on);
int rf_exr_libdeflate_enabled(void);

/// Whether a chunk's compression is ZIP or ZIPS.
int rf_exr_is_zip(uint8_t compression);

/// A ZIP/ZIPS chunk of `n` packed bytes at deflate `level` (libdeflate's 1-12) into `out`
/// (malloc'ed; stored as it is when compression does not make it smaller).
exr_result_t rf_exr_zip_compress(const uint8_t* in, uint64_t n, int level, rf_exr_chunk_bytes* out);

/// After exr_decoding_choose_default_routines: a ZIP/ZIPS chunk decompresses with libdeflate.
void rf_exr_fast_inflate(exr_decode_pipeline_t* decode);

#endif
