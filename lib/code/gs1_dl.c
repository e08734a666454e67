/*
 * gs1_dl.c - GS1 Digital Link URIs: read one on any host into AIs, and write
 * the two Digital Link renderings of a code: the constrained canonical form
 * of the CBV 2.0 event hash (primary key and its finest qualifier on
 * https://id.gs1.org) and the full form (all key qualifiers in the path, the
 * other attributes as a query string).
 *
 * Which AIs are primary keys, and which qualifiers may follow each key and
 * in what order, comes from the "dlpkey" attributes of the AI table, e.g.
 * "22,10,21|235" for (01): /01/../22/../10/../21/.. or /01/../235/...
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gs1_int.h"

#define ALT_MAX  4 /* alternative qualifier sequences of one key */
#define QUAL_MAX 6 /* qualifiers in one sequence */
#define SEG_MAX  (YIMA_CODE_INPUT_MAX + 1) /* one per "/" at most */

/*
 * An AI of 2 to 4 digits as one number: its characters packed into the
 * bytes of a uint32_t. No digit is a zero byte, so "01" and "010" differ.
 * The writer compares AIs many times per code, and an integer compare is
 * much cheaper than strcmp().
 */
static uint32_t ai_num(const char *ai, size_t len)
{
    uint32_t v = 0;

    assert(len <= 4);
    for (size_t i = 0; i < len; i++)
        v |= (uint32_t)(unsigned char)ai[i] << (8 * i);
    return v;
}

/* Length of a NUL-terminated AI such as yima_gs1_ai.ai (at most 4): a
 * loop the compiler keeps inline, where strlen() would be a call. */
static size_t ai_len(const char *ai)
{
    size_t n = 0;

    while (n < 4 && ai[n])
        n++;
    return n;
}

/* ai_num() of a NUL-terminated AI. */
static uint32_t ai_num_str(const char *ai)
{
    return ai_num(ai, ai_len(ai));
}

/* One ordered sequence of qualifier AIs allowed after a primary key. */
typedef struct qseq {
    int n;
    uint32_t ai[QUAL_MAX]; /* ai_num() of each */
} qseq;

/* Split a dlpkey attribute ("22,10,21|235") into its sequences. Returns how
 * many; 0 for a key that takes no qualifiers. A token that is not 2 to 4
 * characters is skipped; past ALT_MAX sequences, or QUAL_MAX qualifiers in
 * one, the rest is ignored. */
static int key_sequences(const gs1_ai_def *key, qseq *alt)
{
    const char *p = key->dlpkey;
    int n = 0;

    assert(p);
    if (*p == '\0')
        return 0;
    alt[0].n = 0;
    while (*p) {
        size_t k = 0;
        while (p[k] && p[k] != ',' && p[k] != '|')
            k++;
        if (alt[n].n < QUAL_MAX && k >= 2 && k <= 4)
            alt[n].ai[alt[n].n++] = ai_num(p, k);
        p += k;
        if (*p == '|' && n + 1 < ALT_MAX)
            alt[++n].n = 0;
        if (*p)
            p++;
    }
    return n + 1;
}

/* Index of the AI numbered ai in sequence q, or -1. */
static int seq_index(const qseq *q, uint32_t ai)
{
    for (int i = 0; i < q->n; i++)
        if (q->ai[i] == ai)
            return i;
    return -1;
}

/*
 * Whether qualifiers q[0..m) may follow primary key `key` in a path, in
 * this order. When they may not, and why is not NULL, writes the reason and
 * sets *bad to the index in q to blame.
 */
