/*
 * trace_int.h - private to lib/trace/: events as the trace sees them, the
 * custody replay and the quantity ledger. yima/trace.h is the interface.
 *
 *   file         job
 *   -----------  ------------------------------------------------------
 *   trace.c      the public entry: check the code and time, dispatch
 *   arena.c      one arena and string maps per trace (freed at once)
 *   event.c      a canonical event's JSON into a tr_event (cached)
 *   load.c       the events of a code or of a query, in eventTime order
 *   party.c      who a source/destination code or a unit's producer is
 *   custody.c    the custody replay of one unit (rules in yima/trace.h)
 *   quantity.c   balances per party of goods traced by quantity
 *   backward.c   the backward trace JSON, with transformation inputs
 *   forward.c    the scope's units and classes, and their holders
 *   state.c      the custody state kept in the store, and the capture
 *                rule (yima_trace_catch_up, yima_trace_admit)
 */
#ifndef YIMA_TRACE_INT_H
#define YIMA_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "yima/code.h"
#include "yima/event.h"
#include "yima/store.h"
#include "yima/trace.h"

#define TR_CONSUMER "consumer"

/* ---- arena.c ------------------------------------------------------------ */

typedef struct tr_block tr_block;

/* A string-keyed hash map; keys are copied into the arena, values are the
 * caller's. */
typedef struct tr_map {
    const char **key;
    void **val;
    size_t n, mask; /* entries; slots - 1 (0: none yet) */
} tr_map;

/* A growable array of pointers (malloc, tr_vec_free). */
typedef struct tr_vec {
    void **v;
    size_t n, cap;
} tr_vec;

/* The state of one trace. */
typedef struct tr_ctx {
    yima_store *st;
    yima_error *err;
    int64_t at;      /* only events with eventTime <= at */
    tr_block *arena; /* everything below lives here */
    int rc;          /* the first store failure (not ENOTFOUND), or 0 */
    tr_map events;   /* "ledger index" -> tr_event */
    tr_map parties;  /* source/destination code -> party shown */
    tr_map makers;   /* GTIN or code -> producer shown ("" none) */
    tr_map rows;     /* code -> tr_row: custody rows read or changed */
    tr_vec dirty;    /* tr_row changed since the last tr_state_flush */
    tr_map packed;   /* container -> tr_vec of tr_row packed in it since */
    tr_map batches;  /* "gtin|lot" -> canonical batch code ("" none) */
    yima_code code;  /* scratch for yima_code_parse() */
} tr_ctx;

void tr_ctx_init(tr_ctx *c, yima_store *st, int64_t at, yima_error *err);
void tr_ctx_free(tr_ctx *c);

/* Keep rc (not 0) and e's message as the trace's first failure, unless
 * one is kept already. */
void tr_fail(tr_ctx *c, int rc, const yima_error *e);

/* Memory from the arena (zeroed), or NULL (sets c->rc to YIMA_ENOMEM). */
void *tr_alloc(tr_ctx *c, size_t n);
char *tr_strdup(tr_ctx *c, const char *s);

/* The value of key, or NULL. */
void *tr_map_get(const tr_map *m, const char *key);
/* Set key's value (NULL values are not allowed). Returns 0 or
 * YIMA_ENOMEM. */
int tr_map_put(tr_ctx *c, tr_map *m, const char *key, void *val);

int tr_vec_push(tr_vec *v, void *p);
bool tr_vec_has(const tr_vec *v, const char *s); /* strings: strcmp */
void tr_vec_free(tr_vec *v);

/* ---- event.c ------------------------------------------------------------ */

typedef struct tr_strs {
    const char **v;
    size_t n;
} tr_strs;

/* One quantity element: its class (canonical), quantity and uom ("" when
 * not given). */
typedef struct tr_qty {
    const char *cls;
    double q;
    const char *uom;
} tr_qty;

typedef struct tr_qtys {
    tr_qty *v;
    size_t n;
} tr_qtys;

/* An event as the trace uses it. Codes are canonical (as given when no
 * scheme knows them); words are CBV bare words when they are CBV. */
typedef struct tr_event {
    uint64_t index;
    int64_t t;        /* eventTime, UTC ms */
    const char *time; /* eventTime as recorded */
    const char *id;   /* eventID */
    yima_event_type type;
    char action;        /* 'A' ADD, 'O' OBSERVE, 'D' DELETE, 0 none */
    const char *step;   /* bizStep, or NULL */
    const char *place;  /* bizLocation.id, else readPoint.id, or NULL */
    const char *parent; /* parentID, or NULL */
    tr_strs epcs;       /* epcList */
    tr_strs lots;       /* for each of epcs: its lot (own AI 10, else the
                           ILMD lotNumber), or NULL */
    tr_strs children, inputs, outputs;
    tr_qtys qty; /* quantityList, childQuantityList */
    tr_qtys in_qty, out_qty;
    const char *src, *dst; /* owning_party, else possessing_party, of the
                              source / destination list, or NULL */
    bool sale;             /* retail_selling or retail_sold */
} tr_event;

