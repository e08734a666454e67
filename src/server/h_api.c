/*
 * h_api.c - the native API under /api/v1/ (docs/openapi.yaml): master data,
 * platform code issuance, events as JSON, and a code's history.
 *
 *   endpoint                          who                    answer
 *   --------------------------------  ---------------------  ---------------
 *   POST /api/v1/parties              regulator              201 the record
 *   GET  /api/v1/parties/{uscc}       any token              200
 *   POST /api/v1/products             producer (its own),    201
 *                                     regulator
 *   GET  /api/v1/products/{code...}   any token              200
 *   POST /api/v1/batches              producer (its own      201
 *                                     products), regulator
 *   GET  /api/v1/batches/{product}/{lot}  any token          200
 *   POST /api/v1/codes                producer (its own      201 the codes
 *                                     products)
 *   POST /api/v1/events               producer, seller       201 per event
 *   GET  /api/v1/events?code=         producer, seller (what 200, paged
 *                                     they recorded); regulator, auditor
 *   GET  /api/v1/codes/{code}/history regulator, auditor;    200 an array
 *                                     producer (its codes);
 *                                     seller (its events)
 *
 * Master data bodies are the JSON of yima_store_master_put (yima/store.h);
 * its errors go back as 400 with its message. Events are read whole first
 * (yima_epcis_read), the commissioning rule is checked, and then they are
 * stored in one transaction in the caller's name: all or nothing.
 *
 * The commissioning rule: an event that creates codes (bizStep
 * commissioning, an ObjectEvent ADD, a TransformationEvent's outputs) may
 * name only GS1 keys and platform codes the producer owns (api_owns); a
 * seller creates none. Identifiers no scheme recognises are left alone:
 * they can be nobody else's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yima/epcis.h"

#include "api.h"

#define CODES_MAX    10000 /* platform codes issued by one request */
#define PAGE_DEFAULT 100
#define PAGE_MAX     1000
#define HISTORY_MAX  (32u << 20) /* bytes of one history answer */

static int forbid(yima_http_res *res, const char *fmt, const char *a,
                  const char *b)
{
    return yima_http_res_error(res, 403, "not allowed", fmt, a, b);
}

/* The canonical form of s when it is a code of scheme `want`, else "". */
static void canonical_of(const char *s, yima_scheme want, char *out, size_t n)
{
    yima_code *c = malloc(sizeof *c);

    out[0] = '\0';
    if (c && s && yima_code_parse(s, strlen(s), NULL, c, NULL) == 0 &&
        c->scheme == want)
        snprintf(out, n, "%s", c->canonical);
    free(c);
}

/* The producer (canonical USCC) of a stored product, or "" when none. */
static void producer_of(yima_store *st, const char *product, char *out,
                        size_t n)
{
    json_t *p = api_master(st, YIMA_STORE_PRODUCT, product, NULL);
    const char *s = json_string_value(json_object_get(p, "producer"));

    snprintf(out, n, "%s", s ? s : "");
    json_decref(p);
}

/* Store body as a record of kind and answer 201 with the stored record. */
static int put_master(yima_store *st, yima_http_res *res, yima_store_kind kind,
                      json_t *body, const char *key, const char *lot)
{
    char *s = json_dumps(body, JSON_COMPACT);
    yima_error err;
    yima_buf out;
    int rc;

    if (!s)
        return yima_http_res_error(res, 500, "out of memory", "record");
    yima_error_clear(&err);
    rc = yima_store_master_put(st, kind, s, strlen(s), &err);
    free(s);
    if (rc != 0)
        return api_store_fail(res, rc == YIMA_ENOTFOUND ? YIMA_EINVAL : rc,
                              &err, "bad record");
    yima_buf_init(&out, 1 << 20);
    rc = yima_store_master_get(st, kind, key, lot, &out, &err);
    if (rc == 0) {
        yima_http_res_status(res, 201);
        yima_buf_add(yima_http_res_body(res), out.data, out.len);
        yima_buf_putc(yima_http_res_body(res), '\n');
    } else {
        api_store_fail(res, rc, &err, "record stored but not read back");
    }
    yima_buf_free(&out);
    return 0;
}

