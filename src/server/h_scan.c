/*
 * h_scan.c - scanning (识码用码): what a consumer's phone gets for a code.
 *
 *   GET /01/{gtin}[/10/{lot}][/21/{serial}], /00/{sscc}, /414/{gln}, ...
 *       any GS1 Digital Link path on this host (every primary key); the
 *       whole path is handed to yima_code_parse, which validates it
 *   GET /api/v1/scan?code=<any printed form>
 *       a bare GTIN, an element string, a Digital Link, an EPC URN, a
 *       platform code YM..., full-width digits: every form of one code gives
 *       the same answer
 *
 * No token is needed. The answer is JSON when Accept names application/json
 * (or ?format=json), else a small self-contained HTML page. A code that
 * does not parse is 400 with a JSON error naming the fault and its
 * position.
 *
 * The view is built only from public facts, field by field (a whitelist):
 *
 *   member          from
 *   --------------  ---------------------------------------------------------
 *   code            the canonical code (for GS1 a Digital Link); scheme;
 *                   level (unit, container, batch, product, party, other)
 *   product         product master data (keyed by the GTIN's canonical code,
 *                   or the product a platform code was issued for): code,
 *                   name, model 型号规格, category {id, name}, standard
 *                   执行标准
 *   producer        the product's producer (or the party a platform code
 *                   was issued to, or the party a USCC names): name, uscc
 *   certification   the product's ccc certificate and production licence
 *   batch           lot (AI 10, else the commissioning event's ILMD
 *                   lotNumber), production_date, inspection
 *   status          in_circulation | sold | recalled | unknown (no events)
 *   authenticity    verdict verified | caution | never_issued, and reasons
 *                   [{code, message (Chinese), message_en}]
 *
 * Reasons: never_issued (no events, no product, not a platform code issued
 * here), issued_not_released (only the producer's own steps so far:
 * commissioning, encoding, packing, inspecting, storing), already_sold (a
 * retail sale names the unit, directly or through a container it was packed
 * in), recalled (below), no_trace_records (a unit of a registered product
 * with no events at all), scanned_elsewhere and many_places (below). Any
 * reason makes the verdict caution. Events are read only for these facts:
 * nothing of theirs (business transactions, quantities, sources,
 * destinations, other parties) is ever copied into the view, nor are the
 * places a code was scanned at.
 *
 * Recalled: a recall or removal (yima/risk.h) whose scope is the code, its
 * batch or its product (yima_risk_recalled), the product's producer (a
 * USCC), or, for a unit or container, a container it is or was packed in
 * (the backward trace's "containers"). The recalls are listed once first:
 * with none, nothing else is read.
 *
 * Scans at places. A scan may say where it happens: ?place= a location's
 * GLN (https://id.gs1.org/414/{gln}, urn:epc:id:sgln:..., its 13 digits;
 * a party GLN .../417/{gln} too) or a party's USCC (bare or
 * urn:yima:uscc:...), on /api/v1/scan and on Digital Link paths alike. A
 * scan with no place but a producer's or seller's bearer token is a scan
 * at that party (a given place comes first; a bad token is 401, as
 * everywhere; no token is needed). A GLN's party is the stored party that
 * lists it or whose company prefix starts it (yima_store_party_by_gs1); a
 * USCC is its own party when it is a stored party. A place that is not
 * one of these is 400 naming `place`.
 *
 * A placed GET of a unit or container that some event names is kept
 * (yima_store_scan_put: a commit, so the cache below never serves a view
 * from before it); scans without a place are not kept, so they stay
 * cheap. From the kept scans whose place has a known party:
 *
 *   reason             when
 *   -----------------  -------------------------------------------------
 *   scanned_elsewhere  a scan at a party that did not hold the unit then:
 *                      custody (the backward trace, yima/trace.h) gives
 *                      each holder from its "since" to the next one's,
 *                      widened by an hour each way (clocks; handovers
 *                      recorded late); after a retail sale the seller
 *                      still counts as holding it: the party before
 *                      "consumer", and the party of the sale's place.
 *                      Not judged without custody.
 *   many_places        scans at 3 or more distinct parties within any 24
 *                      hours, or, once sold, at 2 or more distinct parties
 *                      other than the seller (as above) after the sale's
 *                      eventTime: one printed code in several places at
 *                      once has been copied.
 *
 * Only the newest YIMA_STORE_SCANS_MAX scans of a code are read.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yima/risk.h"
#include "yima/trace.h"

#include "api.h"
#include "epcis_api.h"

/* The Digital Link prefix put before a path; it is not shown to clients. */
#define DL_HOST "https://id.gs1.org"

/* What the events of a code say. */
typedef struct facts {
    size_t events;
    bool released;                    /* a step beyond the producer's own */
    bool sold;                        /* a retail sale names it */
    char sold_at[64];                 /* that event's eventTime */
    char lot[YIMA_GS1_VALUE_MAX + 1]; /* ILMD lotNumber of commissioning */
} facts;

/* Steps a producer takes before a unit leaves it. */
static bool producer_step(const char *step)
{
    static const char *const steps[] = {"commissioning", "encoding",
                                        "packing",       "inspecting",
                                        "storing",       "assembling"};

    if (!step)
        return true; /* no bizStep says nothing about leaving */
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (strcmp(step, steps[i]) == 0)
            return true;
    return false;
}

