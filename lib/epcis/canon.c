/*
 * canon.c - the canonical bytes of one event (see yima/event.h): compact
 * JSON with the keys of each standard structure in the order of the EPCIS
 * 2.0 JSON schema, extension keys after them in byte order (and sorted
 * inside extension values too), eventID set, recordTime left out, and an
 * @context made of the standard context and the namespace prefixes the
 * event uses.
 *
 * Values are written as they were given: the same strings, numbers that
 * read back to the same double, so the event hash of the canonical bytes
 * is the event hash of the input.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The key order of a standard structure; `sub` gives the order inside a
 * member's value (an object, or each object of an array). */
typedef struct shape shape;

typedef struct member {
    const char *name;
    const shape *sub;
} member;

struct shape {
    const member *m;
    size_t n;
};

#define SHAPE(a)                                                               \
    {                                                                          \
        a, N(a)                                                                \
    }

static const member quantity_m[] = {
    {"epcClass", NULL}, {"quantity", NULL}, {"uom", NULL}};
static const shape quantity = SHAPE(quantity_m);

static const member location_m[] = {{"id", NULL}};
static const shape location = SHAPE(location_m);

static const member biztx_m[] = {{"type", NULL}, {"bizTransaction", NULL}};
static const shape biztx = SHAPE(biztx_m);

static const member source_m[] = {{"type", NULL}, {"source", NULL}};
static const shape source = SHAPE(source_m);

static const member dest_m[] = {{"type", NULL}, {"destination", NULL}};
static const shape dest = SHAPE(dest_m);

static const member metadata_m[] = {{"time", NULL},
                                    {"deviceID", NULL},
                                    {"deviceMetadata", NULL},
                                    {"rawData", NULL},
                                    {"startTime", NULL},
                                    {"endTime", NULL},
                                    {"dataProcessingMethod", NULL},
                                    {"bizRules", NULL}};
static const shape metadata = SHAPE(metadata_m);

static const member report_m[] = {{"type", NULL},
                                  {"exception", NULL},
                                  {"deviceID", NULL},
                                  {"deviceMetadata", NULL},
                                  {"rawData", NULL},
                                  {"dataProcessingMethod", NULL},
                                  {"bizRules", NULL},
                                  {"time", NULL},
                                  {"microorganism", NULL},
                                  {"chemicalSubstance", NULL},
                                  {"coordinateReferenceSystem", NULL},
                                  {"value", NULL},
                                  {"component", NULL},
                                  {"stringValue", NULL},
                                  {"booleanValue", NULL},
                                  {"hexBinaryValue", NULL},
                                  {"uriValue", NULL},
                                  {"minValue", NULL},
                                  {"maxValue", NULL},
                                  {"meanValue", NULL},
                                  {"sDev", NULL},
                                  {"percRank", NULL},
                                  {"percValue", NULL},
                                  {"uom", NULL}};
static const shape report = SHAPE(report_m);

static const member sensor_m[] = {{"sensorMetadata", &metadata},
                                  {"sensorReport", &report}};
static const shape sensor = SHAPE(sensor_m);

static const member errdecl_m[] = {
    {"declarationTime", NULL}, {"reason", NULL}, {"correctiveEventIDs", NULL}};
static const shape errdecl = SHAPE(errdecl_m);

static const member persistent_m[] = {{"set", NULL}, {"unset", NULL}};
static const shape persistent = SHAPE(persistent_m);

/* A member of the event itself: its field and the shape of its value. */
typedef struct emember {
    epcis_field f;
    const shape *sub;
} emember;

/* The common fields of every event, in the schema's order ("@context" and
 * recordTime are handled on their own). */
static const emember common_m[] = {
    {EPCIS_F_TYPE, NULL},      {EPCIS_F_EVENT_TIME, NULL},
    {EPCIS_F_TZ_OFFSET, NULL}, {EPCIS_F_EVENT_ID, NULL},
    {EPCIS_F_CERT, NULL},      {EPCIS_F_ERROR_DECL, &errdecl},
};

