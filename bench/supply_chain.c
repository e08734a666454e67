/*
 * supply_chain.c - the generator of supply_chain.h: parties with GS1 keys,
 * flows as small state machines (one event per step), and the EPCIS 2.0
 * JSON of each event. #included by bench_ingest.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yima/error.h"
#include "supply_chain.h"

#define SC_PRODUCERS    40
#define SC_DISTRIBUTORS 12
#define SC_RETAILERS    60
#define SC_ITEMS_MAX    6  /* products per producer */
#define SC_FLOWS        48 /* flows under way at once */
#define SC_CASES_MAX    8  /* cases on a pallet, shipments of a lot */
#define SC_ID_MAX       192
#define SC_TZ_SEC       (8 * 3600)      /* China Standard Time, +08:00 */
#define SC_START_MS     1772380800000LL /* 2026-03-02T00:00:00+08:00 */
#define SC_PARTY_LOC    1               /* location reference of a party */
#define SC_FACTORY_LOC  10
#define SC_DOCK_LOC     20
#define SC_WAREHOUSE0   100
#define SC_STORE0       1000
#define SC_DESADV       1 /* GDTI document type: despatch advice */

enum { SC_UNITS, SC_CABLE, SC_STEEL, SC_DIST, SC_RETAIL };

typedef struct sc_party {
    int kind;
    char gcp[8];   /* GS1 company prefix, 7 digits */
    char host[40]; /* Digital Link host; "" writes EPC URNs */
    int n_items, n_sites;
    uint64_t serial[SC_ITEMS_MAX]; /* next serial number of each product */
    uint64_t sscc;                 /* next SSCC serial reference */
    uint64_t doc;                  /* next document / receipt number */
    int lot_seq;
} sc_party;

/* Steps of a flow of serialised units, and of a bulk lot. */
enum {
    U_COMMISSION,
    U_PACK,
    U_PALLET,
    U_SHIP_PD,
    U_RECV_D,
    U_UNPACK_PALLET,
    U_SHIP_DR,
    U_RECV_R,
    U_UNPACK_CASE,
    U_SELL,
    B_COMMISSION,
    B_SHIP_PD,
    B_RECV_D,
    B_SHIP_DR,
    B_RECV_R,
    B_SELL,
    SC_DONE
};

typedef struct sc_flow {
    int step;
    int i;    /* current case or shipment */
    int n;    /* cases on the pallet, or shipments of the lot */
    int done; /* units sold from the current case, or sales of a shipment */
    int goal; /* units of the case that will sell, or most sales */
    sc_party *prod, *dist;
    int item, wh; /* item reference (1..); distributor's warehouse */
    char lot[32];
    int per_case;
    uint64_t serial0, case0, pallet;
    sc_party *ret[SC_CASES_MAX];
    int store[SC_CASES_MAX];
    int64_t qty[SC_CASES_MAX]; /* bulk: milli-units shipped to each store */
    int64_t total, rest;       /* bulk: the lot; what is left at the store */
    uint64_t po, desadv;       /* documents of the current shipment */
} sc_flow;

struct sc_gen {
    uint64_t rng;
    int64_t clock_ms;
    sc_party prod[SC_PRODUCERS], dist[SC_DISTRIBUTORS], ret[SC_RETAILERS];
    sc_flow flow[SC_FLOWS];
    sc_check_fn check;
    void *check_arg;
    size_t check_left;
    int check_rc;
    sc_stats stats;
};

static const char *const brands[] = {
    "minjiang", "huaxin",    "jinlong",    "hengtong", "zhongda", "qilu",
    "baoshan",  "xingguang", "changjiang", "tianfu",   "donghai", "huanghe",
};

/* ---- Randomness: splitmix64, the same sequence everywhere -------------- */