/* The lotNumber of an ILMD object (any prefix spelling), or NULL. */
static const char *ilmd_lot(json_t *ilmd)
{
    const char *key;
    json_t *v;

    json_object_foreach(ilmd, key, v)
    {
        size_t n = strlen(key);

        if (n >= 9 && strcmp(key + n - 9, "lotNumber") == 0 &&
            json_is_string(v))
            return json_string_value(v);
    }
    return NULL;
}

static int on_event(void *arg, uint64_t index, int64_t record_time_ms,
                    const char *json, size_t len)
{
    facts *f = arg;
    json_t *ev = json_loadb(json, len, 0, NULL);
    const char *step, *disp, *lot;

    (void)index;
    (void)record_time_ms;
    f->events++;
    if (!ev)
        return 0;
    step = api_cbv_word(json_string_value(json_object_get(ev, "bizStep")));
    disp = api_cbv_word(json_string_value(json_object_get(ev, "disposition")));
    if (!producer_step(step))
        f->released = true;
    if ((step && strcmp(step, "retail_selling") == 0) ||
        (disp && strcmp(disp, "retail_sold") == 0)) {
        const char *t = json_string_value(json_object_get(ev, "eventTime"));

        f->released = true;
        if (!f->sold && t)
            snprintf(f->sold_at, sizeof f->sold_at, "%s", t);
        f->sold = true;
    }
    lot = ilmd_lot(json_object_get(ev, "ilmd"));
    if (lot && !f->lot[0])
        snprintf(f->lot, sizeof f->lot, "%s", lot);
    json_decref(ev);
    return 0;
}

/* A reason for the verdict: its code, and what it means in Chinese (shown
 * on the page) and English. */
static void add_reason(json_t *reasons, const char *code, const char *zh,
                       const char *en)
{
    json_array_append_new(reasons, json_pack("{s:s,s:s,s:s}", "code", code,
                                             "message", zh, "message_en", en));
}

#define TRACE_MAX       (4u << 20)         /* bytes of a backward trace */
#define PLACE_SLACK_MS  (60 * 60 * 1000LL) /* custody times: clocks, lag */
#define MANY_WINDOW_MS  (24 * 60 * 60 * 1000LL)
#define MANY_PARTIES    3 /* distinct parties within MANY_WINDOW_MS */
#define MANY_AFTER_SALE 2 /* distinct parties after a sale */

/* The backward trace of a unit (yima/trace.h), made at most once per view
 * and only when a rule needs it. */
typedef struct lazy_trace {
    yima_store *st;
    const char *code;
    bool made;
    json_t *trace; /* NULL when there is none */
    bool *partial; /* set when the store failed to answer */
} lazy_trace;

static json_t *trace_of(lazy_trace *lt)
{
    yima_buf b;
    yima_error err;
    int rc;

    if (lt->made)
        return lt->trace;
    lt->made = true;
    yima_buf_init(&b, TRACE_MAX);
    rc = yima_trace_json(lt->st, lt->code, YIMA_TRACE_BACKWARD, NULL, &b, &err);
    if (rc == 0 && b.data)
        lt->trace = json_loadb(b.data, b.len, 0, NULL);
    else if (rc != YIMA_ENOTFOUND)
        *lt->partial = true; /* the view must not be kept */
    yima_buf_free(&b);
    return lt->trace;
}

static const char *uscc_plain(const char *canonical)
{
    static const char prefix[] = "urn:yima:uscc:";

    return strncmp(canonical, prefix, sizeof prefix - 1) == 0
               ? canonical + sizeof prefix - 1
               : canonical;
}

/* What the recalls in force say about one code (recall_scope). */
typedef struct recall_scan {
    const char *code;     /* canonical */
    const char *producer; /* bare USCC, or NULL */
    bool any;             /* a recall or removal exists */
    bool producer_hit;    /* one of them is of the producer */
    bool containers;      /* one may be of a container */
} recall_scan;

static int recall_scope(void *arg, const yima_store_risk_row *row)
{
    static const char uscc[] = "urn:yima:uscc:", gtin[] = DL_HOST "/01/";
    recall_scan *r = arg;

    if (!row->tag ||
        (strcmp(row->tag, "recall") != 0 && strcmp(row->tag, "removal") != 0))
        return 0; /* a warning makes nothing recalled */
    r->any = true;
    if (strncmp(row->key, uscc, sizeof uscc - 1) == 0) {
        if (r->producer && strcmp(uscc_plain(row->key), r->producer) == 0) {
            r->producer_hit = true;
            return 1; /* decided */
        }
    } else if (strcmp(row->key, r->code) != 0 &&
               (strncmp(row->key, gtin, sizeof gtin - 1) != 0 ||
                strstr(row->key, "/21/"))) {
        r->containers = true; /* not a product or batch: may be a parent */
    }
    return 0;
}

/*
 * Recalled (the rule at the top). The scopes of yima_risk_recalled are
 * its own (yima/risk.h); the producer and the containers are added here.
 * Recalls are stored through the store, so a new one changes
 * yima_store_version() and the cache below never shows a stale status.
 */
