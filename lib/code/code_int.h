/*
 * code_int.h - private to lib/code/: how the dispatcher (code.c) talks to
 * the scheme parsers.
 *
 * code.c normalises the input (trim, full-width to ASCII), decides which
 * scheme it is, and calls that scheme's parser with the normalised text.
 * Parsers fill *out (scheme, form, canonical, parts) and on failure report
 * the error position as a 0-based byte offset into the normalised text by
 * calling code_fail(); code.c maps it back to a character position of the
 * caller's input before returning.
 */
#ifndef YIMA_CODE_INT_H
#define YIMA_CODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "yima/code.h"

/* Record a parse failure at byte offset `off` of the normalised text
 * (use CODE_NOPOS when no place is to blame); returns YIMA_EINVAL. */
#define CODE_NOPOS ((size_t)-1)
int code_fail(yima_error *err, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append a named part to out (value truncated to YIMA_CODE_PART_LEN - 1). */
void code_part_add(yima_code *out, const char *name, const char *value,
                   size_t n);

/* Write "urn:yima:<scheme>:<value>" into out->canonical. */
void code_set_urn(yima_code *out, yima_scheme scheme, const char *value);

/* Start a parse by a scheme that has parts (every one but GS1): set
 * out->scheme, make out->form "bare" unless code.c already set it ("urn"),
 * and clear the parts. */
void code_begin(yima_code *out, yima_scheme scheme);

/* Whether s[0..n) starts with prefix (lower case), ignoring ASCII case.
 * Inline, with no strlen(): the dispatcher and the GS1 parsers ask this
 * of every input, several times. */
static inline bool code_has_prefix_ci(const char *s, size_t n,
                                      const char *prefix)
{
    for (size_t i = 0; prefix[i]; i++) {
        unsigned char c;

        if (i >= n)
            return false;
        c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)prefix[i])
            return false;
    }
    return true;
}

/* Whether s[0..n) is one or more ASCII digits (false when n == 0). */
bool code_all_digits(const char *s, size_t n);

/* Characters in s[0..n): UTF-8 lead bytes and stray bytes, not
 * continuations. code_char_count(s, off) + 1 is the 1-based character
 * position of byte offset off. */
size_t code_char_count(const char *s, size_t n);

/* A printable rendering of the character at s[i] (i < n), written to buf:
 * itself when it is printable ASCII or a well-formed UTF-8 sequence, else
 * \xNN. Returns buf. */
const char *code_show_char(const char *s, size_t n, size_t i, char buf[8]);

/* The byte a percent-escape "%XX" at s[i] (s[i] == '%') stands for, 0..255;
 * -1 unless s[i + 1] and s[i + 2] are both hex digits (either case) inside
 * s[0..n). */
int code_pct_decode(const char *s, size_t n, size_t i);

/* A bounded string being written: appends that do not fit (with the NUL)
 * set `over` and write nothing, and so do all appends after one that did
 * not fit. p[len] is NUL after each append that fitted. */
typedef struct code_sbuf {
    char *p;
    size_t cap, len;
    bool over;
} code_sbuf;

/* Inline: the writers call this for every piece of every rendering. */
static inline void code_sbuf_put(code_sbuf *b, const char *s, size_t n)
{
    if (b->over || n >= b->cap - b->len) {
        b->over = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void code_sbuf_puts(code_sbuf *b, const char *s);
/* Append byte c as "%XX" (upper-case hex). */
void code_sbuf_put_pct(code_sbuf *b, unsigned char c);

/* Scheme parsers. `s` is normalised and NUL-terminated, n == strlen(s).
 * Each sets out->scheme first, so a failed parse still tells the scheme.
 * A leading "urn:yima:<scheme>:" has already been removed by code.c when
 * the input was a yima URN (out->form is then "urn"). */
int code_parse_gs1(const char *s, size_t n, const yima_code_opts *opts,
                   yima_code *out, yima_error *err);
int code_parse_uscc(const char *s, size_t n, yima_code *out, yima_error *err);
int code_parse_ccc(const char *s, size_t n, yima_code *out, yima_error *err);
int code_parse_ecode(const char *s, size_t n, yima_code *out, yima_error *err);
int code_parse_handle(const char *s, size_t n, yima_code *out, yima_error *err);
int code_parse_dic(const char *s, size_t n, yima_code *out, yima_error *err);

/* Cheap shape tests used by the dispatcher to pick a scheme for bare input
 * (no prefix or URI). They look at shape only, never at check characters,
 * unless named *_valid. */
bool code_uscc_valid(const char *s, size_t n); /* shape + check character */
bool code_ecode_shape(const char *s, size_t n);
bool code_dic_shape(const char *s, size_t n);

/* GS1 mod-10 check digit of the n digits in s (the digits before the check
 * digit). Returns '0'..'9'. */
char code_gs1_check_digit(const char *s, size_t n);

#endif /* YIMA_CODE_INT_H */