/* The fields of each event type, in the order of its schema. */
static const emember object_m[] = {
    {EPCIS_F_EPC_LIST, NULL},
    {EPCIS_F_QUANTITY, &quantity},
    {EPCIS_F_ACTION, NULL},
    {EPCIS_F_BIZ_STEP, NULL},
    {EPCIS_F_DISPOSITION, NULL},
    {EPCIS_F_PERSISTENT, &persistent},
    {EPCIS_F_READ_POINT, &location},
    {EPCIS_F_BIZ_LOCATION, &location},
    {EPCIS_F_BIZ_TX, &biztx},
    {EPCIS_F_SOURCE, &source},
    {EPCIS_F_DEST, &dest},
    {EPCIS_F_SENSORS, &sensor},
    {EPCIS_F_ILMD, NULL},
};

static const emember aggregation_m[] = {
    {EPCIS_F_PARENT_ID, NULL},
    {EPCIS_F_CHILD_EPCS, NULL},
    {EPCIS_F_CHILD_QUANTITY, &quantity},
    {EPCIS_F_ACTION, NULL},
    {EPCIS_F_BIZ_STEP, NULL},
    {EPCIS_F_DISPOSITION, NULL},
    {EPCIS_F_READ_POINT, &location},
    {EPCIS_F_BIZ_LOCATION, &location},
    {EPCIS_F_BIZ_TX, &biztx},
    {EPCIS_F_SOURCE, &source},
    {EPCIS_F_DEST, &dest},
    {EPCIS_F_SENSORS, &sensor},
};

static const emember transaction_m[] = {
    {EPCIS_F_BIZ_TX, &biztx},
    {EPCIS_F_PARENT_ID, NULL},
    {EPCIS_F_EPC_LIST, NULL},
    {EPCIS_F_QUANTITY, &quantity},
    {EPCIS_F_ACTION, NULL},
    {EPCIS_F_BIZ_STEP, NULL},
    {EPCIS_F_DISPOSITION, NULL},
    {EPCIS_F_READ_POINT, &location},
    {EPCIS_F_BIZ_LOCATION, &location},
    {EPCIS_F_SOURCE, &source},
    {EPCIS_F_DEST, &dest},
    {EPCIS_F_SENSORS, &sensor},
};

static const emember transformation_m[] = {
    {EPCIS_F_INPUT_EPCS, NULL},
    {EPCIS_F_INPUT_QUANTITY, &quantity},
    {EPCIS_F_OUTPUT_EPCS, NULL},
    {EPCIS_F_OUTPUT_QUANTITY, &quantity},
    {EPCIS_F_TRANSFORMATION_ID, NULL},
    {EPCIS_F_BIZ_STEP, NULL},
    {EPCIS_F_DISPOSITION, NULL},
    {EPCIS_F_PERSISTENT, &persistent},
    {EPCIS_F_READ_POINT, &location},
    {EPCIS_F_BIZ_LOCATION, &location},
    {EPCIS_F_BIZ_TX, &biztx},
    {EPCIS_F_SOURCE, &source},
    {EPCIS_F_DEST, &dest},
    {EPCIS_F_SENSORS, &sensor},
    {EPCIS_F_ILMD, NULL},
};

/* ---- values ------------------------------------------------------------- */

int epcis_canon_real(yima_buf *out, double v)
{
    char tmp[40];

    if (!isfinite(v))
        return yima_buf_puts(out, "null");
    if (fabs(v) < 1e15)
        return epcis_num_real(out, v);
    /* big integral values: shortest %g form that reads back the same */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        for (char *p = tmp; *p; p++)
            if (*p == ',')
                *p = '.';
        if (strtod(tmp, NULL) == v)
            break;
    }
    return yima_buf_puts(out, tmp);
}

static int any(yima_buf *out, const json_t *v);

