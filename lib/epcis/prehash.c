/*
 * prehash.c - the pre-hash string of one EPCIS event (CBV 2.0, "EPCIS Event
 * Hash ID"): its fields as key=value with no separators, in this order
 *
 *   eventType eventTime eventTimeZoneOffset certificationInfo epcList
 *   parentID inputEPCList childEPCs quantityList childQuantityList
 *   inputQuantityList outputEPCList outputQuantityList action
 *   transformationID bizStep disposition persistentDisposition readPoint
 *   bizLocation bizTransactionList destinationList sourceList
 *   sensorElementList ilmd, then the user extensions
 *
 * A list is written once by name, then its items sorted by byte order
 * ("epcListepc=...epc=..."); the items of a structured list (quantity
 * elements, business transactions, sources, sensor elements, sensor
 * reports) are the concatenation of their own fields in their own fixed
 * order, then sorted. User extensions, at event level, inside ILMD and at
 * the end of a structure that has an extension point, are written
 * "{namespace}localName=value" (or, for an object, the name followed by its
 * own sorted children) and sorted.
 *
 * destinationList comes before sourceList: the CBV table lists sourceList
 * first, but the reference implementation, whose vectors this code matches,
 * writes the two in byte order.
 *
 * Values are trimmed; timestamps go to UTC with milliseconds (time.c);
 * numbers lose trailing zeros (num.c); CBV bare words and URNs become web
 * URIs (cbv.c); CURIEs are expanded (context.c); EPC URNs and GS1 Digital
 * Links become constrained canonical Digital Links through yima_code_parse()
 * and anything it does not recognise is kept as given. Strings of user
 * extensions that read as decimal numbers are written as numbers, as the
 * reference implementation does for every text value.
 *
 * Where the reference implementation (Python) shows its implementation
 * rather than the rule, this code follows the rule: booleans are written
 * "true" / "false" (not "True" / "False"), JSON null is an absent value
 * (not "None"), a 4th decimal of 5..9 rounds milliseconds up (Python rounds
 * half to even), and standard text fields such as stringValue and
 * hexBinaryValue are not read as numbers. None of the vectors has these.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "epcis_int.h"
#include "yima/code.h"

#define RDFS_COMMENT "{http://www.w3.org/2000/01/rdf-schema#}comment"

/* The state of writing one event. */
typedef struct ph {
    const epcis_nsmap *ns;
    const epcis_names *ignore;
    size_t event_no;
    yima_error *err;
    bool reported; /* *err already says what went wrong */
} ph;

/* Strings to be sorted, each in its own buffer. */
typedef struct items {
    yima_buf *v;
    size_t n, cap;
} items;

/* How one field of a standard structure is written. */
typedef enum kind { F_STR, F_TIME, F_NUM, F_BOOL } kind;

typedef struct field {
    const char *name;
    kind k;
    epcis_vocab voc;
} field;

/* ---- messages ----------------------------------------------------------- */

const char *epcis_json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static int fail(ph *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(ph *p, const char *path, const char *fmt, ...)
{
    char msg[YIMA_ERROR_MSG_MAX], ev[32] = "";
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->event_no)
        snprintf(ev, sizeof ev, "event %zu: ", p->event_no);
    p->reported = true;
    return yima_error_set(p->err, YIMA_EINVAL, 0, "%s%s%s%s", ev, path,
                          path[0] ? ": " : "", msg);
}

/* ---- sorted items ------------------------------------------------------- */

static void items_init(items *l)
{
    l->v = NULL;
    l->n = l->cap = 0;
}

static void items_free(items *l)
{
    for (size_t i = 0; i < l->n; i++)
        yima_buf_free(&l->v[i]);
    free(l->v);
    items_init(l);
}

/* Take over b (left empty); an empty b is dropped, a failed one is an
 * error. */
