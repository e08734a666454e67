/*
 * encode.c - the text encodings the ledger's formats use: strict base64
 * (RFC 4648 standard alphabet, padded), lower-case hex, and the UTF-8 and
 * control-character rules of C2SP signed notes.
 */
#include <assert.h>
#include <string.h>

#include "ledger_int.h"
#include "yima/utf8.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of one group of 1..3 bytes (n), padded to 4 characters. */
static void b64_group(const uint8_t *p, size_t n, char q[4])
{
    uint32_t v = (uint32_t)p[0] << 16;

    if (n > 1)
        v |= (uint32_t)p[1] << 8;
    if (n > 2)
        v |= p[2];
    q[0] = b64_alphabet[v >> 18];
    q[1] = b64_alphabet[(v >> 12) & 63];
    q[2] = n > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
    q[3] = n > 2 ? b64_alphabet[v & 63] : '=';
}

int ledger_b64_encode(yima_buf *out, const uint8_t *p, size_t n)
{
    char q[4];
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i += 3) {
        b64_group(p + i, n - i < 3 ? n - i : 3, q);
        rc = yima_buf_add(out, q, 4);
    }
    return rc;
}

static int b64_value(char c)
{
    const char *p;

    if (c == '\0')
        return -1;
    p = strchr(b64_alphabet, c);
    return p ? (int)(p - b64_alphabet) : -1;
}

long ledger_b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    size_t len = 0;

    if (n % 4 != 0)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        uint32_t w;

        for (int j = 0; j < 4; j++) {
            if (s[i + j] == '=' && i + 4 == n && j >= 2) {
                v[j] = 0;
                pad++;
            } else if (pad || (v[j] = b64_value(s[i + j])) < 0) {
                return -1; /* bad character, or data after '=' */
            }
        }
        w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
            (uint32_t)v[3];
        /* The bits the padding hides must be zero (canonical input). */
        if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
            return -1;
        if (len + 3 - (size_t)pad > cap)
            return -1;
        out[len++] = (uint8_t)(w >> 16);
        if (pad < 2)
            out[len++] = (uint8_t)(w >> 8);
        if (pad < 1)
            out[len++] = (uint8_t)w;
    }
    return (long)len;
}

void ledger_hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

size_t ledger_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    assert(n > 0);
    return yima_utf8_decode(s, n, cp);
}

size_t ledger_char_pos(const char *s, size_t off)
{
    size_t chars = 1;

    for (size_t i = 0; i < off; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            chars++;
    return chars;
}

int ledger_text_check(const char *what, const char *s, size_t n,
                      yima_error *err)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        uint32_t c;
        size_t k = ledger_utf8(p + i, n - i, &c);

        if (k == 0)
            return yima_error_set(err, YIMA_EINVAL, ledger_char_pos(s, i),
                                  "%s: byte 0x%02X at position %zu is not "
                                  "valid UTF-8",
                                  what, p[i], ledger_char_pos(s, i));
        if (c < 0x20 && c != '\n')
            return yima_error_set(err, YIMA_EINVAL, ledger_char_pos(s, i),
                                  "%s: control character 0x%02X at position "
                                  "%zu (only newline is allowed)",
                                  what, (unsigned)c, ledger_char_pos(s, i));
        i += k;
    }
    return 0;
}
