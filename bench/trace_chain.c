/*
 * trace_chain.c - the generator of trace_chain.h: parties with USCCs and
 * GS1 keys, lots as small state machines (one event per step), the batch
 * scheduled among them. #included by bench_trace.c after supply_chain.c,
 * whose identifier and JSON writers it uses.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yima/error.h"
#include "trace_chain.h"

#define TC_PRODUCERS      200
#define TC_DISTRIBUTORS   40
#define TC_WHOLESALERS    400
#define TC_CHAINS         60 /* retail chains: TC_STORES / TC_CHAINS each */
#define TC_FLOWS          64 /* lots under way at once */
#define TC_BG_CASES_MAX   36 /* cases of a lot other than the batch */
#define TC_BATCH_PER_CASE 6
#define TC_BATCH_PALLET   60 /* cases on one of the batch's pallets */
#define TC_BATCH_PRODUCER 1  /* writes Digital Links on its own host */
#define TC_BATCH_ITEM     1

/* Steps of a lot; the flow goes pallet by pallet through the first ten,
 * then case by case through the rest. */
enum {
    F_COMMISSION,
    F_PACK,
    F_PALLET,
    F_SHIP_PD,
    F_RECV_D,
    F_UNPACK_PALLET,
    F_REPACK,
    F_SHIP_DW,
    F_RECV_W,
    F_UNPACK_MIXED,
    F_SHIP_WR,
    F_RECV_R,
    F_UNPACK_CASE,
    F_SELL,
    F_DONE
};

/* A party that ships and receives: GS1 keys and its USCC. */
typedef struct tc_party {
    sc_party gs1;
    char uscc[20];
} tc_party;

/* Where a step happens: whose keys, which location, whose custody. */
typedef struct tc_site {
    sc_party *gs1;
    int loc;
    const char *uscc;
} tc_site;

typedef struct tc_flow {
    int step;
    bool batch;
    tc_party *prod, *dist, *whs; /* distributor of the current pallet,
                                    wholesaler of the current mixed one */
    int item, per_case, cases, per_pallet, group_min, group_max;
    char lot[32];
    uint64_t serial0, case0, pallet0; /* producer's first serial and SSCCs */
    uint64_t mixed;                   /* the distributor's current pallet */
    uint64_t desadv;                  /* document of the current shipment */
    int c, p, g0, g1; /* case, pallet, cases [g0, g1) of the mixed pallet */
    int store, done, goal;
    uint16_t *wh_of;    /* wholesaler of each case */
    uint16_t *store_of; /* batch: the store of each case */
} tc_flow;

struct tc_gen {
    sc_gen *sc;          /* randomness, the clock and the JSON writers */
    uint64_t rng2, seen; /* the sample's own randomness; units seen */
    uint64_t events, n, batch_start, stride;
    tc_party prod[TC_PRODUCERS], dist[TC_DISTRIBUTORS], whs[TC_WHOLESALERS];
    sc_party chain[TC_CHAINS];
    char (*store_uscc)[20];
    tc_flow flow[TC_FLOWS], bflow;
    bool batch_started;
    tc_batch batch;
    uint64_t batch_serial0;
    char (*sample)[TC_ID_MAX];
    size_t n_sample;
};

static const char *const regions[] = {
    "110105", "310115", "350100", "440300", "330100",
    "320500", "510100", "420100", "370200", "210200",
};

/* ---- Parties ------------------------------------------------------------ */

/* A valid USCC: department and type (e.g. "91"), region, the GB 11714
 * organisation code made from n with its check character, and the USCC
 * check character (lib/code/uscc.c has the rules). */