static int items_push(items *l, yima_buf *b)
{
    if (b->failed) {
        yima_buf_free(b);
        return YIMA_ETOOBIG;
    }
    if (b->len == 0) {
        yima_buf_free(b);
        return 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        yima_buf *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            yima_buf_free(b);
            return YIMA_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *b;
    yima_buf_init(b, b->cap);
    return 0;
}

static int byte_order(const void *a, const void *b)
{
    const yima_buf *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->data, y->data, n);

    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Append the items in byte order. */
static int items_flush(items *l, yima_buf *out)
{
    int rc;

    if (l->n > 1)
        qsort(l->v, l->n, sizeof l->v[0], byte_order);
    for (size_t i = 0; i < l->n; i++)
        if ((rc = yima_buf_add(out, l->v[i].data, l->v[i].len)) != 0)
            return rc;
    return 0;
}

static void new_buf(yima_buf *b)
{
    yima_buf_init(b, YIMA_EPCIS_PREHASH_MAX);
}

/* Forget what was appended to b after `mark`. */
static void truncate_to(yima_buf *b, size_t mark)
{
    assert(mark <= b->len);
    b->len = mark;
    if (b->data)
        b->data[mark] = '\0';
}

/* ---- values ------------------------------------------------------------- */

/* Length of the white-space character (as Python's str.strip() sees it)
 * that starts at s (or, with at_end, that ends at s + n); 0 if none. */
static size_t space_len(const char *s, size_t n, bool at_end)
{
    static const char *const wide[] = {
        "\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80",
        "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84",
        "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88",
        "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9",
        "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80"};
    unsigned char c;

    if (n == 0)
        return 0;
    c = (unsigned char)(at_end ? s[n - 1] : s[0]);
    if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f))
        return 1;
    if (c < 0x80)
        return 0; /* every wide space is all non-ASCII bytes */
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
        size_t k = strlen(wide[i]);
        if (n >= k && memcmp(at_end ? s + n - k : s, wide[i], k) == 0)
            return k;
    }
    return 0;
}

static void trim(const char **s, size_t *n)
{
    unsigned char a, z;
    size_t k;

    /* Nearly every value: printable ASCII at both ends, nothing to do. */
    if (*n) {
        a = (unsigned char)(*s)[0];
        z = (unsigned char)(*s)[*n - 1];
        if (a > ' ' && a < 0x80 && z > ' ' && z < 0x80)
            return;
    }
    while ((k = space_len(*s, *n, false)) > 0) {
        *s += k;
        *n -= k;
    }
    while ((k = space_len(*s, *n, true)) > 0)
        *n -= k;
}

static bool has_prefix_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* A GS1 key as EPC URN or Digital Link: append its constrained canonical
 * Digital Link and return 1; 0 when yima_code_parse() does not take it. */
static int gs1_key(yima_buf *out, const char *s, size_t n)
{
    yima_code code;
    yima_error e;
    int rc;

    if (!has_prefix_ci(s, n, "urn:epc:") && !has_prefix_ci(s, n, "http://") &&
        !has_prefix_ci(s, n, "https://"))
        return 0;
    if (epcis_code(s, n, &code, &e) != 0 || code.scheme != YIMA_SCHEME_GS1 ||
        code.canonical[0] == '\0')
        return 0;
    if ((rc = yima_buf_puts(out, code.canonical)) != 0)
        return rc;
    return 1;
}

/*
 * Append the canonical form of text value s (n bytes): trimmed, then the
 * first of these that applies: a bare word of vocabulary voc as web URI;
 * (after CURIE expansion) a CBV URN as web URI; when `numeric`, a decimal
 * number without trailing zeros; a GS1 key as canonical Digital Link; the
 * text itself. Blank text appends nothing.
 */
static int canon(const ph *p, yima_buf *out, const char *s, size_t n,
                 epcis_vocab voc, bool numeric)
{
    const char *prefix;
    yima_buf tmp;
    int rc;

    trim(&s, &n);
    if (n == 0)
        return 0;
    if ((prefix = epcis_cbv_bare(voc, s, n)) != NULL) {
        yima_buf_puts(out, prefix);
        return yima_buf_add(out, s, n);
    }
    new_buf(&tmp);
    if ((rc = epcis_ns_curie(&tmp, p->ns, s, n)) < 0)
        goto out;
    if (rc == 1) {
        s = tmp.data;
        n = tmp.len;
    }
    if ((rc = epcis_cbv_urn(out, s, n)) != 0)
        goto out;
    if (numeric && (rc = epcis_num_text(out, s, n)) != 0)
        goto out;
    if ((rc = gs1_key(out, s, n)) != 0)
        goto out;
    rc = yima_buf_add(out, s, n);
out:
    yima_buf_free(&tmp);
    return rc < 0 ? rc : 0;
}

/* ---- standard fields ---------------------------------------------------- */

/* Append "name=" (every field of every event: no printf here). */
static int put_name(yima_buf *out, const char *name)
{
    yima_buf_puts(out, name);
    return yima_buf_putc(out, '=');
}

/* Write "name=value" for value v of a standard field of kind k; `at` is
 * the field's path for messages. Blank text writes nothing. */
