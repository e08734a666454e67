/*
 * h_epcis.c - the EPCIS 2.0 REST binding under /epcis/ (docs/epcis-api.md):
 *
 *   POST /epcis/capture              an EPCISDocument (or EPCISQueryDocument)
 *                                    stored whole (rollback) or its valid
 *                                    events (proceed); 202 + Location
 *   GET  /epcis/capture/{captureID}  the capture job
 *   POST /epcis/events               one event; 201 + Location, or 200 for
 *                                    an event already stored
 *   GET  /epcis/events               the query (epcis_query.c), paged
 *   GET  /epcis/events/{eventID}     one event
 *   GET  /epcis/epcs/{epc}/events    MATCH_anyEPC for one code, any form
 *
 * Capture runs inside the request: the events are read (yima/epcis.h),
 * checked against the caller's rights, and appended in one transaction in
 * the token's party's name, so the job is finished when 202 is sent. The
 * events are read before anything is stored (rather than through
 * yima_ingest_text, which reads and stores together) because a producer's
 * commissioning must be checked first: a document is read by one thread
 * either way.
 *
 * Who may: producers and sellers capture; every event is recorded in the
 * name of the token's party, and the commissioning rule of
 * api_commission_check holds (a producer creates only its own codes, a
 * seller none). A
 * regulator or auditor reads every event; a producer or seller reads the
 * events it recorded (others answer 404, as if absent); the public, 401.
 *
 * A JSON object that repeats a key is refused (400 naming it), as the
 * reader does by default; a capture may send "Yima-Duplicate-Keys: last"
 * to take the last value instead, as JSON-LD processors do (one official
 * GS1 example repeats eventID). What is stored is the canonical form, so
 * it is never ambiguous afterwards.
 *
 * Every answer carries GS1-EPCIS-Version and GS1-CBV-Version (2.0.0); a
 * GS1-EPCIS-Min/-Max or GS1-CBV-Min/-Max range that leaves out 2.0.0 is
 * answered 406.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "api.h"
#include "epcis_api.h"

#define EPCIS_VERSION "2.0.0"
#define EPCIS_CONTEXT                                                          \
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
/* A page stops early once its body passes this (the engine's cap on a
 * response is 64 MiB; the binding lets a server give fewer than perPage). */
#define PAGE_BODY_BUDGET (32u << 20)
#define PAGE_FULL        1 /* the page callback's "stop here" */

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static server_worker *worker(yima_http_req *req)
{
    return yima_http_req_ctx(req);
}

/* ---- Versions and the caller -------------------------------------------- */

/* Compare a dotted version ("2", "2.0.1") with 2.0.0: <0, 0, >0; or
 * sets *ok false when v is not digits and dots. */
static int cmp_200(const char *v, bool *ok)
{
    int cmp = 0;

    *ok = true;
    for (int i = 0;; i++) {
        unsigned long part = 0;
        unsigned long want = i == 0 ? 2 : 0;

        if (*v < '0' || *v > '9') {
            *ok = false;
            return 0;
        }
        while (*v >= '0' && *v <= '9')
            part =
                part > 100000 ? part : part * 10 + (unsigned long)(*v++ - '0');
        if (cmp == 0 && part != want)
            cmp = part < want ? -1 : 1;
        if (*v == '\0')
            return cmp;
        if (*v++ != '.') {
            *ok = false;
            return 0;
        }
    }
}

/* The version headers a client may send, and the answer each needs. */
static bool versions_ok(yima_http_req *req, yima_http_res *res)
{
    static const struct {
        const char *name;
        int refuse; /* 406 when cmp_200 has this sign; 2: major not 2 */
    } hs[] = {{"GS1-EPCIS-Min", 1},     {"GS1-EPCIS-Max", -1},
              {"GS1-CBV-Min", 1},       {"GS1-CBV-Max", -1},
              {"GS1-EPCIS-Version", 2}, {"GS1-CBV-Version", 2}};

    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) {
        const char *v = yima_http_req_header(req, hs[i].name);
        bool ok, refuse;
        int c;

        if (!v)
            continue;
        c = cmp_200(v, &ok);
        if (!ok) {
            yima_http_res_error(res, 400, "bad header",
                                "%s: \"%.40s\" is not a version like 2.0.0",
                                hs[i].name, v);
            return false;
        }
        refuse = hs[i].refuse == 2 ? v[0] != '2' || (v[1] && v[1] != '.')
                                   : (c > 0 && hs[i].refuse > 0) ||
                                         (c < 0 && hs[i].refuse < 0);
        if (refuse) {
            yima_http_res_error(res, 406, "not acceptable",
                                "NotAcceptableException: %s is %.40s; this "
                                "server speaks EPCIS 2.0.0 and CBV 2.0.0 only",
                                hs[i].name, v);
            return false;
        }
    }
    return true;
}

