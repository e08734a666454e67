/*
 * decode.c - percent-decoding of request targets (RFC 3986 2.1), strict:
 * a '%' must be followed by two hex digits, and %00 is refused because
 * every decoded value is handed out as a C string.
 */
#include <assert.h>

#include "yima/utf8.h"

#include "http_int.h"

int yima_http_decode(const char *s, size_t n, bool plus, yima_buf *out,
                     yima_error *err)
{
    assert(s || n == 0);
    assert(out);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 1 < n ? yima_hex_digit((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < n ? yima_hex_digit((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return yima_error_set(err, YIMA_EINVAL, i + 1,
                                      "bad percent-escape (a '%%' needs two "
                                      "hex digits)");
            c = (char)(hi * 16 + lo);
            if (c == '\0')
                return yima_error_set(err, YIMA_EINVAL, i + 1,
                                      "%%00 (NUL) is not allowed");
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (yima_buf_putc(out, c) != 0)
            return out->len >= out->cap ? YIMA_ETOOBIG : YIMA_ENOMEM;
    }
    return 0;
}