static int put_value(ph *p, yima_buf *out, const char *name, const json_t *v,
                     kind k, epcis_vocab voc, const char *at)
{
    char t[EPCIS_TIME_LEN + 1], why[80];
    size_t mark = out->len;
    const char *s;
    size_t n;
    int rc;

    switch (k) {
    case F_STR:
        if (!json_is_string(v))
            return fail(p, at, "expected a string, got %s", epcis_json_kind(v));
        put_name(out, name);
        rc = canon(p, out, json_string_value(v), json_string_length(v), voc,
                   false);
        if (rc == 0 && out->len == mark + strlen(name) + 1)
            truncate_to(out, mark); /* blank: leave the field out */
        return rc;
    case F_TIME:
        if (!json_is_string(v))
            return fail(p, at, "expected a timestamp string, got %s",
                        epcis_json_kind(v));
        s = json_string_value(v);
        n = json_string_length(v);
        trim(&s, &n);
        if (epcis_time_norm(s, n, t, why, sizeof why) != 0)
            return fail(p, at, "'%.*s' is not a timestamp: %s",
                        (int)(n > 40 ? 40 : n), s, why);
        put_name(out, name);
        return yima_buf_add(out, t, EPCIS_TIME_LEN);
    case F_NUM:
        if (!json_is_number(v))
            return fail(p, at, "expected a number, got %s", epcis_json_kind(v));
        put_name(out, name);
        if (json_is_integer(v))
            return epcis_num_int(out, json_integer_value(v));
        return epcis_num_real(out, json_real_value(v));
    case F_BOOL:
        if (!json_is_boolean(v))
            return fail(p, at, "expected true or false, got %s",
                        epcis_json_kind(v));
        put_name(out, name);
        return yima_buf_puts(out, json_is_true(v) ? "true" : "false");
    }
    return 0;
}

/* Field f of object o, whose path is `path` (nothing when absent). Its
 * own path only for a message: written without it first, and again with
 * it when that fails (what was written is then thrown away). */
static int put_field(ph *p, yima_buf *out, const json_t *o, const field *f,
                     const char *path)
{
    const json_t *v = epcis_member(o, f->name);
    char at[EPCIS_PATH_MAX];

    if (!v || json_is_null(v))
        return 0;
    if (put_value(p, out, f->name, v, f->k, f->voc, "") == 0)
        return 0;
    epcis_path_key(at, path, f->name);
    return put_value(p, out, f->name, v, f->k, f->voc, at);
}

/* ---- user extensions ---------------------------------------------------- */

static int put_ext(ph *p, items *l, const char *key, const json_t *v, int depth,
                   const char *path);

/* Items for value v of extension field `name` (already expanded). */
static int put_ext_value(ph *p, items *l, const yima_buf *name, const json_t *v,
                         int depth, const char *path)
{
    yima_buf b;
    items sub;
    char at[EPCIS_PATH_MAX];
    const char *key;
    json_t *c;
    size_t i;
    int rc = 0;

    if (depth > YIMA_EPCIS_DEPTH_MAX)
        return fail(p, path, "nested deeper than %d levels",
                    YIMA_EPCIS_DEPTH_MAX);
    if (json_is_null(v))
        return 0;
    if (json_is_array(v)) { /* one item per element, same name */
        json_array_foreach((json_t *)v, i, c)
        {
            epcis_path_index(at, path, i);
            if ((rc = put_ext_value(p, l, name, c, depth + 1, at)) != 0)
                return rc;
        }
        return 0;
    }
    new_buf(&b);
    items_init(&sub);
    if ((rc = yima_buf_add(&b, name->data, name->len)) != 0)
        goto out;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        json_object_foreach((json_t *)v, key, c)
        {
            epcis_path_key(at, path, key);
            if ((rc = put_ext(p, &sub, key, c, depth + 1, at)) != 0)
                goto out;
        }
        rc = items_flush(&sub, &b);
        break;
    case JSON_STRING:
        if (json_string_length(v) > 0) {
            size_t mark = b.len;
            yima_buf_putc(&b, '=');
            rc = canon(p, &b, json_string_value(v), json_string_length(v),
                       EPCIS_VOCAB_NONE, true);
            if (rc == 0 && b.len == mark + 1)
                truncate_to(&b, mark); /* blank: the name alone */
        }
        break;
    case JSON_INTEGER:
        yima_buf_putc(&b, '=');
        rc = epcis_num_int(&b, json_integer_value(v));
        break;
    case JSON_REAL:
        yima_buf_putc(&b, '=');
        rc = epcis_num_real(&b, json_real_value(v));
        break;
    default: /* true / false */
        rc = yima_buf_puts(&b, json_is_true(v) ? "=true" : "=false");
        break;
    }
    if (rc == 0)
        rc = items_push(l, &b);