/* The start of every handler here: version headers, the version check,
 * who calls and whether they may. */
static bool epcis_start(yima_http_req *req, yima_http_res *res,
                        server_caller *who, unsigned roles, const char *what)
{
    yima_http_res_header(res, "GS1-EPCIS-Version", EPCIS_VERSION);
    yima_http_res_header(res, "GS1-CBV-Version", EPCIS_VERSION);
    return versions_ok(req, res) &&
           server_authorize(req, res, who, roles, what);
}

/* ---- Reading and storing events ----------------------------------------- */

typedef struct capture {
    int flags; /* YIMA_EPCIS_PROCEED or 0 */
    yima_event_batch *b;
    yima_event *ev; /* the batch's valid events, side by side for append */
    yima_store_result *res;
    size_t n;
    const yima_epcis_reject *rej; /* owned by b */
    size_t n_rej;
    size_t accepted, duplicates;
} capture;

static void capture_free(capture *c)
{
    yima_event_batch_free(c->b);
    free(c->ev);
    free(c->res);
    memset(c, 0, sizeof *c);
}

/* Capture bodies must be typed JSON: then the engine has checked their
 * nesting before the reader sees them. */
static bool json_typed(yima_http_req *req, yima_http_res *res)
{
    const char *ct = yima_http_req_header(req, "Content-Type");
    size_t n;

    if (!ct) {
        yima_http_res_error(res, 415, "unsupported media type",
                            "no Content-Type; send application/json or "
                            "application/ld+json");
        return false;
    }
    n = strcspn(ct, "; \t");
    if ((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
        (n >= 17 && strncasecmp(ct, "application/", 12) == 0 &&
         strncasecmp(ct + n - 5, "+json", 5) == 0))
        return true;
    yima_http_res_error(res, 415, "unsupported media type",
                        "Content-Type %.100s; send application/json or "
                        "application/ld+json",
                        ct);
    return false;
}

/* The number in the input (from 1) of valid event i. */
static size_t input_number(const capture *c, size_t i)
{
    size_t num = i + 1;

    for (size_t k = 0; k < c->n_rej && c->rej[k].index <= num; k++)
        num++;
    return num;
}

/* The commissioning rule (api_commission_check): refuse the whole capture
 * at the first event that breaks it, naming the event and the code. */
static bool commissions_own(yima_http_res *res, yima_store *st,
                            const server_caller *who, const capture *c)
{
    const char *code = "";
    char why[512], detail[1024];
    size_t bad, num;

    bad = api_commission_check(st, who->tok.party, who->role == ROLE_PRODUCER,
                               c->ev, c->n, &code, why, sizeof why);
    if (!bad)
        return true;
    num = input_number(c, bad - 1);
    snprintf(detail, sizeof detail, "event %zu: %s; nothing was stored", num,
             why);
    api_send_json(res, 403,
                  json_pack("{s:s,s:s,s:I,s:s}", "error", "not your code",
                            "detail", detail, "event", (json_int_t)num, "code",
                            code));
    return false;
}

/*
 * Read the body's events, check the caller's rights, and store them in the
 * caller's party's name. Returns true with c filled, or answers (400, 403,
 * 413, 500) and returns false with nothing stored.
 */
static bool capture_run(yima_http_req *req, yima_http_res *res,
                        const server_caller *who, capture *c)
{
    yima_store *st = worker(req)->st;
    size_t len;
    const char *body = yima_http_req_body(req, &len);
    yima_trace_refusal refusal;
    yima_error err;
    int rc;

    yima_error_clear(&err);
    if (len == 0) {
        yima_http_res_error(res, 400, "bad body",
                            "the body is empty; an EPCIS document was "
                            "expected");
        return false;
    }
    rc = yima_epcis_read(body, len, c->flags, &c->b, &err);
    if (rc != 0) {
        if (rc == YIMA_ETOOBIG)
            yima_http_res_error(res, 413, "content too large", "%s", err.msg);
        else if (rc == YIMA_EINVAL)
            yima_http_res_error(res, 400, "invalid EPCIS document",
                                "ValidationException: %s; nothing was stored",
                                err.msg);
        else
            api_store_fail(res, rc, &err, "capture failed");
        return false;
    }
    c->n = yima_event_batch_count(c->b);
    c->n_rej = yima_event_batch_rejects(c->b, &c->rej);
    if (c->n && (!(c->ev = calloc(c->n, sizeof *c->ev)) ||
                 !(c->res = calloc(c->n, sizeof *c->res)))) {
        yima_http_res_error(res, 500, "out of memory", "%zu events", c->n);
        return false;
    }
    for (size_t i = 0; i < c->n; i++)
        c->ev[i] = *yima_event_batch_get(c->b, i);
    if (!commissions_own(res, st, who, c))
        return false;

    rc = api_record(st, who->tok.party, c->ev, c->n, c->res, &refusal, &err);
    if (rc != 0 && refusal.status) {
        size_t num = input_number(c, refusal.event);
        char detail[1024];

        snprintf(detail, sizeof detail, "event %zu: %s; nothing was stored",
                 num, err.msg);
        api_send_json(res, refusal.status,
                      json_pack("{s:s,s:s,s:I,s:s}", "error",
                                refusal.status == 403 ? "not your event"
                                                      : "custody does not allow",
                                "detail", detail, "event", (json_int_t)num,
                                "code", refusal.code));
        return false;
    }
    if (rc != 0) {
        if (rc == YIMA_EINVAL || rc == YIMA_ETOOBIG)
            yima_http_res_error(res, 400, "invalid EPCIS document",
                                "ValidationException: %s; nothing was stored",
                                err.msg);
        else
            api_store_fail(res, rc, &err, "capture failed");
        return false;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->res[i].status == YIMA_STORE_ADDED)
            c->accepted++;
        else
            c->duplicates++;
    server_events_ingested(c->accepted);
    return true;
}

/* ---- Capture jobs ------------------------------------------------------- */

static json_t *json_time(int64_t ms)
{
    yima_buf b;
    json_t *v;

    yima_buf_init(&b, 64);
    api_time(&b, ms);
    v = json_string(b.data ? b.data : "");
    yima_buf_free(&b);
    return v;
}

/* The CaptureJob of the binding, plus the counts. Caller frees. */
static char *job_json(const char *id, int64_t created, int64_t finished,
                      const char *behaviour, const capture *c)
{
    json_t *errors = json_array(), *job;
    char *s;

    for (size_t i = 0; errors && i < c->n_rej; i++)
        json_array_append_new(errors,
                              json_pack("{s:s,s:s,s:i,s:s,s:I}", "type",
                                        "epcisException:ValidationException",
                                        "title", "event rejected", "status",
                                        400, "detail", c->rej[i].msg, "index",
                                        (json_int_t)c->rej[i].index));
    job = json_pack("{s:s,s:o,s:o,s:b,s:b,s:s,s:o,s:I,s:I,s:I}", "captureID",
                    id, "createdAt", json_time(created), "finishedAt",
                    json_time(finished), "running", 0, "success", c->n_rej == 0,
                    "captureErrorBehaviour", behaviour, "errors", errors,
                    "events", (json_int_t)(c->n + c->n_rej), "accepted",
                    (json_int_t)c->accepted, "duplicates",
                    (json_int_t)c->duplicates);
    s = job ? json_dumps(job, JSON_COMPACT) : NULL;
    json_decref(job);
    return s;
}

int h_epcis_capture(yima_http_req *req, yima_http_res *res)
{
    yima_store *st = worker(req)->st;
    const char *beh = yima_http_req_header(req, "GS1-Capture-Error-Behaviour");
    const char *dup;
    server_caller who;
    capture c = {0};
    unsigned char rnd[8];
    char id[2 * sizeof rnd + 1], loc[64], *job = NULL;
    int64_t created = now_ms();
    yima_error err;

    if (!epcis_start(req, res, &who, ROLE_PRODUCER | ROLE_SELLER,
                     "capture events"))
        return 0;
    if (!beh || strcasecmp(beh, "rollback") == 0) {
        beh = "rollback";
    } else if (strcasecmp(beh, "proceed") == 0) {
        beh = "proceed";
        c.flags = YIMA_EPCIS_PROCEED;
    } else {
        yima_http_res_error(res, 400, "bad header",
                            "GS1-Capture-Error-Behaviour: \"%.40s\" is not "
                            "rollback or proceed",
                            beh);
        return 0;
    }
    dup = yima_http_req_header(req, "Yima-Duplicate-Keys");
    if (dup && strcasecmp(dup, "last") == 0) {
        c.flags |= YIMA_EPCIS_DUP_KEYS;
    } else if (dup && strcasecmp(dup, "reject") != 0) {
        yima_http_res_error(res, 400, "bad header",
                            "Yima-Duplicate-Keys: \"%.40s\" is not last or "
                            "reject",
                            dup);
        return 0;
    }
    if (!json_typed(req, res) || !capture_run(req, res, &who, &c))
        goto out;
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        yima_http_res_error(res, 500, "no randomness",
                            "the capture ID could not be drawn; %zu events "
                            "were stored",
                            c.accepted);
        goto out;
    }
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(id + 2 * i, 3, "%02x", rnd[i]);
    if (!(job = job_json(id, created, now_ms(), beh, &c))) {
        yima_http_res_error(res, 500, "out of memory", "the capture job");
        goto out;
    }
    if (yima_store_capture_put(st, id, who.tok.party, job, &err) != 0) {
        yima_http_res_error(res, 500, "capture job not saved",
                            "%zu events were stored, but the job was not: %s",
                            c.accepted, err.msg);
        goto out;
    }
    snprintf(loc, sizeof loc, "/epcis/capture/%s", id);
    yima_http_res_header(res, "Location", loc);
    yima_http_res_send(res, 202, "application/json", job, strlen(job));
out:
    free(job);
    capture_free(&c);
    return 0;
}

