/*
 * gs1_quick.c - the GS1 codes an EPCIS document is made of, canonicalised
 * without the full parser.
 *
 * Most codes an import meets are new (every unit's serial is), and the
 * full parse of one (normalise, pick the form, check each AI against the
 * dictionary, the pair rules, then write the Digital Link) costs thousands
 * of instructions: a quarter of reading an event. These four shapes, as
 * EPCIS tools write them, are most of them:
 *
 *   urn:epc:id:sgtin:{cp}.{ref}.{serial}       -> /01/{gtin}/21/{serial}
 *   urn:epc:id:sscc:{cp}.{ref}                 -> /00/{sscc}
 *   urn:epc:id:sgln:{cp}.{ref}.{ext}           -> /414/{gln}[/254/{ext}]
 *   https://{host}/01/{gtin}/21/{serial}       -> /01/{gtin}/21/{serial}
 *
 * taken only in lower case, without escapes or white space, with digits
 * where digits go and a serial or extension of 1 to 20 letters, digits and
 * "-._" (characters no form escapes, all of GS1 CSET 82). Anything else,
 * valid or not, is left to the full parser, which also writes every error
 * message: this file never refuses a code. tests/unit/test_code.c checks
 * on random codes in and around these shapes that both agree.
 */
#include <stdbool.h>
#include <string.h>

#include "gs1_int.h"

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Offset of the first non-digit at or after i in s[0..n). */
static size_t digits_end(const char *s, size_t n, size_t i)
{
    while (i < n && digit(s[i]))
        i++;
    return i;
}

/* A serial or extension the quick path takes (see above). */
static bool plain(const char *s, size_t n)
{
    if (n == 0 || n > 20)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* Append AI `ai` with value v (n bytes) to out->ai[]. */
static void put_ai(yima_code *out, const char *ai, const char *v, size_t n)
{
    yima_gs1_ai *a = &out->ai[out->n_ai++];

    memcpy(a->ai, ai, strlen(ai) + 1);
    memcpy(a->value, v, n);
    a->value[n] = '\0';
}

/* out->canonical from its AIs: the stem, then /{ai}/{value} each. */
static void put_canonical(yima_code *out, const char *form)
{
    char *c = out->canonical;
    size_t k = sizeof GS1_DL_STEM - 1;

    memcpy(c, GS1_DL_STEM, k);
    for (int i = 0; i < out->n_ai; i++) {
        size_t an = strlen(out->ai[i].ai), vn = strlen(out->ai[i].value);

        c[k++] = '/';
        memcpy(c + k, out->ai[i].ai, an);
        k += an;
        c[k++] = '/';
        memcpy(c + k, out->ai[i].value, vn);
        k += vn;
    }
    c[k] = '\0';
    /* The full parse with canonical_only writes the Digital Link too: for
     * these shapes it is the canonical form. */
    memcpy(out->digital_link, c, k + 1);
    out->scheme = YIMA_SCHEME_GS1;
    out->form = form;
}

/*
 * The key of an EPC URN's "{cp}.{ref}" at s[i..n): cp 6 to 12 digits and
 * ref digits, `digits` of them together. The key is the reference's first
 * digit when `indicator`, the company prefix, the rest of the reference
 * and a check digit, written to key (digits + 1 bytes and a NUL). Returns
 * the offset after the reference, or 0 when it is not so.
 */
static size_t epc_key(const char *s, size_t n, size_t i, size_t digits,
                      bool indicator, char *key)
{
    size_t cp = digits_end(s, n, i), ref, k = 0;

    if (cp - i < 6 || cp - i > 12 || cp == n || s[cp] != '.')
        return 0;
    ref = digits_end(s, n, cp + 1);
    if ((cp - i) + (ref - cp - 1) != digits || ref == cp + 1)
        return 0;
    if (indicator)
        key[k++] = s[cp + 1];
    memcpy(key + k, s + i, cp - i);
    k += cp - i;
    memcpy(key + k, s + cp + 1 + indicator, ref - cp - 1 - indicator);
    k += ref - cp - 1 - indicator;
    key[k] = code_gs1_check_digit(key, k);
    key[k + 1] = '\0';
    return ref;
}

static int urn(const char *s, size_t n, yima_code *out)
{
    char key[20];
    size_t e;

    if (n > 17 && memcmp(s + 11, "sgtin:", 6) == 0) {
        if (!(e = epc_key(s, n, 17, 13, true, key)) || e == n || s[e] != '.' ||
            !plain(s + e + 1, n - e - 1))
            return 0;
        out->n_ai = 0;
        put_ai(out, "01", key, 14);
        put_ai(out, "21", s + e + 1, n - e - 1);
    } else if (n > 16 && memcmp(s + 11, "sscc:", 5) == 0) {
        if ((e = epc_key(s, n, 16, 17, true, key)) != n)
            return 0;
        out->n_ai = 0;
        put_ai(out, "00", key, 18);
    } else if (n > 16 && memcmp(s + 11, "sgln:", 5) == 0) {
        if (!(e = epc_key(s, n, 16, 12, false, key)) || e == n || s[e] != '.' ||
            !plain(s + e + 1, n - e - 1))
            return 0;
        out->n_ai = 0;
        put_ai(out, "414", key, 13);
        if (n - e - 1 != 1 || s[e + 1] != '0') /* "0": no extension */
            put_ai(out, "254", s + e + 1, n - e - 1);
    } else {
        return 0;
    }
    put_canonical(out, "epc_urn");
    return 1;
}

static int web(const char *s, size_t n, yima_code *out)
{
    size_t h = 8, g, e;

    for (; h < n && ((s[h] >= 'a' && s[h] <= 'z') || digit(s[h]) ||
                     s[h] == '.' || s[h] == '-');
         h++)
        ;
    /* /01/, 14 digits, /21/, a serial */
    if (h == 8 || n - h < 4 + 14 + 4 + 1 || memcmp(s + h, "/01/", 4) != 0)
        return 0;
    g = h + 4;
    e = digits_end(s, n, g);
    if (e - g != 14 || memcmp(s + e, "/21/", 4) != 0 ||
        !plain(s + e + 4, n - e - 4) ||
        code_gs1_check_digit(s + g, 13) != s[g + 13])
        return 0;
    out->n_ai = 0;
    put_ai(out, "01", s + g, 14);
    put_ai(out, "21", s + e + 4, n - e - 4);
    put_canonical(out, "digital_link");
    return 1;
}

int gs1_quick(const char *s, size_t n, yima_code *out)
{
    if (n > 11 && memcmp(s, "urn:epc:id:", 11) == 0)
        return urn(s, n, out);
    if (n > 8 && memcmp(s, "https://", 8) == 0)
        return web(s, n, out);
    return 0;
}