/* Answer the record of kind/key[/lot] with 200, or 404/400. */
static int get_master(yima_store *st, yima_http_res *res, yima_store_kind kind,
                      const char *key, const char *lot)
{
    yima_buf *out = yima_http_res_body(res);
    yima_error err;
    int rc;

    yima_error_clear(&err);
    rc = yima_store_master_get(st, kind, key, lot, out, &err);
    if (rc != 0) {
        yima_buf_reset(out);
        return api_store_fail(res, rc, &err, "bad key");
    }
    return yima_buf_putc(out, '\n');
}

/* The string member `key` of o, or NULL. */
static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- Parties, products, batches ----------------------------------------- */

int h_parties_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    json_t *body;

    if (!server_authorize(req, res, &who, ROLE_REGULATOR, "add parties"))
        return 0;
    if (!(body = api_body(req, res, JSON_OBJECT)))
        return 0;
    put_master(sw->st, res, YIMA_STORE_PARTY, body,
               str(body, "uscc") ? str(body, "uscc") : "", NULL);
    json_decref(body);
    return 0;
}

int h_party_get(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;

    if (!server_authorize(req, res, &who, ROLE_ANY, "read parties"))
        return 0;
    return get_master(sw->st, res, YIMA_STORE_PARTY,
                      yima_http_req_param(req, "uscc"), NULL);
}

int h_products_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    char producer[YIMA_PARTY_MAX], code[YIMA_CODE_URI_MAX], owner[256];
    const char *key;
    json_t *body;

    if (!server_authorize(req, res, &who, ROLE_PRODUCER | ROLE_REGULATOR,
                          "add products"))
        return 0;
    if (!(body = api_body(req, res, JSON_OBJECT)))
        return 0;
    key = str(body, "code") ? str(body, "code") : str(body, "gtin");
    if (who.role == ROLE_PRODUCER) {
        /* a producer adds products in its own name, and never takes over
         * another producer's product */
        if (!json_object_get(body, "producer"))
            json_object_set_new(body, "producer", json_string(who.tok.party));
        canonical_of(str(body, "producer"), YIMA_SCHEME_USCC, producer,
                     sizeof producer);
        if (producer[0] && strcmp(producer, who.tok.party) != 0) {
            forbid(res,
                   "a producer adds only its own products: producer is "
                   "%s, the token is %s's",
                   producer, who.tok.party);
            goto out;
        }
        if (key) {
            canonical_of(key, YIMA_SCHEME_GS1, code, sizeof code);
            if (!code[0])
                canonical_of(key, YIMA_SCHEME_UNKNOWN, code, sizeof code);
            producer_of(sw->st, code[0] ? code : key, owner, sizeof owner);
            if (owner[0] && strcmp(owner, who.tok.party) != 0) {
                forbid(res, "product %s is registered by %s", key, owner);
                goto out;
            }
        }
    }
    put_master(sw->st, res, YIMA_STORE_PRODUCT, body, key ? key : "", NULL);
out:
    json_decref(body);
    return 0;
}

int h_product_get(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;

    if (!server_authorize(req, res, &who, ROLE_ANY, "read products"))
        return 0;
    return get_master(sw->st, res, YIMA_STORE_PRODUCT,
                      yima_http_req_param(req, "code"), NULL);
}

int h_batches_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    char owner[256];
    const char *product, *lot;
    json_t *body;

    if (!server_authorize(req, res, &who, ROLE_PRODUCER | ROLE_REGULATOR,
                          "add batches"))
        return 0;
    if (!(body = api_body(req, res, JSON_OBJECT)))
        return 0;
    product = str(body, "product");
    lot = str(body, "lot");
    if (who.role == ROLE_PRODUCER && product) {
        producer_of(sw->st, product, owner, sizeof owner);
        if (owner[0] && strcmp(owner, who.tok.party) != 0) {
            forbid(res, "product %s is not a product of %s", product,
                   who.tok.party);
            goto out;
        }
    }
    put_master(sw->st, res, YIMA_STORE_BATCH, body, product ? product : "",
               lot ? lot : "");
