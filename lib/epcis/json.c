/*
 * json.c - the quick way from JSON text to Jansson values.
 *
 * json_loadb() reads its input one byte at a time through a callback and
 * copies every byte of every token on the way; that was a third of the
 * time of an EPCIS read. This reader scans the bytes in place and builds
 * the values with Jansson's own constructors, in the order json_loadb()
 * would (json_object_setn_new_nocheck(), json_array_append_new()), so the
 * tree is the same one: the same key order, integers and reals told apart
 * the same way, the same strings.
 *
 * It reads only what it is sure of. On anything else - a syntax error, a
 * duplicate key, "\u0000", an escaped key, a number that overflows, very
 * deep nesting - it gives up and the caller runs json_loadb(), which then
 * reports its own error with its own position. So what a reader accepts
 * and every message it gives stay json_loadb()'s.
 */
#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "epcis_int.h"
#include "yima/utf8.h"

/* Deeper input is left to json_loadb() (whose own limit is 2048). */
#define DEPTH_MAX 256

/* Numbers longer than this are left to json_loadb(). */
#define NUMBER_MAX 64

typedef struct reader {
    const unsigned char *p, *end;
    bool dup_keys;
    int depth, max_depth; /* arrays and objects open: now, at most */
    char *tmp; /* decoded strings that had escapes */
    size_t tmpsz;
} reader;

static json_t *value(reader *r);