int h_epcis_capture_job(yima_http_req *req, yima_http_res *res)
{
    const char *id = yima_http_req_param(req, "captureID");
    char party[YIMA_PARTY_MAX];
    server_caller who;
    yima_buf job;
    yima_error err;
    int rc;

    if (!epcis_start(req, res, &who, ROLE_ANY, "read capture jobs"))
        return 0;
    yima_buf_init(&job, 64u << 20);
    rc = yima_store_capture_get(worker(req)->st, id, party, &job, &err);
    if (rc == YIMA_ENOTFOUND || (rc == 0 && !(who.role & ROLE_READ_ALL) &&
                                 strcmp(party, who.tok.party) != 0))
        yima_http_res_error(res, 404, "not found", "no capture job %.100s", id);
    else if (rc != 0)
        api_store_fail(res, rc, &err, "capture job");
    else
        yima_http_res_send(res, 200, "application/json", job.data, job.len);
    yima_buf_free(&job);
    return 0;
}

/* ---- One event ---------------------------------------------------------- */

/* Is the body one event (not a document)? Answers 400 when not. */
static bool one_event(yima_http_req *req, yima_http_res *res)
{
    static const char *const types[] = {"ObjectEvent", "AggregationEvent",
                                        "TransformationEvent",
                                        "TransactionEvent", "AssociationEvent"};
    json_t *v = api_body(req, res, JSON_OBJECT);
    const char *t = v ? json_string_value(json_object_get(v, "type")) : NULL;
    bool ok = false;

    for (size_t i = 0; t && !ok && i < sizeof types / sizeof types[0]; i++)
        ok = strcmp(t, types[i]) == 0;
    if (v && !ok)
        yima_http_res_error(res, 400, "not an event",
                            "the body must be one EPCIS event, an object "
                            "whose type is ObjectEvent, AggregationEvent, "
                            "TransformationEvent, TransactionEvent or "
                            "AssociationEvent (documents go to POST "
                            "/epcis/capture)");
    json_decref(v);
    return ok;
}