out:
    json_decref(body);
    return 0;
}

int h_batch_get(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;

    if (!server_authorize(req, res, &who, ROLE_ANY, "read batches"))
        return 0;
    return get_master(sw->st, res, YIMA_STORE_BATCH,
                      yima_http_req_param(req, "product"),
                      yima_http_req_param(req, "lot"));
}

/* ---- Platform codes ------------------------------------------------------ */

int h_codes_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    char owner[256], product[YIMA_CODE_URI_MAX], code[YIMA_DIC_LEN + 1];
    yima_buf *out = yima_http_res_body(res);
    json_t *body, *count;
    json_int_t n = 1;
    yima_error err;
    int rc = 0;

    if (!server_authorize(req, res, &who, ROLE_PRODUCER, "issue codes"))
        return 0;
    if (!(body = api_body(req, res, JSON_OBJECT)))
        return 0;
    count = json_object_get(body, "count");
    if (!json_is_string(json_object_get(body, "product"))) {
        yima_http_res_error(res, 400, "bad body", "\"product\": %s",
                            json_object_get(body, "product")
                                ? "must be a string (a GTIN or product code)"
                                : "missing");
        goto out;
    }
    if (count && (!json_is_integer(count) ||
                  (n = json_integer_value(count)) < 1 || n > CODES_MAX)) {
        yima_http_res_error(res, 400, "bad body",
                            "\"count\": must be an integer from 1 to %d",
                            CODES_MAX);
        goto out;
    }
    canonical_of(str(body, "product"), YIMA_SCHEME_GS1, product,
                 sizeof product);
    if (!product[0])
        canonical_of(str(body, "product"), YIMA_SCHEME_UNKNOWN, product,
                     sizeof product);
    if (!product[0])
        snprintf(product, sizeof product, "%s", str(body, "product"));
    producer_of(sw->st, product, owner, sizeof owner);
    if (!owner[0]) {
        yima_http_res_error(res, 400, "bad body",
                            "\"product\": %s is not a registered product",
                            product);
        goto out;
    }
    if (strcmp(owner, who.tok.party) != 0) {
        forbid(res, "product %s is a product of %s", product, owner);
        goto out;
    }
    /* one transaction: one sync for the whole request */
    yima_error_clear(&err);
    if ((rc = yima_store_master_begin(sw->st, &err)) != 0) {
        api_store_fail(res, rc, &err, "issue failed");
        goto out;
    }
    yima_buf_puts(out, "{\"product\":");
    yima_buf_json_str(out, product, strlen(product));
    yima_buf_puts(out, ",\"producer\":");
    yima_buf_json_str(out, who.tok.party, strlen(who.tok.party));
    yima_buf_printf(out, ",\"count\":%lld,\"codes\":[", (long long)n);
    for (json_int_t i = 0; i < n && rc == 0; i++) {
        rc = yima_store_issue(sw->st, who.tok.party, product, code, &err);
        if (rc == 0)
            yima_buf_printf(out, "%s\"%s\"", i ? "," : "", code);
    }
    yima_buf_puts(out, "]}\n");
    if (rc == 0)
        rc = yima_store_master_commit(sw->st, &err);
    else
        yima_store_master_rollback(sw->st);
    if (rc != 0) {
        yima_buf_reset(out);
        api_store_fail(res, rc, &err, "issue failed");
    } else {
        yima_http_res_status(res, 201);
    }
out:
    json_decref(body);
    return 0;
}

/* ---- Events -------------------------------------------------------------- */

/*
 * The commissioning rule (api_commission_check); answers 403 and returns
 * false at the first event that breaks it.
 */