static bool qualifiers_ok(const gs1_ai_def *key, const char (*q)[5], int m,
                          char *why, size_t whysz, int *bad)
{
    qseq alt[ALT_MAX];
    uint32_t qn[QUAL_MAX + 1]; /* ai_num() of each q[i] */
    int nalt, a, i, j;

    assert(m <= QUAL_MAX + 1);
    if (m == 0)
        return true;
    nalt = key_sequences(key, alt);
    for (i = 0; i < m; i++)
        qn[i] = ai_num_str(q[i]);
    for (a = 0; a < nalt; a++) {
        int last = -1;
        for (i = 0; i < m; i++) {
            int k = seq_index(&alt[a], qn[i]);
            if (k <= last)
                break;
            last = k;
        }
        if (i == m)
            return true;
    }
    if (!why)
        return false;

    if (nalt == 0) {
        snprintf(why, whysz, "(%s) takes no key qualifiers, got (%s)", key->ai,
                 q[0]);
        *bad = 0;
        return false;
    }
    for (i = 0; i < m; i++) {
        for (j = 0; j < i; j++)
            if (strcmp(q[i], q[j]) == 0) {
                snprintf(why, whysz, "qualifier (%s) is given twice", q[i]);
                *bad = i;
                return false;
            }
        for (a = 0; a < nalt && seq_index(&alt[a], qn[i]) < 0; a++)
            ;
        if (a == nalt) {
            snprintf(why, whysz, "(%s) is not a key qualifier of (%s)", q[i],
                     key->ai);
            *bad = i;
            return false;
        }
    }
    /* Every qualifier belongs to some sequence: wrong order or a mix. */
    for (a = 0; a < nalt; a++) {
        for (i = 0; i < m && seq_index(&alt[a], qn[i]) >= 0; i++)
            ;
        if (i < m)
            continue;
        for (i = 1; i < m; i++)
            if (seq_index(&alt[a], qn[i]) < seq_index(&alt[a], qn[i - 1])) {
                snprintf(why, whysz, "qualifier (%s) must come before (%s)",
                         q[i], q[i - 1]);
                *bad = i;
                return false;
            }
    }
    for (i = 1; i < m; i++)
        for (j = 0; j < i; j++) {
            for (a = 0; a < nalt; a++)
                if (seq_index(&alt[a], qn[i]) >= 0 &&
                    seq_index(&alt[a], qn[j]) >= 0)
                    break;
            if (a == nalt) {
                snprintf(why, whysz,
                         "qualifiers (%s) and (%s) cannot be used together "
                         "after (%s)",
                         q[j], q[i], key->ai);
                *bad = i;
                return false;
            }
        }
    snprintf(why, whysz, "these qualifiers cannot follow (%s)", key->ai);
    *bad = 0;
    return false;
}

/* The deprecated convenience alphas of the first Digital Link release. */
static const struct {
    const char *alpha, *ai;
} alphas[] = {
    {"batch", "10"},  {"cpid", "8010"}, {"cpsn", "8011"},  {"cpv", "22"},
    {"gcn", "255"},   {"gdti", "253"},  {"giai", "8004"},  {"ginc", "401"},
    {"gln", "414"},   {"glnx", "254"},  {"gmn", "8013"},   {"grai", "8003"},
    {"gsin", "402"},  {"gsrn", "8018"}, {"gsrnp", "8017"}, {"gtin", "01"},
    {"itip", "8006"}, {"lot", "10"},    {"party", "417"},  {"refno", "8020"},
    {"ser", "21"},    {"srin", "8019"}, {"sscc", "00"},
};

/* The AI a path segment names (numeric AI or convenience alpha), or NULL. */
static const gs1_ai_def *segment_ai(const char *s, size_t n)
{
    size_t i;

    if (n < 2 || n > 5)
        return NULL;
    for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i == n)
        return n <= 4 ? gs1_ai_find(s, n) : NULL;
    for (i = 0; i < sizeof alphas / sizeof alphas[0]; i++)
        if (strlen(alphas[i].alpha) == n && memcmp(alphas[i].alpha, s, n) == 0)
            return gs1_ai_find(alphas[i].ai, strlen(alphas[i].ai));
    return NULL;
}

/*
 * Percent-decode s[0..n) (at offset off of the input) into v, at most
 * YIMA_GS1_VALUE_MAX + 1 bytes so that an over-long value is still seen as
 * such; map[i] is the input offset of v[i]. In a query '+' is a space.
 */
