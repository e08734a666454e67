/*
 * code.c - the front of the identifier layer: normalise what a person or a
 * scanner produced, decide which scheme it is, and hand it to that scheme's
 * parser (see code_int.h). Also the JSON view of a parsed code.
 *
 * Scheme detection, in order (first match wins):
 *   "urn:yima:<scheme>:"                 that scheme (our canonical URNs)
 *   http(s) URL ending in a platform     platform digital identity code
 *   code segment (not after a GS1 AI)    (the QR printed on a label)
 *   http:// https:// urn:epc:            GS1 (Digital Link, EPC URN)
 *   ( ] ^ GS                             GS1 element string
 *   "88." ... "/"                        Handle
 *   16 characters starting "20"          CCC certificate (no GS1 element
 *                                        string starts with AI 20 alone)
 *   18 digits with a valid USCC check    USCC, else GS1 (bare SSCC): a
 *                                        printed SSCC always carries AI 00,
 *                                        a bare 18-digit entry is typed
 *   other digits                         GS1; if that fails and the shape
 *                                        is an Ecode, Ecode
 *   "YM" + 17, 19 characters             platform digital identity code
 *   18 characters                        USCC
 *   Ecode shape                          Ecode
 */
#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "code_int.h"
#include "gs1_int.h"
#include "yima/utf8.h"

/* The input after normalisation, with a map back to the caller's input.
 * Input that is all ASCII needs no map: byte i of s is character
 * lead + i + 1 of the input. */
typedef struct norm {
    char s[YIMA_CODE_INPUT_MAX + 1];
    size_t n;
    bool ascii;  /* the input was all ASCII: pos[] is not filled */
    size_t lead; /* bytes of white space dropped in front, when ascii */
    uint32_t pos[YIMA_CODE_INPUT_MAX + 1]; /* 1-based char position in input */
} norm;

static inline bool is_space(uint32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x3000 || c == 0xa0;
}

/* Whether no byte of p[0..n) has its top bit set; eight bytes a step, as
 * this looks at every byte of every code. */
static bool all_ascii(const unsigned char *p, size_t n)
{
    uint64_t any = 0, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        any |= w;
    }
    for (; i < n; i++)
        any |= p[i];
    return (any & 0x8080808080808080u) == 0;
}

/*
 * Nearly every code is ASCII: then normalising is trimming, and the
 * position of each byte follows from where the trimmed text starts.
 */
static void normalise_ascii(const unsigned char *p, size_t len, norm *nm)
{
    size_t first = 0, last = len;

    while (first < last && is_space(p[first]))
        first++;
    while (last > first && is_space(p[last - 1]))
        last--;
    nm->ascii = true;
    nm->lead = first;
    nm->n = last - first;
    memcpy(nm->s, p + first, nm->n);
    nm->s[nm->n] = '\0';
}

/*
 * Full-width forms (U+FF01..U+FF5E) become their ASCII twins, U+3000 a space;
 * surrounding white space goes. Everything else is kept byte for byte.
 */
static int normalise(const char *in, size_t len, norm *nm, yima_error *err)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0, chars = 0, first = 0, last = 0;
    bool seen = false;

    if (all_ascii(p, len)) {
        normalise_ascii(p, len, nm);
        return 0;
    }
    nm->ascii = false;
    while (i < len) {
        uint32_t c;
        size_t k, w; /* bytes read, bytes written */

        chars++;
        if (p[i] < 0x80) {
            c = p[i];
            k = w = 1;
            nm->pos[o] = (uint32_t)chars;
            nm->s[o] = (char)c;
        } else if ((k = yima_utf8_decode(p + i, len - i, &c)) == 0) {
            return yima_error_set(err, YIMA_EINVAL, chars,
                                  "byte 0x%02X at position %zu is not valid "
                                  "UTF-8",
                                  p[i], chars);
        } else if (c >= 0xff01 && c <= 0xff5e) {
            w = 1;
            nm->pos[o] = (uint32_t)chars;
            nm->s[o] = (char)(c - 0xfee0);
        } else if (c == 0x3000 || c == 0xa0) {
            w = 1;
            nm->pos[o] = (uint32_t)chars;
            nm->s[o] = ' ';
        } else {
            w = k;
            for (size_t j = 0; j < k; j++) {
                nm->pos[o + j] = (uint32_t)chars;
                nm->s[o + j] = (char)p[i + j];
            }
        }
        o += w;
        if (!is_space(c)) {
            if (!seen)
                first = o - w;
            seen = true;
            last = o;
        }
        i += k;
    }
    if (!seen) {
        nm->n = 0;
        nm->s[0] = '\0';
        return 0;
    }
    /* Drop the surrounding white space, keeping the position map aligned
     * (usually there is none in front, and nothing to move). */
    if (first > 0) {
        memmove(nm->s, nm->s + first, last - first);
        memmove(nm->pos, nm->pos + first, (last - first) * sizeof nm->pos[0]);
    }
    nm->n = last - first;
    nm->s[nm->n] = '\0';
    nm->pos[nm->n] = nm->n ? nm->pos[nm->n - 1] + 1 : 1;
    return 0;
}