static bool recalled(yima_store *st, const yima_code *code, bool unit,
                     const char *product, const char *lot, const char *producer,
                     lazy_trace *lt)
{
    recall_scan r = {code->canonical, producer ? uscc_plain(producer) : NULL,
                     false, false, false};
    json_t *c;
    size_t i;
    int rc =
        yima_store_risk_list(st, "recall", NULL, 0, recall_scope, &r, NULL);

    if (rc < 0)
        *lt->partial = true;
    if (rc < 0 || !r.any)
        return false;
    if (r.producer_hit || yima_risk_recalled(st, code->canonical, product, lot))
        return true;
    if (!r.containers || !unit)
        return false;
    json_array_foreach(json_object_get(trace_of(lt), "containers"), i, c)
    {
        if (json_is_string(c) &&
            yima_risk_recalled(st, json_string_value(c), NULL, NULL))
            return true;
    }
    return false;
}

/* ---- Scans at places ---------------------------------------------------- */

/* A kept scan whose place has a known party. */
typedef struct placed {
    int64_t t;
    char party[YIMA_PARTY_MAX]; /* bare USCC */
    bool held;                  /* custody says the party held it then */
} placed;

typedef struct places {
    placed *v; /* newest first */
    size_t n, cap;
    bool failed;
} places;

static int on_scan(void *arg, const yima_store_scan *s)
{
    places *p = arg;

    if (!s->party || !s->party[0])
        return 0; /* a place of no known party is judged by nothing */
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        placed *v = realloc(p->v, cap * sizeof *v);

        if (!v) {
            p->failed = true;
            return 1;
        }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n].t = s->time_ms;
    p->v[p->n].held = false;
    snprintf(p->v[p->n].party, sizeof p->v[p->n].party, "%s",
             uscc_plain(s->party));
    p->n++;
    return 0;
}

/*
 * Scans at MANY_PARTIES distinct parties within MANY_WINDOW_MS? Going
 * from the newest, keep the parties seen most recently, each once, in
 * the order last seen: when the last of MANY_PARTIES of them is within
 * the window of the scan at hand, those parties were all scanned within
 * it (and if any MANY_PARTIES were, they show so at the oldest scan of
 * such a window). One pass.
 */
static bool many_within(const places *p)
{
    const placed *seen[MANY_PARTIES];
    size_t n = 0, k;

    for (size_t i = 0; i < p->n; i++) {
        const placed *s = &p->v[i];

        for (k = 0; k < n && strcmp(seen[k]->party, s->party) != 0; k++)
            ;
        if (k == n && n < MANY_PARTIES)
            n++;
        if (k == MANY_PARTIES)
            k--; /* a new party: the least recent one leaves */
        memmove(&seen[1], &seen[0], k * sizeof seen[0]);
        seen[0] = s;
        if (n == MANY_PARTIES && seen[n - 1]->t - s->t <= MANY_WINDOW_MS)
            return true;
    }
    return false;
}

/* Scans at MANY_AFTER_SALE distinct parties after sold_ms, the seller
 * apart (scans custody accepts)? */
static bool many_after(const places *p, int64_t sold_ms)
{
    const char *first = NULL;

    static_assert(MANY_AFTER_SALE == 2, "one party is remembered");
    for (size_t i = 0; i < p->n; i++) {
        if (p->v[i].t <= sold_ms || p->v[i].held)
            continue;
        if (!first)
            first = p->v[i].party;
        else if (strcmp(first, p->v[i].party) != 0)
            return true;
    }
    return false;
}

/* The "since" of custody step e in UTC ms, or false. */
static bool since_of(json_t *e, int64_t *ms)
{
    const char *s = json_string_value(json_object_get(e, "since"));

    return s && epcis_time_parse(s, ms);
}

/* A unit's custody (the trace's "custody"), and the party of the place of
 * its sale, looked up once. */
typedef struct custody_ctx {
    yima_store *st;
    json_t *custody;
    json_t *sale;                    /* the step looked up, or NULL */
    char sale_party[YIMA_PARTY_MAX]; /* its place's party, bare, or "" */
} custody_ctx;

/* Was custody step e (a retail sale) recorded at a place of party? */
static bool sold_at_place(custody_ctx *cc, json_t *e, const char *party)
{
    static const char gln[] = DL_HOST "/414/", pgln[] = DL_HOST "/417/";
    const char *place = json_string_value(json_object_get(e, "place"));
    char key[14];

    if (cc->sale != e) {
        cc->sale = e;
        cc->sale_party[0] = '\0';
        if (place &&
            (strncmp(place, gln, sizeof gln - 1) == 0 ||
             strncmp(place, pgln, sizeof pgln - 1) == 0) &&
            strlen(place + sizeof gln - 1) >= 13) {
            memcpy(key, place + sizeof gln - 1, 13);
            key[13] = '\0';
            if (yima_store_party_by_gs1(cc->st, key, 0, cc->sale_party, NULL) ==
                0)
                memmove(cc->sale_party, uscc_plain(cc->sale_party),
                        strlen(uscc_plain(cc->sale_party)) + 1);
            else
                cc->sale_party[0] = '\0';
        }
    }
    return cc->sale_party[0] && strcmp(cc->sale_party, party) == 0;
}

/*
 * Did party hold the unit at time t (custody as in the trace; the rule at
 * the top)? A step without a readable time cannot be judged: true.
 */
