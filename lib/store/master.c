/*
 * master.c - master data (parties, categories, products, batches): the JSON
 * a caller gives is checked for its key fields (codes validated and made
 * canonical), split into the table's columns plus the other members, and
 * put back together on the way out. Jansson stays inside this file.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "yima/code.h"
#include "store_int.h"

const char *store_kind_name(yima_store_kind kind)
{
    switch (kind) {
    case YIMA_STORE_PARTY: return "party";
    case YIMA_STORE_CATEGORY: return "category";
    case YIMA_STORE_PRODUCT: return "product";
    case YIMA_STORE_BATCH: return "batch";
    }
    return "record";
}

/* What is being checked, for messages. */
typedef struct check {
    const char *kind;
    yima_error *err;
} check;

static int fail(const check *c, const char *field, const char *why)
{
    return yima_error_set(c->err, YIMA_EINVAL, 0, "%s: \"%s\": %s", c->kind,
                          field, why);
}

/* Member `field` as a non-empty string without NUL, or NULL when absent
 * (an error when required or of another type). */
static int get_str(const check *c, json_t *o, const char *field, bool required,
                   const char **out)
{
    json_t *v = json_object_get(o, field);

    *out = NULL;
    if (!v || json_is_null(v))
        return required ? fail(c, field, "missing") : 0;
    if (!json_is_string(v))
        return fail(c, field, "must be a string");
    if (json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v))
        return fail(c, field, "must be a non-empty string without NUL");
    *out = json_string_value(v);
    return 0;
}

/*
 * Parse the code in `in` into *code; scheme must be `want` (or anything when
 * YIMA_SCHEME_UNKNOWN); a gs1 product code must be a GTIN alone.
 */
static int parse_code(const check *c, const char *field, const char *in,
                      yima_scheme want, bool gtin, yima_code *code)
{
    char why[YIMA_ERROR_MSG_MAX];
    yima_error e;

    if (yima_code_parse(in, strlen(in), NULL, code, &e) != 0)
        return fail(c, field, e.msg);
    if (want != YIMA_SCHEME_UNKNOWN && code->scheme != want) {
        snprintf(why, sizeof why, "must be a %s code, not %s",
                 yima_scheme_name(want), yima_scheme_name(code->scheme));
        return fail(c, field, why);
    }
    if (gtin && code->scheme == YIMA_SCHEME_GS1 &&
        !(code->n_ai == 1 && strcmp(code->ai[0].ai, "01") == 0))
        return fail(c, field, "a GS1 product code must be a GTIN alone");
    return 0;
}

/* Copy of o without the key fields: the "json" column. */
static int rest_of(json_t *o, const char *const *keys, char **out)
{
    json_t *r = json_copy(o);

    *out = NULL;
    if (!r)
        return YIMA_ENOMEM;
    for (; *keys; keys++)
        json_object_del(r, *keys);
    *out = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    return *out ? 0 : YIMA_ENOMEM;
}

/* roles: an array of non-empty strings without ',' joined with ','. */
static int join_roles(const check *c, json_t *o, yima_buf *b)
{
    json_t *a = json_object_get(o, "roles"), *v;
    size_t i;

    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a))
        return fail(c, "roles", "must be an array of strings");
    json_array_foreach(a, i, v)
    {
        const char *s = json_string_value(v);

        if (!s || !*s || strchr(s, ',') || strlen(s) != json_string_length(v))
            return fail(c, "roles",
                        "each role must be a non-empty string without ','");
        if (i > 0)
            yima_buf_putc(b, ',');
        yima_buf_puts(b, s);
    }
    return b->failed ? YIMA_ENOMEM : 0;
}

/* ---- the unified data requirements (统一追溯数据通用要求) --------------
 * Optional members with a meaning of their own are checked too, so that a
 * record is the same whatever system produced it:
 *
 *   kind     member           rule
 *   -------  ---------------  ------------------------------------------
 *   party    region           6 digits (GB/T 2260 administrative division)
 *            roles            each of producer, seller, regulator, auditor
 *            gcp              GS1 Company Prefixes: array of 6..12 digits
 *            licences         array of non-empty strings
 *   product  model            型号规格: non-empty string
 *            standard         执行标准: non-empty string ("GB/T 5023.3-2008")
 *            ccc              CCC certificate number (yima/code.h, scheme ccc)
 *            licence          production licence number: non-empty string
 *   batch    production_date  YYYY-MM-DD, a real date
 *            inspection       passed, failed or pending
 */