out:
    yima_buf_free(&b);
    items_free(&sub);
    return rc;
}

/* Items for user extension field `key` with value v, unless it is left out:
 * JSON-LD keywords (@context, ...), comments and the ignore list. */
static int put_ext(ph *p, items *l, const char *key, const json_t *v, int depth,
                   const char *path)
{
    yima_buf name;
    int rc;

    if (key[0] == '@' || strcmp(key, "comment") == 0)
        return 0;
    new_buf(&name);
    if ((rc = epcis_ns_key(&name, p->ns, key)) != 0)
        goto out;
    if (strcmp(name.data, RDFS_COMMENT) == 0 ||
        epcis_names_has(p->ignore, name.data))
        goto out;
    rc = put_ext_value(p, l, &name, v, depth, path);
out:
    yima_buf_free(&name);
    return rc;
}

static bool in_names(const char *key, const char *const *names)
{
    for (; names && *names; names++)
        if (strcmp(key, *names) == 0)
            return true;
    return false;
}

static bool in_spec(const char *key, const field *spec, size_t nspec)
{
    for (size_t i = 0; i < nspec; i++)
        if (strcmp(key, spec[i].name) == 0)
            return true;
    return false;
}

/* Append, sorted, the user extensions of object o: every field that is not
 * in spec or in `known`. */
static int put_rest(ph *p, yima_buf *out, const json_t *o, const field *spec,
                    size_t nspec, const char *const *known, const char *path)
{
    char at[EPCIS_PATH_MAX];
    const char *key;
    json_t *v;
    items l;
    int rc = 0;

    items_init(&l);
    json_object_foreach((json_t *)o, key, v)
    {
        if (in_spec(key, spec, nspec) || in_names(key, known))
            continue;
        epcis_path_key(at, path, key);
        if ((rc = put_ext(p, &l, key, v, 1, at)) != 0)
            goto out;
    }
    rc = items_flush(&l, out);
out:
    items_free(&l);
    return rc;
}

/* A standard structure: its fields in spec order, then its extensions. */
static int put_struct(ph *p, yima_buf *out, const json_t *o, const field *spec,
                      size_t nspec, const char *path)
{
    int rc;

    if (!json_is_object(o))
        return fail(p, path, "expected an object, got %s", epcis_json_kind(o));
    for (size_t i = 0; i < nspec; i++)
        if ((rc = put_field(p, out, o, &spec[i], path)) != 0)
            return rc;
    return put_rest(p, out, o, spec, nspec, NULL, path);
}

/* ---- the fields of an event --------------------------------------------- */

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const field quantity_spec[] = {
    {"epcClass", F_STR, EPCIS_VOCAB_NONE},
    {"quantity", F_NUM, EPCIS_VOCAB_NONE},
    {"uom", F_STR, EPCIS_VOCAB_NONE},
};
static const field location_spec[] = {{"id", F_STR, EPCIS_VOCAB_NONE}};
static const field biztx_spec[] = {
    {"type", F_STR, EPCIS_VOCAB_BTT},
    {"bizTransaction", F_STR, EPCIS_VOCAB_NONE},
};
static const field source_spec[] = {
    {"type", F_STR, EPCIS_VOCAB_SDT},
    {"source", F_STR, EPCIS_VOCAB_NONE},
};
static const field destination_spec[] = {
    {"type", F_STR, EPCIS_VOCAB_SDT},
    {"destination", F_STR, EPCIS_VOCAB_NONE},
};
static const field metadata_spec[] = {
    {"time", F_TIME, EPCIS_VOCAB_NONE},
    {"startTime", F_TIME, EPCIS_VOCAB_NONE},
    {"endTime", F_TIME, EPCIS_VOCAB_NONE},
    {"deviceID", F_STR, EPCIS_VOCAB_NONE},
    {"deviceMetadata", F_STR, EPCIS_VOCAB_NONE},
    {"rawData", F_STR, EPCIS_VOCAB_NONE},
    {"dataProcessingMethod", F_STR, EPCIS_VOCAB_NONE},
    {"bizRules", F_STR, EPCIS_VOCAB_NONE},
};
static const field report_spec[] = {
    {"type", F_STR, EPCIS_VOCAB_MEASUREMENT},
    {"exception", F_STR, EPCIS_VOCAB_ALERT},
    {"deviceID", F_STR, EPCIS_VOCAB_NONE},
    {"deviceMetadata", F_STR, EPCIS_VOCAB_NONE},
    {"rawData", F_STR, EPCIS_VOCAB_NONE},
    {"dataProcessingMethod", F_STR, EPCIS_VOCAB_NONE},
    {"time", F_TIME, EPCIS_VOCAB_NONE},
    {"microorganism", F_STR, EPCIS_VOCAB_NONE},
    {"chemicalSubstance", F_STR, EPCIS_VOCAB_NONE},
    {"value", F_NUM, EPCIS_VOCAB_NONE},
    {"component", F_STR, EPCIS_VOCAB_COMPONENT},
    {"stringValue", F_STR, EPCIS_VOCAB_NONE},
    {"booleanValue", F_BOOL, EPCIS_VOCAB_NONE},
    {"hexBinaryValue", F_STR, EPCIS_VOCAB_NONE},
    {"uriValue", F_STR, EPCIS_VOCAB_NONE},
    {"minValue", F_NUM, EPCIS_VOCAB_NONE},
    {"maxValue", F_NUM, EPCIS_VOCAB_NONE},
    {"meanValue", F_NUM, EPCIS_VOCAB_NONE},
    {"sDev", F_NUM, EPCIS_VOCAB_NONE},
    {"percRank", F_NUM, EPCIS_VOCAB_NONE},
    {"percValue", F_NUM, EPCIS_VOCAB_NONE},
    {"uom", F_STR, EPCIS_VOCAB_NONE},
    {"coordinateReferenceSystem", F_STR, EPCIS_VOCAB_NONE},
};

