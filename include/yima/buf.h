/*
 * yima/buf.h - growable byte buffers with a hard size cap, and JSON output.
 *
 * Every buffer that grows from outside input has a cap: an append that would
 * pass it fails with YIMA_ETOOBIG and leaves the buffer as it was. The bytes
 * are always NUL-terminated (the NUL is not counted in `len`).
 *
 *   yima_buf b;
 *   yima_buf_init(&b, 1 << 20);
 *   yima_buf_puts(&b, "hello");
 *   ... use b.data, b.len ...
 *   yima_buf_free(&b);
 */
#ifndef YIMA_BUF_H
#define YIMA_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct yima_buf {
    char *data;  /* owned by the buffer; NULL until the first append */
    size_t len;  /* bytes in use, not counting the trailing NUL */
    size_t size; /* bytes allocated */
    size_t cap;  /* most bytes `len` may ever reach */
    bool failed; /* set once any append failed; later appends are no-ops */
} yima_buf;

/* Start an empty buffer that may grow to at most cap bytes. */
void yima_buf_init(yima_buf *b, size_t cap);

/* Release the memory; the buffer may be initialised again. Accepts NULL. */
void yima_buf_free(yima_buf *b);

/* Forget the contents but keep the memory (and any failure flag cleared). */
void yima_buf_reset(yima_buf *b);

/* yima_buf_add() when there is no room yet: grows the buffer first. */
int yima_buf_add_grow(yima_buf *b, const void *p, size_t n);

/*
 * Append bytes. Return 0, YIMA_ENOMEM or YIMA_ETOOBIG. After a failure the
 * buffer keeps what it had and `failed` stays set, so a caller may append a
 * whole document and check once at the end. Inline while there is room
 * (most appends: a reader makes about 150 an event).
 */
static inline int yima_buf_add(yima_buf *b, const void *p, size_t n)
{
    if (b->size - b->len > n && b->cap - b->len >= n && !b->failed) {
        if (n) /* p may be NULL then */
            memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return yima_buf_add_grow(b, p, n);
}
/* Room for n more bytes (and the NUL) without adding them: for writers
 * that fill data + len themselves and then move len. Return as above. */
int yima_buf_reserve(yima_buf *b, size_t n);
int yima_buf_puts(yima_buf *b, const char *s);

/* One byte, inline while there is room: writers of canonical forms append
 * byte by byte, and a call into yima_buf_add() for each cost the reader
 * about 4,000 instructions an event (2.4 %). */
static inline int yima_buf_putc(yima_buf *b, char c)
{
    if (b->len + 2 <= b->size && b->len < b->cap && !b->failed) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return 0;
    }
    return yima_buf_add_grow(b, &c, 1);
}
int yima_buf_printf(yima_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append n bytes of s as a JSON string literal, quotes included. Bytes that
 * are not valid UTF-8 are written as U+FFFD so the output is always JSON. */
int yima_buf_json_str(yima_buf *b, const char *s, size_t n);

#endif /* YIMA_BUF_H */