typedef enum rule {
    R_STR = 1,
    R_REGION,
    R_ROLES,
    R_GCP,
    R_STR_LIST,
    R_CCC,
    R_DATE,
    R_INSPECTION
} rule;

static const struct {
    yima_store_kind kind;
    const char *field;
    rule rule;
} rules[] = {
    {YIMA_STORE_PARTY, "region", R_REGION},
    {YIMA_STORE_PARTY, "roles", R_ROLES},
    {YIMA_STORE_PARTY, "gcp", R_GCP},
    {YIMA_STORE_PARTY, "licences", R_STR_LIST},
    {YIMA_STORE_PRODUCT, "model", R_STR},
    {YIMA_STORE_PRODUCT, "standard", R_STR},
    {YIMA_STORE_PRODUCT, "ccc", R_CCC},
    {YIMA_STORE_PRODUCT, "licence", R_STR},
    {YIMA_STORE_BATCH, "production_date", R_DATE},
    {YIMA_STORE_BATCH, "inspection", R_INSPECTION},
};

static bool digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    return n >= min && n <= max && strspn(s, "0123456789") == n;
}

static bool real_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        strspn(s, "0123456789") != 4 || strspn(s + 5, "0123456789") != 2 ||
        strspn(s + 8, "0123456789") != 2)
        return false;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    return !(m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)));
}

/* Each item of array member `field` passes ok(); absent is fine. */
static int check_list(const check *c, json_t *o, const char *field,
                      bool (*ok)(const char *), const char *what)
{
    json_t *a = json_object_get(o, field), *v;
    size_t i;
    char why[160];

    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a))
        return fail(c, field, "must be an array of strings");
    json_array_foreach(a, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || !*s || strlen(s) != json_string_length(v) || !ok(s)) {
            snprintf(why, sizeof why, "item %zu: %s", i + 1, what);
            return fail(c, field, why);
        }
    }
    return 0;
}

static bool is_role(const char *s)
{
    return !strcmp(s, "producer") || !strcmp(s, "seller") ||
           !strcmp(s, "regulator") || !strcmp(s, "auditor");
}

static bool is_gcp(const char *s)
{
    return digits(s, 6, 12);
}

static bool any_text(const char *s)
{
    return *s != '\0';
}

static int check_rules(const check *c, yima_store_kind kind, json_t *o)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const char *s = NULL;
        yima_code code;
        yima_error e;
        int rc = 0;

        if (rules[i].kind != kind)
            continue;
        switch (rules[i].rule) {
        case R_ROLES:
            rc = check_list(c, o, rules[i].field, is_role,
                            "must be producer, seller, regulator or auditor");
            break;
        case R_GCP:
            rc = check_list(c, o, rules[i].field, is_gcp,
                            "a GS1 Company Prefix is 6 to 12 digits");
            break;
        case R_STR_LIST:
            rc = check_list(c, o, rules[i].field, any_text,
                            "must be a non-empty string");
            break;
        default:
            if ((rc = get_str(c, o, rules[i].field, false, &s)) != 0 || !s)
                break;
            if (rules[i].rule == R_REGION && !digits(s, 6, 6))
                rc = fail(c, rules[i].field,
                          "must be a 6-digit administrative division code");
            else if (rules[i].rule == R_CCC &&
                     (yima_code_parse(s, strlen(s), NULL, &code, &e) != 0 ||
                      code.scheme != YIMA_SCHEME_CCC))
                rc = fail(c, rules[i].field,
                          code.scheme == YIMA_SCHEME_CCC
                              ? e.msg
                              : "must be a 16-digit CCC certificate number");
            else if (rules[i].rule == R_DATE && !real_date(s))
                rc = fail(c, rules[i].field,
                          "must be a date YYYY-MM-DD that exists");
            else if (rules[i].rule == R_INSPECTION && strcmp(s, "passed") &&
                     strcmp(s, "failed") && strcmp(s, "pending"))
                rc = fail(c, rules[i].field,
                          "must be passed, failed or pending");
        }
        if (rc)
            return rc;
    }
    return 0;
}