static bool may_create(yima_store *st, yima_http_res *res,
                       const server_caller *who, yima_event_batch *b)
{
    size_t n = yima_event_batch_count(b), bad;
    yima_event *ev = calloc(n ? n : 1, sizeof *ev);
    const char *code = "";
    char why[512];

    if (!ev) {
        yima_http_res_error(res, 500, "out of memory", "events");
        return false;
    }
    for (size_t i = 0; i < n; i++)
        ev[i] = *yima_event_batch_get(b, i);
    bad = api_commission_check(st, who->tok.party, who->role == ROLE_PRODUCER,
                               ev, n, &code, why, sizeof why);
    free(ev);
    if (bad)
        yima_http_res_error(res, 403, "not allowed", "event %zu: %s", bad, why);
    return bad == 0;
}

int h_events_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    yima_buf *out = yima_http_res_body(res);
    yima_event_batch *b = NULL;
    yima_store_result *results = NULL;
    yima_event *evs = NULL;
    yima_trace_refusal refusal;
    server_caller who;
    size_t len, n, added = 0;
    const char *body = yima_http_req_body(req, &len);
    yima_error err;
    int rc;

    if (!server_authorize(req, res, &who, ROLE_PRODUCER | ROLE_SELLER,
                          "capture events"))
        return 0;
    yima_error_clear(&err);
    if (len == 0)
        return yima_http_res_error(res, 400, "bad body",
                                   "the body is empty; an EPCIS event, a "
                                   "JSON array of events or an EPCIS "
                                   "document was expected");
    if (yima_http_json_depth(body, len, YIMA_HTTP_JSON_DEPTH_MAX, &err) != 0)
        return yima_http_res_error(res, 400, "json too deep", "body: %s",
                                   err.msg);
    if ((rc = yima_epcis_read(body, len, 0, &b, &err)) != 0)
        return yima_http_res_error(res, rc == YIMA_ETOOBIG ? 413 : 400,
                                   "bad events", "%s", err.msg);
    n = yima_event_batch_count(b);
    if (!may_create(sw->st, res, &who, b))
        goto out;
    evs = calloc(n ? n : 1, sizeof *evs);
    results = calloc(n ? n : 1, sizeof *results);
    if (!evs || !results) {
        yima_http_res_error(res, 500, "out of memory", "events");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        evs[i] = *yima_event_batch_get(b, i);
    rc = api_record(sw->st, who.tok.party, evs, n, results, &refusal, &err);
    if (rc != 0 && refusal.status) {
        yima_http_res_error(res, refusal.status, "not allowed",
                            "event %zu: %s; nothing was stored",
                            refusal.event + 1, err.msg);
        goto out;
    }
    if (rc != 0) {
        api_store_fail(res, rc, &err, "events not stored");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        added += results[i].status == YIMA_STORE_ADDED;
    server_events_ingested(added);
    yima_buf_printf(out, "{\"accepted\":%zu,\"duplicates\":%zu,\"events\":[",
                    added, n - added);
    for (size_t i = 0; i < n; i++) {
        yima_buf_puts(out, i ? ",{\"eventID\":" : "{\"eventID\":");
        yima_buf_json_str(out, evs[i].event_id, strlen(evs[i].event_id));
        yima_buf_printf(out,
                        ",\"index\":%" PRIu64 ",\"status\":\"%s\","
                        "\"recordTime\":\"",
                        results[i].index,
                        results[i].status == YIMA_STORE_ADDED ? "added"
                                                              : "duplicate");
        api_time(out, results[i].record_time_ms);
        yima_buf_puts(out, "\"}");
    }
    yima_buf_puts(out, "]}\n");
    yima_http_res_status(res, 201);
out:
    free(evs);
    free(results);
    yima_event_batch_free(b);
    return 0;
}

/* A list of events being written as a JSON array member. */
typedef struct page {
    yima_buf *out;
    size_t n;
} page;

static int page_event(void *arg, uint64_t index, int64_t record_time_ms,
                      const char *json, size_t len)
{
    page *p = arg;

    (void)index;
    if (p->n++)
        yima_buf_putc(p->out, ',');
    if (api_event_json(p->out, json, len, record_time_ms) != 0)
        return YIMA_EINVAL;
    return p->out->failed ? YIMA_ETOOBIG : 0;
}

/* A decimal in [lo, hi] from the query, or def when absent; false when
 * answered 400. */
static bool query_number(yima_http_req *req, yima_http_res *res,
                         const char *name, uint64_t lo, uint64_t hi,
                         uint64_t def, uint64_t *out)
{
    const char *s = yima_http_req_query(req, name);
    char *end;

    *out = def;
    if (!s)
        return true;
    errno = 0;
    *out = strtoull(s, &end, 10);
    if (!*s || *end || *s == '-' || errno || *out < lo || *out > hi) {
        yima_http_res_error(res, 400, "bad query",
                            "%s: '%s' is not a number from %llu to %llu", name,
                            s, (unsigned long long)lo, (unsigned long long)hi);
        return false;
    }
    return true;
}

int h_events_get(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    yima_buf *out = yima_http_res_body(res);
    const char *code = yima_http_req_query(req, "code");
    yima_code *c = yima_http_req_alloc(req, sizeof *c);
    server_caller who;
    yima_query q;
    uint64_t per, from, next = UINT64_MAX;
    const char *vals[1];
    page p = {out, 0};
    yima_error err;
    int rc;

    if (!server_authorize(req, res, &who, ROLE_ANY, "read events"))
        return 0;
    if (!c)
        return yima_http_res_error(res, 500, "out of memory", "events");
    if (!query_number(req, res, "perPage", 1, PAGE_MAX, PAGE_DEFAULT, &per) ||
        !query_number(req, res, "nextPageToken", 0, INT64_MAX, 0, &from))
        return 0;
    yima_query_init(&q);
    q.limit = (size_t)per;
    q.from = from;
    if (!(who.role & ROLE_READ_ALL))
        q.recorder = who.tok.party;
    if (code) {
        if (!api_code(res, "code", code, 0, true, c))
            return 0;
        vals[0] = c->canonical;
        q.codes[0].roles = API_ALL_CODE_ROLES;
        q.codes[0].codes.v = vals;
        q.codes[0].codes.n = 1;
        q.n_codes = 1;
    }
    yima_error_clear(&err);
    yima_buf_puts(out, "{\"events\":[");
    rc = yima_store_query(sw->st, &q, page_event, &p, &next, &err);
    if (rc != 0) {
        yima_buf_reset(out);
        return api_store_fail(res, rc, &err, "query failed");
    }
    yima_buf_putc(out, ']');
    if (next != UINT64_MAX)
        yima_buf_printf(out, ",\"nextPageToken\":\"%" PRIu64 "\"", next);
    return yima_buf_puts(out, "}\n");
}

/* ---- A code's history ---------------------------------------------------- */

/* The events of a code, kept to be filtered before they are written. */
typedef struct history {
    yima_buf text; /* each event with its recordTime, NUL-separated */
    uint64_t *idx; /* ledger index of each */
    size_t n, cap;
    json_t *parents; /* sellers: the containers' codes met on the way */
} history;

static int history_event(void *arg, uint64_t index, int64_t record_time_ms,
                         const char *json, size_t len)
{
    history *h = arg;

    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        uint64_t *p = realloc(h->idx, cap * sizeof *p);

        if (!p)
            return YIMA_ENOMEM;
        h->idx = p;
        h->cap = cap;
    }
    h->idx[h->n++] = index;
    if (api_event_json(&h->text, json, len, record_time_ms) != 0)
        return YIMA_EINVAL;
    yima_buf_putc(&h->text, '\0');
    if (h->text.failed)
        return YIMA_ETOOBIG;
    if (h->parents) {
        json_t *ev = json_loadb(json, len, 0, NULL);
        const char *parent = str(ev, "parentID");

        if (parent)
            json_array_append_new(h->parents, json_string(parent));
        json_decref(ev);
    }
    return 0;
}