/* Location of an event: /epcis/events/ and its ID percent-encoded. */
static int event_location(yima_http_res *res, const char *event_id)
{
    yima_buf loc;
    int rc;

    yima_buf_init(&loc, 4096);
    yima_buf_puts(&loc, "/epcis/events/");
    rc = epcis_url_encode(&loc, event_id);
    if (rc == 0)
        rc = yima_http_res_header(res, "Location", loc.data);
    yima_buf_free(&loc);
    return rc;
}

/* The EPCISQueryDocument around events written by `events`. */
static void doc_open(yima_buf *b)
{
    yima_buf_puts(b,
                  "{\"@context\":[\"" EPCIS_CONTEXT "\"],"
                  "\"type\":\"EPCISQueryDocument\",\"schemaVersion\":\"2.0\","
                  "\"creationDate\":\"");
    api_time(b, now_ms());
    yima_buf_puts(b, "\",\"epcisBody\":{\"queryResults\":{\"queryName\":"
                     "\"SimpleEventQuery\",\"resultsBody\":{\"eventList\":[");
}

static void doc_close(yima_buf *b)
{
    yima_buf_puts(b, "]}}}}\n");
}

/* Answer with one stored event (canonical JSON + recordTime): its own JSON
 * for POST /epcis/events, a query document for GET /epcis/events/{id}. */