static void make_uscc(char out[20], const char *kind, const char *region,
                      uint64_t n)
{
    static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const unsigned weight[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    char org[9];
    unsigned sum = 0, w = 1, c;

    snprintf(org, sizeof org, "%08llu", (unsigned long long)(n % 100000000));
    for (int i = 0; i < 8; i++)
        sum += (unsigned)(org[i] - '0') * weight[i];
    c = 11 - sum % 11;
    snprintf(out, 20, "%.2s%.6s%s%c", kind, region, org,
             c == 10   ? 'X'
             : c == 11 ? '0'
                       : (char)('0' + c));
    sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (unsigned)(strchr(alpha, out[i]) - alpha) * w;
        w = w * 3 % 31;
    }
    out[17] = alpha[(31 - sum % 31) % 31];
    out[18] = '\0';
}

static void tc_party_init(tc_gen *g, tc_party *p, int kind, long gcp, int i,
                          uint64_t org)
{
    party_init(g->sc, &p->gs1, kind, gcp, i);
    make_uscc(p->uscc, "91", regions[i % 10], org);
}

uint64_t tc_batch_cases(uint64_t events)
{
    uint64_t c = events / TC_EVENTS_PER_CASE;

    return c < TC_BATCH_CASES_MIN   ? TC_BATCH_CASES_MIN
           : c > TC_BATCH_CASES_MAX ? TC_BATCH_CASES_MAX
                                    : c;
}

tc_gen *tc_new(uint64_t seed, uint64_t events)
{
    tc_gen *g = calloc(1, sizeof *g);
    uint64_t bound, cases = tc_batch_cases(events);

    if (!g || !(g->sc = sc_new(seed)) ||
        !(g->store_uscc = calloc(TC_STORES, sizeof *g->store_uscc)) ||
        !(g->sample = calloc(TC_SAMPLE, sizeof *g->sample))) {
        tc_free(g);
        return NULL;
    }
    g->rng2 = seed ^ 0x5A5A5A5A5A5A5A5AULL;
    g->events = events;
    for (int i = 0; i < TC_PRODUCERS; i++)
        tc_party_init(g, &g->prod[i], SC_UNITS, 6900000L + i * 137L, i,
                      10000000ULL + (uint64_t)i * 7919);
    for (int i = 0; i < TC_DISTRIBUTORS; i++)
        tc_party_init(g, &g->dist[i], SC_DIST, 6930000L + i * 211L, i,
                      20000000ULL + (uint64_t)i * 7919);
    for (int i = 0; i < TC_WHOLESALERS; i++)
        tc_party_init(g, &g->whs[i], SC_DIST, 6940000L + i * 23L, i,
                      30000000ULL + (uint64_t)i * 7919);
    for (int i = 0; i < TC_CHAINS; i++)
        party_init(g->sc, &g->chain[i], SC_RETAIL, 6950000L + i * 89L, i);
    /* Stores: franchised (92, individual businesses) and owned (91). */
    for (int s = 0; s < TC_STORES; s++)
        make_uscc(g->store_uscc[s], s % 3 ? "91" : "92", regions[s % 10],
                  40000000ULL + (uint64_t)s * 7919);
    for (int i = 0; i < TC_FLOWS; i++)
        g->flow[i].step = F_DONE;

    /* The batch: a tenth of the events in, then one event every `stride`,
     * so its flow ends within the next eight tenths. At most per case:
     * commissioning, packing, shipping, receiving, unpacking and
     * TC_BATCH_PER_CASE - 1 sales; four events a pallet and a mixed pallet
     * (at least 15 cases each, one more per pallet). */
    bound = cases * (5 + TC_BATCH_PER_CASE - 1) +
            4 * (cases / TC_BATCH_PALLET + 1) +
            4 * (cases / 15 + cases / TC_BATCH_PALLET + 1);
    g->batch_start = events / 10;
    g->stride = events * 8 / 10 / bound;
    if (g->stride == 0)
        g->stride = 1;
    g->batch.cases = cases;
    return g;
}