static bool held_by(custody_ctx *cc, int64_t t, const char *party)
{
    json_t *custody = cc->custody;
    size_t n = json_array_size(custody);
    int64_t start = INT64_MIN, end;

    for (size_t i = 0; i < n; i++) {
        const char *holder = json_string_value(
            json_object_get(json_array_get(custody, i), "party"));

        if (i > 0 && !since_of(json_array_get(custody, i), &start))
            return true;
        end = INT64_MAX;
        if (i + 1 < n && !since_of(json_array_get(custody, i + 1), &end))
            return true;
        if (!holder || start > t + PLACE_SLACK_MS || end < t - PLACE_SLACK_MS)
            continue;
        if (strcmp(holder, party) == 0)
            return true;
        if (i > 0 && strcmp(holder, "consumer") == 0) {
            const char *seller = json_string_value(
                json_object_get(json_array_get(custody, i - 1), "party"));

            if ((seller && strcmp(seller, party) == 0) ||
                sold_at_place(cc, json_array_get(custody, i), party))
                return true;
        }
    }
    return false;
}

/* The place reasons of a unit (the table at the top). sold_at: the
 * sale's eventTime, or "". */
static void place_reasons(yima_store *st, const char *code, const char *sold_at,
                          lazy_trace *lt, json_t *reasons)
{
    places p = {NULL, 0, 0, false};
    custody_ctx cc = {st, NULL, NULL, ""};
    bool elsewhere = false;
    int64_t sold_ms;
    int rc = yima_store_scans(st, code, on_scan, &p, NULL);

    if (rc < 0 || p.failed)
        *lt->partial = true;
    if (p.n == 0)
        goto out;
    cc.custody = json_object_get(trace_of(lt), "custody");
    for (size_t i = 0; json_array_size(cc.custody) > 0 && i < p.n; i++) {
        p.v[i].held = held_by(&cc, p.v[i].t, p.v[i].party);
        elsewhere = elsewhere || !p.v[i].held;
    }
    if (elsewhere)
        add_reason(reasons, "scanned_elsewhere",
                   "该码曾在与其流通记录不符的地点被扫描，可能是被复制的"
                   "假冒码。",
                   "This code was scanned at a place of a party that did "
                   "not hold the unit then: the code may have been copied.");
    if (many_within(&p) || (sold_at[0] && epcis_time_parse(sold_at, &sold_ms) &&
                            many_after(&p, sold_ms)))
        add_reason(reasons, "many_places",
                   "同一个码几乎同时出现在多个不同地点，很可能已被复制。",
                   "The same code was scanned at the places of several "
                   "parties at once: it has most likely been copied.");
out:
    free(p.v);
}

/* unit, container, batch, product or other: what one code stands for. */
static const char *level_of(const yima_code *c)
{
    switch (c->scheme) {
    case YIMA_SCHEME_GS1:
        if (yima_code_ai(c, "00"))
            return "container";
        if (yima_code_ai(c, "01"))
            return yima_code_ai(c, "21")   ? "unit"
                   : yima_code_ai(c, "10") ? "batch"
                                           : "product";
        if (yima_code_ai(c, "8004") ||
            (yima_code_ai(c, "8003") && strlen(yima_code_ai(c, "8003")) > 14))
            return "unit";
        return "other";
    case YIMA_SCHEME_DIC:
    case YIMA_SCHEME_ECODE:
    case YIMA_SCHEME_HANDLE: return "unit";
    case YIMA_SCHEME_USCC: return "party";
    default: return "other";
    }
}

/* Copy string member `from` of src to `to` of dst when it is a string
 * (or an array of strings, joined with "; "). */
static void copy_str(json_t *dst, const char *to, json_t *src, const char *from)
{
    json_t *v = json_object_get(src, from), *x;
    size_t i;

    if (json_is_string(v)) {
        json_object_set_new(dst, to, json_string(json_string_value(v)));
    } else if (json_is_array(v)) {
        yima_buf b;

        yima_buf_init(&b, 4096);
        json_array_foreach(v, i, x) if (json_is_string(x)) yima_buf_printf(
            &b, "%s%s", b.len ? "; " : "", json_string_value(x));
        if (b.len)
            json_object_set_new(dst, to, json_string(b.data));
        yima_buf_free(&b);
    }
}

/* Build the consumer view of code c; *partial is set when the store failed
 * to answer part of it (the view is still given, but must not be kept).
 * Returns NULL on out of memory. */