static void send_event(yima_http_res *res, int status, const char *json,
                       size_t len, int64_t rt, bool as_doc)
{
    yima_buf *b = yima_http_res_body(res);

    yima_buf_reset(b);
    if (as_doc)
        doc_open(b);
    api_event_json(b, json, len, rt);
    if (as_doc)
        doc_close(b);
    else
        yima_buf_putc(b, '\n');
    yima_http_res_status(res, status);
    yima_http_res_type(res, "application/json");
}

int h_epcis_event_post(yima_http_req *req, yima_http_res *res)
{
    yima_store *st = worker(req)->st;
    server_caller who;
    capture c = {0};
    const yima_event *ev;
    yima_buf entry;
    yima_error err;

    yima_buf_init(&entry, YIMA_STORE_ENTRY_MAX);
    if (!epcis_start(req, res, &who, ROLE_PRODUCER | ROLE_SELLER,
                     "capture events") ||
        !json_typed(req, res) || !one_event(req, res) ||
        !capture_run(req, res, &who, &c))
        goto out;
    if (c.n != 1) {
        yima_http_res_error(res, 500, "capture failed",
                            "one event was sent but %zu were read", c.n);
        goto out;
    }
    ev = &c.ev[0];
    if (c.res[0].status == YIMA_STORE_ADDED) {
        event_location(res, ev->event_id);
        send_event(res, 201, ev->json, ev->json_len, c.res[0].record_time_ms,
                   false);
    } else {
        /* Already stored (the same hash ID): answer with the stored one. */
        const char *json;
        size_t len;
        int64_t rt;
        json_t *v;

        if (yima_store_entry(st, c.res[0].index, &entry, &err) != 0 ||
            yima_store_entry_parse(entry.data, entry.len, &rt, &json, &len) !=
                0) {
            yima_http_res_error(res, 500, "stored event unreadable",
                                "ledger entry %llu",
                                (unsigned long long)c.res[0].index);
            goto out;
        }
        v = json_loadb(json, len, 0, NULL);
        event_location(res,
                       json_string_value(json_object_get(v, "eventID"))
                           ? json_string_value(json_object_get(v, "eventID"))
                           : ev->event_id);
        json_decref(v);
        send_event(res, 200, json, len, rt, false);
    }
out:
    yima_buf_free(&entry);
    capture_free(&c);
    return 0;
}

/* ---- Queries ------------------------------------------------------------ */

typedef struct page {
    yima_buf *body;
    size_t n;
    uint64_t last;
} page;

static int page_add(void *arg, uint64_t index, int64_t rt, const char *json,
                    size_t len)
{
    page *p = arg;
    int rc;

    if (p->n)
        yima_buf_putc(p->body, ',');
    if ((rc = api_event_json(p->body, json, len, rt)) != 0)
        return rc;
    p->n++;
    p->last = index;
    return p->body->len > PAGE_BODY_BUDGET ? PAGE_FULL : 0;
}

/* Run q for the caller (their own events unless they read everything) and
 * answer the page, with a Link to the next one. */
static int run_query(yima_http_req *req, yima_http_res *res,
                     const server_caller *who, yima_query *q)
{
    page p = {.body = yima_http_res_body(res)};
    uint64_t next = UINT64_MAX;
    yima_error err;
    int rc;

    if (!(who->role & ROLE_READ_ALL))
        q->recorder = who->tok.party;
    yima_error_clear(&err);
    yima_buf_reset(p.body);
    doc_open(p.body);
    rc = yima_store_query(worker(req)->st, q, page_add, &p, &next, &err);
    if (rc == PAGE_FULL) {
        next = p.last + 1;
        rc = 0;
    }
    if (rc != 0)
        return api_store_fail(res, rc, &err, "bad query");
    doc_close(p.body);
    if (next != UINT64_MAX && epcis_query_link(req, res, next) != 0)
        return yima_http_res_error(res, 500, "paging failed",
                                   "the next page's link is too long");
    yima_http_res_status(res, 200);
    yima_http_res_type(res, "application/json");
    return 0;
}