int yima_store_master_put(yima_store *st, yima_store_kind kind,
                          const char *json, size_t len, yima_error *err)
{
    static const char *const party_keys[] = {"uscc", "name", "roles", "region",
                                             NULL};
    static const char *const category_keys[] = {"id", "name", "name_en",
                                                "phase", NULL};
    static const char *const product_keys[] = {"code",     "gtin", "producer",
                                               "category", "name", NULL};
    static const char *const batch_keys[] = {"product", "lot", NULL};
    check c = {store_kind_name(kind), err};
    const char *col[STORE_MASTER_COLS] = {0}, *s = NULL, *field;
    const char *const *keys = NULL;
    yima_code *code = NULL, *producer = NULL;
    char phase[24], *rest = NULL;
    json_error_t je;
    json_t *o = NULL, *v;
    yima_buf roles;
    int rc, last = 0;

    assert(st && (json || len == 0));
    yima_error_clear(err);
    yima_buf_init(&roles, 1 << 16);
    o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "%s: JSON: %s (line %d, column %d)", c.kind,
                            je.text, je.line, je.column);
        goto out;
    }
    if (!json_is_object(o)) {
        rc = yima_error_set(err, YIMA_EINVAL, 0, "%s: not a JSON object",
                            c.kind);
        goto out;
    }
    if ((rc = check_rules(&c, kind, o)) != 0)
        goto out;
    code = malloc(sizeof *code);
    producer = malloc(sizeof *producer);
    if (!code || !producer) {
        rc = YIMA_ENOMEM;
        goto out;
    }

    switch (kind) {
    case YIMA_STORE_PARTY:
        keys = party_keys;
        if ((rc = get_str(&c, o, "uscc", true, &s)) != 0 ||
            (rc = parse_code(&c, "uscc", s, YIMA_SCHEME_USCC, false, code)) !=
                0 ||
            (rc = get_str(&c, o, "name", true, &col[1])) != 0 ||
            (rc = join_roles(&c, o, &roles)) != 0 ||
            (rc = get_str(&c, o, "region", false, &col[3])) != 0)
            goto out;
        col[0] = code->canonical;
        col[2] = roles.len ? roles.data : NULL;
        last = 4;
        break;
    case YIMA_STORE_CATEGORY:
        keys = category_keys;
        if ((rc = get_str(&c, o, "id", true, &col[0])) != 0 ||
            (rc = get_str(&c, o, "name", true, &col[1])) != 0 ||
            (rc = get_str(&c, o, "name_en", false, &col[2])) != 0)
            goto out;
        v = json_object_get(o, "phase");
        if (v && !json_is_null(v)) {
            if (!json_is_integer(v) || json_integer_value(v) < 0) {
                rc = fail(&c, "phase", "must be an integer >= 0");
                goto out;
            }
            snprintf(phase, sizeof phase, "%" JSON_INTEGER_FORMAT,
                     json_integer_value(v));
            col[3] = phase;
        }
        last = 4;
        break;
    case YIMA_STORE_PRODUCT:
        keys = product_keys;
        field = json_object_get(o, "gtin") ? "gtin" : "code";
        if (json_object_get(o, "gtin") && json_object_get(o, "code")) {
            rc = fail(&c, "gtin", "give either \"gtin\" or \"code\"");
            goto out;
        }
        if ((rc = get_str(&c, o, field, true, &s)) != 0 ||
            (rc = parse_code(&c, field, s,
                             field[0] == 'g' ? YIMA_SCHEME_GS1
                                             : YIMA_SCHEME_UNKNOWN,
                             true, code)) != 0 ||
            (rc = get_str(&c, o, "producer", true, &s)) != 0 ||
            (rc = parse_code(&c, "producer", s, YIMA_SCHEME_USCC, false,
                             producer)) != 0 ||
            (rc = get_str(&c, o, "category", false, &col[2])) != 0 ||
            (rc = get_str(&c, o, "name", true, &col[3])) != 0)
            goto out;
        col[0] = code->canonical;
        col[1] = producer->canonical;
        last = 4;
        break;
    case YIMA_STORE_BATCH:
        keys = batch_keys;
        if ((rc = get_str(&c, o, "product", true, &s)) != 0 ||
            (rc = parse_code(&c, "product", s, YIMA_SCHEME_UNKNOWN, true,
                             code)) != 0 ||
            (rc = get_str(&c, o, "lot", true, &col[1])) != 0)
            goto out;
        col[0] = code->canonical;
        last = 2;
        break;
    default:
        assert(!"master-data kind");
        rc = YIMA_EUSAGE;
        goto out;
    }
    if ((rc = rest_of(o, keys, &rest)) != 0)
        goto out;
    col[last] = rest;
    rc = st->ops->master_put(st->be, kind, col, err);