void tc_free(tc_gen *g)
{
    if (!g)
        return;
    for (int i = 0; i < TC_FLOWS; i++)
        free(g->flow[i].wh_of);
    free(g->bflow.wh_of);
    free(g->bflow.store_of);
    free(g->store_uscc);
    free(g->sample);
    sc_free(g->sc);
    free(g);
}

const tc_batch *tc_batch_get(const tc_gen *g)
{
    return &g->batch;
}

const char (*tc_sample(const tc_gen *g, size_t *n))[TC_ID_MAX]
{
    *n = g->n_sample;
    return (const char(*)[TC_ID_MAX])g->sample;
}

void tc_batch_unit(const tc_gen *g, uint64_t i, char out[TC_ID_MAX])
{
    sgtin(out, &g->prod[TC_BATCH_PRODUCER].gs1, TC_BATCH_ITEM,
          g->batch_serial0 + i);
}

/* ---- Master data -------------------------------------------------------- */

static void gtin_of(char out[16], const sc_party *p, int item)
{
    char d[16];

    snprintf(d, sizeof d, "0%s%05d", p->gcp, item);
    with_check(out, 16, d);
}

int tc_master(tc_gen *g, int (*put)(void *arg, int kind, const char *json),
              void *arg)
{
    static const char *const goods[] = {"乳粉", "米粉",   "食用油",
                                        "酱油", "饮用水", "面粉"};
    char json[512], gtin[16];
    int rc = 0;

    for (int i = 0; i < TC_PRODUCERS && rc == 0; i++) {
        const tc_party *p = &g->prod[i];

        snprintf(json, sizeof json,
                 "{\"uscc\":\"%s\",\"name\":\"%s食品有限公司%03d\","
                 "\"roles\":[\"producer\"],\"region\":\"%.6s\","
                 "\"gcp\":[\"%s\"]}",
                 p->uscc, brands[i % 12], i, p->uscc + 2, p->gs1.gcp);
        rc = put(arg, 1, json);
        for (int k = 1; k <= p->gs1.n_items && rc == 0; k++) {
            gtin_of(gtin, &p->gs1, k);
            snprintf(json, sizeof json,
                     "{\"gtin\":\"%s\",\"producer\":\"%s\","
                     "\"name\":\"%s %d\"}",
                     gtin, p->uscc, goods[(i + k) % 6], k);
            rc = put(arg, 3, json);
        }
    }
    if (rc == 0) {
        gtin_of(gtin, &g->prod[TC_BATCH_PRODUCER].gs1, TC_BATCH_ITEM);
        snprintf(json, sizeof json, "{\"product\":\"%s\",\"lot\":\"%s\"}", gtin,
                 strrchr(g->batch.code, '/') + 1);
        rc = put(arg, 4, json);
    }
    return rc;
}

/* ---- Lots --------------------------------------------------------------- */

/* The sample: every commissioned unit has the same chance to be in it. */
static void sample_unit(tc_gen *g, const char *code)
{
    uint64_t z = (g->rng2 += 0x9E3779B97F4A7C15ULL), j;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    j = g->seen++ < TC_SAMPLE ? g->seen - 1 : z % g->seen;
    if (j < TC_SAMPLE) {
        snprintf(g->sample[j], TC_ID_MAX, "%s", code);
        if (g->n_sample <= j)
            g->n_sample = j + 1;
    }
}

static void lot_name(tc_gen *g, tc_flow *f, char prefix)
{
    time_t t = (time_t)(g->sc->clock_ms / 1000 + SC_TZ_SEC);
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(f->lot, sizeof f->lot, "%c%02d%02d%02d%03d", prefix,
             tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday,
             f->prod->gs1.lot_seq++ % 1000);
}

/* Take the lot's serials and SSCCs from its producer. */
static void flow_keys(tc_flow *f)
{
    sc_party *p = &f->prod->gs1;
    uint64_t pallets =
        (uint64_t)((f->cases + f->per_pallet - 1) / f->per_pallet);

    f->serial0 = p->serial[f->item - 1];
    p->serial[f->item - 1] += (uint64_t)f->cases * (uint64_t)f->per_case;
    f->case0 = p->sscc;
    f->pallet0 = p->sscc + (uint64_t)f->cases;
    p->sscc += (uint64_t)f->cases + pallets;
}

