/*
 * handle.c - industrial internet identifiers (工业互联网标识), the
 * Handle-style names of China's industrial internet identifier resolution
 * system: "88.118.8688/xyz".
 *
 * An identifier is a prefix, '/', and a suffix:
 *
 *   prefix  "88" (the root assigned to China) and one or more
 *           '.'-separated numeric segments: the secondary node's industry
 *           code, then the enterprise code, then any deeper levels
 *           (88.100.1, 88.118.8688). At most HANDLE_PREFIX_MAX bytes,
 *           each segment 1..HANDLE_SEGMENT_MAX digits.
 *   suffix  assigned by the enterprise: any printable ASCII or UTF-8
 *           except spaces and control characters (Handle suffixes are
 *           UTF-8 strings; industry coding rules use '.' and '/' inside
 *           them). 1..HANDLE_SUFFIX_MAX bytes. Kept exactly as given:
 *           suffixes may be case-sensitive.
 *
 * The canonical form is urn:yima:handle:<prefix>/<suffix> with every byte
 * outside the RFC 8141 NSS-safe set (unreserved, sub-delims, ':', '@',
 * '/') percent-encoded with upper-case hex: '%', '?', '#', non-ASCII and
 * the like. When the input was itself a yima URN (out->form == "urn") the
 * suffix is percent-decoded first, so canonical forms parse back to
 * themselves; a bare identifier is taken literally ('%' is a character).
 * The "hdl:" prefix of generic Handle URIs is not accepted: no use of it
 * with 88.* identifiers was found.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "code_int.h"

#define HANDLE_PREFIX_MAX  64
#define HANDLE_SEGMENT_MAX 16
#define HANDLE_SUFFIX_MAX  255

static size_t char_count(const char *s, size_t n)
{
    size_t i, count = 0;

    for (i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/*
 * Decode the UTF-8 sequence at s[0..n). Returns its length and stores the
 * code point, or returns 0 for an ill-formed sequence (bad lead byte,
 * truncated, bad continuation, overlong, surrogate, above U+10FFFF).
 */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0], min;
    size_t len, k;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, c &= 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, c &= 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, c &= 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[k] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Spaces and controls that must not appear in a suffix. */
static bool forbidden(unsigned cp)
{
    return cp <= 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0xA0) ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
           cp == 0xFEFF;
}

/* RFC 8141 NSS characters that need no percent-encoding. */
static bool nss_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("-._~!$&'()*+,;=:@/", c));
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Check the prefix s[0..n) (n > 0 known). */
static int check_prefix(const char *s, size_t n, yima_error *err)
{
    size_t i, seg = 0, nseg = 0;

    if (n < 2 || s[0] != '8' || s[1] != '8' || (n > 2 && s[2] != '.')) {
        size_t k = 0; /* show the first segment, printable ASCII only */
        while (k < n && k < 16 && s[k] != '.' && s[k] > 0x20 && s[k] < 0x7F)
            k++;
        return code_fail(err, 0,
                         "Handle: prefix must start with 88 (the industrial "
                         "internet root), found '%.*s'",
                         (int)k, s);
    }
    if (n > HANDLE_PREFIX_MAX)
        return code_fail(err, HANDLE_PREFIX_MAX,
                         "Handle: prefix is %zu bytes long, at most %d "
                         "allowed",
                         n, HANDLE_PREFIX_MAX);
    for (i = 3; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (seg == 0)
                return code_fail(err, i - 1,
                                 "Handle: empty prefix segment after the "
                                 "'.' at position %zu",
                                 i);
            nseg++;
            seg = 0;
        } else if (s[i] >= '0' && s[i] <= '9') {
            if (++seg > HANDLE_SEGMENT_MAX)
                return code_fail(err, i,
                                 "Handle: prefix segment at position %zu "
                                 "has more than %d digits",
                                 i - seg + 2, HANDLE_SEGMENT_MAX);
        } else {
            unsigned char c = (unsigned char)s[i];
            if (c >= 0x21 && c < 0x7F)
                return code_fail(err, i,
                                 "Handle: character '%c' at position %zu "
                                 "of the prefix is not a digit or '.'",
                                 c, i + 1);
            return code_fail(err, i,
                             "Handle: byte 0x%02X at position %zu of the "
                             "prefix is not a digit or '.'",
                             c, i + 1);
        }
    }
    if (nseg == 0)
        return code_fail(err, CODE_NOPOS,
                         "Handle: prefix '88' has no node segment "
                         "(expected 88.<industry>.<enterprise>)");
    return 0;
}

/*
 * Copy the suffix s[0..n) (at byte offset `off` of the text) to buf,
 * percent-decoding when `decode`, and check it. On success *len is the
 * decoded length.
 */