/* Collect the ledger indexes of q's events into a sorted array. */
typedef struct index_set {
    uint64_t *v;
    size_t n, cap;
} index_set;

static int collect_index(void *arg, uint64_t index, int64_t record_time_ms,
                         const char *json, size_t len)
{
    index_set *s = arg;

    (void)record_time_ms;
    (void)json;
    (void)len;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        uint64_t *p = realloc(s->v, cap * sizeof *p);

        if (!p)
            return YIMA_ENOMEM;
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = index; /* ledger order: sorted */
    return 0;
}

static bool in_set(const index_set *s, uint64_t x)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (s->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->v[lo] == x;
}

/* The events among h that `party` recorded (its codes and containers). */
static int recorded_by(yima_store *st, const char *party, const char *code,
                       history *h, index_set *out, yima_error *err)
{
    size_t n = 1 + json_array_size(h->parents);
    const char **v = calloc(n, sizeof *v);
    yima_query q;
    int rc;

    if (!v)
        return YIMA_ENOMEM;
    v[0] = code;
    for (size_t i = 1; i < n; i++)
        v[i] = json_string_value(json_array_get(h->parents, i - 1));
    yima_query_init(&q);
    q.recorder = party;
    q.codes[0].roles = API_ALL_CODE_ROLES;
    q.codes[0].codes.v = v;
    q.codes[0].codes.n = n;
    q.n_codes = 1;
    rc = yima_store_query(st, &q, collect_index, out, NULL, err);
    free(v);
    return rc;
}

