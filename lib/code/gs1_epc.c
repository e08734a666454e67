/*
 * gs1_epc.c - EPC URNs (GS1 EPC Tag Data Standard, pure identity URIs) for
 * the GS1 keys: read one into AIs, and write one back from the AIs when the
 * length of the GS1 Company Prefix is known.
 *
 *   urn:epc:id:sgtin:0614141.812345.6789  <->  (01)80614141123458(21)6789
 *
 * Supported: id:sgtin sscc sgln grai giai gsrn gsrnp gdti cpi sgcn ginc gsin
 * itip upui pgln, class:lgtin, and the ID patterns idpat:sgtin grai gdti sgcn
 * cpi itip upui with '*' in the last field (the key without its serial).
 * Reserved characters in URN fields are %XX escapes.
 */
#include <assert.h>
#include <string.h>

#include "gs1_int.h"

/* What follows the key's own fields. */
enum {
    SER_NONE, /* nothing */
    SER_AI,   /* a field that is another AI: (21) for sgtin, (254) sgln */
    SER_KEY,  /* a field appended to the key: GRAI, GDTI, GCN serials */
    SER_STAR  /* an ID pattern's '*' */
};

typedef struct epc_kind {
    const char *ns, *name; /* urn:epc:<ns>:<name>: */
    const char *key;       /* AI of the key */
    const char *ref;       /* the second field, for messages */
    unsigned char digits;  /* company prefix + reference digits; 0 when the
                              reference is the alphanumeric rest of the key */
    bool indicator;        /* the reference's first digit leads the key */
    bool lead0;            /* the key starts with '0' (AI 8003) */
    unsigned char extra;   /* two-digit fields after the check digit (ITIP) */
    unsigned char ser;
    const char *ser_ai; /* for SER_AI */
} epc_kind;

/* id and class forms first: the writer takes the first that fits. */
static const epc_kind kinds[] = {
    {"id", "sgtin", "01", "item reference", 13, true, false, 0, SER_AI, "21"},
    {"id", "upui", "01", "item reference", 13, true, false, 0, SER_AI, "235"},
    {"class", "lgtin", "01", "item reference", 13, true, false, 0, SER_AI,
     "10"},
    {"id", "sscc", "00", "serial reference", 17, true, false, 0, SER_NONE,
     NULL},
    {"id", "sgln", "414", "location reference", 12, false, false, 0, SER_AI,
     "254"},
    {"id", "pgln", "417", "party reference", 12, false, false, 0, SER_NONE,
     NULL},
    {"id", "grai", "8003", "asset type", 12, false, true, 0, SER_KEY, NULL},
    {"id", "giai", "8004", "asset reference", 0, false, false, 0, SER_NONE,
     NULL},
    {"id", "gsrn", "8018", "service reference", 17, false, false, 0, SER_NONE,
     NULL},
    {"id", "gsrnp", "8017", "service reference", 17, false, false, 0, SER_NONE,
     NULL},
    {"id", "gdti", "253", "document type", 12, false, false, 0, SER_KEY, NULL},
    {"id", "sgcn", "255", "coupon reference", 12, false, false, 0, SER_KEY,
     NULL},
    {"id", "cpi", "8010", "part reference", 0, false, false, 0, SER_AI, "8011"},
    {"id", "ginc", "401", "consignment reference", 0, false, false, 0, SER_NONE,
     NULL},
    {"id", "gsin", "402", "shipper reference", 16, false, false, 0, SER_NONE,
     NULL},
    {"id", "itip", "8006", "item reference", 13, true, false, 2, SER_AI, "21"},
    {"idpat", "sgtin", "01", "item reference", 13, true, false, 0, SER_STAR,
     NULL},
    {"idpat", "upui", "01", "item reference", 13, true, false, 0, SER_STAR,
     NULL},
    {"idpat", "grai", "8003", "asset type", 12, false, true, 0, SER_STAR, NULL},
    {"idpat", "gdti", "253", "document type", 12, false, false, 0, SER_STAR,
     NULL},
    {"idpat", "sgcn", "255", "coupon reference", 12, false, false, 0, SER_STAR,
     NULL},
    {"idpat", "cpi", "8010", "part reference", 0, false, false, 0, SER_STAR,
     NULL},
    {"idpat", "itip", "8006", "item reference", 13, true, false, 2, SER_STAR,
     NULL},
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* A value being assembled, with the input offset of each byte. */
typedef struct val {
    char v[YIMA_GS1_VALUE_MAX + 1];
    size_t map[YIMA_GS1_VALUE_MAX + 1];
    size_t n;
} val;

/* Append s[0..n) at input offset off, decoding %XX escapes when asked. */
static int append(val *a, const char *s, size_t n, size_t off, bool unescape,
                  const char *what, yima_error *err)
{
    for (size_t i = 0; i < n;) {
        char c = s[i];
        size_t at = off + i;

        if (unescape && c == '%') {
            int byte = code_pct_decode(s, n, i);
            if (byte <= 0) /* not %XX, or %00 */
                return code_fail(err, at,
                                 "EPC URN: bad escape '%.*s' in the %s",
                                 (int)(n - i < 3 ? n - i : 3), s + i, what);
            c = (char)byte;
            i += 3;
        } else {
            i++;
        }
        if (a->n >= sizeof a->v)
            return code_fail(err, off,
                             "EPC URN: the %s is longer than %d characters",
                             what, YIMA_GS1_VALUE_MAX);
        a->map[a->n] = at;
        a->v[a->n++] = c;
    }
    return 0;
}

/* Offset of the next '.' at or after i in s[0..n), or n. */
static size_t field_end(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] != '.')
        i++;
    return i;
}