/* True when none of the n bytes at s needs escaping in a JSON string
 * (each is printable ASCII other than '"' and '\\'). */
static bool plain(const char *s, size_t n)
{
    size_t i = epcis_plain_span(s, n);

    for (; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x80 ||
            s[i] == '"' || s[i] == '\\')
            return false;
    return true;
}

/* yima_buf_json_str(), with the common case of text that needs no escape
 * copied whole. */
static int json_str(yima_buf *out, const char *s, size_t n)
{
    if (!plain(s, n))
        return yima_buf_json_str(out, s, n);
    yima_buf_putc(out, '"');
    yima_buf_add(out, s, n);
    return yima_buf_putc(out, '"');
}

static int byte_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Room for the extension keys of most objects without a malloc(). */
#define REST_STACK 16

/* Is key a member of s (which may be NULL), or one of the event fields
 * whose bits are set in `fields`? */
static bool known_key(const char *key, const shape *s, uint32_t fields)
{
    int f;

    for (size_t i = 0; s && i < s->n; i++)
        if (strcmp(s->m[i].name, key) == 0)
            return true;
    return fields && (f = epcis_field_of(key)) >= 0 && (fields >> f & 1);
}

/* The keys of o that are not known_key(key, s, fields), sorted; *n of
 * them. The array is `stack` (REST_STACK entries) when they fit, else one
 * the caller frees (not the keys); NULL when out of memory. */
static const char **rest_keys(const json_t *o, const shape *s, uint32_t fields,
                              size_t *n, const char **stack)
{
    const char **k = stack;
    const char *key;
    json_t *v;

    *n = 0;
    if (json_object_size(o) > REST_STACK &&
        !(k = malloc(json_object_size(o) * sizeof *k)))
        return NULL;
    json_object_foreach((json_t *)o, key, v)
    {
        if (!known_key(key, s, fields))
            k[(*n)++] = key;
    }
    if (*n > 1)
        qsort(k, *n, sizeof *k, byte_order);
    return k;
}

static void rest_keys_free(const char **k, const char **stack)
{
    if (k != stack)
        free(k);
}

static int shaped(yima_buf *out, const json_t *v, const shape *s);

/* "key":, with a comma before unless first. */
static int pair_key(yima_buf *out, bool *first, const char *key)
{
    if (!*first)
        yima_buf_putc(out, ',');
    *first = false;
    json_str(out, key, strlen(key));
    return yima_buf_putc(out, ':');
}

/* "key":value, with a comma before unless first. */
static int pair(yima_buf *out, bool *first, const char *key, const json_t *v,
                const shape *s)
{
    pair_key(out, first, key);
    return s ? shaped(out, v, s) : any(out, v);
}

/* Object o: the members of s in order, then its other keys sorted. */
static int object(yima_buf *out, const json_t *o, const shape *s)
{
    const char *stack[REST_STACK], **keys;
    bool first = true;
    size_t n;
    int rc = 0;

    yima_buf_putc(out, '{');
    for (size_t i = 0; s && i < s->n; i++) {
        const json_t *v = epcis_member(o, s->m[i].name);
        if (v && (rc = pair(out, &first, s->m[i].name, v, s->m[i].sub)) != 0)
            return rc;
    }
    if (!(keys = rest_keys(o, s, 0, &n, stack)))
        return YIMA_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = pair(out, &first, keys[i], epcis_member(o, keys[i]), NULL);
    rest_keys_free(keys, stack);
    if (rc == 0)
        rc = yima_buf_putc(out, '}');
    return rc;
}

/* A value of a standard member with shape s: an object, or an array whose
 * objects have that shape. */
static int shaped(yima_buf *out, const json_t *v, const shape *s)
{
    json_t *c;
    size_t i;
    int rc = 0;

    if (json_is_object(v))
        return object(out, v, s);
    if (!json_is_array(v))
        return any(out, v);
    yima_buf_putc(out, '[');
    json_array_foreach((json_t *)v, i, c)
    {
        if (i)
            yima_buf_putc(out, ',');
        if ((rc = json_is_object(c) ? object(out, c, s) : any(out, c)) != 0)
            return rc;
    }
    return yima_buf_putc(out, ']');
}