static json_t *view_of(yima_store *st, const yima_code *c, bool *partial)
{
    json_t *v = json_object(), *product = NULL, *party = NULL, *batch = NULL;
    json_t *reasons = json_array(), *o;
    yima_store_issued issued;
    yima_error err;
    char product_key[YIMA_CODE_URI_MAX] = "";
    const char *level = level_of(c), *lot, *producer = NULL, *status;
    bool is_issued = false,
         unit = !strcmp(level, "unit") || !strcmp(level, "container");
    bool is_recalled;
    lazy_trace lt = {st, c->canonical, false, NULL, partial};
    facts f;

    if (!v || !reasons) {
        json_decref(v);
        json_decref(reasons);
        return NULL;
    }
    memset(&f, 0, sizeof f);
    json_object_set_new(v, "code", json_string(c->canonical));
    json_object_set_new(v, "scheme", json_string(yima_scheme_name(c->scheme)));
    json_object_set_new(v, "level", json_string(level));

    /* what the code is a unit of */
    if (c->scheme == YIMA_SCHEME_GS1 && yima_code_ai(c, "01"))
        snprintf(product_key, sizeof product_key, "https://id.gs1.org/01/%s",
                 yima_code_ai(c, "01"));
    else if (c->scheme == YIMA_SCHEME_DIC &&
             yima_store_issued_get(st, c->canonical, &issued, &err) == 0) {
        is_issued = true;
        snprintf(product_key, sizeof product_key, "%s", issued.product);
        producer = issued.party;
    } else if (c->scheme == YIMA_SCHEME_USCC) {
        producer = c->canonical; /* a party's own code: who it is */
    } else if (c->scheme != YIMA_SCHEME_GS1) {
        snprintf(product_key, sizeof product_key, "%s", c->canonical);
    }
    if (product_key[0])
        product = api_master(st, YIMA_STORE_PRODUCT, product_key, NULL);
    if (product)
        producer = json_string_value(json_object_get(product, "producer"));
    if (producer)
        party = api_master(st, YIMA_STORE_PARTY, producer, NULL);

    yima_error_clear(&err);
    if (yima_store_events(st, c->canonical, on_event, &f, &err) != 0) {
        f.events = 0; /* a store failure shows as no records, never as a
                         fault of the code; and is not cached */
        *partial = true;
    }

    if (product) {
        json_t *cat = json_object_get(product, "category"), *cm;

        o = json_object();
        copy_str(o, "code", product, "code");
        copy_str(o, "name", product, "name");
        copy_str(o, "model", product, "model");
        if (json_is_string(cat)) {
            json_t *cv = json_object();

            copy_str(cv, "id", product, "category");
            cm = api_master(st, YIMA_STORE_CATEGORY, json_string_value(cat),
                            NULL);
            copy_str(cv, "name", cm, "name");
            json_decref(cm);
            json_object_set_new(o, "category", cv);
        }
        copy_str(o, "standard", product, "standard");
        json_object_set_new(v, "product", o);
    } else {
        json_object_set_new(v, "product", json_null());
    }
    if (party) {
        const char *uscc = json_string_value(json_object_get(party, "uscc"));

        o = json_object();
        copy_str(o, "name", party, "name");
        json_object_set_new(o, "uscc",
                            json_string(uscc_plain(uscc ? uscc : "")));
        json_object_set_new(v, "producer", o);
    } else {
        json_object_set_new(v, "producer", json_null());
    }
    o = json_object();
    if (product) {
        copy_str(o, "ccc", product, "ccc");
        copy_str(o, "licence", product, "licence");
    }
    json_object_set_new(v, "certification",
                        json_object_size(o) ? o : json_null());
    if (json_object_size(o) == 0)
        json_decref(o);

    lot = yima_code_ai(c, "10");
    if (!lot && f.lot[0])
        lot = f.lot;
    if (lot) {
        o = json_object();
        json_object_set_new(o, "lot", json_string(lot));
        if (product && (batch = api_master(st, YIMA_STORE_BATCH, product_key,
                                           lot)) != NULL) {
            copy_str(o, "production_date", batch, "production_date");
            copy_str(o, "inspection", batch, "inspection");
        }
        if (!json_object_get(o, "inspection"))
            json_object_set_new(o, "inspection", json_string("unknown"));
        json_object_set_new(v, "batch", o);
    } else {
        json_object_set_new(v, "batch", json_null());
    }

    is_recalled =
        recalled(st, c, unit, product ? product_key : NULL, lot, producer, &lt);
    if (is_recalled)
        status = "recalled";
    else if (f.events == 0)
        status = "unknown";
    else if (f.sold && unit)
        status = "sold";
    else
        status = "in_circulation";
    json_object_set_new(v, "status", json_string(status));
    if (f.sold && unit && f.sold_at[0])
        json_object_set_new(v, "sold_at", json_string(f.sold_at));

    /* the verdict */
    o = json_object();
    if (f.events == 0 && !product && !is_issued && !party) {
        json_object_set_new(o, "verdict", json_string("never_issued"));
        add_reason(reasons, "never_issued",
                   "该码未在平台登记或赋码，可能是假冒产品。",
                   "This code was never issued or registered here.");
    } else {
        if (is_recalled)
            add_reason(reasons, "recalled",
                       "该产品已被召回，请停止使用并联系生产企业。",
                       "This product has been recalled.");
        if (f.sold && unit)
            add_reason(reasons, "already_sold",
                       "该商品已售出；如果您不是刚刚购买它，请警惕假冒。",
                       "This unit was already sold: if you did not just buy "
                       "it, the code may have been copied.");
        /* a batch or product code names many units, some of which may
         * still be at the producer: only units are judged by their steps */
        if (unit && (f.events > 0 ? !f.released : is_issued))
            add_reason(reasons, "issued_not_released",
                       "该码已赋码，但产品尚未出厂，不应出现在市场上。",
                       "This code was issued but the unit never left its "
                       "producer.");
        else if (unit && f.events == 0)
            add_reason(reasons, "no_trace_records",
                       "产品已登记，但该件商品没有流通记录。",
                       "The product is registered, but this unit has no "
                       "trace records.");
        if (unit && f.events > 0)
            place_reasons(st, c->canonical, f.sold ? f.sold_at : "", &lt,
                          reasons);
        json_object_set_new(
            o, "verdict",
            json_string(json_array_size(reasons) ? "caution" : "verified"));
    }
    json_object_set_new(o, "reasons", reasons);
    json_object_set_new(v, "authenticity", o);
    json_decref(product);
    json_decref(party);
    json_decref(batch);
    json_decref(lt.trace);
    return v;
}