out:
    if (rc == YIMA_ENOMEM)
        yima_error_set(err, rc, 0, "%s: out of memory", c.kind);
    free(rest);
    free(code);
    free(producer);
    yima_buf_free(&roles);
    json_decref(o);
    return rc;
}

/* Put a row back together as one JSON object. */
typedef struct rebuild {
    yima_store_kind kind;
    yima_buf *out;
} rebuild;

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

static int rebuild_row(void *arg, const char *const *col)
{
    rebuild *r = arg;
    json_t *o = json_object(), *rest = NULL, *a;
    const char *p, *q;
    char *s = NULL;
    int rc = YIMA_ENOMEM, last = 4;

    if (!o)
        return YIMA_ENOMEM;
    switch (r->kind) {
    case YIMA_STORE_PARTY:
        set_str(o, "uscc", col[0]);
        set_str(o, "name", col[1]);
        if (col[2]) {
            if (!(a = json_array()))
                goto out;
            for (p = col[2]; *p; p = *q ? q + 1 : q) {
                q = strchr(p, ',');
                if (!q)
                    q = p + strlen(p);
                json_array_append_new(a, json_stringn(p, (size_t)(q - p)));
            }
            json_object_set_new(o, "roles", a);
        }
        set_str(o, "region", col[3]);
        break;
    case YIMA_STORE_CATEGORY:
        set_str(o, "id", col[0]);
        set_str(o, "name", col[1]);
        set_str(o, "name_en", col[2]);
        if (col[3])
            json_object_set_new(o, "phase",
                                json_integer(strtoll(col[3], NULL, 10)));
        break;
    case YIMA_STORE_PRODUCT:
        set_str(o, "code", col[0]);
        set_str(o, "producer", col[1]);
        set_str(o, "category", col[2]);
        set_str(o, "name", col[3]);
        break;
    case YIMA_STORE_BATCH:
        set_str(o, "product", col[0]);
        set_str(o, "lot", col[1]);
        last = 2;
        break;
    }
    rest = json_loads(col[last] ? col[last] : "{}", 0, NULL);
    if (!json_is_object(rest)) {
        rc = YIMA_EIO;
        goto out;
    }
    json_object_update_missing(o, rest);
    if (!(s = json_dumps(o, JSON_COMPACT)))
        goto out;
    rc = yima_buf_puts(r->out, s);
out:
    free(s);
    json_decref(rest);
    json_decref(o);
    return rc;
}

int yima_store_master_get(yima_store *st, yima_store_kind kind, const char *key,
                          const char *lot, yima_buf *out, yima_error *err)
{
    check c = {store_kind_name(kind), err};
    rebuild r = {kind, out};
    yima_code *code = NULL;
    int rc;

    assert(st && key && out);
    assert(kind != YIMA_STORE_BATCH || lot);
    yima_error_clear(err);
    if (kind != YIMA_STORE_CATEGORY) {
        if (!(code = malloc(sizeof *code)))
            return yima_error_set(err, YIMA_ENOMEM, 0, "%s: out of memory",
                                  c.kind);
        rc = parse_code(&c, "key", key,
                        kind == YIMA_STORE_PARTY ? YIMA_SCHEME_USCC
                                                 : YIMA_SCHEME_UNKNOWN,
                        false, code);
        if (rc != 0)
            goto out;
        key = code->canonical;
    }
    rc = st->ops->master_get(st->be, kind, key,
                             kind == YIMA_STORE_BATCH ? lot : NULL, rebuild_row,
                             &r, err);
    if (rc == YIMA_EIO && err && !err->msg[0])
        yima_error_set(err, rc, 0, "%s %s: stored JSON is not an object",
                       c.kind, key);
    else if (rc != 0 && rc != YIMA_ENOTFOUND && err && !err->msg[0])
        yima_error_set(err, rc, 0, "%s %s: %s", c.kind, key, yima_strerror(rc));
out:
    free(code);
    return rc;
}

int yima_store_master_begin(yima_store *st, yima_error *err)
{
    assert(st != NULL);
    return st->ops->begin(st->be, err);
}

int yima_store_master_commit(yima_store *st, yima_error *err)
{
    assert(st != NULL);
    return st->ops->commit(st->be, err);
}

void yima_store_master_rollback(yima_store *st)
{
    assert(st != NULL);
    st->ops->rollback(st->be);
}