static bool is_handle(const char *s, size_t n)
{
    return n > 3 && memcmp(s, "88.", 3) == 0 && memchr(s, '/', n) != NULL;
}

/* A yima URN: strip "urn:yima:<scheme>:" and call that scheme's parser. */
static int parse_yima_urn(const char *s, size_t n, yima_code *out,
                          yima_error *err, size_t *shift)
{
    static const struct {
        const char *name;
        int (*parse)(const char *, size_t, yima_code *, yima_error *);
    } schemes[] = {
        {"uscc", code_parse_uscc},   {"ccc", code_parse_ccc},
        {"ecode", code_parse_ecode}, {"handle", code_parse_handle},
        {"dic", code_parse_dic},
    };
    const char *name = s + 9, *colon;

    colon = memchr(name, ':', n - 9);
    if (!colon)
        return code_fail(err, n, "yima URN: missing ':' after the scheme");
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t k = strlen(schemes[i].name);
        if ((size_t)(colon - name) == k &&
            strncasecmp(name, schemes[i].name, k) == 0) {
            *shift = (size_t)(colon + 1 - s);
            out->form = "urn"; /* parsers decode URN escapes when set */
            return schemes[i].parse(colon + 1, n - *shift, out, err);
        }
    }
    return code_fail(err, 9,
                     "yima URN: unknown scheme '%.*s' (expected uscc, ccc, "
                     "ecode, handle or dic)",
                     (int)(colon - name), name);
}

/*
 * A platform code printed as a URL (the QR on a label): the last path
 * segment, before any query or fragment, has the shape of a platform code.
 * Returns its offset in s, or 0. GS1 Digital Link paths never end in such
 * a segment unless it is a serial, and then the segment before it is a
 * numeric AI, which is checked.
 */
static size_t dic_in_url(const char *s, size_t n)
{
    char up[YIMA_DIC_LEN];
    size_t end = 0, start, prev;

    while (end < n && s[end] != '?' && s[end] != '#')
        end++;
    if (end > 0 && s[end - 1] == '/')
        end--;
    start = end;
    while (start > 0 && s[start - 1] != '/')
        start--;
    if (end - start != YIMA_DIC_LEN || start < 2)
        return 0;
    for (size_t i = 0; i < YIMA_DIC_LEN; i++)
        up[i] = (char)toupper((unsigned char)s[start + i]);
    if (!code_dic_shape(up, YIMA_DIC_LEN))
        return 0;
    prev = start - 1;
    while (prev > 0 && s[prev - 1] != '/')
        prev--;
    if (code_all_digits(s + prev, start - 1 - prev))
        return 0; /* "/21/YM..." is a GS1 serial, not a platform code */
    return start;
}