/* Whether s[0..n) is the lower-case word lit, ignoring ASCII case. One pass
 * and no strlen(): find_kind() asks this of every table entry. */
static bool word_is(const char *lit, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n && lit[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lit[i])
            return false;
    }
    return i == n && lit[i] == '\0';
}

static const epc_kind *find_kind(const char *ns, size_t nsn, const char *name,
                                 size_t namen)
{
    for (size_t k = 0; k < N_KINDS; k++)
        if (word_is(kinds[k].name, name, namen) &&
            word_is(kinds[k].ns, ns, nsn))
            return &kinds[k];
    return NULL;
}

/* What the field after the key's own fields is called, for messages. */
static const char *last_name(const epc_kind *k)
{
    if (k->ser == SER_STAR)
        return "'*'";
    if (k->ser == SER_AI && gs1_ai_eq(k->ser_ai, "254"))
        return "extension";
    if (k->ser == SER_AI && gs1_ai_eq(k->ser_ai, "10"))
        return "lot";
    if (k->ser == SER_AI && gs1_ai_eq(k->ser_ai, "235"))
        return "TPX";
    return "serial";
}

static int add(yima_code *out, const char *ai, const val *a, size_t off,
               yima_error *err)
{
    const gs1_ai_def *d = gs1_ai_find(ai, strlen(ai));

    assert(d);
    return gs1_add_ai(out, d, a->v, a->n, off, a->map, err);
}