static int lot_start(tc_gen *g, tc_flow *f)
{
    sc_gen *s = g->sc;
    uint16_t *wh_of = f->wh_of;

    memset(f, 0, sizeof *f);
    if (!wh_of && !(wh_of = calloc(TC_BG_CASES_MAX, sizeof *wh_of)))
        return YIMA_ENOMEM;
    f->wh_of = wh_of;
    f->prod = &g->prod[rnd(s) % TC_PRODUCERS];
    f->item = 1 + (int)(rnd(s) % (uint64_t)f->prod->gs1.n_items);
    f->per_case = (int)rnd_in(s, 6, 10);
    f->cases = (int)rnd_in(s, 4, TC_BG_CASES_MAX);
    f->per_pallet = (int)rnd_in(s, 4, 16);
    f->group_min = 2;
    f->group_max = f->per_pallet;
    lot_name(g, f, 'L');
    flow_keys(f);
    f->step = F_COMMISSION;
    return 0;
}

static int batch_start(tc_gen *g)
{
    tc_flow *f = &g->bflow;
    tc_batch *b = &g->batch;
    sc_gen *s = g->sc;
    uint16_t *perm;
    char gtin[16];
    int n = (int)b->cases;

    f->batch = true;
    f->prod = &g->prod[TC_BATCH_PRODUCER];
    f->item = TC_BATCH_ITEM;
    f->per_case = TC_BATCH_PER_CASE;
    f->cases = n;
    f->per_pallet = TC_BATCH_PALLET;
    f->group_min = 15;
    f->group_max = 30;
    lot_name(g, f, 'B');
    flow_keys(f);
    g->batch_serial0 = f->serial0;
    if (!(f->wh_of = calloc((size_t)n, sizeof *f->wh_of)) ||
        !(perm = calloc(TC_STORES, sizeof *perm)))
        return YIMA_ENOMEM;
    /* Each case to a different store: the first n of a shuffle. */
    for (int i = 0; i < TC_STORES; i++)
        perm[i] = (uint16_t)i;
    for (int i = 0; i < n; i++) {
        int j = i + (int)(rnd(s) % (uint64_t)(TC_STORES - i));
        uint16_t t = perm[i];

        perm[i] = perm[j];
        perm[j] = t;
    }
    f->store_of = perm;
    gtin_of(gtin, &f->prod->gs1, f->item);
    snprintf(b->code, sizeof b->code, "https://id.gs1.org/01/%s/10/%s", gtin,
             f->lot);
    snprintf(b->producer, sizeof b->producer, "%s", f->prod->uscc);
    b->units = (uint64_t)n * TC_BATCH_PER_CASE;
    f->step = F_COMMISSION;
    g->batch_started = true;
    return 0;
}

/* ---- JSON --------------------------------------------------------------- */

static void put_sscc(tc_gen *g, yima_buf *b, const sc_party *p, int ext,
                     uint64_t ref)
{
    char id[TC_ID_MAX];

    sscc(id, p, ext, ref);
    put_id(g->sc, b, id);
}

/* ,"key":[SSCC, ...] of cases [from, to) of the flow. */
static void put_cases(tc_gen *g, yima_buf *b, const char *key, const tc_flow *f,
                      int from, int to)
{
    yima_buf_printf(b, ",\"%s\":[", key);
    for (int i = from; i < to; i++) {
        if (i > from)
            yima_buf_putc(b, ',');
        put_sscc(g, b, &f->prod->gs1, 1, f->case0 + (uint64_t)i);
    }
    yima_buf_putc(b, ']');
}