static int take_suffix(const char *s, size_t n, size_t off, bool decode,
                       const char *whole, char *buf, size_t *len,
                       yima_error *err)
{
    /* src[k]: offset in s of the input that produced buf[k]. */
    static const char what[] = "(no spaces or control characters)";
    size_t src[HANDLE_SUFFIX_MAX + 1];
    size_t i = 0, k = 0;

    if (n == 0)
        return code_fail(err, off - 1, "Handle: empty suffix after '/'");
    while (i < n) {
        int byte = (unsigned char)s[i];
        size_t from = i;
        if (decode && byte == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return code_fail(err, off + i,
                                 "Handle: bad percent-encoding at position "
                                 "%zu (expected %%XX)",
                                 char_count(whole, off + i) + 1);
            byte = hi * 16 + lo;
            i += 3;
        } else {
            i++;
        }
        if (k == HANDLE_SUFFIX_MAX)
            return code_fail(err, off + from,
                             "Handle: suffix is longer than %d bytes",
                             HANDLE_SUFFIX_MAX);
        src[k] = from;
        buf[k++] = (char)byte;
    }
    /* Now the characters of the decoded suffix. */
    for (i = 0; i < k;) {
        unsigned cp = 0;
        size_t len1 = utf8_decode((const unsigned char *)buf + i, k - i, &cp);
        size_t at = off + src[i], pos;

        if (len1 != 0 && !forbidden(cp)) {
            i += len1;
            continue;
        }
        pos = char_count(whole, at) + 1; /* only on failure: O(n) */
        if (len1 == 0)
            return code_fail(err, at,
                             "Handle: suffix has invalid UTF-8 (byte 0x%02X) "
                             "at position %zu",
                             (unsigned char)buf[i], pos);
        if (cp == 0x20)
            return code_fail(err, at,
                             "Handle: space at position %zu of the suffix is "
                             "not allowed %s",
                             pos, what);
        return code_fail(err, at,
                         "Handle: character U+%04X at position %zu of the "
                         "suffix is not allowed %s",
                         cp, pos, what);
    }
    *len = k;
    return 0;
}

/* Append s[0..n) to dst at *at, percent-encoding unsafe bytes. */
static bool put_encoded(char *dst, size_t size, size_t *at, const char *s,
                        size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (nss_safe(c)) {
            if (*at + 1 >= size)
                return false;
            dst[(*at)++] = (char)c;
        } else {
            if (*at + 3 >= size)
                return false;
            dst[(*at)++] = '%';
            dst[(*at)++] = hex[c >> 4];
            dst[(*at)++] = hex[c & 15];
        }
    }
    dst[*at] = '\0';
    return true;
}

int code_parse_handle(const char *s, size_t n, yima_code *out, yima_error *err)
{
    static const char urn[] = "urn:yima:handle:";
    char suffix[HANDLE_SUFFIX_MAX + 1];
    const char *slash;
    size_t plen, slen = 0, at, cut;
    bool is_urn;
    int rc;

    assert(s && out);
    out->scheme = YIMA_SCHEME_HANDLE;
    is_urn = out->form && strcmp(out->form, "urn") == 0;
    if (!out->form)
        out->form = "bare";
    out->n_part = 0;

    if (n == 0)
        return code_fail(err, CODE_NOPOS, "Handle: empty");
    slash = memchr(s, '/', n);
    if (!slash)
        return code_fail(err, CODE_NOPOS,
                         "Handle: no '/' between prefix and suffix "
                         "(expected 88.<industry>.<enterprise>/<suffix>)");
    plen = (size_t)(slash - s);
    if (plen == 0)
        return code_fail(err, 0, "Handle: empty prefix before '/'");
    rc = check_prefix(s, plen, err);
    if (rc)
        return rc;
    rc = take_suffix(slash + 1, n - plen - 1, plen + 1, is_urn, s, suffix,
                     &slen, err);
    if (rc)
        return rc;

    /* Canonical URN: prefix is digits and dots, so only the suffix needs
     * encoding. The limits above keep it well inside YIMA_CODE_URI_MAX;
     * the check stays in case they change. */
    at = 0;
    if (sizeof urn + plen + 1 >= sizeof out->canonical)
        return code_fail(err, CODE_NOPOS, "Handle: too long");
    memcpy(out->canonical, urn, sizeof urn - 1);
    at = sizeof urn - 1;
    memcpy(out->canonical + at, s, plen);
    at += plen;
    out->canonical[at++] = '/';
    if (!put_encoded(out->canonical, sizeof out->canonical, &at, suffix,
                     slen)) {
        out->canonical[0] = '\0';
        return code_fail(err, CODE_NOPOS,
                         "Handle: canonical form is longer than %d bytes",
                         YIMA_CODE_URI_MAX - 1);
    }

    code_part_add(out, "prefix", s, plen);
    /* Parts hold YIMA_CODE_PART_LEN - 1 bytes: cut on a character
     * boundary so a long UTF-8 suffix stays well-formed. */
    cut = slen;
    if (cut > YIMA_CODE_PART_LEN - 1) {
        cut = YIMA_CODE_PART_LEN - 1;
        while (cut > 0 && ((unsigned char)suffix[cut] & 0xC0) == 0x80)
            cut--;
    }
    code_part_add(out, "suffix", suffix, cut);
    return 0;
}