int h_code_history(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    yima_buf *out = yima_http_res_body(res);
    yima_code *c = yima_http_req_alloc(req, sizeof *c);
    server_caller who;
    history h;
    index_set mine = {NULL, 0, 0};
    yima_error err;
    const char *p;
    size_t shown = 0;
    int rc;

    if (!server_authorize(req, res, &who, ROLE_ANY, "read a code's history"))
        return 0;
    if (!c)
        return yima_http_res_error(res, 500, "out of memory", "history");
    if (!api_code(res, "code", yima_http_req_param(req, "code"), 0, true, c))
        return 0;
    if (who.role == ROLE_PRODUCER && !api_owns(sw->st, who.tok.party, c))
        return forbid(res, "%s is not a code of %s's products", c->canonical,
                      who.tok.party);
    memset(&h, 0, sizeof h);
    yima_buf_init(&h.text, HISTORY_MAX);
    if (who.role == ROLE_SELLER)
        h.parents = json_array();
    yima_error_clear(&err);
    rc = yima_store_events(sw->st, c->canonical, history_event, &h, &err);
    if (rc == 0 && who.role == ROLE_SELLER)
        rc = recorded_by(sw->st, who.tok.party, c->canonical, &h, &mine, &err);
    if (rc == YIMA_ETOOBIG) {
        yima_http_res_error(res, 413, "history too large",
                            "the history of %s is over %u bytes", c->canonical,
                            HISTORY_MAX);
        goto out;
    }
    if (rc != 0) {
        api_store_fail(res, rc == YIMA_EINVAL ? YIMA_EIO : rc, &err,
                       "history failed");
        goto out;
    }
    yima_buf_putc(out, '[');
    p = h.text.data;
    for (size_t i = 0; i < h.n; i++) {
        size_t len = strlen(p);

        if (who.role != ROLE_SELLER || in_set(&mine, h.idx[i])) {
            if (shown++)
                yima_buf_putc(out, ',');
            yima_buf_add(out, p, len);
        }
        p += len + 1;
    }
    yima_buf_puts(out, "]\n");
out:
    yima_buf_free(&h.text);
    free(h.idx);
    free(mine.v);
    json_decref(h.parents);
    return 0;
}
