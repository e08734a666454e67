/*
 * validate.c - one EPCIS 2.0 event against the event model of the EPCIS
 * 2.0 JSON schema: which fields each event type has, their JSON types,
 * timestamps, vocabularies that are closed (action), required fields and
 * the "what" of each type; and its identifiers, checked through
 * yima_code_parse() and handed to the caller for the index.
 *
 * Fields are checked in a fixed order (the table below), so the first
 * fault reported for an event does not depend on its key order.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "epcis_int.h"
#include "yima/code.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Event types as bits, for the field table. */
#define T_OBJ (1u << YIMA_EVENT_OBJECT)
#define T_AGG (1u << YIMA_EVENT_AGGREGATION)
#define T_TF  (1u << YIMA_EVENT_TRANSFORMATION)
#define T_TX  (1u << YIMA_EVENT_TRANSACTION)
#define T_ASC (1u << YIMA_EVENT_ASSOCIATION)
#define T_ALL (T_OBJ | T_AGG | T_TF | T_TX | T_ASC)

/* The state of checking one event. */
typedef struct vctx {
    const epcis_nsmap *ns;
    epcis_code_fn each;
    void *arg;
    epcis_fault *f;
    yima_event_type type;
    const char *type_name;
} vctx;

int epcis_fault_set(epcis_fault *f, int code, const char *field,
                    const char *fmt, ...)
{
    va_list ap;

    assert(f && field && fmt);
    f->code = code;
    snprintf(f->field, sizeof f->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(f->reason, sizeof f->reason, fmt, ap);
    va_end(ap);
    return code;
}

static int fail(vctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(vctx *c, const char *path, const char *fmt, ...)
{
    char reason[YIMA_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return epcis_fault_set(c->f, YIMA_EINVAL, path, "%s", reason);
}

/*
 * Paths are built for every field and element checked, not only for the
 * ones that fail, so they are put together by hand: snprintf() here was a
 * tenth of the time of a read. The result is what snprintf() would give,
 * including the cut at EPCIS_PATH_MAX bytes ending in "...".
 */
static void path_join(char *dst, const char *a, size_t na, const char *b,
                      size_t nb, const char *c, size_t nc)
{
    const size_t room = EPCIS_PATH_MAX - 1;
    size_t n = 0, k;

    k = na < room ? na : room;
    memmove(dst, a, k); /* a may be dst itself */
    n += k;
    k = nb < room - n ? nb : room - n;
    memcpy(dst + n, b, k);
    n += k;
    k = nc < room - n ? nc : room - n;
    memcpy(dst + n, c, k);
    n += k;
    dst[n] = '\0';
    if (na + nb + nc > room)
        memcpy(dst + EPCIS_PATH_MAX - 4, "...", 4);
}

void epcis_path_key(char *dst, const char *parent, const char *key)
{
    size_t np = strlen(parent);

    path_join(dst, parent, np, ".", np ? 1 : 0, key, strlen(key));
}

void epcis_path_index(char *dst, const char *parent, size_t i)
{
    char num[24], *p = num + sizeof num;

    *--p = ']';
    do
        *--p = (char)('0' + i % 10);
    while ((i /= 10) != 0);
    *--p = '[';
    path_join(dst, parent, strlen(parent), p, (size_t)(num + sizeof num - p),
              "", 0);
}

/* An extension field: "prefix:name" or a full IRI. */
static bool is_ext(const char *key)
{
    return key[0] != '@' && strchr(key, ':') != NULL;
}

static bool in_names(const char *key, const char *const *names)
{
    for (; names && *names; names++)
        if (strcmp(key, *names) == 0)
            return true;
    return false;
}

/* Fields of object o outside `known` must be extensions. */
static int only(vctx *c, const json_t *o, const char *const *known,
                bool extensions, const char *what, const char *path)
{
    char at[EPCIS_PATH_MAX];
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)o, key, v)
    {
        if (in_names(key, known) || (extensions && is_ext(key)))
            continue;
        epcis_path_key(at, path, key);
        if (extensions)
            return fail(c, at,
                        "not a field of %s (an extension needs a namespace "
                        "prefix, e.g. example:%.40s)",
                        what, key);
        return fail(c, at, "not a field of %s", what);
    }
    return 0;
}

/* ---- values ------------------------------------------------------------- */

/* Where a value is, for a message: path itself, or element idx of it
 * (put together in at only then: most values are fine). */
#define NO_IDX SIZE_MAX

static const char *where(char at[EPCIS_PATH_MAX], const char *path, size_t idx)
{
    if (idx == NO_IDX)
        return path;
    epcis_path_index(at, path, idx);
    return at;
}

static int want_string_at(vctx *c, const json_t *v, const char *path,
                          size_t idx)
{
    char at[EPCIS_PATH_MAX];

    if (!json_is_string(v))
        return fail(c, where(at, path, idx), "expected a string, got %s",
                    epcis_json_kind(v));
    if (json_string_length(v) == 0)
        return fail(c, where(at, path, idx), "is empty");
    return 0;
}

static int want_string(vctx *c, const json_t *v, const char *path)
{
    return want_string_at(c, v, path, NO_IDX);
}

static int want_object(vctx *c, const json_t *v, const char *path)
{
    if (!json_is_object(v))
        return fail(c, path, "expected an object, got %s", epcis_json_kind(v));
    return 0;
}

static int want_number(vctx *c, const json_t *v, const char *path)
{
    if (!json_is_number(v))
        return fail(c, path, "expected a number, got %s", epcis_json_kind(v));
    return 0;
}

static int want_time(vctx *c, const json_t *v, const char *path)
{
    char t[EPCIS_TIME_LEN + 1], why[80];
    const char *s;
    size_t n;

    if (!json_is_string(v))
        return fail(c, path, "expected a date-time string, got %s",
                    epcis_json_kind(v));
    s = json_string_value(v);
    n = json_string_length(v);
    if (epcis_time_norm(s, n, t, why, sizeof why) != 0)
        return fail(c, path, "'%.*s' is not a date-time: %s",
                    (int)(n > 40 ? 40 : n), s, why);
    return 0;
}

static bool has_prefix_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* After yima_code_parse() failed on s: was s a code of a known scheme, and
 * so wrong (rather than some other URI, which EPCIS allows)? A Digital Link
 * on another host than id.gs1.org counts only when its key is there and
 * wrong; one without a GS1 key in its path is just a URI. */
static bool bad_code(const char *s, size_t n, const yima_code *code,
                     const yima_error *e, int rc)
{
    if (rc == YIMA_ETOOBIG || code->scheme == YIMA_SCHEME_UNKNOWN)
        return false;
    if (code->scheme != YIMA_SCHEME_GS1 || has_prefix_ci(s, n, "urn:epc:") ||
        has_prefix_ci(s, n, "https://id.gs1.org/") ||
        has_prefix_ci(s, n, "http://id.gs1.org/"))
        return true;
    if (has_prefix_ci(s, n, "http://") || has_prefix_ci(s, n, "https://"))
        return strncmp(e->msg, "AI (", 4) == 0;
    return true;
}

int yima_epcis_code(const char *s, size_t n, yima_code *out, yima_error *err)
{
    yima_error e;
    int rc = yima_code_parse(s, n, NULL, out, &e);

    if (rc == 0)
        return 1;
    if (bad_code(s, n, out, &e, rc)) {
        if (err)
            *err = e;
        return YIMA_EINVAL;
    }
    return 0;
}

/* An identifier: a non-empty string, checked and indexed (where() says
 * where it is). */
static int ident_at(vctx *c, const json_t *v, const char *path, size_t idx,
                    yima_code_role role)
{
    char at[EPCIS_PATH_MAX];
    yima_code code;
    yima_error e;
    const char *s;
    size_t n;
    int rc;

    if ((rc = want_string_at(c, v, path, idx)) != 0)
        return rc;
    s = json_string_value(v);
    n = json_string_length(v);
    rc = epcis_code(s, n, &code, &e);
    if (rc == 0 && code.canonical[0]) {
        s = code.canonical;
        n = strlen(s);
    } else if (rc != 0 && bad_code(s, n, &code, &e, rc)) {
        return fail(c, where(at, path, idx), "%s", e.msg);
    }
    if (c->each && (rc = c->each(c->arg, s, n, role)) != 0)
        return epcis_fault_set(c->f, rc, where(at, path, idx), "out of memory");
    return 0;
}

static int ident(vctx *c, const json_t *v, const char *path,
                 yima_code_role role)
{
    return ident_at(c, v, path, NO_IDX, role);
}

/* json_equal() of two strings, without its type dispatch; the last byte
 * first (a list's codes mostly differ in their serial numbers). */
static bool same_string(const json_t *x, const json_t *y)
{
    size_t n = json_string_length(x);
    const char *a, *b;

    if (n != json_string_length(y))
        return false;
    a = json_string_value(x);
    b = json_string_value(y);
    return n == 0 || (a[n - 1] == b[n - 1] && memcmp(a, b, n) == 0);
}

/* An array of distinct strings; identifiers when role is not 0. At least
 * one when min1. */
static int strings(vctx *c, const json_t *a, const char *path,
                   yima_code_role role, bool min1)
{
    char at[EPCIS_PATH_MAX];
    json_t *v;
    size_t i;
    int rc;

    if (!json_is_array(a))
        return fail(c, path, "expected an array of strings, got %s",
                    epcis_json_kind(a));
    if (min1 && json_array_size(a) == 0)
        return fail(c, path, "is empty");
    json_array_foreach((json_t *)a, i, v)
    {
        rc = role ? ident_at(c, v, path, i, role)
                  : want_string_at(c, v, path, i);
        if (rc != 0)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (same_string(v, json_array_get(a, j)))
                return fail(c, where(at, path, i), "repeats %s[%zu]", path, j);
    }
    return 0;
}

/* uom: 2 or 3 capital letters or digits (UN/ECE Rec 20). */
static bool uom_valid(const char *s, size_t n)
{
    if (n < 2 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* ---- structures --------------------------------------------------------- */

static int quantities(vctx *c, const json_t *a, const char *path, bool min1)
{
    static const char *const known[] = {"epcClass", "quantity", "uom", NULL};
    char at[EPCIS_PATH_MAX], at2[EPCIS_PATH_MAX];
    const json_t *v;
    json_t *q;
    size_t i;
    int rc;

    if (!json_is_array(a))
        return fail(c, path, "expected an array of objects, got %s",
                    epcis_json_kind(a));
    if (min1 && json_array_size(a) == 0)
        return fail(c, path, "is empty");
    json_array_foreach((json_t *)a, i, q)
    {
        epcis_path_index(at, path, i);
        if ((rc = want_object(c, q, at)) != 0 ||
            (rc = only(c, q, known, false, "a quantity element", at)) != 0)
            return rc;
        epcis_path_key(at2, at, "epcClass");
        if (!(v = epcis_member(q, "epcClass")))
            return fail(c, at2, "missing (required in a quantity element)");
        if ((rc = ident(c, v, at2, YIMA_ROLE_CLASS)) != 0)
            return rc;
        epcis_path_key(at2, at, "quantity");
        if ((v = epcis_member(q, "quantity")) &&
            (rc = want_number(c, v, at2)) != 0)
            return rc;
        epcis_path_key(at2, at, "uom");
        if ((v = epcis_member(q, "uom")) != NULL) {
            if (!json_is_string(v))
                return fail(c, at2, "expected a string, got %s",
                            epcis_json_kind(v));
            if (!uom_valid(json_string_value(v), json_string_length(v)))
                return fail(c, at2,
                            "'%.20s' is not a unit code (2 or 3 capital "
                            "letters or digits, e.g. KGM)",
                            json_string_value(v));
            if (!epcis_member(q, "quantity"))
                return fail(c, at2, "a unit without a quantity");
        }
    }
    return 0;
}

/* readPoint, bizLocation: {"id": ...} and extensions. */
static int location(vctx *c, const json_t *o, const char *path,
                    yima_code_role role)
{
    static const char *const known[] = {"id", NULL};
    char at[EPCIS_PATH_MAX];
    const json_t *id;
    int rc;

    if ((rc = want_object(c, o, path)) != 0 ||
        (rc = only(c, o, known, true, path, path)) != 0)
        return rc;
    /* "readPoint.id" only for a message: looked at without it first */
    if ((id = epcis_member(o, "id")) &&
        ((rc = ident(c, id, "", role)) == 0 || rc == YIMA_ENOMEM))
        return rc;
    epcis_path_key(at, path, "id");
    if (!id)
        return fail(c, at, "missing (required in %s)", path);
    return ident(c, id, at, role);
}

/* A member's path under `at`, or "" when at is "" (a first look, whose
 * messages are not kept). */
static const char *member_path(char out[EPCIS_PATH_MAX], const char *at,
                               const char *key)
{
    if (!at[0])
        return "";
    epcis_path_key(out, at, key);
    return out;
}

/* One element o of a typed_list(), at `at`; `what` names it in messages. */
static int typed_item(vctx *c, const json_t *o, const char *at, const char *key,
                      yima_code_role role, bool type_required, const char *what)
{
    const char *known[] = {"type", key, NULL};
    char at2[EPCIS_PATH_MAX];
    const json_t *v;
    int rc;

    if ((rc = want_object(c, o, at)) != 0 ||
        (rc = only(c, o, known, false, what, at)) != 0)
        return rc;
    if ((v = epcis_member(o, "type")) != NULL) {
        if ((rc = want_string(c, v, member_path(at2, at, "type"))) != 0)
            return rc;
    } else if (type_required) {
        return fail(c, member_path(at2, at, "type"), "missing (required in %s)",
                    what);
    }
    if (!(v = epcis_member(o, key)))
        return fail(c, member_path(at2, at, key), "missing (required in %s)",
                    what);
    return ident(c, v, member_path(at2, at, key), role);
}

/* bizTransactionList, sourceList, destinationList: objects with `type`
 * and a value `key` (type required when type_required). Each element's
 * path and the words for it are put together only for a message: it is
 * checked without them first, and again with them when that fails (the
 * identifier is indexed only once it passes). */
static int typed_list(vctx *c, const json_t *a, const char *path,
                      const char *key, yima_code_role role, bool type_required)
{
    char at[EPCIS_PATH_MAX], what[64];
    json_t *o;
    size_t i;
    int rc;

    if (!json_is_array(a))
        return fail(c, path, "expected an array of objects, got %s",
                    epcis_json_kind(a));
    json_array_foreach((json_t *)a, i, o)
    {
        if ((rc = typed_item(c, o, "", key, role, type_required, "")) == 0)
            continue;
        if (rc == YIMA_ENOMEM)
            return rc;
        epcis_path_index(at, path, i);
        snprintf(what, sizeof what, "a %s element", key);
        return typed_item(c, o, at, key, role, type_required, what);
    }
    return 0;
}

/* How a field of a sensor structure is checked. */
typedef enum skind { S_TIME, S_STR, S_NUM, S_BOOL, S_HEX } skind;

typedef struct sfield {
    const char *name;
    skind k;
} sfield;

static const sfield metadata_fields[] = {
    {"time", S_TIME},
    {"deviceID", S_STR},
    {"deviceMetadata", S_STR},
    {"rawData", S_STR},
    {"startTime", S_TIME},
    {"endTime", S_TIME},
    {"dataProcessingMethod", S_STR},
    {"bizRules", S_STR},
};

static const sfield report_fields[] = {
    {"type", S_STR},
    {"exception", S_STR},
    {"deviceID", S_STR},
    {"deviceMetadata", S_STR},
    {"rawData", S_STR},
    {"dataProcessingMethod", S_STR},
    {"bizRules", S_STR},
    {"time", S_TIME},
    {"microorganism", S_STR},
    {"chemicalSubstance", S_STR},
    {"coordinateReferenceSystem", S_STR},
    {"value", S_NUM},
    {"component", S_STR},
    {"stringValue", S_STR},
    {"booleanValue", S_BOOL},
    {"hexBinaryValue", S_HEX},
    {"uriValue", S_STR},
    {"minValue", S_NUM},
    {"maxValue", S_NUM},
    {"meanValue", S_NUM},
    {"sDev", S_NUM},
    {"percRank", S_NUM},
    {"percValue", S_NUM},
    {"uom", S_STR},
};

static bool hex_valid(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return true;
}

/* A sensorMetadata or sensorReport object. */
static int sensor_struct(vctx *c, const json_t *o, const sfield *spec,
                         size_t nspec, const char *what, const char *path)
{
    char at[EPCIS_PATH_MAX];
    const char *key;
    json_t *v;
    int rc;

    if ((rc = want_object(c, o, path)) != 0)
        return rc;
    json_object_foreach((json_t *)o, key, v)
    {
        size_t i;

        epcis_path_key(at, path, key);
        for (i = 0; i < nspec && strcmp(spec[i].name, key) != 0; i++)
            ;
        if (i == nspec) {
            if (is_ext(key))
                continue;
            return fail(c, at,
                        "not a field of %s (an extension needs a namespace "
                        "prefix, e.g. example:%.40s)",
                        what, key);
        }
        switch (spec[i].k) {
        case S_TIME: rc = want_time(c, v, at); break;
        case S_STR: rc = want_string(c, v, at); break;
        case S_NUM: rc = want_number(c, v, at); break;
        case S_BOOL:
            rc = json_is_boolean(v) ? 0
                                    : fail(c, at,
                                           "expected true or false, "
                                           "got %s",
                                           epcis_json_kind(v));
            break;
        case S_HEX:
            if ((rc = want_string(c, v, at)) == 0 &&
                !hex_valid(json_string_value(v), json_string_length(v)))
                rc = fail(c, at, "'%.40s' is not hexadecimal",
                          json_string_value(v));
            break;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int sensors(vctx *c, const json_t *a, const char *path)
{
    static const char *const known[] = {"sensorMetadata", "sensorReport", NULL};
    char at[EPCIS_PATH_MAX], at2[EPCIS_PATH_MAX], at3[EPCIS_PATH_MAX];
    const json_t *v;
    json_t *e, *r;
    size_t i, j;
    int rc;

    if (!json_is_array(a))
        return fail(c, path, "expected an array of objects, got %s",
                    epcis_json_kind(a));
    json_array_foreach((json_t *)a, i, e)
    {
        epcis_path_index(at, path, i);
        if ((rc = want_object(c, e, at)) != 0 ||
            (rc = only(c, e, known, true, "a sensor element", at)) != 0)
            return rc;
        epcis_path_key(at2, at, "sensorMetadata");
        if ((v = epcis_member(e, "sensorMetadata")) &&
            (rc = sensor_struct(c, v, metadata_fields, N(metadata_fields),
                                "sensorMetadata", at2)) != 0)
            return rc;
        epcis_path_key(at2, at, "sensorReport");
        if (!(v = epcis_member(e, "sensorReport")))
            return fail(c, at2, "missing (required in a sensor element)");
        if (!json_is_array(v))
            return fail(c, at2, "expected an array of objects, got %s",
                        epcis_json_kind(v));
        if (json_array_size(v) == 0)
            return fail(c, at2, "is empty");
        json_array_foreach((json_t *)v, j, r)
        {
            epcis_path_index(at3, at2, j);
            if ((rc = sensor_struct(c, r, report_fields, N(report_fields),
                                    "sensorReport", at3)) != 0)
                return rc;
        }
    }
    return 0;
}

static int cert(vctx *c, const json_t *v, const char *path)
{
    if (json_is_string(v))
        return want_string(c, v, path);
    if (json_is_array(v))
        return strings(c, v, path, 0, false);
    return fail(c, path, "expected a string or an array of strings, got %s",
                epcis_json_kind(v));
}

static int error_declaration(vctx *c, const json_t *o, const char *path)
{
    static const char *const known[] = {"declarationTime", "reason",
                                        "correctiveEventIDs", NULL};
    char at[EPCIS_PATH_MAX];
    const json_t *v;
    int rc;

    if ((rc = want_object(c, o, path)) != 0 ||
        (rc = only(c, o, known, true, path, path)) != 0)
        return rc;
    epcis_path_key(at, path, "declarationTime");
    if (!(v = epcis_member(o, "declarationTime")))
        return fail(c, at, "missing (required in errorDeclaration)");
    if ((rc = want_time(c, v, at)) != 0)
        return rc;
    epcis_path_key(at, path, "reason");
    if ((v = epcis_member(o, "reason")) && (rc = want_string(c, v, at)))
        return rc;
    epcis_path_key(at, path, "correctiveEventIDs");
    if ((v = epcis_member(o, "correctiveEventIDs")) &&
        (rc = strings(c, v, at, 0, false)) != 0)
        return rc;
    return 0;
}

static int persistent(vctx *c, const json_t *o, const char *path)
{
    static const char *const known[] = {"set", "unset", NULL};
    char at[EPCIS_PATH_MAX];
    const json_t *v;
    int rc;

    if ((rc = want_object(c, o, path)) != 0 ||
        (rc = only(c, o, known, false, path, path)) != 0)
        return rc;
    if (!epcis_member(o, "set") && !epcis_member(o, "unset"))
        return fail(c, path, "needs set or unset");
    for (int k = 0; known[k]; k++) {
        epcis_path_key(at, path, known[k]);
        if ((v = epcis_member(o, known[k])) &&
            (rc = strings(c, v, at, 0, true)) != 0)
            return rc;
    }
    return 0;
}

static int action(vctx *c, const json_t *v, const char *path)
{
    static const char *const actions[] = {"ADD", "OBSERVE", "DELETE", NULL};

    if (!json_is_string(v))
        return fail(c, path, "expected a string, got %s", epcis_json_kind(v));
    if (!in_names(json_string_value(v), actions))
        return fail(c, path, "'%.40s' is not ADD, OBSERVE or DELETE",
                    json_string_value(v));
    return 0;
}

static int event_id(vctx *c, const json_t *v, const char *path)
{
    int rc;

    if ((rc = want_string(c, v, path)) != 0)
        return rc;
    if (json_string_length(v) > YIMA_EVENT_ID_MAX)
        return fail(c, path, "is %zu bytes, the limit is %d",
                    json_string_length(v), YIMA_EVENT_ID_MAX);
    if (!strchr(json_string_value(v), ':'))
        return fail(c, path, "'%.40s' is not a URI", json_string_value(v));
    return 0;
}

static int offset(vctx *c, const json_t *v, const char *path)
{
    if (!json_is_string(v))
        return fail(c, path, "expected a string like +01:00, got %s",
                    epcis_json_kind(v));
    if (!epcis_tz_offset_valid(json_string_value(v), json_string_length(v)))
        return fail(c, path,
                    "'%.40s' is not an offset like +01:00 or -06:00 "
                    "(-14:00..+14:00)",
                    json_string_value(v));
    return 0;
}

/* ---- the fields of an event --------------------------------------------- */

typedef enum fkind {
    F_CONTEXT,
    F_TYPE,
    F_TIME,
    F_OFFSET,
    F_EVENT_ID,
    F_CERT,
    F_ERROR_DECL,
    F_IDS,      /* an ID list */
    F_QUANTITY, /* a quantity list */
    F_ACTION,
    F_TEXT,
    F_IDENT, /* parentID */
    F_PERSISTENT,
    F_LOCATION,
    F_BIZ_TX,
    F_SOURCE,
    F_DEST,
    F_SENSORS,
    F_OBJECT /* ilmd */
} fkind;

typedef struct efield {
    fkind k;
    unsigned types; /* the event types that have it */
    yima_code_role role;
} efield;

/* By field (epcis_int.h), which is also the order they are checked in. */
static const efield fields[EPCIS_F_N] = {
    [EPCIS_F_CONTEXT] = {F_CONTEXT, T_ALL, 0},
    [EPCIS_F_TYPE] = {F_TYPE, T_ALL, 0},
    [EPCIS_F_EVENT_TIME] = {F_TIME, T_ALL, 0},
    [EPCIS_F_RECORD_TIME] = {F_TIME, T_ALL, 0},
    [EPCIS_F_TZ_OFFSET] = {F_OFFSET, T_ALL, 0},
    [EPCIS_F_EVENT_ID] = {F_EVENT_ID, T_ALL, 0},
    [EPCIS_F_CERT] = {F_CERT, T_ALL, 0},
    [EPCIS_F_ERROR_DECL] = {F_ERROR_DECL, T_ALL, 0},
    [EPCIS_F_PARENT_ID] = {F_IDENT, T_AGG | T_TX | T_ASC, YIMA_ROLE_PARENT},
    [EPCIS_F_EPC_LIST] = {F_IDS, T_OBJ | T_TX, YIMA_ROLE_EPC},
    [EPCIS_F_CHILD_EPCS] = {F_IDS, T_AGG | T_ASC, YIMA_ROLE_CHILD},
    [EPCIS_F_INPUT_EPCS] = {F_IDS, T_TF, YIMA_ROLE_INPUT},
    [EPCIS_F_OUTPUT_EPCS] = {F_IDS, T_TF, YIMA_ROLE_OUTPUT},
    [EPCIS_F_QUANTITY] = {F_QUANTITY, T_OBJ | T_TX, YIMA_ROLE_CLASS},
    [EPCIS_F_CHILD_QUANTITY] = {F_QUANTITY, T_AGG | T_ASC, YIMA_ROLE_CLASS},
    [EPCIS_F_INPUT_QUANTITY] = {F_QUANTITY, T_TF, YIMA_ROLE_CLASS},
    [EPCIS_F_OUTPUT_QUANTITY] = {F_QUANTITY, T_TF, YIMA_ROLE_CLASS},
    [EPCIS_F_ACTION] = {F_ACTION, T_OBJ | T_AGG | T_TX | T_ASC, 0},
    [EPCIS_F_TRANSFORMATION_ID] = {F_TEXT, T_TF, 0},
    [EPCIS_F_BIZ_STEP] = {F_TEXT, T_ALL, 0},
    [EPCIS_F_DISPOSITION] = {F_TEXT, T_ALL, 0},
    [EPCIS_F_PERSISTENT] = {F_PERSISTENT, T_OBJ | T_TF, 0},
    [EPCIS_F_READ_POINT] = {F_LOCATION, T_ALL, YIMA_ROLE_READ_POINT},
    [EPCIS_F_BIZ_LOCATION] = {F_LOCATION, T_ALL, YIMA_ROLE_LOCATION},
    [EPCIS_F_BIZ_TX] = {F_BIZ_TX, T_ALL, YIMA_ROLE_BIZ_TX},
    [EPCIS_F_SOURCE] = {F_SOURCE, T_ALL, YIMA_ROLE_SOURCE},
    [EPCIS_F_DEST] = {F_DEST, T_ALL, YIMA_ROLE_DESTINATION},
    [EPCIS_F_SENSORS] = {F_SENSORS, T_ALL, 0},
    [EPCIS_F_ILMD] = {F_OBJECT, T_OBJ | T_TF, 0},
    [EPCIS_F_ID] = {F_CONTEXT, 0, 0}, /* JSON-LD's alias: no field here */
};

static const char *const type_names[] = {
    [YIMA_EVENT_OBJECT] = "ObjectEvent",
    [YIMA_EVENT_AGGREGATION] = "AggregationEvent",
    [YIMA_EVENT_TRANSFORMATION] = "TransformationEvent",
    [YIMA_EVENT_TRANSACTION] = "TransactionEvent",
    [YIMA_EVENT_ASSOCIATION] = "AssociationEvent",
};

static int check_field(vctx *c, const efield *f, const char *p, const json_t *v)
{
    switch (f->k) {
    case F_CONTEXT:
        if (json_is_string(v) || json_is_object(v) || json_is_array(v))
            return 0;
        return fail(c, p, "expected a string, an object or an array, got %s",
                    epcis_json_kind(v));
    case F_TYPE: return 0; /* checked first */
    case F_TIME: return want_time(c, v, p);
    case F_OFFSET: return offset(c, v, p);
    case F_EVENT_ID: return event_id(c, v, p);
    case F_CERT: return cert(c, v, p);
    case F_ERROR_DECL: return error_declaration(c, v, p);
    case F_IDS: return strings(c, v, p, f->role, false);
    case F_QUANTITY: return quantities(c, v, p, false);
    case F_ACTION: return action(c, v, p);
    case F_TEXT: return want_string(c, v, p);
    case F_IDENT: return ident(c, v, p, f->role);
    case F_PERSISTENT: return persistent(c, v, p);
    case F_LOCATION: return location(c, v, p, f->role);
    case F_BIZ_TX: return typed_list(c, v, p, "bizTransaction", f->role, false);
    case F_SOURCE: return typed_list(c, v, p, "source", f->role, true);
    case F_DEST: return typed_list(c, v, p, "destination", f->role, true);
    case F_SENSORS: return sensors(c, v, p);
    case F_OBJECT: return want_object(c, v, p);
    }
    return 0;
}

/* A non-empty array. */
static bool some(const json_t *v)
{
    return json_is_array(v) && json_array_size(v) > 0;
}

/* The rules that tie fields together: what the event is about. */
static int what(vctx *c, const epcis_fields *fl)
{
    const json_t *const *v = fl->v, *a = v[EPCIS_F_ACTION];
    bool del = a && strcmp(json_string_value(a), "DELETE") == 0;
    bool in, outp;

    switch (c->type) {
    case YIMA_EVENT_OBJECT:
        if (v[EPCIS_F_ILMD] && strcmp(json_string_value(a), "ADD"))
            return fail(c, "ilmd", "only allowed when action is ADD");
        if (v[EPCIS_F_EPC_LIST] || some(v[EPCIS_F_QUANTITY]) ||
            (some(v[EPCIS_F_SENSORS]) && v[EPCIS_F_READ_POINT]))
            return 0;
        return fail(c, "",
                    "an ObjectEvent needs epcList, quantityList, or "
                    "sensorElementList with readPoint");
    case YIMA_EVENT_AGGREGATION:
    case YIMA_EVENT_ASSOCIATION:
        if (c->type == YIMA_EVENT_ASSOCIATION && !v[EPCIS_F_PARENT_ID])
            return fail(c, "parentID", "missing (required for %s)",
                        c->type_name);
        if (del || some(v[EPCIS_F_CHILD_EPCS]) ||
            some(v[EPCIS_F_CHILD_QUANTITY]))
            return 0;
        return fail(c, "",
                    "an %s needs childEPCs or childQuantityList unless "
                    "action is DELETE",
                    c->type_name);
    case YIMA_EVENT_TRANSACTION:
        if (!v[EPCIS_F_BIZ_TX])
            return fail(c, "bizTransactionList",
                        "missing (required for TransactionEvent)");
        if (del || v[EPCIS_F_EPC_LIST] || some(v[EPCIS_F_QUANTITY]))
            return 0;
        return fail(c, "",
                    "a TransactionEvent needs epcList or quantityList unless "
                    "action is DELETE");
    case YIMA_EVENT_TRANSFORMATION:
        in = some(v[EPCIS_F_INPUT_EPCS]) || some(v[EPCIS_F_INPUT_QUANTITY]);
        outp = some(v[EPCIS_F_OUTPUT_EPCS]) || some(v[EPCIS_F_OUTPUT_QUANTITY]);
        if ((in && outp) || ((in || outp) && v[EPCIS_F_TRANSFORMATION_ID]))
            return 0;
        return fail(c, "",
                    "a TransformationEvent needs inputs and outputs, or a "
                    "transformationID and inputs or outputs");
    }
    return 0;
}

/* Nesting depth of v, counting v as 1; stops counting past limit. */
static int depth(const json_t *v, int limit)
{
    const char *key;
    json_t *c;
    size_t i;
    int d = 0, k;

    if (limit <= 0)
        return 1;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, c)
        {
            if ((k = depth(c, limit - 1)) > d)
                d = k;
        }
    } else if (json_is_array(v)) {
        json_array_foreach((json_t *)v, i, c)
        {
            if ((k = depth(c, limit - 1)) > d)
                d = k;
        }
    } else {
        return 1;
    }
    return d + 1;
}

/* Report the first member of ev that is no field of its type. */
static int foreign_member(vctx *c, const json_t *ev)
{
    const char *key;
    json_t *val;

    json_object_foreach((json_t *)ev, key, val)
    {
        int f = epcis_field_of(key);

        if (f >= 0 && (fields[f].types & (1u << c->type)))
            continue;
        if ((f < 0 || fields[f].types == 0) && is_ext(key))
            continue;
        if (f >= 0 && fields[f].types != 0)
            return fail(c, key, "not a field of %s", c->type_name);
        return fail(c, key,
                    "not a field of %s (an extension needs a namespace "
                    "prefix, e.g. example:%.40s)",
                    c->type_name, key);
    }
    return 0;
}

int epcis_validate(const json_t *ev, const epcis_fields *fl,
                   const epcis_nsmap *ns, epcis_code_fn each, void *arg,
                   yima_event_type *type_out, epcis_fault *f)
{
    const json_t *type, *v;
    uint32_t allowed = 0;
    vctx c;
    int rc;

    assert(ev && fl && ns && type_out && f);
    *type_out = 0;
    c.ns = ns;
    c.each = each;
    c.arg = arg;
    c.f = f;
    c.type = 0;
    c.type_name = "";
    memset(f, 0, sizeof *f);
    if (!json_is_object(ev))
        return fail(&c, "", "expected an event object, got %s",
                    epcis_json_kind(ev));
    /* The reader's count of open arrays and objects is one less than
     * depth() when the deepest holds anything: enough to pass an event,
     * not to refuse one. */
    if ((fl->depth < 0 || fl->depth + 1 > EPCIS_EVENT_DEPTH_MAX) &&
        depth(ev, EPCIS_EVENT_DEPTH_MAX + 1) > EPCIS_EVENT_DEPTH_MAX)
        return fail(&c, "", "nested deeper than %d levels",
                    EPCIS_EVENT_DEPTH_MAX);

    if (!(type = fl->v[EPCIS_F_TYPE]))
        return fail(&c, "type",
                    "missing (ObjectEvent, AggregationEvent, "
                    "TransactionEvent, TransformationEvent or "
                    "AssociationEvent)");
    if (!json_is_string(type))
        return fail(&c, "type", "expected a string, got %s",
                    epcis_json_kind(type));
    for (int t = YIMA_EVENT_OBJECT; t <= YIMA_EVENT_ASSOCIATION; t++)
        if (strcmp(json_string_value(type), type_names[t]) == 0)
            c.type = (yima_event_type)t;
    if (!c.type)
        return fail(&c, "type",
                    "'%.40s' is not an event type (ObjectEvent, "
                    "AggregationEvent, TransactionEvent, "
                    "TransformationEvent, AssociationEvent)",
                    json_string_value(type));
    c.type_name = type_names[c.type];

    /* Fields it must not have, then required ones, then every field. The
     * members are read again only when some are no fields of the type (to
     * name the first) or no fields at all (extensions need a prefix). */
    for (int i = 0; i < EPCIS_F_N; i++)
        if (fields[i].types & (1u << c.type))
            allowed |= 1u << i;
    if ((fl->present & ~allowed) || fl->n_other)
        if ((rc = foreign_member(&c, ev)) != 0)
            return rc;
    if (!fl->v[EPCIS_F_EVENT_TIME])
        return fail(&c, "eventTime", "missing (required for every event)");
    if (!fl->v[EPCIS_F_TZ_OFFSET])
        return fail(&c, "eventTimeZoneOffset",
                    "missing (required for every event)");
    if (c.type != YIMA_EVENT_TRANSFORMATION && !fl->v[EPCIS_F_ACTION])
        return fail(&c, "action", "missing (required for %s)", c.type_name);
    for (int i = 0; i < EPCIS_F_N; i++) {
        if (!(v = fl->v[i]) || !(allowed & (1u << i)))
            continue;
        if ((rc = check_field(&c, &fields[i], epcis_field_name(i), v)) != 0)
            return rc;
    }
    if ((rc = what(&c, fl)) == 0)
        *type_out = c.type;
    return rc;
}
