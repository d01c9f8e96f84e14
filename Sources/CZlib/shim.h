#include <zlib.h>

/// inflateInit2 is a macro that Swift cannot import; windowBits 15 + 16 accepts the gzip wrapper only.
static inline int czlib_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 16);
}
