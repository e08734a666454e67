/*
 * yima/utf8.h - strict UTF-8 decoding, the one rule every layer uses to say
 * whether bytes are text; and the value of a hex digit.
 *
 * Well-formed means RFC 3629: no overlong forms, no surrogates (U+D800 to
 * U+DFFF), nothing above U+10FFFF, no stray continuation bytes and no
 * truncated sequences.
 */
#ifndef YIMA_UTF8_H
#define YIMA_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode the UTF-8 sequence that starts at s[0], reading no further than
 * s[n - 1]. Returns its length (1..4) and stores the code point in *cp (when
 * cp is not NULL), or returns 0 when the bytes are not well-formed UTF-8 (or
 * n is 0); *cp is then left alone.
 */
size_t yima_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* The value (0..15) of hex digit c, either case, or -1 when c is not one. */
int yima_hex_digit(int c);

#endif /* YIMA_UTF8_H */