/* The event of ledger index `index` from its canonical JSON, parsed once
 * per trace. NULL with c->rc set when it cannot be read. */
tr_event *tr_event_get(tr_ctx *c, uint64_t index, const char *json, size_t len);

/* The canonical form of s (an arena copy), or s itself when no scheme
 * knows it; NULL when out of memory. */
const char *tr_canon(tr_ctx *c, const char *s, size_t n);

bool tr_strs_has(const tr_strs *s, const char *code);

/* ---- load.c ------------------------------------------------------------- */

/* Events sorted by eventTime, ties in ledger order, up to c->at. */
typedef struct tr_list {
    tr_event **v;
    size_t n, cap;
} tr_list;

/* The events of code (yima_store_events: its containers' too). */
int tr_load_code(tr_ctx *c, const char *code, tr_list *out);
/* The events a query selects. */
int tr_load_query(tr_ctx *c, const yima_query *q, tr_list *out);
void tr_list_free(tr_list *l);

/* ---- party.c ------------------------------------------------------------ */

/* The party a source/destination code names: a bare USCC, a GLN mapped to
 * its party's USCC (or the 13 digits), or the code as given. */
const char *tr_party(tr_ctx *c, const char *code);

/* The producer of a unit, batch or product code (product master data,
 * else the party of the GS1 company prefix, else the party a platform
 * code was issued to), or NULL when unknown. */
const char *tr_producer(tr_ctx *c, const char *code);

/* The party that brings `code` into being with event ev: its destination,
 * else its source, else the producer. NULL when unknown. */
const char *tr_origin(tr_ctx *c, const tr_event *ev, const char *code);

/* ---- custody.c / quantity.c ---------------------------------------------- */

/* One hand-over. */
typedef struct tr_step {
    const char *party;
    const tr_event *ev;
    double q; /* goods by quantity: how much; uom NULL otherwise */
    const char *uom;
    const char *over; /* why the event over-ships, or NULL */
} tr_step;

typedef enum tr_end {
    TR_UNKNOWN = 0, /* nobody is known to hold it */
    TR_HELD,
    TR_SOLD,       /* last step is the consumer */
    TR_TRANSFORMED /* an input of a transformation */
} tr_end;

/* A balance of goods by quantity. */
typedef struct tr_bal {
    const char *party; /* NULL: consumers */
    const char *uom;
    double q;
} tr_bal;

typedef struct tr_chain {
    tr_step *v;
    size_t n, cap;
    tr_vec containers; /* codes, first packing first */
    tr_vec made_by;    /* transformation events with the code as output */
    tr_end end;
    const tr_event *end_ev; /* the transformation that consumed it */
    tr_bal *bal;            /* quantity: balances, consumers' too */
    size_t nbal, capbal;
} tr_chain;

/* Replay the custody of unit `code` over its events. */
int tr_custody(tr_ctx *c, const char *code, const tr_list *events,
               tr_chain *out);
/* Replay the balances of class `code` (quantity goods) over its events. */
int tr_quantity(tr_ctx *c, const char *code, const tr_list *events,
                tr_chain *out);
/* Does any event trace `code` by quantity? */
bool tr_is_quantity(const tr_list *events, const char *code);
int tr_chain_push(tr_chain *ch, const char *party, const tr_event *ev);
void tr_chain_free(tr_chain *ch);

/* ---- backward.c / forward.c --------------------------------------------- */

int tr_backward(tr_ctx *c, const char *code, json_t **out);
int tr_forward(tr_ctx *c, const char *code, json_t **out);

/* A custody step as JSON, shared by both directions. */
json_t *tr_step_json(const tr_step *s);
/* A quantity as a JSON number: an integer when it is one. */
json_t *tr_number(double q);

/* ---- state.c ------------------------------------------------------------ */

/* yima_store_custody.state: one of these, and ST_PARENT when something was
 * ever packed in the code. */
#define ST_NONE        0 /* no row: no event has named it */
#define ST_UNKNOWN     1 /* named, but nobody is known to hold it */
#define ST_HELD        2
#define ST_SOLD        3
#define ST_TRANSFORMED 4 /* replayed when traced (the outputs are needed) */
#define ST_REPLAY      5 /* an event came out of eventTime order: replay */
#define ST_MASK        15
#define ST_PARENT      16

/* The row of code (state ST_NONE when there is none), from the store. */
int tr_state_get(tr_ctx *c, const char *code, yima_store_custody *row);

/* A custody row as state.c changes it: strings live in the arena (or are
 * the trace's own party strings), written back by tr_state_flush. */
typedef struct tr_row {
    const char *code;
    const char *holder;    /* NULL: none */
    const char *container; /* NULL: none */
    int state;
    int64_t t;
    bool dirty;
} tr_row;

/* Apply one event to the rows (kept in c->rows until flushed). */
int tr_state_apply(tr_ctx *c, const tr_event *ev);
/* Write the changed rows to the store, inside a write transaction. */
int tr_state_flush(tr_ctx *c);

#endif /* YIMA_TRACE_INT_H */