static uint64_t rnd(sc_gen *g)
{
    uint64_t z = (g->rng += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number in lo..hi, both included. */
static int64_t rnd_in(sc_gen *g, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd(g) % (uint64_t)(hi - lo + 1));
}

/* ---- GS1 keys ------------------------------------------------------------ */

int sc_gs1_check_digit(const char *d, size_t n)
{
    int sum = 0;

    /* Weights 3, 1, 3, ... from the rightmost digit before the check. */
    for (size_t i = 0; i < n; i++)
        sum += (d[n - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
    return (10 - sum % 10) % 10;
}

/* The digits of a key with its check digit appended. */
static void with_check(char *out, size_t cap, const char *digits)
{
    size_t n = strlen(digits);

    if (n + 2 > cap) {
        out[0] = '\0';
        return;
    }
    memcpy(out, digits, n);
    out[n] = (char)('0' + sc_gs1_check_digit(digits, n));
    out[n + 1] = '\0';
}

static void gln(char out[32], const sc_party *p, int loc)
{
    char d[32];

    snprintf(d, sizeof d, "%s%05d", p->gcp, loc);
    with_check(out, 32, d);
}

static void sgtin(char *out, const sc_party *p, int item, uint64_t serial)
{
    char d[32], key[32];

    if (!p->host[0]) {
        snprintf(out, SC_ID_MAX, "urn:epc:id:sgtin:%s.0%05d.%llu", p->gcp, item,
                 (unsigned long long)serial);
        return;
    }
    snprintf(d, sizeof d, "0%s%05d", p->gcp, item);
    with_check(key, sizeof key, d);
    snprintf(out, SC_ID_MAX, "https://%s/01/%s/21/%llu", p->host, key,
             (unsigned long long)serial);
}

/* ext: the SSCC's extension digit (1 for cases, 3 for pallets). */
static void sscc(char *out, const sc_party *p, int ext, uint64_t ref)
{
    char d[32], key[32];

    if (!p->host[0]) {
        snprintf(out, SC_ID_MAX, "urn:epc:id:sscc:%s.%d%09llu", p->gcp, ext,
                 (unsigned long long)ref);
        return;
    }
    snprintf(d, sizeof d, "%d%s%09llu", ext, p->gcp, (unsigned long long)ref);
    with_check(key, sizeof key, d);
    snprintf(out, SC_ID_MAX, "https://%s/00/%s", p->host, key);
}

static void sgln(char *out, const sc_party *p, int loc, int ext)
{
    char key[32];

    if (!p->host[0]) {
        snprintf(out, SC_ID_MAX, "urn:epc:id:sgln:%s.%05d.%d", p->gcp, loc,
                 ext);
        return;
    }
    gln(key, p, loc);
    if (ext)
        snprintf(out, SC_ID_MAX, "https://%s/414/%s/254/%d", p->host, key, ext);
    else
        snprintf(out, SC_ID_MAX, "https://%s/414/%s", p->host, key);
}

static void pgln(char *out, const sc_party *p)
{
    char key[32];

    if (!p->host[0]) {
        snprintf(out, SC_ID_MAX, "urn:epc:id:pgln:%s.%05d", p->gcp,
                 SC_PARTY_LOC);
        return;
    }
    gln(key, p, SC_PARTY_LOC);
    snprintf(out, SC_ID_MAX, "https://%s/417/%s", p->host, key);
}

static void lgtin(char *out, const sc_party *p, int item, const char *lot)
{
    char d[32], key[32];

    if (!p->host[0]) {
        snprintf(out, SC_ID_MAX, "urn:epc:class:lgtin:%s.0%05d.%s", p->gcp,
                 item, lot);
        return;
    }
    snprintf(d, sizeof d, "0%s%05d", p->gcp, item);
    with_check(key, sizeof key, d);
    snprintf(out, SC_ID_MAX, "https://%s/01/%s/10/%s", p->host, key, lot);
}

/* A despatch advice of party p: a GDTI with serial number. */
static void gdti(char *out, const sc_party *p, uint64_t doc)
{
    char d[32], key[32];

    if (!p->host[0]) {
        snprintf(out, SC_ID_MAX, "urn:epc:id:gdti:%s.%05d.%llu", p->gcp,
                 SC_DESADV, (unsigned long long)doc);
        return;
    }
    snprintf(d, sizeof d, "%s%05d", p->gcp, SC_DESADV);
    with_check(key, sizeof key, d);
    snprintf(out, SC_ID_MAX, "https://%s/253/%s%llu", p->host, key,
             (unsigned long long)doc);
}

/* ---- Parties ------------------------------------------------------------- */

static void party_init(sc_gen *g, sc_party *p, int kind, long gcp, int i)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    snprintf(p->gcp, sizeof p->gcp, "%07ld", gcp);
    p->n_items = (int)rnd_in(g, 1, SC_ITEMS_MAX);
    p->n_sites = kind == SC_DIST     ? (int)rnd_in(g, 1, 3)
                 : kind == SC_RETAIL ? (int)rnd_in(g, 1, 4)
                                     : 1;
    for (int k = 0; k < SC_ITEMS_MAX; k++)
        p->serial[k] = (uint64_t)rnd_in(g, 1, 9) * 100000000ULL;
    p->sscc = (uint64_t)rnd_in(g, 0, 99999) * 1000;
    p->doc = (uint64_t)rnd_in(g, 10000, 99999);
    /* A third of the producers label with Digital Links on their own host. */
    if (kind <= SC_STEEL && i % 3 == 1)
        snprintf(p->host, sizeof p->host, "dl.%s%d.cn",
                 brands[i % (int)(sizeof brands / sizeof brands[0])], i);
}

sc_gen *sc_new(uint64_t seed)
{
    sc_gen *g = calloc(1, sizeof *g);

    if (!g)
        return NULL;
    g->rng = seed;
    g->clock_ms = SC_START_MS;
    for (int i = 0; i < SC_PRODUCERS; i++) {
        /* 60 % serialised units, 25 % cable, 15 % steel bar. */
        int kind = i % 20 < 12 ? SC_UNITS : i % 20 < 17 ? SC_CABLE : SC_STEEL;

        party_init(g, &g->prod[i], kind, 6901000L + i * 137L, i);
    }
    for (int i = 0; i < SC_DISTRIBUTORS; i++)
        party_init(g, &g->dist[i], SC_DIST, 6930000L + i * 211L, i);
    for (int i = 0; i < SC_RETAILERS; i++)
        party_init(g, &g->ret[i], SC_RETAIL, 6950000L + i * 89L, i);
    for (int i = 0; i < SC_FLOWS; i++)
        g->flow[i].step = SC_DONE;
    return g;
}

void sc_free(sc_gen *g)
{
    free(g);
}

void sc_check(sc_gen *g, size_t events, sc_check_fn fn, void *arg)
{
    g->check = fn;
    g->check_arg = arg;
    g->check_left = events;
}

const sc_stats *sc_stats_get(const sc_gen *g)
{
    return &g->stats;
}

/* ---- Flows --------------------------------------------------------------- */

static void new_lot(sc_gen *g, sc_flow *f)
{
    time_t t = (time_t)(g->clock_ms / 1000 + SC_TZ_SEC);
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(f->lot, sizeof f->lot, "L%02d%02d%02d%03d", tm.tm_year % 100,
             tm.tm_mon + 1, tm.tm_mday, f->prod->lot_seq++ % 1000);
}

static void flow_start(sc_gen *g, sc_flow *f)
{
    memset(f, 0, sizeof *f);
    f->prod = &g->prod[rnd(g) % SC_PRODUCERS];
    f->dist = &g->dist[rnd(g) % SC_DISTRIBUTORS];
    f->wh = (int)(rnd(g) % (uint64_t)f->dist->n_sites);
    f->item = 1 + (int)(rnd(g) % (uint64_t)f->prod->n_items); /* 1.. */
    new_lot(g, f);
    if (f->prod->kind == SC_UNITS) {
        f->n = (int)rnd_in(g, 3, SC_CASES_MAX);
        f->per_case = (int)rnd_in(g, 6, 24);
        f->serial0 = f->prod->serial[f->item - 1];
        f->prod->serial[f->item - 1] += (uint64_t)(f->n * f->per_case);
        f->case0 = f->prod->sscc;
        f->pallet = f->prod->sscc + (uint64_t)f->n;
        f->prod->sscc += (uint64_t)f->n + 1;
        f->step = U_COMMISSION;
    } else {
        bool cable = f->prod->kind == SC_CABLE;
        int64_t left;

        f->n = (int)rnd_in(g, 2, 5);
        /* Cable in whole metres from 100 m drums; steel bar by the kg. */
        f->total = cable ? rnd_in(g, 20, 100) * 100 * 1000 /* milli-metres */
                         : rnd_in(g, 20000, 60000);        /* kg */
        left = f->total;
        for (int i = 0; i < f->n; i++) {
            int64_t q = i == f->n - 1 ? left : f->total / f->n;

            if (cable)
                q = i == f->n - 1 ? left : q / 1000 * 1000;
            f->qty[i] = q;
            left -= q;
        }
        f->step = B_COMMISSION;
    }
    for (int i = 0; i < f->n; i++) {
        f->ret[i] = &g->ret[rnd(g) % SC_RETAILERS];
        f->store[i] = (int)(rnd(g) % (uint64_t)f->ret[i]->n_sites);
    }
}

/* ---- JSON ---------------------------------------------------------------- */

/* Write "id" (quoted) and pass it to the check function while it is on. */
static void put_id(sc_gen *g, yima_buf *b, const char *id)
{
    yima_buf_printf(b, "\"%s\"", id);
    g->stats.ids++;
    if (g->check_left && g->check && g->check_rc == 0)
        g->check_rc = g->check(g->check_arg, id);
}

static void put_begin(sc_gen *g, yima_buf *b, const char *type)
{
    time_t t = (time_t)(g->clock_ms / 1000 + SC_TZ_SEC);
    struct tm tm;

    gmtime_r(&t, &tm);
    yima_buf_printf(b,
                    "{\"type\":\"%s\",\"eventTime\":\"%04d-%02d-%02dT%02d:"
                    "%02d:%02d.%03d+08:00\",\"eventTimeZoneOffset\":"
                    "\"+08:00\"",
                    type, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min, tm.tm_sec,
                    (int)(g->clock_ms % 1000));
}

static void put_what(yima_buf *b, const char *action, const char *biz_step,
                     const char *disposition)
{
    yima_buf_printf(b,
                    ",\"action\":\"%s\",\"bizStep\":\"%s\","
                    "\"disposition\":\"%s\"",
                    action, biz_step, disposition);
}

/* readPoint, and bizLocation when biz_loc is not NULL. */
static void put_where(sc_gen *g, yima_buf *b, const char *read_point,
                      const char *biz_loc)
{
    yima_buf_puts(b, ",\"readPoint\":{\"id\":");
    put_id(g, b, read_point);
    yima_buf_putc(b, '}');
    if (biz_loc) {
        yima_buf_puts(b, ",\"bizLocation\":{\"id\":");
        put_id(g, b, biz_loc);
        yima_buf_putc(b, '}');
    }
}

/* Units of party p, product item, serials first..first+n-1. */
static void put_units(sc_gen *g, yima_buf *b, const char *key,
                      const sc_party *p, int item, uint64_t first, int n)
{
    char id[SC_ID_MAX];

    yima_buf_printf(b, ",\"%s\":[", key);
    for (int i = 0; i < n; i++) {
        if (i)
            yima_buf_putc(b, ',');
        sgtin(id, p, item, first + (uint64_t)i);
        put_id(g, b, id);
    }
    yima_buf_putc(b, ']');
}

/* Quantities in milli-units, as a JSON number without trailing zeros. */
static void put_quantity(sc_gen *g, yima_buf *b, const sc_flow *f,
                         int64_t milli)
{
    char id[SC_ID_MAX], frac[8];
    int64_t part = milli % 1000;

    lgtin(id, f->prod, f->item, f->lot);
    yima_buf_puts(b, ",\"quantityList\":[{\"epcClass\":");
    put_id(g, b, id);
    yima_buf_printf(b, ",\"quantity\":%lld", (long long)(milli / 1000));
    if (part) {
        int n = snprintf(frac, sizeof frac, "%03lld", (long long)part);

        while (n > 0 && frac[n - 1] == '0')
            frac[--n] = '\0';
        yima_buf_printf(b, ".%s", frac);
    }
    yima_buf_printf(b, ",\"uom\":\"%s\"}]",
                    f->prod->kind == SC_CABLE ? "MTR" : "TNE");
}

/* A GLN written inside a URN that is no GS1 key is checked as a Digital
 * Link. */
static void check_gln(sc_gen *g, const char key[32])
{
    char id[SC_ID_MAX];

    if (g->check_left && g->check && g->check_rc == 0) {
        snprintf(id, sizeof id, "https://id.gs1.org/414/%.13s", key);
        g->check_rc = g->check(g->check_arg, id);
    }
}

/* A purchase order of buyer: urn:epcglobal:cbv:bt:<GLN>:PO-<n>. Its GLN is
 * checked as a Digital Link (the URN itself is no GS1 key). */
static void put_transactions(sc_gen *g, yima_buf *b, const sc_party *buyer,
                             uint64_t po, const sc_party *seller,
                             uint64_t desadv)
{
    char key[32], id[SC_ID_MAX];

    gln(key, buyer, SC_PARTY_LOC);
    check_gln(g, key);
    yima_buf_printf(b,
                    ",\"bizTransactionList\":[{\"type\":\"po\","
                    "\"bizTransaction\":\"urn:epcglobal:cbv:bt:%s:PO-%llu\"},"
                    "{\"type\":\"desadv\",\"bizTransaction\":",
                    key, (unsigned long long)po);
    gdti(id, seller, desadv);
    put_id(g, b, id);
    yima_buf_puts(b, "}]");
}

/* Owning party and location, from and to. */
static void put_parties(sc_gen *g, yima_buf *b, const sc_party *from,
                        int from_loc, const sc_party *to, int to_loc)
{
    char id[SC_ID_MAX];

    yima_buf_puts(b, ",\"sourceList\":[{\"type\":\"owning_party\","
                     "\"source\":");
    pgln(id, from);
    put_id(g, b, id);
    yima_buf_puts(b, "},{\"type\":\"location\",\"source\":");
    sgln(id, from, from_loc, 0);
    put_id(g, b, id);
    yima_buf_puts(b, "}],\"destinationList\":[{\"type\":\"owning_party\","
                     "\"destination\":");
    pgln(id, to);
    put_id(g, b, id);
    yima_buf_puts(b, "},{\"type\":\"location\",\"destination\":");
    sgln(id, to, to_loc, 0);
    put_id(g, b, id);
    yima_buf_puts(b, "}]");
}

static void put_lot(yima_buf *b, const sc_flow *f)
{
    yima_buf_printf(b, ",\"ilmd\":{\"cbvmda:lotNumber\":\"%s\"}", f->lot);
}

/* ---- Steps ----------------------------------------------------------------
 */

/* Shipping (ship) or receiving of one consignment between two parties. */
static void shipment(sc_gen *g, yima_buf *b, sc_flow *f, bool ship,
                     sc_party *from, int from_loc, sc_party *to, int to_loc)
{
    char rp[SC_ID_MAX], bl[SC_ID_MAX];

    if (ship) {
        f->po = to->doc++;
        f->desadv = from->doc++;
        sgln(rp, from, from_loc, 1); /* the dock door */
        put_what(b, "OBSERVE", "shipping", "in_transit");
        put_where(g, b, rp, NULL);
    } else {
        sgln(rp, to, to_loc, 1);
        sgln(bl, to, to_loc, 0);
        put_what(b, "OBSERVE", "receiving", "in_progress");
        put_where(g, b, rp, bl);
    }
    put_transactions(g, b, to, f->po, from, f->desadv);
    put_parties(g, b, from, from_loc, to, to_loc);
}

/* One step of a flow of serialised units. */
static void step_units(sc_gen *g, yima_buf *b, sc_flow *f)
{
    int ci = f->i < f->n ? f->i : 0; /* past the last case when packed */
    sc_party *p = f->prod, *r = f->ret[ci];
    int wh = SC_WAREHOUSE0 + f->wh, st = SC_STORE0 + f->store[ci];
    char id[SC_ID_MAX], rp[SC_ID_MAX], bl[SC_ID_MAX];
    uint64_t unit0 = f->serial0 + (uint64_t)(f->i * f->per_case);

    switch (f->step) {
    case U_COMMISSION:
    case U_PACK:
        sgln(rp, p, SC_FACTORY_LOC, 1 + f->item % 4); /* the line */
        sgln(bl, p, SC_FACTORY_LOC, 0);
        if (f->step == U_COMMISSION) {
            put_begin(g, b, "ObjectEvent");
            put_units(g, b, "epcList", p, f->item, unit0, f->per_case);
            put_what(b, "ADD", "commissioning", "active");
            put_where(g, b, rp, bl);
            put_lot(b, f);
            g->stats.commission++;
            f->step = U_PACK;
            break;
        }
        put_begin(g, b, "AggregationEvent");
        yima_buf_puts(b, ",\"parentID\":");
        sscc(id, p, 1, f->case0 + (uint64_t)f->i);
        put_id(g, b, id);
        put_units(g, b, "childEPCs", p, f->item, unit0, f->per_case);
        put_what(b, "ADD", "packing", "in_progress");
        put_where(g, b, rp, bl);
        g->stats.pack++;
        f->step = ++f->i < f->n ? U_COMMISSION : U_PALLET;
        break;
    case U_PALLET:
    case U_UNPACK_PALLET:
        put_begin(g, b, "AggregationEvent");
        yima_buf_puts(b, ",\"parentID\":");
        sscc(id, p, 3, f->pallet);
        put_id(g, b, id);
        yima_buf_puts(b, ",\"childEPCs\":[");
        for (int i = 0; i < f->n; i++) {
            if (i)
                yima_buf_putc(b, ',');
            sscc(id, p, 1, f->case0 + (uint64_t)i);
            put_id(g, b, id);
        }
        yima_buf_putc(b, ']');
        if (f->step == U_PALLET) {
            sgln(rp, p, SC_DOCK_LOC, 2); /* the stretch wrapper */
            sgln(bl, p, SC_DOCK_LOC, 0);
            put_what(b, "ADD", "packing", "in_progress");
            g->stats.pack++;
            f->step = U_SHIP_PD;
        } else {
            sgln(rp, f->dist, wh, 2);
            sgln(bl, f->dist, wh, 0);
            put_what(b, "DELETE", "unpacking", "in_progress");
            g->stats.unpack++;
            f->i = 0;
            f->step = U_SHIP_DR;
        }
        put_where(g, b, rp, bl);
        break;
    case U_SHIP_PD:
    case U_RECV_D:
        put_begin(g, b, "ObjectEvent");
        yima_buf_puts(b, ",\"epcList\":[");
        sscc(id, p, 3, f->pallet);
        put_id(g, b, id);
        yima_buf_putc(b, ']');
        shipment(g, b, f, f->step == U_SHIP_PD, p, SC_DOCK_LOC, f->dist, wh);
        if (f->step == U_SHIP_PD)
            g->stats.ship++;
        else
            g->stats.receive++;
        f->step++;
        break;
    case U_SHIP_DR:
    case U_RECV_R:
        put_begin(g, b, "ObjectEvent");
        yima_buf_puts(b, ",\"epcList\":[");
        sscc(id, p, 1, f->case0 + (uint64_t)f->i);
        put_id(g, b, id);
        yima_buf_putc(b, ']');
        shipment(g, b, f, f->step == U_SHIP_DR, f->dist, wh, r, st);
        if (f->step == U_SHIP_DR)
            g->stats.ship++;
        else
            g->stats.receive++;
        f->step++;
        break;
    case U_UNPACK_CASE:
        put_begin(g, b, "AggregationEvent");
        yima_buf_puts(b, ",\"parentID\":");
        sscc(id, p, 1, f->case0 + (uint64_t)f->i);
        put_id(g, b, id);
        put_units(g, b, "childEPCs", p, f->item, unit0, f->per_case);
        sgln(rp, r, st, 1);
        sgln(bl, r, st, 0);
        put_what(b, "DELETE", "unpacking", "sellable_accessible");
        put_where(g, b, rp, bl);
        g->stats.unpack++;
        f->done = 0;
        /* Most of a case sells; the rest stays on the shelf. */
        f->goal = f->per_case - (int)rnd_in(g, 0, f->per_case / 4);
        f->step = U_SELL;
        break;
    case U_SELL: {
        int k = (int)rnd_in(g, 1, 3); /* a consumer's basket */

        if (k > f->goal - f->done)
            k = f->goal - f->done;
        put_begin(g, b, "ObjectEvent");
        put_units(g, b, "epcList", p, f->item, unit0 + (uint64_t)f->done, k);
        put_what(b, "OBSERVE", "retail_selling", "retail_sold");
        sgln(rp, r, st, (int)rnd_in(g, 2, 9)); /* a till */
        sgln(bl, r, st, 0);
        put_where(g, b, rp, bl);
        gln(bl, r, st);
        check_gln(g, bl);
        yima_buf_printf(b,
                        ",\"bizTransactionList\":[{\"type\":\"pos\","
                        "\"bizTransaction\":\"urn:epcglobal:cbv:bt:%s:R%llu\""
                        "}]",
                        bl, (unsigned long long)r->doc++);
        g->stats.sell++;
        f->done += k;
        if (f->done >= f->goal)
            f->step = ++f->i < f->n ? U_SHIP_DR : SC_DONE;
        break;
    }
    }
}

/* One step of a flow of goods traced by lot and quantity. */
static void step_bulk(sc_gen *g, yima_buf *b, sc_flow *f)
{
    sc_party *p = f->prod, *r = f->ret[f->i]; /* f->i < f->n here */
    int wh = SC_WAREHOUSE0 + f->wh, st = SC_STORE0 + f->store[f->i];
    char rp[SC_ID_MAX], bl[SC_ID_MAX];
    bool cable = p->kind == SC_CABLE;

    put_begin(g, b, "ObjectEvent");
    switch (f->step) {
    case B_COMMISSION:
        put_quantity(g, b, f, f->total);
        put_what(b, "ADD", "commissioning", "active");
        sgln(rp, p, SC_FACTORY_LOC, 1 + f->item % 4);
        sgln(bl, p, SC_FACTORY_LOC, 0);
        put_where(g, b, rp, bl);
        put_lot(b, f);
        g->stats.bulk_commission++;
        f->step = B_SHIP_PD;
        break;
    case B_SHIP_PD:
    case B_RECV_D:
        put_quantity(g, b, f, f->total);
        shipment(g, b, f, f->step == B_SHIP_PD, p, SC_DOCK_LOC, f->dist, wh);
        if (f->step == B_SHIP_PD)
            g->stats.bulk_ship++;
        else
            g->stats.bulk_receive++;
        f->i = 0;
        f->step++;
        break;
    case B_SHIP_DR:
    case B_RECV_R:
        put_quantity(g, b, f, f->qty[f->i]);
        shipment(g, b, f, f->step == B_SHIP_DR, f->dist, wh, r, st);
        if (f->step == B_SHIP_DR) {
            g->stats.bulk_ship++;
            f->step = B_RECV_R;
        } else {
            g->stats.bulk_receive++;
            f->rest = f->qty[f->i];
            f->done = 0;
            f->goal = (int)rnd_in(g, 3, 10);
            f->step = B_SELL;
        }
        break;
    case B_SELL: {
        /* Cable by the metre (half metres too), steel bar by the kg. */
        int64_t q = cable ? rnd_in(g, 10, 120) * 500 : rnd_in(g, 100, 2500);

        if (q > f->rest)
            q = f->rest;
        put_quantity(g, b, f, q);
        put_what(b, "OBSERVE", "retail_selling", "retail_sold");
        sgln(rp, r, st, (int)rnd_in(g, 2, 9));
        sgln(bl, r, st, 0);
        put_where(g, b, rp, bl);
        g->stats.bulk_sell++;
        f->rest -= q;
        if (++f->done >= f->goal || f->rest == 0)
            f->step = ++f->i < f->n ? B_SHIP_DR : SC_DONE;
        break;
    }
    }
}

int sc_next(sc_gen *g, yima_buf *out)
{
    sc_flow *f = &g->flow[rnd(g) % SC_FLOWS];

    if (f->step == SC_DONE)
        flow_start(g, f);
    /* Strictly later than the last event: no two events are alike. */
    g->clock_ms += rnd_in(g, 150, 4000);
    if (f->step < B_COMMISSION)
        step_units(g, out, f);
    else
        step_bulk(g, out, f);
    yima_buf_puts(out, "}\n");
    if (g->check_left)
        g->check_left--;
    if (g->check_rc)
        return g->check_rc;
    return out->failed ? YIMA_ENOMEM : 0;
}