/* An AggregationEvent of parent (party p's SSCC, extension ext). */
static void put_aggregation(tc_gen *g, yima_buf *b, const sc_party *p, int ext,
                            uint64_t ref)
{
    put_begin(g->sc, b, "AggregationEvent");
    yima_buf_puts(b, ",\"parentID\":");
    put_sscc(g, b, p, ext, ref);
}

/* An ObjectEvent naming one container. */
static void put_container(tc_gen *g, yima_buf *b, const sc_party *p, int ext,
                          uint64_t ref)
{
    put_begin(g->sc, b, "ObjectEvent");
    yima_buf_puts(b, ",\"epcList\":[");
    put_sscc(g, b, p, ext, ref);
    yima_buf_putc(b, ']');
}

/* Shipping (ship) or receiving between two sites: the despatch advice, and
 * custody from the holder (source) to the receiver (destination). */
static void put_shipment(tc_gen *g, yima_buf *b, tc_flow *f, bool ship,
                         const tc_site *from, const tc_site *to)
{
    char rp[TC_ID_MAX], bl[TC_ID_MAX], id[TC_ID_MAX];

    if (ship) {
        f->desadv = from->gs1->doc++;
        sgln(rp, from->gs1, from->loc, 1);
        put_what(b, "OBSERVE", "shipping", "in_transit");
        put_where(g->sc, b, rp, NULL);
    } else {
        sgln(rp, to->gs1, to->loc, 1);
        sgln(bl, to->gs1, to->loc, 0);
        put_what(b, "OBSERVE", "receiving", "in_progress");
        put_where(g->sc, b, rp, bl);
    }
    gdti(id, from->gs1, f->desadv);
    yima_buf_puts(b, ",\"bizTransactionList\":[{\"type\":\"desadv\","
                     "\"bizTransaction\":");
    put_id(g->sc, b, id);
    yima_buf_printf(b,
                    "}],\"sourceList\":[{\"type\":\"owning_party\","
                    "\"source\":\"urn:yima:uscc:%s\"}],"
                    "\"destinationList\":[{\"type\":\"owning_party\","
                    "\"destination\":\"urn:yima:uscc:%s\"}]",
                    from->uscc, to->uscc);
}

/* ---- Steps -------------------------------------------------------------- */

static tc_site site(tc_party *p, int loc)
{
    return (tc_site){&p->gs1, loc, p->uscc};
}

static tc_site store_site(tc_gen *g, int s)
{
    return (tc_site){&g->chain[s % TC_CHAINS], SC_STORE0 + s / TC_CHAINS,
                     g->store_uscc[s]};
}

static int pallet_end(const tc_flow *f)
{
    int end = (f->p + 1) * f->per_pallet;

    return end < f->cases ? end : f->cases;
}

/* The next case goes to its store, or the lot is done. */
static void next_case(tc_gen *g, tc_flow *f)
{
    f->step = ++f->c < f->cases ? F_SHIP_WR : F_DONE;
    if (f->step == F_DONE && f->batch)
        g->batch.done = true;
}