/* Any value, object keys sorted. */
static int any(yima_buf *out, const json_t *v)
{
    json_t *c;
    size_t i;
    int rc;

    switch (json_typeof(v)) {
    case JSON_OBJECT: return object(out, v, NULL);
    case JSON_ARRAY:
        yima_buf_putc(out, '[');
        json_array_foreach((json_t *)v, i, c)
        {
            if (i)
                yima_buf_putc(out, ',');
            if ((rc = any(out, c)) != 0)
                return rc;
        }
        return yima_buf_putc(out, ']');
    case JSON_STRING:
        return json_str(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: return epcis_num_int(out, json_integer_value(v));
    case JSON_REAL: return epcis_canon_real(out, json_real_value(v));
    case JSON_TRUE: return yima_buf_puts(out, "true");
    case JSON_FALSE: return yima_buf_puts(out, "false");
    default: return yima_buf_puts(out, "null");
    }
}

/* ---- @context ----------------------------------------------------------- */

/* The IRI of prefix p (n bytes) defined by a context in ns itself (not by
 * the standard EPCIS context), or NULL. */
static const char *user_iri(const epcis_nsmap *ns, const char *p, size_t n)
{
    for (const epcis_nsmap *m = ns; m; m = m->parent)
        for (size_t i = m->n; i-- > 0;)
            if (strlen(m->v[i].prefix) == n &&
                memcmp(m->v[i].prefix, p, n) == 0)
                return m->v[i].iri;
    return NULL;
}

/* Note in used[] (parallel to a flat list of prefixes) the prefix of s if
 * it has one defined by the user. */
typedef struct used {
    const char *prefix[64];
    size_t len[64];
    size_t n;
    bool overflow;
} used;

static void note(used *u, const epcis_nsmap *ns, const char *s)
{
    const char *colon = strchr(s, ':');
    size_t n;

    if (!colon || colon == s || s[0] == '@')
        return;
    n = (size_t)(colon - s);
    if (!user_iri(ns, s, n))
        return;
    for (size_t i = 0; i < u->n; i++)
        if (u->len[i] == n && memcmp(u->prefix[i], s, n) == 0)
            return;
    if (u->n == N(u->prefix)) {
        u->overflow = true;
        return;
    }
    u->prefix[u->n] = s;
    u->len[u->n++] = n;
}

/* Every key and string value that starts with a user prefix. */
static void collect(used *u, const epcis_nsmap *ns, const json_t *v)
{
    const char *key;
    json_t *c;
    size_t i;

    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, c)
        {
            if (strcmp(key, "@context") == 0)
                continue;
            note(u, ns, key);
            collect(u, ns, c);
        }
    } else if (json_is_array(v)) {
        json_array_foreach((json_t *)v, i, c) collect(u, ns, c);
    } else if (json_is_string(v)) {
        note(u, ns, json_string_value(v));
    }
}

static int prefix_order(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    size_t nx = strcspn(*x, ":"), ny = strcspn(*y, ":");
    int c = memcmp(*x, *y, nx < ny ? nx : ny);

    return c ? c : (nx > ny) - (nx < ny);
}

/* Does any context in ns itself define a prefix? */
static bool has_user_prefixes(const epcis_nsmap *ns)
{
    for (const epcis_nsmap *m = ns; m; m = m->parent)
        if (m->n)
            return true;
    return false;
}

