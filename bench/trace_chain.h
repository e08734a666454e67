/*
 * trace_chain.h - a deterministic, deep synthetic supply chain as NDJSON
 * EPCIS 2.0 events, with one batch that reaches thousands of holders, for
 * the trace benchmark (bench_trace.c).
 *
 * Parties: TC_PRODUCERS producers, TC_DISTRIBUTORS distributors,
 * TC_WHOLESALERS regional wholesalers and TC_STORES retail stores (each
 * store its own legal entity, in one of TC_CHAINS retail chains whose GS1
 * company prefix names its locations). Every party has a valid USCC;
 * shipping and receiving events name the holder as sourceList owning_party
 * and the receiver as destinationList owning_party, both as
 * urn:yima:uscc:<USCC>.
 *
 * A lot flows, pallet by pallet:
 *
 *   producer     commissioning of each case's units (ObjectEvent ADD, ilmd
 *                lotNumber), packing units into the case and cases into a
 *                pallet (AggregationEvent ADD), shipping the pallet
 *   distributor  receiving, unpacking the pallet (AggregationEvent DELETE),
 *                repacking its cases onto mixed pallets of the
 *                distributor's own SSCCs, one per wholesaler, shipping them
 *   wholesaler   receiving, unpacking the mixed pallet, later shipping each
 *                case to a retail store
 *   store        receiving, unpacking the case, selling units in baskets of
 *                1-2 (retail_sold): the consumer
 *
 * TC_FLOWS lots are under way at once and their events interleave; event
 * times strictly increase, so no two events share a hash ID. One lot is
 * the batch (tc_batch): TC_BATCH_PER_CASE units a case, each case to a
 * different store, every store keeping at least one unit, so the batch
 * ends with as many holders as it has cases. It starts after a tenth of the
 * events and its events are spread over the next eight tenths, so it is a
 * small part of the store (about 1 %).
 *
 * Built on the identifier and JSON writers of supply_chain.c (sc_party,
 * sgtin(), sscc(), put_begin(), ...), which must be #included before
 * trace_chain.c. The same seed and size give the same bytes everywhere.
 */
#ifndef YIMA_BENCH_TRACE_CHAIN_H
#define YIMA_BENCH_TRACE_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yima/buf.h"

#define TC_VERSION         1     /* bump when the events change */
#define TC_ID_MAX          192   /* bytes of one identifier, with NUL */
#define TC_SAMPLE          1000  /* units kept by tc_sample() */
#define TC_STORES          12000 /* retail stores */
#define TC_BATCH_CASES_MAX 10500 /* cases of the batch: its holders */
#define TC_EVENTS_PER_CASE 950   /* events of the store per batch case */
#define TC_BATCH_CASES_MIN 20

typedef struct tc_gen tc_gen;

/* The batch: what its forward trace must find. */
typedef struct tc_batch {
    char code[TC_ID_MAX];    /* https://id.gs1.org/01/{gtin}/10/{lot} */
    char producer[32];       /* its producer's USCC */
    uint64_t cases, units;   /* every case goes to a different store */
    uint64_t pallets, mixed; /* producer pallets, distributors' pallets */
    uint64_t holders;        /* stores keeping units at the end */
    uint64_t sold;           /* units sold to consumers */
    uint64_t events;         /* events of the batch's flow */
    bool done;               /* its flow ran to the end */
} tc_batch;

/* A new generator of `events` events for seed, or NULL when out of
 * memory. The batch's size follows from `events` (tc_batch_cases). */
tc_gen *tc_new(uint64_t seed, uint64_t events);

/* The cases (and so the holders) of the batch in a store of `events`. */
uint64_t tc_batch_cases(uint64_t events);

/*
 * The master data to store before the events: each producer as a party
 * (USCC, name, roles, region, gcp), each of its products, and the batch.
 * Calls put(arg, kind, json) with kind 1 party, 3 product, 4 batch
 * (yima_store_kind); a non-zero return stops and is returned.
 */
int tc_master(tc_gen *g, int (*put)(void *arg, int kind, const char *json),
              void *arg);

/* Append the next event and a newline to out. Returns 0 or YIMA_ENOMEM
 * when the buffer failed (out->failed). */
int tc_next(tc_gen *g, yima_buf *out);

/* The batch, as generated so far. */
const tc_batch *tc_batch_get(const tc_gen *g);

/* Units commissioned so far, a uniform sample of at most TC_SAMPLE: sets
 * *n and returns the codes (owned by g). */
const char (*tc_sample(const tc_gen *g, size_t *n))[TC_ID_MAX];

/* The code of unit i (0-based, < units) of the batch, as written. */
void tc_batch_unit(const tc_gen *g, uint64_t i, char out[TC_ID_MAX]);

void tc_free(tc_gen *g);

#endif /* YIMA_BENCH_TRACE_CHAIN_H */
