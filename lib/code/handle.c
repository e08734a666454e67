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
#include <stdint.h>
#include <string.h>

#include "code_int.h"
#include "yima/utf8.h"

#define HANDLE_PREFIX_MAX  64
#define HANDLE_SEGMENT_MAX 16
#define HANDLE_SUFFIX_MAX  255

/* Spaces and controls that must not appear in a suffix. */
static bool forbidden(uint32_t cp)
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
            byte = code_pct_decode(s, n, i);
            if (byte < 0)
                return code_fail(err, off + i,
                                 "Handle: bad percent-encoding at position "
                                 "%zu (expected %%XX)",
                                 code_char_count(whole, off + i) + 1);
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
        uint32_t cp = 0;
        size_t len1 =
            yima_utf8_decode((const unsigned char *)buf + i, k - i, &cp);
        size_t at = off + src[i], pos;

        if (len1 != 0 && !forbidden(cp)) {
            i += len1;
            continue;
        }
        pos = code_char_count(whole, at) + 1; /* only on failure: O(n) */
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
                         (unsigned)cp, pos, what);
    }
    *len = k;
    return 0;
}

/* Append s[0..n) to b, percent-encoding the bytes that are not NSS-safe. */
static void put_encoded(code_sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (nss_safe(c))
            code_sbuf_put(b, s + i, 1);
        else
            code_sbuf_put_pct(b, c);
    }
}

int code_parse_handle(const char *s, size_t n, yima_code *out, yima_error *err)
{
    static const char urn[] = "urn:yima:handle:";
    char suffix[HANDLE_SUFFIX_MAX + 1];
    const char *slash;
    size_t plen, slen = 0, cut;
    code_sbuf b;
    bool is_urn;
    int rc;

    assert(s && out);
    is_urn = out->form && strcmp(out->form, "urn") == 0;
    code_begin(out, YIMA_SCHEME_HANDLE);

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
    if (sizeof urn + plen + 1 >= sizeof out->canonical)
        return code_fail(err, CODE_NOPOS, "Handle: too long");
    b = (code_sbuf){out->canonical, sizeof out->canonical, 0, false};
    code_sbuf_put(&b, urn, sizeof urn - 1);
    code_sbuf_put(&b, s, plen);
    code_sbuf_put(&b, "/", 1);
    put_encoded(&b, suffix, slen);
    if (b.over) {
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