static int context(yima_buf *out, const json_t *ev, const epcis_nsmap *ns)
{
    used u;

    u.n = 0;
    u.overflow = false;
    if (has_user_prefixes(ns)) /* else no string can start with one */
        collect(&u, ns, ev);
    if (u.overflow)
        return YIMA_EINVAL;
    yima_buf_puts(out, "\"@context\":");
    if (u.n == 0)
        return yima_buf_puts(out, "\"" EPCIS_CONTEXT_URL "\"");
    qsort(u.prefix, u.n, sizeof u.prefix[0], prefix_order);
    for (size_t i = 0; i < u.n; i++)
        u.len[i] = strcspn(u.prefix[i], ":");
    yima_buf_puts(out, "[\"" EPCIS_CONTEXT_URL "\",{");
    for (size_t i = 0; i < u.n; i++) {
        const char *iri = user_iri(ns, u.prefix[i], u.len[i]);
        if (i)
            yima_buf_putc(out, ',');
        yima_buf_json_str(out, u.prefix[i], u.len[i]);
        yima_buf_putc(out, ':');
        yima_buf_json_str(out, iri, strlen(iri));
    }
    return yima_buf_puts(out, "}]");
}

/* ---- the event ---------------------------------------------------------- */

int epcis_canon_event(yima_buf *out, const json_t *ev, const epcis_fields *fl,
                      const epcis_nsmap *ns, const char *event_id)
{
    static const struct {
        const emember *m;
        size_t n;
    } by_type[] = {
        [YIMA_EVENT_OBJECT] = SHAPE(object_m),
        [YIMA_EVENT_AGGREGATION] = SHAPE(aggregation_m),
        [YIMA_EVENT_TRANSFORMATION] = SHAPE(transformation_m),
        [YIMA_EVENT_TRANSACTION] = SHAPE(transaction_m),
        [YIMA_EVENT_ASSOCIATION] = SHAPE(aggregation_m),
    };
    static const char *const type_names[] = {"",
                                             "ObjectEvent",
                                             "AggregationEvent",
                                             "TransformationEvent",
                                             "TransactionEvent",
                                             "AssociationEvent"};
    emember all[N(common_m) + N(transformation_m)];
    const char *type = json_string_value(fl->v[EPCIS_F_TYPE]);
    const char *stack[REST_STACK], **keys = NULL;
    /* recordTime is known, and left out; @context is written first */
    uint32_t known = 1u << EPCIS_F_RECORD_TIME | 1u << EPCIS_F_CONTEXT;
    bool first = false;
    size_t n = 0, nk = 0;
    int t, rc = 0;

    assert(out && ev && fl && ns && event_id && type);
    for (t = 1; t < (int)N(type_names) && strcmp(type, type_names[t]); t++)
        ;
    assert(t < (int)N(type_names));
    for (size_t i = 0; i < N(common_m); i++)
        all[n++] = common_m[i];
    for (size_t i = 0; i < by_type[t].n; i++)
        all[n++] = by_type[t].m[i];
    for (size_t i = 0; i < n; i++)
        known |= 1u << all[i].f;

    yima_buf_putc(out, '{');
    rc = context(out, ev, ns);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *name = epcis_field_name(all[i].f);
        const json_t *v;

        if (all[i].f == EPCIS_F_EVENT_ID) {
            pair_key(out, &first, name);
            rc = json_str(out, event_id, strlen(event_id));
        } else if ((v = fl->v[all[i].f]) != NULL) {
            rc = pair(out, &first, name, v, all[i].sub);
        }
    }
    /* Extensions: none unless some member is no known field. */
    if (rc == 0 && (fl->n_other || (fl->present & ~known)) &&
        !(keys = rest_keys(ev, NULL, known, &nk, stack)))
        rc = YIMA_ENOMEM;
    for (size_t i = 0; rc == 0 && i < nk; i++)
        rc = pair(out, &first, keys[i], epcis_member(ev, keys[i]), NULL);
    if (rc == 0)
        rc = yima_buf_putc(out, '}');
    if (keys)
        rest_keys_free(keys, stack);
    if (rc == 0 && out->failed)
        rc = YIMA_ETOOBIG;
    return rc;
}