/* ---- HTML ---------------------------------------------------------------- */

static void html_text(yima_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': yima_buf_puts(b, "&lt;"); break;
        case '>': yima_buf_puts(b, "&gt;"); break;
        case '&': yima_buf_puts(b, "&amp;"); break;
        case '"': yima_buf_puts(b, "&quot;"); break;
        case '\'': yima_buf_puts(b, "&#39;"); break;
        default: yima_buf_putc(b, *s);
        }
    }
}

/* One row "label: value" when value is a string. */
static void html_row(yima_buf *b, const char *label, json_t *value)
{
    if (!json_is_string(value))
        return;
    yima_buf_printf(b, "<tr><th>%s</th><td>", label);
    html_text(b, json_string_value(value));
    yima_buf_puts(b, "</td></tr>\n");
}

static const char *label_of(const char *v, const char *const (*map)[2])
{
    for (; v && (*map)[0]; map++)
        if (strcmp(v, (*map)[0]) == 0)
            return (*map)[1];
    return v ? v : "";
}

static void html_view(yima_buf *b, json_t *v)
{
    static const char *const statuses[][2] = {{"in_circulation", "流通中"},
                                              {"sold", "已售出"},
                                              {"recalled", "已召回"},
                                              {"unknown", "暂无流通记录"},
                                              {NULL, NULL}};
    static const char *const verdicts[][2] = {
        {"verified", "✔ 已核验：平台登记的正品码"},
        {"caution", "⚠ 请注意"},
        {"never_issued", "✘ 未登记：该码从未在平台赋码"},
        {NULL, NULL}};
    static const char *const inspections[][2] = {{"passed", "合格"},
                                                 {"failed", "不合格"},
                                                 {"unknown", "未知"},
                                                 {NULL, NULL}};
    json_t *p = json_object_get(v, "product"),
           *pr = json_object_get(v, "producer");
    json_t *cert = json_object_get(v, "certification");
    json_t *batch = json_object_get(v, "batch");
    json_t *auth = json_object_get(v, "authenticity"), *r;
    const char *verdict = json_string_value(json_object_get(auth, "verdict"));
    size_t i;

    yima_buf_puts(
        b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta "
           "charset=\"utf-8\">\n<meta name=\"viewport\" "
           "content=\"width=device-width,initial-scale=1\">\n"
           "<title>一码追溯 · 扫码结果</title>\n<style>"
           "body{font-family:system-ui,sans-serif;margin:0;padding:1em;"
           "background:#f4f5f7;color:#222}"
           "main{max-width:36em;margin:auto}"
           "h1{font-size:1.2em}"
           ".v{padding:.8em;border-radius:.5em;margin:.8em 0;font-weight:bold}"
           ".verified{background:#dff3e4}.caution{background:#fff3cd}"
           ".never_issued{background:#f8d7da}"
           "table{width:100%;border-collapse:collapse;background:#fff;"
           "margin:.5em 0;border-radius:.5em}"
           "th,td{text-align:left;padding:.45em .6em;border-bottom:1px solid "
           "#eee;vertical-align:top;word-break:break-all}"
           "th{width:7.5em;color:#555;font-weight:normal}"
           "h2{font-size:1em;margin:1em 0 .2em}"
           "</style></head><body><main>\n<h1>一码追溯 · 扫码结果</h1>\n");
    yima_buf_printf(b, "<div class=\"v %s\">", verdict ? verdict : "");
    html_text(b, label_of(verdict, verdicts));
    yima_buf_puts(b, "</div>\n");
    json_array_foreach(json_object_get(auth, "reasons"), i, r)
    {
        yima_buf_puts(b, "<p>");
        html_text(b, json_string_value(json_object_get(r, "message")));
        yima_buf_puts(b, "</p>\n");
    }
    yima_buf_puts(b, "<table>\n");
    html_row(b, "追溯码", json_object_get(v, "code"));
    yima_buf_printf(
        b, "<tr><th>当前状态</th><td>%s</td></tr>\n",
        label_of(json_string_value(json_object_get(v, "status")), statuses));
    html_row(b, "售出时间", json_object_get(v, "sold_at"));
    yima_buf_puts(b, "</table>\n");
    if (json_is_object(p)) {
        yima_buf_puts(b, "<h2>产品信息</h2><table>\n");
        html_row(b, "产品名称", json_object_get(p, "name"));
        html_row(b, "型号规格", json_object_get(p, "model"));
        html_row(b, "产品类别",
                 json_object_get(json_object_get(p, "category"), "name"));
        html_row(b, "执行标准", json_object_get(p, "standard"));
        yima_buf_puts(b, "</table>\n");
    }
    if (json_is_object(pr)) {
        yima_buf_puts(b, "<h2>生产企业</h2><table>\n");
        html_row(b, "企业名称", json_object_get(pr, "name"));
        html_row(b, "统一社会信用代码", json_object_get(pr, "uscc"));
        yima_buf_puts(b, "</table>\n");
    }
    if (json_is_object(cert)) {
        yima_buf_puts(b, "<h2>认证许可</h2><table>\n");
        html_row(b, "CCC 证书", json_object_get(cert, "ccc"));
        html_row(b, "生产许可证", json_object_get(cert, "licence"));
        yima_buf_puts(b, "</table>\n");
    }
    if (json_is_object(batch)) {
        yima_buf_puts(b, "<h2>批次</h2><table>\n");
        html_row(b, "批号", json_object_get(batch, "lot"));
        html_row(b, "生产日期", json_object_get(batch, "production_date"));
        yima_buf_puts(b, "<tr><th>检验状态</th><td>");
        html_text(
            b, label_of(json_string_value(json_object_get(batch, "inspection")),
                        inspections));
        yima_buf_puts(b, "</td></tr>\n</table>\n");
    }
    yima_buf_puts(b, "</main></body></html>\n");
}