struct efield;
typedef int (*writer)(ph *p, yima_buf *out, const json_t *v,
                      const struct efield *f);

/* One event-level field: its writer and what the writer needs. */
typedef struct efield {
    const char *name;
    writer w;
    epcis_vocab voc;   /* for text fields and lists of text */
    const char *item;  /* name of each list item ("epc", "quantityElement") */
    const field *spec; /* fields of a structure or of each list item */
    size_t nspec;
    epcis_field id; /* event fields: which one */
} efield;

static int w_time(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    return put_value(p, out, f->name, v, F_TIME, EPCIS_VOCAB_NONE, f->name);
}

static int w_offset(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    const char *s;
    size_t n;

    if (!json_is_string(v))
        return fail(p, f->name, "expected a string like +01:00, got %s",
                    epcis_json_kind(v));
    s = json_string_value(v);
    n = json_string_length(v);
    trim(&s, &n);
    if (!epcis_tz_offset_valid(s, n))
        return fail(p, f->name,
                    "'%.*s' is not an offset like +01:00 or -06:00 "
                    "(-14:00..+14:00)",
                    (int)(n > 40 ? 40 : n), s);
    put_name(out, f->name);
    return yima_buf_add(out, s, n);
}

static int w_text(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    return put_value(p, out, f->name, v, F_STR, f->voc, f->name);
}

/* Writes element c of a list into b, whose path is `path`. */
typedef int (*item_writer)(ph *p, yima_buf *b, const json_t *c, const efield *f,
                           const char *path);

/* Items for each element of array a, each written by one(); `what` says
 * what the elements must be ("strings", "objects"). An element's path is
 * put together only for a message: it is written without one first, and
 * again with it when it fails (writing has no other effect). */