/* Steps at the producer, the distributor and the wholesaler. */
static void step_upstream(tc_gen *g, yima_buf *b, tc_flow *f)
{
    sc_gen *s = g->sc;
    sc_party *p = &f->prod->gs1;
    int begin = f->p * f->per_pallet, end = pallet_end(f);
    uint64_t unit0 = f->serial0 + (uint64_t)f->c * (uint64_t)f->per_case;
    char rp[TC_ID_MAX], bl[TC_ID_MAX], id[TC_ID_MAX];
    tc_site from, to;

    switch (f->step) {
    case F_COMMISSION:
        sgln(rp, p, SC_FACTORY_LOC, 1 + f->item % 4);
        sgln(bl, p, SC_FACTORY_LOC, 0);
        put_begin(s, b, "ObjectEvent");
        put_units(s, b, "epcList", p, f->item, unit0, f->per_case);
        put_what(b, "ADD", "commissioning", "active");
        put_where(s, b, rp, bl);
        yima_buf_printf(b, ",\"ilmd\":{\"cbvmda:lotNumber\":\"%s\"}", f->lot);
        for (int i = 0; i < f->per_case; i++) {
            sgtin(id, p, f->item, unit0 + (uint64_t)i);
            sample_unit(g, id);
        }
        f->step = F_PACK;
        break;
    case F_PACK:
        sgln(rp, p, SC_FACTORY_LOC, 1 + f->item % 4);
        put_aggregation(g, b, p, 1, f->case0 + (uint64_t)f->c);
        put_units(s, b, "childEPCs", p, f->item, unit0, f->per_case);
        put_what(b, "ADD", "packing", "in_progress");
        put_where(s, b, rp, NULL);
        f->step = ++f->c < end ? F_COMMISSION : F_PALLET;
        break;
    case F_PALLET:
        sgln(rp, p, SC_DOCK_LOC, 2);
        put_aggregation(g, b, p, 3, f->pallet0 + (uint64_t)f->p);
        put_cases(g, b, "childEPCs", f, begin, end);
        put_what(b, "ADD", "packing", "in_progress");
        put_where(s, b, rp, NULL);
        f->dist = &g->dist[rnd(s) % TC_DISTRIBUTORS];
        f->step = F_SHIP_PD;
        break;
    case F_SHIP_PD:
    case F_RECV_D:
        from = site(f->prod, SC_DOCK_LOC);
        to = site(f->dist, SC_WAREHOUSE0);
        put_container(g, b, p, 3, f->pallet0 + (uint64_t)f->p);
        put_shipment(g, b, f, f->step == F_SHIP_PD, &from, &to);
        f->step++;
        break;
    case F_UNPACK_PALLET:
        sgln(rp, &f->dist->gs1, SC_WAREHOUSE0, 2);
        put_aggregation(g, b, p, 3, f->pallet0 + (uint64_t)f->p);
        put_cases(g, b, "childEPCs", f, begin, end);
        put_what(b, "DELETE", "unpacking", "in_progress");
        put_where(s, b, rp, NULL);
        f->g0 = begin;
        f->step = F_REPACK;
        break;
    case F_REPACK: {
        int n = (int)rnd_in(s, f->group_min, f->group_max);

        f->g1 = f->g0 + n < end ? f->g0 + n : end;
        f->whs = &g->whs[rnd(s) % TC_WHOLESALERS];
        f->mixed = f->dist->gs1.sscc++;
        for (int i = f->g0; i < f->g1; i++)
            f->wh_of[i] = (uint16_t)(f->whs - g->whs);
        sgln(rp, &f->dist->gs1, SC_WAREHOUSE0, 3);
        put_aggregation(g, b, &f->dist->gs1, 3, f->mixed);
        put_cases(g, b, "childEPCs", f, f->g0, f->g1);
        put_what(b, "ADD", "packing", "in_progress");
        put_where(s, b, rp, NULL);
        if (f->batch)
            g->batch.mixed++;
        f->step = F_SHIP_DW;
        break;
    }
    case F_SHIP_DW:
    case F_RECV_W:
        from = site(f->dist, SC_WAREHOUSE0);
        to = site(f->whs, SC_WAREHOUSE0);
        put_container(g, b, &f->dist->gs1, 3, f->mixed);
        put_shipment(g, b, f, f->step == F_SHIP_DW, &from, &to);
        f->step++;
        break;
    case F_UNPACK_MIXED:
        sgln(rp, &f->whs->gs1, SC_WAREHOUSE0, 2);
        put_aggregation(g, b, &f->dist->gs1, 3, f->mixed);
        put_cases(g, b, "childEPCs", f, f->g0, f->g1);
        put_what(b, "DELETE", "unpacking", "in_progress");
        put_where(s, b, rp, NULL);
        f->g0 = f->g1;
        if (f->g0 < end) {
            f->step = F_REPACK;
        } else {
            if (f->batch)
                g->batch.pallets++;
            f->p++;
            f->step = f->c < f->cases ? F_COMMISSION : F_SHIP_WR;
            if (f->step == F_SHIP_WR)
                f->c = 0;
        }
        break;
    }
}