/* JSON white space, as json_loadb() knows it. */
static void skip_space(reader *r)
{
    while (r->p < r->end &&
           (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Append code point cp to *o as UTF-8. */
static void put_utf8(char **o, uint32_t cp)
{
    unsigned char *q = (unsigned char *)*o;

    if (cp < 0x80) {
        *q++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *q++ = (unsigned char)(0xc0 | cp >> 6);
        *q++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *q++ = (unsigned char)(0xe0 | cp >> 12);
        *q++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        *q++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        *q++ = (unsigned char)(0xf0 | cp >> 18);
        *q++ = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        *q++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        *q++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
    *o = (char *)q;
}

/* The 4 hex digits at p as a number, or -1. */
static long hex4(const unsigned char *p)
{
    long v = 0;

    for (int i = 0; i < 4; i++) {
        int d = yima_hex_digit(p[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* The escape at r->p (after the backslash) appended to *o. A \u escape of
 * U+0000 or of a lone surrogate is left to json_loadb(). */
static bool escape(reader *r, char **o)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *e;
    long cp, lo;

    if (r->p >= r->end)
        return false;
    if (*r->p != 'u') {
        if (!*r->p || !(e = strchr(from, *r->p)))
            return false;
        *(*o)++ = to[e - from];
        r->p++;
        return true;
    }
    if (r->end - r->p < 5 || (cp = hex4(r->p + 1)) <= 0)
        return false;
    r->p += 5;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return false;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
            (lo = hex4(r->p + 2)) < 0xdc00 || lo > 0xdfff)
            return false;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        r->p += 6;
    }
    put_utf8(o, (uint32_t)cp);
    return true;
}

/* The rest of a string that has escapes, from `start` (just after the
 * quote), decoded into r->tmp. Decoding never makes text longer. */
static bool unescape(reader *r, const unsigned char *start, const char **s,
                     size_t *n)
{
    size_t room = (size_t)(r->end - start);
    char *o;

    if (room > r->tmpsz) {
        char *t = realloc(r->tmp, room);
        if (!t)
            return false;
        r->tmp = t;
        r->tmpsz = room;
    }
    memcpy(r->tmp, start, (size_t)(r->p - start));
    o = r->tmp + (r->p - start);
    while (r->p < r->end) {
        unsigned char c = *r->p;
        size_t k;

        if (c == '"') {
            r->p++;
            *s = r->tmp;
            *n = (size_t)(o - r->tmp);
            return true;
        }
        if (c == '\\') {
            r->p++;
            if (!escape(r, &o))
                return false;
            continue;
        }
        if (c < 0x20 ||
            !(k = yima_utf8_decode(r->p, (size_t)(r->end - r->p), NULL)))
            return false;
        memcpy(o, r->p, k);
        o += k;
        r->p += k;
    }
    return false;
}

/* Bytes a string goes on with as they are: printable ASCII but '"' and
 * '\\'. */
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* A string whose opening quote is at r->p: *s and *n are its text, in the
 * input itself when it has no escapes (then *in_place is set), else in
 * r->tmp until the next string. */
static bool string(reader *r, const char **s, size_t *n, bool *in_place)
{
    const unsigned char *start = ++r->p;

    while (r->p < r->end) {
        unsigned char c;
        size_t k;

        /* printable ASCII but the quote and the backslash, in a local */
        {
            const unsigned char *p = r->p, *end = r->end;

            p += epcis_plain_span(p, (size_t)(end - p));
            while (p < end && plain[*p])
                p++;
            r->p = p;
        }
        if (r->p == r->end)
            break;
        c = *r->p;
        if (c == '"') {
            *s = (const char *)start;
            *n = (size_t)(r->p - start);
            *in_place = true;
            r->p++;
            return true;
        }
        if (c == '\\') {
            *in_place = false;
            return unescape(r, start, s, n);
        }
        if (c >= 0x20 && c < 0x80) {
            r->p++;
            continue;
        }
        if (c < 0x20 ||
            !(k = yima_utf8_decode(r->p, (size_t)(r->end - r->p), NULL)))
            return false;
        r->p += k;
    }
    return false;
}

/* json_loadb() reads integers with strtoll() (or strtol() where that is
 * as wide): the range of a long long. */
static_assert(sizeof(json_int_t) == sizeof(long long), "json_int_t width");

/* An integer of `digits` digits at s, as strtoll() reads it; false when
 * it does not fit (json_loadb() reports that). */
static bool integer(const unsigned char *s, size_t digits, bool neg,
                    json_int_t *out)
{
    unsigned long long u = 0;

    if (digits > 19)
        return false;
    for (size_t i = 0; i < digits; i++)
        u = u * 10 + (unsigned)(s[i] - '0');
    if (neg) {
        if (u > (unsigned long long)LLONG_MAX + 1)
            return false;
        *out = u == (unsigned long long)LLONG_MAX + 1 ? -LLONG_MAX - 1
                                                      : -(json_int_t)u;
    } else {
        if (u > (unsigned long long)LLONG_MAX)
            return false;
        *out = (json_int_t)u;
    }
    return true;
}

/* A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, an integer
 * unless it has a fraction or an exponent, as json_loadb() decides. */
static json_t *number(reader *r)
{
    const unsigned char *start = r->p, *digits;
    char text[NUMBER_MAX + 1];
    bool neg = false, real = false;
    json_int_t iv;
    double dv;
    size_t n;

    if (*r->p == '-') {
        neg = true;
        r->p++;
    }
    digits = r->p;
    if (r->p < r->end && *r->p == '0')
        r->p++;
    else if (r->p < r->end && is_digit(*r->p))
        while (r->p < r->end && is_digit(*r->p))
            r->p++;
    else
        return NULL;
    n = (size_t)(r->p - digits);
    if (r->p < r->end && *r->p == '.') {
        real = true;
        if (++r->p >= r->end || !is_digit(*r->p))
            return NULL;
        while (r->p < r->end && is_digit(*r->p))
            r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        real = true;
        if (++r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (r->p >= r->end || !is_digit(*r->p))
            return NULL;
        while (r->p < r->end && is_digit(*r->p))
            r->p++;
    }
    if (!real)
        return integer(digits, n, neg, &iv) ? json_integer(iv) : NULL;
    n = (size_t)(r->p - start);
    if (n > NUMBER_MAX)
        return NULL;
    memcpy(text, start, n);
    text[n] = '\0';
    if (!epcis_num_strtod(text, &dv))
        return NULL;
    return json_real(dv); /* NULL for an overflow to infinity */
}

/* true, false or null. */
static json_t *literal(reader *r)
{
    size_t left = (size_t)(r->end - r->p);

    if (left >= 4 && memcmp(r->p, "true", 4) == 0) {
        r->p += 4;
        return json_true();
    }
    if (left >= 5 && memcmp(r->p, "false", 5) == 0) {
        r->p += 5;
        return json_false();
    }
    if (left >= 4 && memcmp(r->p, "null", 4) == 0) {
        r->p += 4;
        return json_null();
    }
    return NULL;
}

/* After a member or an element: 1 at ',', 0 at `close` (both skipped),
 * -1 at anything else. */
static int after(reader *r, char close)
{
    skip_space(r);
    if (r->p >= r->end || (*r->p != ',' && *r->p != close))
        return -1;
    return *r->p++ == ',';
}

static json_t *object(reader *r)
{
    json_t *o = json_object(), *v;
    const char *key;
    bool in_place;
    size_t n, size;
    int more;

    if (!o)
        return NULL;
    r->p++;
    skip_space(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return o;
    }
    do {
        skip_space(r);
        if (r->p >= r->end || *r->p != '"' || !string(r, &key, &n, &in_place) ||
            !in_place)
            goto fail;
        skip_space(r);
        if (r->p >= r->end || *r->p != ':')
            goto fail;
        r->p++;
        skip_space(r);
        size = json_object_size(o);
        if (!(v = value(r)) || json_object_setn_new_nocheck(o, key, n, v) != 0)
            goto fail;
        if (!r->dup_keys && json_object_size(o) == size)
            goto fail; /* a repeated key: json_loadb() says where */
    } while ((more = after(r, '}')) == 1);
    if (more == 0)
        return o;
fail:
    json_decref(o);
    return NULL;
}

static json_t *array(reader *r)
{
    json_t *a = json_array(), *v;
    int more;

    if (!a)
        return NULL;
    r->p++;
    skip_space(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return a;
    }
    do {
        skip_space(r);
        if (!(v = value(r)) || json_array_append_new(a, v) != 0)
            goto fail;
    } while ((more = after(r, ']')) == 1);
    if (more == 0)
        return a;
fail:
    json_decref(a);
    return NULL;
}

static json_t *value(reader *r)
{
    const char *s;
    bool in_place;
    json_t *v;
    size_t n;

    if (r->p >= r->end)
        return NULL;
    switch (*r->p) {
    case '{':
    case '[':
        if (++r->depth > DEPTH_MAX)
            return NULL;
        if (r->depth > r->max_depth)
            r->max_depth = r->depth;
        v = *r->p == '{' ? object(r) : array(r);
        r->depth--;
        return v;
    case '"':
        if (!string(r, &s, &n, &in_place))
            return NULL;
        return json_stringn_nocheck(s, n);
    case 't':
    case 'f':
    case 'n': return literal(r);
    default: return *r->p == '-' || is_digit(*r->p) ? number(r) : NULL;
    }
}

json_t *epcis_json_quick(const char *json, size_t len, bool dup_keys,
                         int *depth)
{
    reader r;
    json_t *v;

    assert(json || len == 0);
    r.p = (const unsigned char *)(json ? json : "");
    r.end = r.p + len;
    r.dup_keys = dup_keys;
    r.depth = r.max_depth = 0;
    r.tmp = NULL;
    r.tmpsz = 0;
    skip_space(&r);
    v = value(&r);
    skip_space(&r);
    if (v && r.p != r.end) {
        json_decref(v); /* more after the value */
        v = NULL;
    }
    if (v && depth)
        *depth = r.max_depth;
    free(r.tmp);
    return v;
}