int gs1_parse_epc_urn(const char *s, size_t n, bool write_urn, yima_code *out,
                      yima_error *err)
{
    const epc_kind *k;
    size_t ns = 8, name, body, i, e, cp_len, ref_at, ref_len;
    val key, ser; /* not zeroed: about 1.6 KB, and only .n must start at 0 */
    int rc;

    assert(s && out && n >= 8);
    key.n = ser.n = 0;
    out->form = "epc_urn";
    for (name = ns; name < n && s[name] != ':'; name++)
        ;
    for (body = name + 1; body < n && s[body] != ':'; body++)
        ;
    if (body >= n)
        return code_fail(err, ns,
                         "EPC URN: expected urn:epc:id:<scheme>:<fields>");
    body++;
    name++;
    if (word_is("tag", s + ns, name - ns - 1))
        return code_fail(err, ns,
                         "EPC URN: tag URIs (urn:epc:tag:...) are not "
                         "supported, use the pure identity urn:epc:id:...");
    k = find_kind(s + ns, name - ns - 1, s + name, body - name - 1);
    if (!k)
        return code_fail(err, ns,
                         "EPC URN: 'urn:epc:%.*s' is not an EPC scheme with "
                         "a GS1 key",
                         (int)(body - ns - 1 > 24 ? 24 : body - ns - 1),
                         s + ns);

    /* The GS1 Company Prefix */
    e = field_end(s, n, body);
    cp_len = e - body;
    if (!all_digits(s + body, cp_len) || cp_len < 6 || cp_len > 12)
        return code_fail(err, body,
                         "EPC URN: company prefix '%.*s' must be 6 to 12 "
                         "digits",
                         (int)(cp_len > 16 ? 16 : cp_len), s + body);
    if (e == n)
        return code_fail(err, e,
                         "EPC URN: the %s is missing after the company "
                         "prefix",
                         k->ref);
    i = e + 1;

    if (k->digits) {
        /* Numeric reference: exactly digits - cp_len of them. */
        e = field_end(s, n, i);
        ref_at = i;
        ref_len = e - i;
        if (!all_digits(s + i, ref_len))
            return code_fail(err, i, "EPC URN: %s '%.*s' must be digits",
                             k->ref, (int)(ref_len > 20 ? 20 : ref_len), s + i);
        if (cp_len + ref_len != k->digits)
            return code_fail(err, i,
                             "EPC URN: company prefix %.*s plus %s must be "
                             "%d digits, got %zu",
                             (int)cp_len, s + body, k->ref, k->digits,
                             cp_len + ref_len);
        /* At most 18 digits: these appends cannot fail. */
        if (k->lead0)
            append(&key, "0", 1, body, false, k->ref, err);
        if (k->indicator)
            append(&key, s + ref_at, 1, ref_at, false, k->ref, err);
        append(&key, s + body, cp_len, body, false, k->ref, err);
        if (ref_len > (size_t)k->indicator)
            append(&key, s + ref_at + k->indicator, ref_len - k->indicator,
                   ref_at + k->indicator, false, k->ref, err);
        {
            char cd = code_gs1_check_digit(key.v + k->lead0, key.n - k->lead0);
            append(&key, &cd, 1, e, false, k->ref, err);
        }
        i = e < n ? e + 1 : e;
        for (int x = 0; x < k->extra; x++) {
            e = field_end(s, n, i);
            if (e - i != 2 || !all_digits(s + i, 2))
                return code_fail(err, i,
                                 "EPC URN: expected a two-digit %s field",
                                 x == 0 ? "piece" : "total");
            append(&key, s + i, 2, i, false, "piece and total", err);
            i = e < n ? e + 1 : e;
        }
        if (k->ser == SER_NONE && e < n)
            return code_fail(err, e, "EPC URN: unexpected '%.*s' after the %s",
                             (int)(n - e > 20 ? 20 : n - e), s + e, k->ref);
    } else {
        /* Alphanumeric reference: the rest of the key. */
        e = k->ser == SER_NONE ? n : field_end(s, n, i);
        if (e == i)
            return code_fail(err, i, "EPC URN: the %s is empty", k->ref);
        if ((rc = append(&key, s + body, cp_len, body, false, k->ref, err)) ||
            (rc = append(&key, s + i, e - i, i, true, k->ref, err)))
            return rc;
        i = e < n ? e + 1 : e;
    }

    if (k->ser != SER_NONE && e >= n)
        return code_fail(err, n, "EPC URN: the %s is missing after the %s",
                         last_name(k), k->ref);
    if (k->ser == SER_KEY && i == n)
        return code_fail(err, i, "EPC URN: the serial is empty");
    if (k->ser == SER_STAR && (n - i != 1 || s[i] != '*'))
        return code_fail(err, i,
                         "EPC URN: an ID pattern must end in '.*' here");
    if (k->ser == SER_KEY &&
        (rc = append(&key, s + i, n - i, i, true, "serial", err)))
        return rc;
    if ((rc = add(out, k->key, &key, body, err)) != 0)
        return rc;
    if (k->ser == SER_AI) {
        if (n - i == 1 && s[i] == '0' && gs1_ai_eq(k->ser_ai, "254"))
            ; /* SGLN extension "0": no extension */
        else if ((rc =
                      append(&ser, s + i, n - i, i, true, last_name(k), err)) ||
                 (rc = add(out, k->ser_ai, &ser, i, err)))
            return rc;
    }
    if (write_urn)
        gs1_epc_write(out, (int)cp_len); /* the URN, normalised */
    return 0;
}

/* ---- Writing ------------------------------------------------------------ */

/* Whether byte c is written as it is in a URN field: printable ASCII
 * except the characters the EPC URN syntax reserves. */
static bool urn_keeps(unsigned char c)
{
    switch (c) {
    case '"':
    case '%':
    case '&':
    case '/':
    case '<':
    case '>':
    case '?':
    case '#': return false;
    default: return c >= 0x21 && c <= 0x7e;
    }
}

/* Write a URN field, escaping the reserved characters; runs of bytes that
 * stay are copied at once. */
static void put_escaped(code_sbuf *b, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t run = 0;

        while (i + run < n && urn_keeps((unsigned char)s[i + run]))
            run++;
        code_sbuf_put(b, s + i, run);
        i += run;
        if (i < n)
            code_sbuf_put_pct(b, (unsigned char)s[i++]);
    }
}