/* ---- The cache ----------------------------------------------------------
 *
 * A scan view is a pure function of the store's contents, and the same
 * codes are scanned again and again (a product QR on every box of a
 * model). Each worker keeps the last SCAN_SLOTS answers by code and
 * format, stamped with yima_store_version(): an answer is reused only while
 * nothing in the store changed (any commit, by any process or worker, moves
 * the version), so a recall or a sale shows on the very next scan.
 */

#define SCAN_SLOTS    1024 /* a power of two */
#define SCAN_BODY_MAX (64u << 10)

typedef struct scan_slot {
    uint64_t version;
    char *key;  /* "j" or "h", then the canonical code; NULL: empty */
    char *body; /* the answer's bytes */
    size_t len;
} scan_slot;

struct scan_cache {
    scan_slot slot[SCAN_SLOTS];
};

void scan_cache_free(scan_cache *c)
{
    for (size_t i = 0; c && i < SCAN_SLOTS; i++) {
        free(c->slot[i].key);
        free(c->slot[i].body);
    }
    free(c);
}

static scan_slot *slot_of(scan_cache *c, const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: keys are not secret */

    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return &c->slot[h & (SCAN_SLOTS - 1)];
}

static void remember(scan_slot *s, const char *key, uint64_t version,
                     const yima_buf *body)
{
    char *k, *b;

    if (!body->data || body->len > SCAN_BODY_MAX || !(k = strdup(key)))
        return;
    if (!(b = malloc(body->len))) {
        free(k);
        return;
    }
    memcpy(b, body->data, body->len);
    free(s->key);
    free(s->body);
    *s = (scan_slot){version, k, b, body->len};
}

/* ---- Handlers ------------------------------------------------------------ */

static bool wants_json(yima_http_req *req)
{
    const char *accept = yima_http_req_header(req, "Accept");
    const char *format = yima_http_req_query(req, "format");

    if (format)
        return strcmp(format, "json") == 0;
    return accept &&
           (strstr(accept, "application/json") || strstr(accept, "+json"));
}

/* Where a scan happens (the rule at the top). */
typedef struct place {
    char code[YIMA_CODE_URI_MAX]; /* canonical; "" when the scan says none */
    char party[YIMA_PARTY_MAX];   /* canonical USCC, or "" when unknown */
} place;

/* Read the scan's place into *pl. Returns false when it answered an
 * error: a bad place (400), a bad token (401), a store failure (500). */
static bool place_of(yima_http_req *req, yima_http_res *res, place *pl)
{
    server_worker *sw = yima_http_req_ctx(req);
    const char *q = yima_http_req_query(req, "place"), *gln = NULL;
    char in[5 + 13 + 1];
    server_caller who;
    yima_code *c;
    yima_error err;
    json_t *p;
    int rc;

    memset(pl, 0, sizeof *pl);
    if (!server_caller_get(req, res, &who))
        return false;
    if (!q) {
        if (who.authed && (who.role & (ROLE_PRODUCER | ROLE_SELLER))) {
            snprintf(pl->code, sizeof pl->code, "%s", who.tok.party);
            snprintf(pl->party, sizeof pl->party, "%s", who.tok.party);
        }
        return true;
    }
    if (!(c = yima_http_req_alloc(req, sizeof *c))) {
        yima_http_res_error(res, 500, "out of memory", "scan");
        return false;
    }
    if (!*q) {
        yima_http_res_error(res, 400, "bad place",
                            "place: empty; give a GLN (https://id.gs1.org/"
                            "414/{gln}, urn:epc:id:sgln:..., or its 13 "
                            "digits) or a USCC");
        return false;
    }
    /* 13 digits alone are a GLN here, not the GTIN-13 they would be as a
     * code */
    if (strlen(q) == 13 && strspn(q, "0123456789") == 13) {
        snprintf(in, sizeof in, "(414)%s", q);
        if (!api_code(res, "place", in, 5, false, c))
            return false;
    } else if (!api_code(res, "place", q, 0, false, c)) {
        return false;
    }
    if (c->scheme == YIMA_SCHEME_GS1 && c->n_ai > 0 &&
        (!strcmp(c->ai[0].ai, "414") || !strcmp(c->ai[0].ai, "417")))
        gln = c->ai[0].value;
    else if (c->scheme != YIMA_SCHEME_USCC) {
        yima_http_res_error(res, 400, "bad place",
                            "place: %s is not a place; give a GLN "
                            "(https://id.gs1.org/414/{gln}, "
                            "urn:epc:id:sgln:..., or its 13 digits) or a "
                            "USCC",
                            c->canonical);
        return false;
    }
    snprintf(pl->code, sizeof pl->code, "%s", c->canonical);
    if (gln) {
        rc = yima_store_party_by_gs1(sw->st, gln, 0, pl->party, &err);
        if (rc != 0 && rc != YIMA_ENOTFOUND) {
            api_store_fail(res, rc, &err, "place");
            return false;
        }
        if (rc != 0)
            pl->party[0] = '\0';
    } else if ((p = api_master(sw->st, YIMA_STORE_PARTY, c->canonical, NULL)) !=
               NULL) {
        snprintf(pl->party, sizeof pl->party, "%.*s", (int)sizeof pl->party - 1,
                 c->canonical); /* a USCC: fits */
        json_decref(p);
    }
    return true;
}

