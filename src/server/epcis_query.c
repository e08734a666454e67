/*
 * epcis_query.c - the query string of GET /epcis/events (and
 * /epcis/epcs/{epc}/events) turned into a yima_query, the nextPageToken and
 * the paging Link header (see epcis_api.h for the parameters).
 *
 * Everything built here lives in the request's arena: value lists grow by
 * doubling into fresh arena blocks, which is bounded because the request
 * target is (8 KiB by default).
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis_api.h"

#define CBV_WEB      "https://ref.gs1.org/cbv/"
#define TOKEN_PREFIX "yq1-" /* nextPageToken: prefix and 16 hex digits */

/* A list of values growing in the arena. */
typedef struct vlist {
    const char **v;
    size_t n, cap;
} vlist;

/* What is being built. */
typedef struct qbuild {
    yima_http_req *req;
    yima_http_res *res;
    yima_query *q;
    vlist actions, steps, disps;
    vlist codes[YIMA_QUERY_CODES_MAX];
    const char *code_param[YIMA_QUERY_CODES_MAX]; /* which parameter */
} qbuild;

static bool push(yima_http_req *req, vlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const char **v = yima_http_req_alloc(req, cap * sizeof *v);

        if (!v)
            return false;
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return true;
}

static char *arena_strndup(yima_http_req *req, const char *s, size_t n)
{
    char *p = yima_http_req_alloc(req, n + 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static bool too_big(qbuild *b)
{
    yima_http_res_error(b->res, 500, "out of memory",
                        "the query does not fit in the request's memory");
    return false;
}

static bool bad_param(qbuild *b, const char *name, const char *why,
                      const char *value)
{
    yima_http_res_error(b->res, 400, "bad query parameter", "%s: %s%s%.200s%s",
                        name, why, value ? " (got \"" : "", value ? value : "",
                        value ? "\")" : "");
    return false;
}

/* ---- Times -------------------------------------------------------------- */

bool epcis_time_parse(const char *s, int64_t *ms)
{
    char t[64];
    size_t n = strlen(s);

    assert(s && ms);
    if (n >= sizeof t)
        return false;
    memcpy(t, s, n + 1);
    /* An unencoded "+08:00" arrives as " 08:00" (a '+' in a query string
     * is a space): put the plus back. */
    for (size_t k = 19; k < n; k++)
        if (t[k] == ' ')
            t[k] = '+';
    return yima_epcis_time_ms(t, n, ms) == 0;
}

/* ---- Parameters --------------------------------------------------------- */

static const char *const type_names[] = {NULL,
                                         "ObjectEvent",
                                         "AggregationEvent",
                                         "TransformationEvent",
                                         "TransactionEvent",
                                         "AssociationEvent"};

/* The code-filter parameters with fixed names and the roles they match. */
static const struct {
    const char *name;
    unsigned roles;
} code_params[] = {
    {"MATCH_epc", 1u << YIMA_ROLE_EPC | 1u << YIMA_ROLE_CHILD},
    {"MATCH_anyEPC", 1u << YIMA_ROLE_EPC | 1u << YIMA_ROLE_PARENT |
                         1u << YIMA_ROLE_CHILD | 1u << YIMA_ROLE_INPUT |
                         1u << YIMA_ROLE_OUTPUT},
    {"MATCH_parentID", 1u << YIMA_ROLE_PARENT},
    {"MATCH_inputEPC", 1u << YIMA_ROLE_INPUT},
    {"MATCH_outputEPC", 1u << YIMA_ROLE_OUTPUT},
    {"MATCH_epcClass", 1u << YIMA_ROLE_CLASS},
    {"MATCH_anyEPCClass", 1u << YIMA_ROLE_CLASS},
    {"EQ_readPoint", 1u << YIMA_ROLE_READ_POINT},
    {"EQ_bizLocation", 1u << YIMA_ROLE_LOCATION},
};

/* The typed families: EQ_bizTransaction_<type> and the like. */
static const struct {
    const char *prefix;
    unsigned roles;
} typed_params[] = {
    {"EQ_bizTransaction_", 1u << YIMA_ROLE_BIZ_TX},
    {"EQ_source_", 1u << YIMA_ROLE_SOURCE},
    {"EQ_destination_", 1u << YIMA_ROLE_DESTINATION},
};

/* The slot for parameter `name` (made on first use), or -1 when full. */
static int code_slot(qbuild *b, const char *name, unsigned roles,
                     const char *type)
{
    yima_query *q = b->q;

    for (size_t i = 0; i < q->n_codes; i++)
        if (b->code_param[i] && strcmp(b->code_param[i], name) == 0)
            return (int)i;
    if (q->n_codes == YIMA_QUERY_CODES_MAX)
        return -1;
    b->code_param[q->n_codes] = name;
    q->codes[q->n_codes].roles = roles;
    q->codes[q->n_codes].type = type;
    return (int)q->n_codes++;
}

/* EQ_bizStep / EQ_disposition value: the web URI the store keeps. A CBV
 * 1.x URN or "cbv:" name is converted; a bare word is asked both as the
 * web URI and as it is, since the reader keeps a word outside the CBV as
 * given; any other URI is taken as it is. */
static bool cbv_value(qbuild *b, vlist *l, const char *v, const char *kind,
                      const char *urn)
{
    char cbv[32];
    const char *word = NULL;
    char *web;
    size_t n;

    snprintf(cbv, sizeof cbv, "cbv:%s", kind);
    if (strncmp(v, urn, strlen(urn)) == 0)
        word = v + strlen(urn);
    else if (strncmp(v, cbv, strlen(cbv)) == 0)
        word = v + strlen(cbv);
    else if (!strchr(v, ':'))
        word = v;
    if (!word || !*word)
        return push(b->req, l, v);
    n = strlen(CBV_WEB) + strlen(kind) + strlen(word) + 1;
    if (!(web = yima_http_req_alloc(b->req, n)))
        return false;
    snprintf(web, n, "%s%s%s", CBV_WEB, kind, word);
    return push(b->req, l, web) && (word != v || push(b->req, l, v));
}

/* One value of parameter name. */
static bool one_value(qbuild *b, const char *name, const char *v, int slot)
{
    yima_query *q = b->q;

    if (slot >= 0)
        return push(b->req, &b->codes[slot], v) || too_big(b);
    if (strcmp(name, "eventType") == 0) {
        for (unsigned t = 1; t < sizeof type_names / sizeof type_names[0]; t++)
            if (strcmp(v, type_names[t]) == 0) {
                q->types |= 1u << t;
                return true;
            }
        return bad_param(b, name,
                         "not an event type (ObjectEvent, AggregationEvent, "
                         "TransformationEvent, TransactionEvent, "
                         "AssociationEvent)",
                         v);
    }
    if (strcmp(name, "EQ_action") == 0) {
        if (strcmp(v, "ADD") && strcmp(v, "OBSERVE") && strcmp(v, "DELETE"))
            return bad_param(b, name, "not ADD, OBSERVE or DELETE", v);
        return push(b->req, &b->actions, v) || too_big(b);
    }
    if (strcmp(name, "EQ_bizStep") == 0)
        return cbv_value(b, &b->steps, v, "BizStep-",
                         "urn:epcglobal:cbv:bizstep:") ||
               too_big(b);
    if (strcmp(name, "EQ_disposition") == 0)
        return cbv_value(b, &b->disps, v, "Disp-", "urn:epcglobal:cbv:disp:") ||
               too_big(b);
    return true;
}

static bool one_time(qbuild *b, const char *name, const char *v)
{
    int64_t ms;
    yima_query *q = b->q;

    if (!epcis_time_parse(v, &ms))
        return bad_param(b, name,
                         "not an RFC 3339 date-time with a time zone, like "
                         "2025-03-01T08:30:00.000+08:00 or "
                         "2025-03-01T00:30:00Z",
                         v);
    if (strcmp(name, "GE_eventTime") == 0)
        q->ge_event_time = ms;
    else if (strcmp(name, "LT_eventTime") == 0)
        q->lt_event_time = ms;
    else if (strcmp(name, "GE_recordTime") == 0)
        q->ge_record_time = ms;
    else
        q->lt_record_time = ms;
    return true;
}

static bool per_page(qbuild *b, const char *v)
{
    char *end;
    unsigned long n;

    if (!*v || strspn(v, "0123456789") != strlen(v))
        return bad_param(b, "perPage", "not a whole number", v);
    n = strtoul(v, &end, 10);
    if (n < 1 || n > EPCIS_PER_PAGE_MAX)
        return bad_param(b, "perPage", "must be from 1 to 10000", v);
    b->q->limit = n;
    return true;
}

static bool page_token(qbuild *b, const char *v)
{
    size_t n = strlen(TOKEN_PREFIX);
    uint64_t from = 0;

    if (strncmp(v, TOKEN_PREFIX, n) != 0 || strlen(v) != n + 16 ||
        strspn(v + n, "0123456789abcdef") != 16)
        return bad_param(b, "nextPageToken",
                         "not a token this server gave in a Link header", v);
    for (size_t i = n; v[i]; i++)
        from =
            from << 4 | (uint64_t)(v[i] <= '9' ? v[i] - '0' : v[i] - 'a' + 10);
    b->q->from = from;
    return true;
}

/* Does name take a list of values, and which code slot (-1: none)? Sets
 * *known false for a name this server does not understand. */
static bool classify(qbuild *b, const char *name, int *slot, bool *known)
{
    static const char *const plain[] = {"eventType", "EQ_action", "EQ_bizStep",
                                        "EQ_disposition"};

    *slot = -1;
    *known = true;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (strcmp(name, plain[i]) == 0)
            return true;
    for (size_t i = 0; i < sizeof code_params / sizeof code_params[0]; i++)
        if (strcmp(name, code_params[i].name) == 0) {
            if ((*slot = code_slot(b, name, code_params[i].roles, NULL)) < 0)
                return bad_param(b, name,
                                 "too many identifier filters (16 "
                                 "at most)",
                                 NULL);
            return true;
        }
    for (size_t i = 0; i < sizeof typed_params / sizeof typed_params[0]; i++) {
        size_t n = strlen(typed_params[i].prefix);

        if (strncmp(name, typed_params[i].prefix, n) == 0 && name[n]) {
            *slot = code_slot(b, name, typed_params[i].roles, name + n);
            if (*slot < 0)
                return bad_param(b, name,
                                 "too many identifier filters (16 "
                                 "at most)",
                                 NULL);
            return true;
        }
    }
    *known = false;
    return true;
}

static bool is_time(const char *name)
{
    return !strcmp(name, "GE_eventTime") || !strcmp(name, "LT_eventTime") ||
           !strcmp(name, "GE_recordTime") || !strcmp(name, "LT_recordTime");
}

/* Split v on commas; empty items are refused. */
static bool values(qbuild *b, const char *name, const char *v, int slot)
{
    for (;;) {
        const char *comma = strchr(v, ',');
        size_t n = comma ? (size_t)(comma - v) : strlen(v);
        char *item;

        if (n == 0)
            return bad_param(b, name, "an empty value", NULL);
        if (!(item = arena_strndup(b->req, v, n)))
            return too_big(b);
        if (!one_value(b, name, item, slot))
            return false;
        if (!comma)
            return true;
        v = comma + 1;
    }
}

bool epcis_query_parse(yima_http_req *req, yima_http_res *res, yima_query *q)
{
    qbuild b = {.req = req, .res = res, .q = q};
    size_t count = yima_http_req_query_count(req);
    yima_buf unknown;
    bool ok = true;

    assert(req && res && q);
    q->limit = EPCIS_PER_PAGE_DEFAULT;
    yima_buf_init(&unknown, 1024);
    for (size_t i = 0; ok && i < count; i++) {
        const char *name, *v;
        int slot;
        bool known;

        yima_http_req_query_at(req, i, &name, &v);
        if (is_time(name))
            ok = one_time(&b, name, v);
        else if (strcmp(name, "perPage") == 0)
            ok = per_page(&b, v);
        else if (strcmp(name, "nextPageToken") == 0)
            ok = page_token(&b, v);
        else if ((ok = classify(&b, name, &slot, &known)) && known)
            ok = values(&b, name, v, slot);
        else if (ok)
            yima_buf_printf(&unknown, "%s%.100s", unknown.len ? ", " : "",
                            name);
    }
    if (ok && unknown.len) {
        yima_http_res_error(res, 400, "unknown query parameter",
                            "QueryParameterException: %s: not a query "
                            "parameter this server supports",
                            unknown.data);
        ok = false;
    }
    yima_buf_free(&unknown);
    if (!ok)
        return false;
    q->actions = (yima_query_values){b.actions.v, b.actions.n};
    q->biz_steps = (yima_query_values){b.steps.v, b.steps.n};
    q->dispositions = (yima_query_values){b.disps.v, b.disps.n};
    for (size_t i = 0; i < q->n_codes; i++)
        q->codes[i].codes = (yima_query_values){b.codes[i].v, b.codes[i].n};
    return true;
}

bool epcis_query_add_code(yima_http_req *req, yima_query *q, unsigned roles,
                          const char *code)
{
    const char **v;

    if (q->n_codes == YIMA_QUERY_CODES_MAX ||
        !(v = yima_http_req_alloc(req, sizeof *v)))
        return false;
    v[0] = code;
    q->codes[q->n_codes].roles = roles;
    q->codes[q->n_codes].type = NULL;
    q->codes[q->n_codes].codes = (yima_query_values){v, 1};
    q->n_codes++;
    return true;
}

/* ---- URLs --------------------------------------------------------------- */

int epcis_url_encode(yima_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
            *p == '~')
            yima_buf_putc(b, (char)*p);
        else
            yima_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    return b->failed ? YIMA_ETOOBIG : 0;
}

int epcis_query_link(yima_http_req *req, yima_http_res *res, uint64_t next)
{
    size_t count = yima_http_req_query_count(req);
    yima_buf b;
    int rc;

    yima_buf_init(&b, 12u << 10);
    yima_buf_printf(&b, "<%s?", yima_http_req_path(req));
    for (size_t i = 0; i < count; i++) {
        const char *name, *v;

        yima_http_req_query_at(req, i, &name, &v);
        if (strcmp(name, "nextPageToken") == 0)
            continue;
        epcis_url_encode(&b, name);
        yima_buf_putc(&b, '=');
        epcis_url_encode(&b, v);
        yima_buf_putc(&b, '&');
    }
    yima_buf_printf(
        &b, "nextPageToken=" TOKEN_PREFIX "%016" PRIx64 ">; rel=\"next\"",
        next);
    rc = b.failed ? YIMA_ETOOBIG : yima_http_res_header(res, "Link", b.data);
    yima_buf_free(&b);
    return rc;
}