static int decode(const char *s, size_t n, size_t off, bool query,
                  const gs1_ai_def *d, char *v, size_t *vn, size_t *map,
                  yima_error *err)
{
    size_t i = 0, k = 0;

    while (i < n && k <= YIMA_GS1_VALUE_MAX) {
        map[k] = off + i;
        if (s[i] == '%') {
            int byte = code_pct_decode(s, n, i);
            if (byte < 0)
                return code_fail(err, off + i,
                                 "Digital Link: '%%' in the value of (%s) "
                                 "must be followed by two hex digits",
                                 d->ai);
            if (byte == 0)
                return code_fail(err, off + i,
                                 "Digital Link: %%00 is not allowed in the "
                                 "value of (%s)",
                                 d->ai);
            v[k++] = (char)byte;
            i += 3;
        } else {
            v[k++] = query && s[i] == '+' ? ' ' : s[i];
            i++;
        }
    }
    if (k > YIMA_GS1_VALUE_MAX)
        return code_fail(err, off,
                         "AI (%s): value is longer than %d characters", d->ai,
                         YIMA_GS1_VALUE_MAX);
    *vn = k;
    return 0;
}

/* Decode one AI value from a path or query and add it; a GTIN-8, -12 or
 * -13 given for (01) is padded to a GTIN-14. */
static int add_value(yima_code *out, const gs1_ai_def *d, const char *s,
                     size_t n, size_t off, bool query, yima_error *err)
{
    char raw[YIMA_GS1_VALUE_MAX + 1], v[YIMA_GS1_VALUE_MAX + 1];
    size_t rmap[YIMA_GS1_VALUE_MAX + 1], map[YIMA_GS1_VALUE_MAX + 1];
    size_t rn = 0, pad = 0, i;
    int rc;

    if (n == 0)
        return code_fail(err, off, "Digital Link: AI (%s) has an empty value",
                         d->ai);
    if ((rc = decode(s, n, off, query, d, raw, &rn, rmap, err)) != 0)
        return rc;
    if (strcmp(d->ai, "01") == 0 && (rn == 8 || rn == 12 || rn == 13)) {
        for (i = 0; i < rn && raw[i] >= '0' && raw[i] <= '9'; i++)
            ;
        if (i == rn)
            pad = 14 - rn;
    }
    memset(v, '0', pad);
    memcpy(v + pad, raw, rn);
    for (i = 0; i < pad + rn; i++)
        map[i] = i < pad ? rmap[0] : rmap[i - pad];
    return gs1_add_ai(out, d, v, pad + rn, off, map, err);
}

/* A path segment: offset and length in the input. */
typedef struct seg {
    uint16_t off, len;
} seg;

/* No primary key was found at the end of the path: say what is wrong. */
static int explain_path(const char *s, const seg *sg, int nseg, yima_error *err)
{
    for (int k = 0; k + 1 < nseg; k++) {
        const gs1_ai_def *key = segment_ai(s + sg[k].off, sg[k].len);
        if (!key || !key->dlpkey)
            continue;
        for (int j = k + 2; j < nseg; j += 2) {
            const gs1_ai_def *d = segment_ai(s + sg[j].off, sg[j].len);
            if (!d)
                return code_fail(err, sg[j].off,
                                 "Digital Link: path segment '%.*s' after "
                                 "the primary key (%s) is not an AI",
                                 (int)(sg[j].len > 20 ? 20 : sg[j].len),
                                 s + sg[j].off, key->ai);
            if (j + 1 >= nseg)
                return code_fail(err, sg[j].off,
                                 "Digital Link: AI (%s) has no value", d->ai);
        }
    }
    return code_fail(err, sg[0].off,
                     "Digital Link: no GS1 primary key in path");
}

/* The query string s[0..n) at offset off: AIs with the '?' flag are data
 * attributes; other keys (linkType, context, ...) are not ours. */
