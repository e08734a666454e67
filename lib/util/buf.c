/*
 * buf.c - growable buffers with a hard cap (see yima/buf.h), and the JSON
 * string writer every front door uses.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yima/buf.h"
#include "yima/error.h"
#include "yima/utf8.h"

void yima_buf_init(yima_buf *b, size_t cap)
{
    assert(b);
    b->data = NULL;
    b->len = 0;
    b->size = 0;
    b->cap = cap;
    b->failed = false;
}

void yima_buf_free(yima_buf *b)
{
    if (!b)
        return;
    free(b->data);
    yima_buf_init(b, b->cap);
}

void yima_buf_reset(yima_buf *b)
{
    assert(b);
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

/* Make room for n more bytes plus the NUL. */
static int grow(yima_buf *b, size_t n)
{
    size_t need, size;
    char *p;

    if (b->failed)
        return YIMA_ETOOBIG;
    if (n > b->cap || b->len > b->cap - n) {
        b->failed = true;
        return YIMA_ETOOBIG;
    }
    need = b->len + n + 1;
    if (need <= b->size)
        return 0;
    size = b->size ? b->size : 64;
    while (size < need)
        size = size > SIZE_MAX / 2 ? need : size * 2;
    p = realloc(b->data, size);
    if (!p) {
        b->failed = true;
        return YIMA_ENOMEM;
    }
    b->data = p;
    b->size = size;
    return 0;
}

int yima_buf_add_grow(yima_buf *b, const void *p, size_t n)
{
    int rc;

    assert(b);
    if ((rc = grow(b, n)) != 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int yima_buf_reserve(yima_buf *b, size_t n)
{
    assert(b);
    return grow(b, n);
}

int yima_buf_puts(yima_buf *b, const char *s)
{
    return yima_buf_add(b, s, strlen(s));
}


int yima_buf_printf(yima_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return YIMA_EINVAL;
    if ((size_t)n < sizeof small)
        return yima_buf_add(b, small, (size_t)n);
    if ((rc = grow(b, (size_t)n)) != 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int yima_buf_json_str(yima_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;

    yima_buf_putc(b, '"');
    while (i < n) {
        unsigned char c = p[i];
        size_t len;
        const char *esc = NULL;
        char hex[8];

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        len = c >= 0x80 ? yima_utf8_decode(p + i, n - i, NULL) : 0;
        if (len) {
            i += len;
            continue;
        }
        yima_buf_add(b, p + run, i - run);
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                snprintf(hex, sizeof hex, "\\u%04x", c);
                esc = hex;
            } else {
                esc = "\xef\xbf\xbd"; /* U+FFFD for a broken byte */
            }
        }
        yima_buf_puts(b, esc);
        i++;
        run = i;
    }
    yima_buf_add(b, p + run, n - run);
    return yima_buf_putc(b, '"');
}