static int list_items(ph *p, items *l, const json_t *a, const char *what,
                      const efield *f, const char *path, item_writer one)
{
    char at[EPCIS_PATH_MAX];
    yima_buf b;
    json_t *c;
    size_t i;
    int rc = 0;

    if (!json_is_array(a))
        return fail(p, path, "expected an array of %s, got %s", what,
                    epcis_json_kind(a));
    json_array_foreach((json_t *)a, i, c)
    {
        new_buf(&b);
        if ((rc = one(p, &b, c, f, "")) != 0) {
            yima_buf_free(&b);
            new_buf(&b);
            epcis_path_index(at, path, i);
            rc = one(p, &b, c, f, at);
        }
        if (rc == 0)
            rc = items_push(l, &b);
        yima_buf_free(&b);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* One list item "key=value" for string c; key is f->item. */
static int text_item(ph *p, yima_buf *b, const json_t *c, const efield *f,
                     const char *path)
{
    int rc;

    if (!json_is_string(c))
        return fail(p, path, "expected a string, got %s", epcis_json_kind(c));
    put_name(b, f->item);
    rc =
        canon(p, b, json_string_value(c), json_string_length(c), f->voc, false);
    if (rc == 0 && b->len == strlen(f->item) + 1)
        truncate_to(b, 0);
    return rc;
}

/* Items "key=value" for each string of array a. */
static int text_items(ph *p, items *l, const json_t *a, const char *key,
                      epcis_vocab voc, const char *path)
{
    const efield t = {.name = key, .voc = voc, .item = key, .id = EPCIS_F_N};

    return list_items(p, l, a, "strings", &t, path, text_item);
}

/* Write `name` then the items sorted, or nothing when there are none. */
static int put_list(yima_buf *out, const char *name, items *l)
{
    int rc;

    if (l->n == 0)
        return 0;
    if ((rc = yima_buf_puts(out, name)) != 0)
        return rc;
    return items_flush(l, out);
}

/* epcList and the like: "epcList" + sorted "epc=...". */
static int w_texts(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    items l;
    int rc;

    items_init(&l);
    rc = text_items(p, &l, v, f->item, f->voc, f->name);
    if (rc == 0)
        rc = put_list(out, f->name, &l);
    items_free(&l);
    return rc;
}

/* certificationInfo: one IRI or a set of them, each "certificationInfo=". */
static int w_cert(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    items l;
    int rc;

    if (json_is_string(v))
        return w_text(p, out, v, f);
    items_init(&l);
    rc = text_items(p, &l, v, f->name, EPCIS_VOCAB_NONE, f->name);
    if (rc == 0)
        rc = items_flush(&l, out);
    items_free(&l);
    return rc;
}

/* One list item of structure f->spec, led by f->item when set. */
static int struct_item(ph *p, yima_buf *b, const json_t *c, const efield *f,
                       const char *path)
{
    size_t mark;
    int rc;

    if (f->item)
        yima_buf_puts(b, f->item);
    mark = b->len;
    rc = put_struct(p, b, c, f->spec, f->nspec, path);
    if (rc == 0 && b->len == mark)
        truncate_to(b, 0); /* no fields: no item */
    return rc;
}

/* `f->name` then the sorted items of the objects of v, one() writing each. */
static int put_objects(ph *p, yima_buf *out, const json_t *v, const efield *f,
                       item_writer one)
{
    items l;
    int rc;

    items_init(&l);
    rc = list_items(p, &l, v, "objects", f, f->name, one);
    if (rc == 0)
        rc = put_list(out, f->name, &l);
    items_free(&l);
    return rc;
}

/* quantityList, bizTransactionList, sourceList, destinationList. */
static int w_structs(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    return put_objects(p, out, v, f, struct_item);
}

/* readPoint, bizLocation: "readPoint" + "id=..." + extensions. */
static int w_struct(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    size_t mark = out->len;
    int rc;

    if ((rc = yima_buf_puts(out, f->name)) != 0)
        return rc;
    rc = put_struct(p, out, v, f->spec, f->nspec, f->name);
    if (rc == 0 && out->len == mark + strlen(f->name))
        truncate_to(out, mark);
    return rc;
}

/* persistentDisposition: sorted "set=" items, sorted "unset=" items. */
static int w_persistent(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    static const char *const keys[] = {"set", "unset", NULL};
    char at[EPCIS_PATH_MAX];
    size_t mark = out->len;
    items l;
    int rc = 0;

    if (!json_is_object(v))
        return fail(p, f->name, "expected an object, got %s",
                    epcis_json_kind(v));
    if ((rc = yima_buf_puts(out, f->name)) != 0)
        return rc;
    for (int k = 0; keys[k]; k++) {
        const json_t *a = epcis_member(v, keys[k]);
        if (!a || json_is_null(a))
            continue;
        epcis_path_key(at, f->name, keys[k]);
        items_init(&l);
        rc = text_items(p, &l, a, keys[k], EPCIS_VOCAB_DISP, at);
        if (rc == 0)
            rc = items_flush(&l, out);
        items_free(&l);
        if (rc != 0)
            return rc;
    }
    rc = put_rest(p, out, v, NULL, 0, keys, f->name);
    if (rc == 0 && out->len == mark + strlen(f->name))
        truncate_to(out, mark);
    return rc;
}

/* Each sensor report: "sensorReport" + its fields. */
static const efield report_field = {.name = "sensorReport",
                                    .item = "sensorReport",
                                    .spec = report_spec,
                                    .nspec = N(report_spec),
                                    .id = EPCIS_F_N};

/* One sensor element: "sensorElement", its sensorMetadata, its sensor
 * reports sorted, its extensions. */
static int put_sensor_element(ph *p, yima_buf *b, const json_t *e,
                              const char *path)
{
    static const char *const known[] = {"sensorMetadata", "sensorReport", NULL};
    const json_t *meta, *reports;
    char at[EPCIS_PATH_MAX];
    items l;
    size_t mark;
    int rc = 0;

    if (!json_is_object(e))
        return fail(p, path, "expected an object, got %s", epcis_json_kind(e));
    yima_buf_puts(b, "sensorElement");
    meta = epcis_member(e, "sensorMetadata");
    if (meta && !json_is_null(meta)) {
        mark = b->len;
        epcis_path_key(at, path, "sensorMetadata");
        yima_buf_puts(b, "sensorMetadata");
        rc = put_struct(p, b, meta, metadata_spec, N(metadata_spec), at);
        if (rc != 0)
            return rc;
        if (b->len == mark + strlen("sensorMetadata"))
            truncate_to(b, mark);
    }
    reports = epcis_member(e, "sensorReport");
    if (reports && !json_is_null(reports)) {
        epcis_path_key(at, path, "sensorReport");
        items_init(&l);
        rc = list_items(p, &l, reports, "objects", &report_field, at,
                        struct_item);
        if (rc == 0)
            rc = items_flush(&l, b);
        items_free(&l);
        if (rc != 0)
            return rc;
    }
    rc = put_rest(p, b, e, NULL, 0, known, path);
    if (rc == 0 && b->len == strlen("sensorElement"))
        truncate_to(b, 0);
    return rc;
}

/* A sensor element as a list item (f is not needed). */
static int sensor_item(ph *p, yima_buf *b, const json_t *c, const efield *f,
                       const char *path)
{
    (void)f;
    return put_sensor_element(p, b, c, path);
}

static int w_sensors(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    return put_objects(p, out, v, f, sensor_item);
}

/* ilmd: "ilmd" + its fields as user extensions, sorted. */
static int w_ilmd(ph *p, yima_buf *out, const json_t *v, const efield *f)
{
    size_t mark = out->len;
    int rc;

    if (!json_is_object(v))
        return fail(p, f->name, "expected an object, got %s",
                    epcis_json_kind(v));
    if ((rc = yima_buf_puts(out, f->name)) != 0)
        return rc;
    rc = put_rest(p, out, v, NULL, 0, NULL, f->name);
    if (rc == 0 && out->len == mark + strlen(f->name))
        truncate_to(out, mark);
    return rc;
}

/* The event's fields in pre-hash order (after eventType). */
static const efield event_fields[] = {
    {"eventTime", w_time, 0, NULL, NULL, 0, EPCIS_F_EVENT_TIME},
    {"eventTimeZoneOffset", w_offset, 0, NULL, NULL, 0, EPCIS_F_TZ_OFFSET},
    {"certificationInfo", w_cert, 0, NULL, NULL, 0, EPCIS_F_CERT},
    {"epcList", w_texts, 0, "epc", NULL, 0, EPCIS_F_EPC_LIST},
    {"parentID", w_text, EPCIS_VOCAB_NONE, NULL, NULL, 0, EPCIS_F_PARENT_ID},
    {"inputEPCList", w_texts, 0, "epc", NULL, 0, EPCIS_F_INPUT_EPCS},
    {"childEPCs", w_texts, 0, "epc", NULL, 0, EPCIS_F_CHILD_EPCS},
    {"quantityList", w_structs, 0, "quantityElement", quantity_spec,
     N(quantity_spec), EPCIS_F_QUANTITY},
    {"childQuantityList", w_structs, 0, "quantityElement", quantity_spec,
     N(quantity_spec), EPCIS_F_CHILD_QUANTITY},
    {"inputQuantityList", w_structs, 0, "quantityElement", quantity_spec,
     N(quantity_spec), EPCIS_F_INPUT_QUANTITY},
    {"outputEPCList", w_texts, 0, "epc", NULL, 0, EPCIS_F_OUTPUT_EPCS},
    {"outputQuantityList", w_structs, 0, "quantityElement", quantity_spec,
     N(quantity_spec), EPCIS_F_OUTPUT_QUANTITY},
    {"action", w_text, EPCIS_VOCAB_NONE, NULL, NULL, 0, EPCIS_F_ACTION},
    {"transformationID", w_text, EPCIS_VOCAB_NONE, NULL, NULL, 0,
     EPCIS_F_TRANSFORMATION_ID},
    {"bizStep", w_text, EPCIS_VOCAB_BIZSTEP, NULL, NULL, 0, EPCIS_F_BIZ_STEP},
    {"disposition", w_text, EPCIS_VOCAB_DISP, NULL, NULL, 0,
     EPCIS_F_DISPOSITION},
    {"persistentDisposition", w_persistent, 0, NULL, NULL, 0,
     EPCIS_F_PERSISTENT},
    {"readPoint", w_struct, 0, NULL, location_spec, N(location_spec),
     EPCIS_F_READ_POINT},
    {"bizLocation", w_struct, 0, NULL, location_spec, N(location_spec),
     EPCIS_F_BIZ_LOCATION},
    {"bizTransactionList", w_structs, 0, NULL, biztx_spec, N(biztx_spec),
     EPCIS_F_BIZ_TX},
    {"destinationList", w_structs, 0, NULL, destination_spec,
     N(destination_spec), EPCIS_F_DEST},
    {"sourceList", w_structs, 0, NULL, source_spec, N(source_spec),
     EPCIS_F_SOURCE},
    {"sensorElementList", w_sensors, 0, NULL, NULL, 0, EPCIS_F_SENSORS},
    {"ilmd", w_ilmd, 0, NULL, NULL, 0, EPCIS_F_ILMD},
};

/* Event-level fields that are not hashed, besides @-keywords and comments:
 * the type is written first as eventType; eventID (and its JSON-LD alias
 * id), recordTime and errorDeclaration may change while the event stays.
 * With @context and event_fields that makes every epcis_field: the members
 * that are no field are the extensions. */

static const char *const event_types[] = {
    "ObjectEvent",         "AggregationEvent", "TransactionEvent",
    "TransformationEvent", "AssociationEvent", NULL};

static int put_event(ph *p, const json_t *ev, const epcis_fields *fl,
                     yima_buf *out)
{
    const json_t *type = fl->v[EPCIS_F_TYPE], *v;
    char at[EPCIS_PATH_MAX];
    const char *key;
    json_t *val;
    items ext;
    int rc = 0;

    if (!type)
        return fail(p, "", "no type (ObjectEvent, AggregationEvent, ...)");
    if (!json_is_string(type))
        return fail(p, "type", "expected a string, got %s",
                    epcis_json_kind(type));
    if (!in_names(json_string_value(type), event_types))
        return fail(p, "type",
                    "'%.40s' is not an event type (ObjectEvent, "
                    "AggregationEvent, TransactionEvent, "
                    "TransformationEvent, AssociationEvent)",
                    json_string_value(type));
    if (!(v = fl->v[EPCIS_F_EVENT_TIME]) || json_is_null(v))
        return fail(p, "", "eventTime is missing");
    put_name(out, "eventType");
    if ((rc = yima_buf_add(out, json_string_value(type),
                           json_string_length(type))) != 0)
        return rc;

    for (size_t i = 0; i < N(event_fields); i++) {
        v = fl->v[event_fields[i].id];
        if (!v || json_is_null(v))
            continue;
        if ((rc = event_fields[i].w(p, out, v, &event_fields[i])) != 0)
            return rc;
    }

    if (fl->n_other == 0)
        return 0;
    items_init(&ext);
    json_object_foreach((json_t *)ev, key, val)
    {
        if (epcis_field_of(key) >= 0)
            continue;
        epcis_path_key(at, "", key);
        if ((rc = put_ext(p, &ext, key, val, 1, at)) != 0)
            goto out;
    }
    rc = items_flush(&ext, out);
out:
    items_free(&ext);
    return rc;
}

int epcis_prehash(const json_t *event, const epcis_fields *fl,
                  const epcis_nsmap *ns, const epcis_names *ignore,
                  size_t event_no, yima_buf *out, yima_error *err)
{
    epcis_fields mine;
    epcis_nsmap own;
    const json_t *ctx;
    ph p;
    int rc;

    assert(event && ns && out);
    epcis_ns_init(&own, ns);
    p.ns = &own;
    p.ignore = ignore;
    p.event_no = event_no;
    p.err = err;
    p.reported = false;
    if (!json_is_object(event)) {
        rc = fail(&p, "", "expected an event object, got %s",
                  epcis_json_kind(event));
        goto out;
    }
    if (!fl) {
        epcis_fields_get(event, &mine);
        fl = &mine;
    }
    ctx = fl->v[EPCIS_F_CONTEXT];
    if (ctx && (rc = epcis_ns_add_context(&own, ctx)) != 0)
        goto out;
    rc = put_event(&p, event, fl, out);
    if (rc == 0 && out->failed)
        rc = YIMA_ETOOBIG;
out:
    if (rc == YIMA_ETOOBIG && !p.reported) {
        char ev[32] = "";
        if (event_no)
            snprintf(ev, sizeof ev, "event %zu: ", event_no);
        yima_error_set(err, rc, 0, "%spre-hash string is longer than %u bytes",
                       ev, YIMA_EPCIS_PREHASH_MAX);
    } else if (rc == YIMA_ENOMEM && !p.reported) {
        yima_error_set(err, rc, 0, "out of memory");
    }
    epcis_ns_free(&own);
    return rc;
}