static const char *ai_value(const yima_code *out, const char *ai)
{
    for (int i = 0; i < out->n_ai; i++)
        if (gs1_ai_eq(out->ai[i].ai, ai))
            return out->ai[i].value;
    return NULL;
}

/*
 * Whether kind k names what out->canonical names: the canonical form's
 * qualifier, if any, must be the one the URN carries. (414)+(7040) is not an
 * sgln, nor (8006)+(10) an itip. An empty canonical (the URN parser writing
 * back its own input) passes.
 */
static bool same_identity(const yima_code *out, const epc_kind *k)
{
    const char *p = out->canonical;
    size_t stem = sizeof GS1_DL_STEM "/" - 1, qn;

    if (strlen(p) <= stem)
        return true;
    p = strchr(p + stem, '/');         /* before the key's value */
    p = p ? strchr(p + 1, '/') : NULL; /* before the qualifier */
    if (!p) /* then neither may the URN have one (the SGLN's "0" is none) */
        return !(k->ser == SER_AI && ai_value(out, k->ser_ai));
    qn = strcspn(p + 1, "/");
    return k->ser == SER_AI && strlen(k->ser_ai) == qn &&
           memcmp(k->ser_ai, p + 1, qn) == 0;
}

void gs1_epc_write(yima_code *out, int gcp_length)
{
    const char *kv = NULL, *sv = NULL;
    const gs1_ai_def *d;
    const epc_kind *k = NULL;
    size_t L = (size_t)gcp_length, vn, fixed = 0;
    code_sbuf b = {out->epc_urn, sizeof out->epc_urn, 0, false};

    out->epc_urn[0] = '\0';
    if (gcp_length < 6 || gcp_length > 12)
        return;
    for (int i = 0; i < out->n_ai && !kv; i++) {
        d = gs1_ai_find(out->ai[i].ai, strlen(out->ai[i].ai));
        if (d && d->dlpkey)
            kv = out->ai[i].value;
        if (kv)
            for (size_t x = 0; x < N_KINDS && !k; x++) {
                const epc_kind *c = &kinds[x];
                if (!gs1_ai_eq(c->key, d->ai))
                    continue;
                fixed =
                    c->digits ? c->lead0 + c->digits + 1u + 2u * c->extra : 0;
                if (c->ser == SER_AI && !gs1_ai_eq(c->ser_ai, "254") &&
                    !ai_value(out, c->ser_ai))
                    continue;
                if (c->ser == SER_KEY && strlen(kv) <= fixed)
                    continue;
                k = c;
            }
    }
    if (!k || !same_identity(out, k))
        return;
    vn = strlen(kv);

    code_sbuf_put(&b, "urn:epc:", 8);
    code_sbuf_put(&b, k->ns, strlen(k->ns));
    code_sbuf_put(&b, ":", 1);
    code_sbuf_put(&b, k->name, strlen(k->name));
    code_sbuf_put(&b, ":", 1);
    if (k->digits) {
        const char *p = kv + k->lead0;
        if (vn < fixed || L + k->indicator > k->digits)
            goto none;
        code_sbuf_put(&b, p + k->indicator, L); /* company prefix */
        code_sbuf_put(&b, ".", 1);
        if (k->indicator)
            code_sbuf_put(&b, p, 1);
        code_sbuf_put(&b, p + k->indicator + L, k->digits - k->indicator - L);
        for (int x = 0; x < k->extra; x++) {
            code_sbuf_put(&b, ".", 1);
            code_sbuf_put(&b, p + k->digits + 1 + 2 * x, 2);
        }
        if (k->ser == SER_KEY) {
            code_sbuf_put(&b, ".", 1);
            put_escaped(&b, kv + fixed, vn - fixed);
        }
    } else {
        if (vn <= L || !all_digits(kv, L))
            goto none;
        code_sbuf_put(&b, kv, L);
        code_sbuf_put(&b, ".", 1);
        put_escaped(&b, kv + L, vn - L);
    }
    if (k->ser == SER_AI) {
        sv = ai_value(out, k->ser_ai);
        if (sv && gs1_ai_eq(k->ser_ai, "254") && strcmp(sv, "0") == 0)
            goto none; /* an SGLN extension "0" means none */
        code_sbuf_put(&b, ".", 1);
        if (sv)
            put_escaped(&b, sv, strlen(sv));
        else
            code_sbuf_put(&b, "0", 1); /* SGLN without extension */
    } else if (k->ser == SER_STAR) {
        code_sbuf_put(&b, ".*", 2);
    }
    if (!b.over)
        return;
none:
    out->epc_urn[0] = '\0';
}