static int first_event(void *arg, uint64_t index, int64_t record_time_ms,
                       const char *json, size_t len)
{
    (void)arg;
    (void)index;
    (void)record_time_ms;
    (void)json;
    (void)len;
    return 1;
}

/*
 * Keep a placed GET of a unit or container that some event names (the
 * rule at the top). Before the view is built, so the view counts it and,
 * the store's version having moved, no cached view from before is served.
 * A failure to keep it does not stop the answer: the consumer still gets
 * the view, as it is without this scan.
 */
static void keep_scan(yima_http_req *req, const yima_code *c, const place *pl)
{
    server_worker *sw = yima_http_req_ctx(req);
    const char *level = level_of(c);

    if (!pl->code[0] || strcmp(yima_http_req_method(req), "GET") != 0 ||
        (strcmp(level, "unit") != 0 && strcmp(level, "container") != 0) ||
        yima_store_events(sw->st, c->canonical, first_event, NULL, NULL) != 1)
        return;
    (void)yima_store_scan_put(sw->st, c->canonical, pl->code, pl->party, NULL,
                              NULL);
}

static int answer(yima_http_req *req, yima_http_res *res, const yima_code *c)
{
    server_worker *sw = yima_http_req_ctx(req);
    bool json = wants_json(req);
    const char *type = json ? "application/json" : "text/html; charset=utf-8";
    char key[YIMA_CODE_URI_MAX + 2];
    scan_slot *slot = NULL;
    uint64_t version = 0;
    bool cacheable;
    place pl;
    json_t *v;
    int rc;

    if (!place_of(req, res, &pl))
        return 0;
    keep_scan(req, c, &pl);
    yima_http_res_header(res, "Vary", "Accept");
    yima_http_res_header(res, "Cache-Control", "no-cache");
    snprintf(key, sizeof key, "%c%s", json ? 'j' : 'h', c->canonical);
    cacheable = yima_store_version(sw->st, &version, NULL) == 0 &&
                (sw->scans || (sw->scans = calloc(1, sizeof *sw->scans)));
    if (cacheable) {
        slot = slot_of(sw->scans, key);
        if (slot->key && slot->version == version && !strcmp(slot->key, key))
            return yima_http_res_send(res, 200, type, slot->body, slot->len);
    }
    bool partial = false;

    if (!(v = view_of(sw->st, c, &partial)))
        return yima_http_res_error(res, 500, "out of memory",
                                   "the view could not be built");
    if (json) {
        rc = api_send_json(res, 200, v);
    } else {
        yima_http_res_type(res, type);
        html_view(yima_http_res_body(res), v);
        json_decref(v);
        rc = 0;
    }
    /* Stamped with the version read before the view was built: a change
     * in between makes the next scan build it again. */
    if (slot && !partial && !yima_http_res_body(res)->failed)
        remember(slot, key, version, yima_http_res_body(res));
    return rc;
}

int h_scan_dl(yima_http_req *req, yima_http_res *res)
{
    const char *path = yima_http_req_path(req);
    yima_code *c = yima_http_req_alloc(req, sizeof *c);
    yima_buf in;
    int rc = 0;

    if (!c)
        return yima_http_res_error(res, 500, "out of memory", "scan");
    yima_buf_init(&in, YIMA_CODE_INPUT_MAX + 1);
    yima_buf_puts(&in, DL_HOST);
    yima_buf_puts(&in, path);
    if (in.failed)
        rc = yima_http_res_error(res, 400, "bad code",
                                 "path: longer than %u bytes",
                                 YIMA_CODE_INPUT_MAX);
    else if (api_code(res, "path", in.data, strlen(DL_HOST), false, c))
        rc = answer(req, res, c);
    yima_buf_free(&in);
    return rc;
}

int h_scan(yima_http_req *req, yima_http_res *res)
{
    const char *code = yima_http_req_query(req, "code");
    yima_code *c = yima_http_req_alloc(req, sizeof *c);

    if (!c)
        return yima_http_res_error(res, 500, "out of memory", "scan");
    if (!code || !*code)
        return yima_http_res_error(res, 400, "bad code",
                                   "code: missing; give ?code=<the code as "
                                   "printed or scanned>");
    if (!api_code(res, "code", code, 0, false, c))
        return 0;
    return answer(req, res, c);
}