int h_epcis_events(yima_http_req *req, yima_http_res *res)
{
    server_caller who;
    yima_query q;

    if (!epcis_start(req, res, &who, ROLE_ANY, "read events"))
        return 0;
    yima_query_init(&q);
    if (!epcis_query_parse(req, res, &q))
        return 0;
    return run_query(req, res, &who, &q);
}

int h_epcis_epc_events(yima_http_req *req, yima_http_res *res)
{
    const char *rest = yima_http_req_param(req, "epc");
    size_t n = rest ? strlen(rest) : 0;
    server_caller who;
    yima_query q;
    char *epc;

    if (!epcis_start(req, res, &who, ROLE_ANY, "read events"))
        return 0;
    if (n <= 7 || strcmp(rest + n - 7, "/events") != 0)
        return yima_http_res_error(res, 404, "not found",
                                   "no resource at %.200s; the events of a "
                                   "code are at /epcis/epcs/{epc}/events",
                                   yima_http_req_path(req));
    if (!(epc = yima_http_req_alloc(req, n - 6)))
        return yima_http_res_error(res, 500, "out of memory", "the code");
    memcpy(epc, rest, n - 7);
    epc[n - 7] = '\0';
    yima_query_init(&q);
    if (!epcis_query_parse(req, res, &q))
        return 0;
    if (!epcis_query_add_code(req, &q,
                              1u << YIMA_ROLE_EPC | 1u << YIMA_ROLE_PARENT |
                                  1u << YIMA_ROLE_CHILD |
                                  1u << YIMA_ROLE_INPUT |
                                  1u << YIMA_ROLE_OUTPUT,
                              epc))
        return yima_http_res_error(res, 400, "bad query parameter",
                                   "too many identifier filters (16 at most)");
    return run_query(req, res, &who, &q);
}

/* The event found by eventID. */
typedef struct found {
    bool hit;
    uint64_t index;
    int64_t rt;
    yima_buf json;
} found;

static int found_event(void *arg, uint64_t index, int64_t rt, const char *json,
                       size_t len)
{
    found *f = arg;

    f->hit = true;
    f->index = index;
    f->rt = rt;
    yima_buf_reset(&f->json);
    return yima_buf_add(&f->json, json, len);
}

/* Did party record the event at index? Asked through the query's recorder
 * filter, narrowed to the event's eventTime (give or take a second, so the
 * time index does the work) from its index on. */
static bool recorded_by(yima_store *st, const char *party, const found *f)
{
    json_t *v = json_loadb(f->json.data, f->json.len, 0, NULL);
    const char *t = json_string_value(json_object_get(v, "eventTime"));
    found hit = {0};
    yima_query q;
    int64_t ms;
    yima_error err;

    yima_query_init(&q);
    if (t && epcis_time_parse(t, &ms)) {
        q.ge_event_time = ms - 1000;
        q.lt_event_time = ms + 1000;
    }
    json_decref(v);
    q.from = f->index;
    q.limit = 1;
    q.recorder = party;
    yima_buf_init(&hit.json, YIMA_EVENT_JSON_MAX);
    if (yima_store_query(st, &q, found_event, &hit, NULL, &err) != 0)
        hit.hit = false;
    yima_buf_free(&hit.json);
    return hit.hit && hit.index == f->index;
}

int h_epcis_event(yima_http_req *req, yima_http_res *res)
{
    yima_store *st = worker(req)->st;
    const char *id = yima_http_req_param(req, "eventID");
    server_caller who;
    found f = {0};
    yima_error err;
    int rc;

    if (!epcis_start(req, res, &who, ROLE_ANY, "read events"))
        return 0;
    yima_buf_init(&f.json, YIMA_EVENT_JSON_MAX);
    rc = yima_store_event_by_id(st, id, found_event, &f, &err);
    if (rc == YIMA_ENOTFOUND || (rc == 0 && !(who.role & ROLE_READ_ALL) &&
                                 !recorded_by(st, who.tok.party, &f)))
        yima_http_res_error(res, 404, "not found",
                            "no event with eventID %.300s", id);
    else if (rc != 0)
        api_store_fail(res, rc, &err, "event");
    else
        send_event(res, 200, f.json.data, f.json.len, f.rt, true);
    yima_buf_free(&f.json);
    return 0;
}