static int parse_query(const char *s, size_t off, size_t n, yima_code *out,
                       const gs1_ai_def *key, const char (*q)[5], int nq,
                       yima_error *err)
{
    size_t i = off, end = off + n;

    while (i < end) {
        size_t amp = i, eq;
        const gs1_ai_def *d;
        int rc;

        while (amp < end && s[amp] != '&')
            amp++;
        for (eq = i; eq < amp && s[eq] != '='; eq++)
            ;
        if (eq < amp && eq > i) {
            size_t k;
            for (k = i; k < eq && s[k] >= '0' && s[k] <= '9'; k++)
                ;
            if (k == eq) {
                d = eq - i <= 4 ? gs1_ai_find(s + i, eq - i) : NULL;
                if (!d)
                    return code_fail(err, i,
                                     "Digital Link: unknown AI (%.*s) in the "
                                     "query string",
                                     (int)(eq - i > 8 ? 8 : eq - i), s + i);
                /* a key qualifier that fits the path belongs there */
                for (int at = 0; at <= nq; at++) {
                    char t[QUAL_MAX + 1][5];
                    memcpy(t, q, (size_t)at * sizeof t[0]);
                    memcpy(t[at], d->ai, sizeof t[0]);
                    memcpy(t + at + 1, q + at, (size_t)(nq - at) * sizeof t[0]);
                    if (qualifiers_ok(key, (const char(*)[5])t, nq + 1, NULL, 0,
                                      NULL))
                        return code_fail(err, i,
                                         "Digital Link: key qualifier (%s) "
                                         "of (%s) belongs in the path, not "
                                         "the query string",
                                         d->ai, key->ai);
                }
                if (!d->dl_attr)
                    return code_fail(err, i,
                                     "Digital Link: AI (%s) is not allowed "
                                     "as a query attribute",
                                     d->ai);
                rc = add_value(out, d, s + eq + 1, amp - eq - 1, eq + 1, true,
                               err);
                if (rc != 0)
                    return rc;
            }
        }
        i = amp + 1;
    }
    return 0;
}

/* Characters that may not appear anywhere in a URI we read. */
static int check_chars(const char *s, size_t n, size_t host, size_t host_end,
                       yima_error *err)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ')
            return code_fail(err, i,
                             "Digital Link: a space is not allowed in a URI");
        if (c < 0x20 || c == 0x7f)
            return code_fail(err, i,
                             "Digital Link: control character 0x%02X is not "
                             "allowed in a URI",
                             c);
        if (i >= host && i < host_end && c < 0x80 && strchr("\"<>\\^`{|}", c))
            return code_fail(err, i,
                             "Digital Link: character '%c' is not allowed in "
                             "the host",
                             c);
    }
    return 0;
}