static int dispatch(const char *s, size_t n, const yima_code_opts *opts,
                    yima_code *out, yima_error *err, size_t *shift)
{
    char up[YIMA_CODE_INPUT_MAX + 1];
    size_t k;
    bool web;
    int rc;

    *shift = 0;
    if (n == 0)
        return code_fail(err, CODE_NOPOS, "empty code");
    if (code_has_prefix_ci(s, n, "urn:yima:"))
        return parse_yima_urn(s, n, out, err, shift);
    web = code_has_prefix_ci(s, n, "http://") ||
          code_has_prefix_ci(s, n, "https://");
    if (web && (k = dic_in_url(s, n)) != 0) {
        *shift = k;
        return code_parse_dic(s + k, YIMA_DIC_LEN, out, err);
    }
    if (web || code_has_prefix_ci(s, n, "urn:epc:") || s[0] == '(' ||
        s[0] == ']' || s[0] == '^' || s[0] == '\x1d')
        return code_parse_gs1(s, n, opts, out, err);
    if (is_handle(s, n))
        return code_parse_handle(s, n, out, err);

    for (size_t i = 0; i < n; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    up[n] = '\0';

    if (n == 16 && s[0] == '2' && s[1] == '0')
        return code_parse_ccc(s, n, out, err);
    if (code_all_digits(s, n)) {
        if (n == 18 && code_uscc_valid(s, n))
            return code_parse_uscc(s, n, out, err);
        rc = code_parse_gs1(s, n, opts, out, err);
        if (rc != 0 && code_ecode_shape(s, n)) {
            yima_code alt;
            yima_error alt_err;
            memset(&alt, 0, sizeof alt);
            if (code_parse_ecode(s, n, &alt, &alt_err) == 0) {
                *out = alt;
                yima_error_clear(err);
                return 0;
            }
        }
        return rc;
    }
    if (code_dic_shape(up, n))
        return code_parse_dic(s, n, out, err);
    if (n == 18)
        return code_parse_uscc(s, n, out, err);
    if (code_ecode_shape(up, n))
        return code_parse_ecode(s, n, out, err);
    return code_fail(err, CODE_NOPOS,
                     "not a recognised code: expected a GS1 barcode, Digital "
                     "Link or EPC URN, a USCC (18 characters), a CCC "
                     "certificate number (16 digits), an Ecode, a Handle "
                     "(88.x/...) or a platform code (YM..., 19 characters)");
}

int yima_code_parse(const char *in, size_t len, const yima_code_opts *opts,
                    yima_code *out, yima_error *err)
{
    static const yima_code_opts no_opts = {0};
    norm nm; /* about 10 KiB: fine on any thread's stack */
    size_t shift = 0;
    int rc;

    assert(in || len == 0);
    assert(out);
    /* Reset only the header: clearing the whole value (about 8 KiB) cost
     * more than parsing most codes. Parsers write every string they set. */
    out->scheme = YIMA_SCHEME_UNKNOWN;
    out->form = NULL;
    out->canonical[0] = '\0';
    out->n_ai = 0;
    out->digital_link[0] = out->element_string[0] = out->epc_urn[0] = '\0';
    out->n_part = 0;
    yima_error_clear(err);
    if (!opts)
        opts = &no_opts;
    if (len > YIMA_CODE_INPUT_MAX)
        return yima_error_set(err, YIMA_ETOOBIG, 0,
                              "code is %zu bytes long, the limit is %d", len,
                              YIMA_CODE_INPUT_MAX);
    /* Most of what ingest parses: the common shapes of EPCIS codes. */
    if (opts->canonical_only && gs1_quick(in, len, out))
        return 0;
    if ((rc = normalise(in, len, &nm, err)) != 0)
        return rc;
    rc = dispatch(nm.s, nm.n, opts, out, err, &shift);
    if (rc != 0 && err && err->pos) {
        /* err->pos is 1 + byte offset into what the parser saw. */
        size_t off = err->pos - 1 + shift;
        if (off > nm.n)
            err->pos = 0;
        else
            err->pos = nm.ascii ? nm.lead + off + 1 : nm.pos[off];
    }
    return rc;
}

const char *yima_code_ai(const yima_code *code, const char *ai)
{
    for (int i = 0; i < code->n_ai; i++)
        if (strcmp(code->ai[i].ai, ai) == 0)
            return code->ai[i].value;
    return NULL;
}

const char *yima_code_part_get(const yima_code *code, const char *name)
{
    for (int i = 0; i < code->n_part; i++)
        if (strcmp(code->part[i].name, name) == 0)
            return code->part[i].value;
    return NULL;
}

static void json_field(yima_buf *b, const char *name, const char *value)
{
    yima_buf_putc(b, ',');
    yima_buf_json_str(b, name, strlen(name));
    yima_buf_putc(b, ':');
    yima_buf_json_str(b, value, strlen(value));
}

/* The GS1 parts named in the CLI contract, then the other renderings. */
static void json_gs1(yima_buf *b, const yima_code *c)
{
    static const struct {
        const char *ai, *name;
    } named[] = {{"01", "gtin"}, {"10", "lot"},  {"21", "serial"},
                 {"00", "sscc"}, {"414", "gln"}, {"254", "gln_extension"}};

    yima_buf_puts(b, ",\"ais\":{");
    for (int i = 0; i < c->n_ai; i++) {
        if (i)
            yima_buf_putc(b, ',');
        yima_buf_json_str(b, c->ai[i].ai, strlen(c->ai[i].ai));
        yima_buf_putc(b, ':');
        yima_buf_json_str(b, c->ai[i].value, strlen(c->ai[i].value));
    }
    yima_buf_putc(b, '}');
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        const char *v = yima_code_ai(c, named[i].ai);
        if (v)
            json_field(b, named[i].name, v);
    }
    if (c->digital_link[0])
        json_field(b, "digital_link", c->digital_link);
    if (c->element_string[0])
        json_field(b, "element_string", c->element_string);
    if (c->epc_urn[0])
        json_field(b, "epc_urn", c->epc_urn);
}

int yima_code_to_json(yima_buf *b, const char *in, size_t len,
                      const yima_code *c, const yima_error *err)
{
    bool valid = err == NULL || err->code == YIMA_OK;

    yima_buf_puts(b, "{\"input\":");
    yima_buf_json_str(b, in, len);
    yima_buf_printf(b, ",\"valid\":%s,\"scheme\":", valid ? "true" : "false");
    if (c && c->scheme != YIMA_SCHEME_UNKNOWN)
        yima_buf_json_str(b, yima_scheme_name(c->scheme),
                          strlen(yima_scheme_name(c->scheme)));
    else
        yima_buf_puts(b, "null");
    yima_buf_puts(b, ",\"canonical\":");
    if (valid && c)
        yima_buf_json_str(b, c->canonical, strlen(c->canonical));
    else
        yima_buf_puts(b, "null");
    if (!valid) {
        json_field(b, "error", err->msg);
        if (err->pos)
            yima_buf_printf(b, ",\"position\":%zu", err->pos);
    }
    if (valid && c) {
        if (c->scheme == YIMA_SCHEME_GS1)
            json_gs1(b, c);
        for (int i = 0; i < c->n_part; i++)
            json_field(b, c->part[i].name, c->part[i].value);
        if (c->form)
            json_field(b, "form", c->form);
    }
    return yima_buf_putc(b, '}');
}
