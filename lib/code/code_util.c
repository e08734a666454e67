/*
 * code_util.c - small helpers the scheme parsers share (see code_int.h).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "code_int.h"
#include "yima/utf8.h"

int code_fail(yima_error *err, size_t off, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = YIMA_EINVAL;
        err->pos = off == CODE_NOPOS ? 0 : off + 1;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return YIMA_EINVAL;
}

void code_part_add(yima_code *out, const char *name, const char *value,
                   size_t n)
{
    yima_code_part *p;

    assert(out && name && value);
    if (out->n_part >= YIMA_CODE_PART_MAX)
        return;
    p = &out->part[out->n_part++];
    p->name = name;
    if (n >= sizeof p->value)
        n = sizeof p->value - 1;
    memcpy(p->value, value, n);
    p->value[n] = '\0';
}

void code_set_urn(yima_code *out, yima_scheme scheme, const char *value)
{
    /* Truncated to fit, as snprintf() did: the parsers bound their values
     * well below the room, so this never cuts in practice. */
    char *p = out->canonical, *end = p + sizeof out->canonical - 1;
    const char *parts[] = {"urn:yima:", yima_scheme_name(scheme), ":", value};

    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (const char *q = parts[i]; *q && p < end; q++)
            *p++ = *q;
    *p = '\0';
}

char code_gs1_check_digit(const char *s, size_t n)
{
    unsigned sum = 0;
    size_t i = n;

    /* Weights 3,1,3,1,... from the right-most digit before the check; two
     * digits a step, so no weight is worked out per digit (every GTIN of
     * every event passes here twice). */
    for (; i >= 2; i -= 2)
        sum += 3 * (unsigned)(s[i - 1] - '0') + (unsigned)(s[i - 2] - '0');
    if (i == 1)
        sum += 3 * (unsigned)(s[0] - '0');
    return (char)('0' + (10 - sum % 10) % 10);
}

void code_begin(yima_code *out, yima_scheme scheme)
{
    out->scheme = scheme;
    if (!out->form)
        out->form = "bare";
    out->n_part = 0;
}

bool code_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

size_t code_char_count(const char *s, size_t n)
{
    size_t i, count = 0;

    for (i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

const char *code_show_char(const char *s, size_t n, size_t i, char buf[8])
{
    unsigned char c = (unsigned char)s[i];
    size_t len = 0, k;

    if (c >= 0x20 && c < 0x7F)
        len = 1;
    else if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    if (len == 0 || i + len > n)
        goto hex;
    for (k = 1; k < len; k++)
        if (((unsigned char)s[i + k] & 0xC0) != 0x80)
            goto hex;
    memcpy(buf, s + i, len);
    buf[len] = '\0';
    return buf;
hex:
    snprintf(buf, 8, "\\x%02X", c);
    return buf;
}

int code_pct_decode(const char *s, size_t n, size_t i)
{
    int hi, lo;

    if (i + 2 >= n)
        return -1;
    hi = yima_hex_digit((unsigned char)s[i + 1]);
    lo = yima_hex_digit((unsigned char)s[i + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

void code_sbuf_puts(code_sbuf *b, const char *s)
{
    code_sbuf_put(b, s, strlen(s));
}

void code_sbuf_put_pct(code_sbuf *b, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3] = {'%', hex[c >> 4], hex[c & 15]};

    code_sbuf_put(b, e, 3);
}

const char *yima_scheme_name(yima_scheme scheme)
{
    switch (scheme) {
    case YIMA_SCHEME_GS1: return "gs1";
    case YIMA_SCHEME_USCC: return "uscc";
    case YIMA_SCHEME_CCC: return "ccc";
    case YIMA_SCHEME_ECODE: return "ecode";
    case YIMA_SCHEME_HANDLE: return "handle";
    case YIMA_SCHEME_DIC: return "dic";
    default: return "unknown";
    }
}