int gs1_parse_dl(const char *s, size_t n, yima_code *out, yima_error *err)
{
    seg sg[SEG_MAX];
    char q[QUAL_MAX][5];
    size_t i, host, path, path_end, query = 0, query_end = 0;
    int nseg = 0, root = -1, nq = 0, rc, bad;
    const gs1_ai_def *key;
    char why[160];

    assert(s && out && n <= YIMA_CODE_INPUT_MAX);
    out->form = "digital_link";
    if (code_has_prefix_ci(s, n, "https://"))
        host = 8;
    else if (code_has_prefix_ci(s, n, "http://"))
        host = 7;
    else
        return code_fail(err, 0,
                         "Digital Link: must start with http:// or https://");

    for (path = host;
         path < n && s[path] != '/' && s[path] != '?' && s[path] != '#'; path++)
        ;
    if ((rc = check_chars(s, n, host, path, err)) != 0)
        return rc;
    if (path == host)
        return code_fail(err, host, "Digital Link: missing host name");
    for (path_end = path;
         path_end < n && s[path_end] != '?' && s[path_end] != '#'; path_end++)
        ;
    if (path_end < n && s[path_end] == '?') {
        query = path_end + 1;
        for (query_end = query; query_end < n && s[query_end] != '#';
             query_end++)
            ;
    }
    if (path == path_end)
        return code_fail(err, path, "Digital Link: no GS1 primary key in path");

    /* Split "/a/b/c" into segments; one trailing '/' is allowed. */
    i = path;
    if (path_end - path > 1 && s[path_end - 1] == '/')
        path_end--;
    while (i < path_end && nseg < SEG_MAX) {
        size_t j = i + 1;
        while (j < path_end && s[j] != '/')
            j++;
        sg[nseg].off = (uint16_t)(i + 1);
        sg[nseg].len = (uint16_t)(j - i - 1);
        nseg++;
        i = j;
    }

    /* The GS1 part is the last run of AI/value pairs; it starts at the
     * right-most primary key. */
    for (int j = nseg - 2; j >= 0; j -= 2) {
        const gs1_ai_def *d = segment_ai(s + sg[j].off, sg[j].len);
        if (!d)
            break;
        if (d->dlpkey) {
            root = j;
            break;
        }
    }
    if (root < 0)
        return explain_path(s, sg, nseg, err);
    key = segment_ai(s + sg[root].off, sg[root].len);

    for (int j = root + 2; j < nseg; j += 2) {
        const gs1_ai_def *d = segment_ai(s + sg[j].off, sg[j].len);
        if (nq >= QUAL_MAX)
            return code_fail(err, sg[j].off,
                             "Digital Link: too many key qualifiers after "
                             "(%s)",
                             key->ai);
        snprintf(q[nq++], sizeof q[0], "%s", d->ai);
    }
    if (!qualifiers_ok(key, (const char(*)[5])q, nq, why, sizeof why, &bad))
        return code_fail(err, sg[root + 2 + 2 * bad].off, "Digital Link: %s",
                         why);

    for (int j = root; j < nseg; j += 2) {
        const gs1_ai_def *d = segment_ai(s + sg[j].off, sg[j].len);
        rc = add_value(out, d, s + sg[j + 1].off, sg[j + 1].len, sg[j + 1].off,
                       false, err);
        if (rc != 0)
            return rc;
    }
    if (query)
        return parse_query(s, query, query_end - query, out, key,
                           (const char(*)[5])q, nq, err);
    return 0;
}

/* ---- Writing ------------------------------------------------------------ */

/*
 * Whether byte c stays as it is in an AI value written into a Digital Link.
 * Letters, digits and - . _ ~ stay, and so do ' ; = in a path, as the CBV
 * 2.0 reference event hash writes them; all else is %XX. In a query ; and
 * = are encoded too.
 */
static bool dl_keeps(unsigned char c, bool query)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '\'': return true;
    case ';':
    case '=': return !query;
    default: return false;
    }
}

/* Percent-encode an AI value. Runs of bytes that stay are copied at once:
 * most values (GTINs, serials) are one such run. */
static void put_encoded(code_sbuf *b, const char *v, bool query)
{
    while (*v) {
        size_t run = 0;

        while (v[run] && dl_keeps((unsigned char)v[run], query))
            run++;
        code_sbuf_put(b, v, run);
        v += run;
        if (*v)
            code_sbuf_put_pct(b, (unsigned char)*v++);
    }
}

static void put_pair(code_sbuf *b, const yima_gs1_ai *a)
{
    code_sbuf_put(b, "/", 1);
    code_sbuf_put(b, a->ai, ai_len(a->ai));
    code_sbuf_put(b, "/", 1);
    put_encoded(b, a->value, false);
}

/* Index of the AI numbered ai in num[0..n), or -1. */
static int find_ai(const uint32_t *num, int n, uint32_t ai)
{
    for (int i = 0; i < n; i++)
        if (num[i] == ai)
            return i;
    return -1;
}