/* Steps from the wholesaler to the store and its customers. */
static void step_retail(tc_gen *g, yima_buf *b, tc_flow *f)
{
    sc_gen *s = g->sc;
    sc_party *p = &f->prod->gs1;
    uint64_t unit0 = f->serial0 + (uint64_t)f->c * (uint64_t)f->per_case;
    tc_site from = site(&g->whs[f->wh_of[f->c]], SC_WAREHOUSE0), to;
    char rp[TC_ID_MAX], bl[TC_ID_MAX];

    if (f->step == F_SHIP_WR)
        f->store =
            f->batch ? f->store_of[f->c] : (int)(rnd(s) % (uint64_t)TC_STORES);
    to = store_site(g, f->store);
    switch (f->step) {
    case F_SHIP_WR:
    case F_RECV_R:
        put_container(g, b, p, 1, f->case0 + (uint64_t)f->c);
        put_shipment(g, b, f, f->step == F_SHIP_WR, &from, &to);
        f->step++;
        break;
    case F_UNPACK_CASE:
        sgln(rp, to.gs1, to.loc, 1);
        sgln(bl, to.gs1, to.loc, 0);
        put_aggregation(g, b, p, 1, f->case0 + (uint64_t)f->c);
        put_units(s, b, "childEPCs", p, f->item, unit0, f->per_case);
        put_what(b, "DELETE", "unpacking", "sellable_accessible");
        put_where(s, b, rp, bl);
        f->done = 0;
        /* The batch's stores keep at least one unit each; other lots
         * mostly sell out. */
        f->goal = f->batch ? (int)rnd_in(s, 0, f->per_case - 1)
                           : f->per_case - (int)rnd_in(s, 0, f->per_case / 4);
        if (f->batch)
            g->batch.holders++;
        if (f->goal == 0)
            next_case(g, f);
        else
            f->step = F_SELL;
        break;
    case F_SELL: {
        int k = (int)rnd_in(s, 1, 2);

        if (k > f->goal - f->done)
            k = f->goal - f->done;
        sgln(rp, to.gs1, to.loc, (int)rnd_in(s, 2, 9)); /* a till */
        put_begin(s, b, "ObjectEvent");
        put_units(s, b, "epcList", p, f->item, unit0 + (uint64_t)f->done, k);
        put_what(b, "OBSERVE", "retail_selling", "retail_sold");
        put_where(s, b, rp, NULL);
        if (f->batch)
            g->batch.sold += (uint64_t)k;
        f->done += k;
        if (f->done >= f->goal)
            next_case(g, f);
        break;
    }
    }
}

int tc_next(tc_gen *g, yima_buf *out)
{
    tc_flow *f;
    uint64_t n = g->n++;
    int rc;

    if (!g->batch_started && n >= g->batch_start) {
        if ((rc = batch_start(g)) != 0)
            return rc;
        f = &g->bflow;
    } else if (g->batch_started && !g->batch.done &&
               (n - g->batch_start) % g->stride == 0) {
        f = &g->bflow;
    } else {
        f = &g->flow[rnd(g->sc) % TC_FLOWS];
        if (f->step == F_DONE && (rc = lot_start(g, f)) != 0)
            return rc;
    }
    if (f->batch)
        g->batch.events++;
    /* Strictly later than the last event: no two events are alike. */
    g->sc->clock_ms += rnd_in(g->sc, 100, 1000);
    if (f->step < F_SHIP_WR)
        step_upstream(g, out, f);
    else
        step_retail(g, out, f);
    yima_buf_puts(out, "}\n");
    return out->failed ? YIMA_ENOMEM : 0;
}