int gs1_dl_write(yima_code *out, int order[YIMA_GS1_AI_MAX], yima_error *err)
{
    qseq alt[ALT_MAX];
    const gs1_ai_def *def[YIMA_GS1_AI_MAX], *key = NULL;
    uint32_t num[YIMA_GS1_AI_MAX];
    const uint32_t cpv = ai_num("22", 2);
    int k = -1, nalt, best = -1, best_score = -1, n = 0, finest = -1;
    bool used[YIMA_GS1_AI_MAX] = {false}, qual[YIMA_GS1_AI_MAX];
    bool first = true;
    code_sbuf b;

    assert(out && order);
    assert(out->n_ai >= 0 && out->n_ai <= YIMA_GS1_AI_MAX);
    out->canonical[0] = out->digital_link[0] = '\0';
    /* Each AI's table entry and number, once: what follows asks about
     * every AI several times. */
    for (int i = 0; i < out->n_ai; i++) {
        def[i] = gs1_ai_find(out->ai[i].ai, ai_len(out->ai[i].ai));
        num[i] = ai_num_str(out->ai[i].ai);
        if (k < 0 && def[i] && def[i]->dlpkey)
            k = i;
    }
    if (k < 0)
        return code_fail(err, CODE_NOPOS,
                         "GS1: no primary key AI such as (01) GTIN, (00) "
                         "SSCC or (414) GLN: the code does not identify "
                         "anything");
    key = def[k];

    /* The qualifier sequence matching most of the AIs given, counting an
     * identifying qualifier above a CPV (22); on a tie one that leaves no
     * qualifier out of the Digital Link. */
    nalt = key_sequences(key, alt);
    for (int i = 0; i < out->n_ai; i++) {
        int o;
        for (o = 0; o < nalt && seq_index(&alt[o], num[i]) < 0; o++)
            ;
        qual[i] = o < nalt; /* a qualifier of the key in some sequence */
    }
    for (int a = 0; a < nalt; a++) {
        int hits = 0, lost = 0, score;
        for (int j = 0; j < alt[a].n; j++)
            if (find_ai(num, out->n_ai, alt[a].ai[j]) >= 0)
                hits += alt[a].ai[j] == cpv ? 1 : 2;
        for (int i = 0; i < out->n_ai; i++)
            if (qual[i] && seq_index(&alt[a], num[i]) < 0 && def[i] &&
                !def[i]->dl_attr)
                lost++;
        score = 2 * hits + (lost == 0);
        if (score > best_score) {
            best_score = score;
            best = a;
        }
    }

    order[n++] = k;
    used[k] = true;
    for (int j = 0; best >= 0 && j < alt[best].n; j++) {
        int x = find_ai(num, out->n_ai, alt[best].ai[j]);
        if (x < 0)
            continue;
        order[n++] = x;
        used[x] = true;
        /* CBV 2.0: the finest qualifier identifies; a CPV (22) never does */
        if (alt[best].ai[j] != cpv)
            finest = x;
    }
    for (int i = 0; i < out->n_ai; i++)
        if (!used[i])
            order[n++] = i;
    assert(n == out->n_ai);

    b = (code_sbuf){out->canonical, sizeof out->canonical, 0, false};
    code_sbuf_put(&b, GS1_DL_STEM, sizeof GS1_DL_STEM - 1);
    put_pair(&b, &out->ai[k]);
    if (finest >= 0)
        put_pair(&b, &out->ai[finest]);
    if (b.over)
        goto too_long;

    b = (code_sbuf){out->digital_link, sizeof out->digital_link, 0, false};
    code_sbuf_put(&b, GS1_DL_STEM, sizeof GS1_DL_STEM - 1);
    for (int i = 0; i < n; i++) {
        const yima_gs1_ai *a = &out->ai[order[i]];
        const gs1_ai_def *d = def[order[i]];
        if (used[order[i]]) {
            put_pair(&b, a);
            continue;
        }
        if (!d || !d->dl_attr) {
            /* not a Digital Link attribute: no Digital Link says it all */
            out->digital_link[0] = '\0';
            return 0;
        }
        code_sbuf_put(&b, first ? "?" : "&", 1);
        first = false;
        code_sbuf_put(&b, a->ai, ai_len(a->ai));
        code_sbuf_put(&b, "=", 1);
        put_encoded(&b, a->value, true);
    }
    if (b.over)
        goto too_long;
    return 0;

too_long:
    out->canonical[0] = out->digital_link[0] = '\0';
    return code_fail(err, CODE_NOPOS,
                     "GS1: the Digital Link would be longer than %d "
                     "characters",
                     YIMA_CODE_URI_MAX - 1);
}
