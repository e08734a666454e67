/*
 * supply_chain.h - a deterministic synthetic supply chain as NDJSON EPCIS 2.0
 * events, for the ingest benchmark (bench_ingest.c).
 *
 * Producers (each with its own GS1 company prefix) make serialised units or
 * goods traced by lot and quantity (cable in MTR, steel bar in TNE);
 * distributors and retailers (their own prefixes, warehouses and stores)
 * move them on to consumers. The events a flow produces, in order:
 *
 *   units  commissioning (ObjectEvent ADD, epcList of SGTINs, ilmd lot),
 *          packing units into cases and cases into a pallet
 *          (AggregationEvent ADD, parentID SSCC, childEPCs), shipping and
 *          receiving producer -> distributor (ObjectEvent OBSERVE with
 *          bizTransactionList, sourceList, destinationList), unpacking the
 *          pallet (AggregationEvent DELETE), each case shipped to a retail
 *          store, received and unpacked, then sold unit by unit in baskets
 *          (disposition retail_sold);
 *   bulk   commissioning a lot by quantity (quantityList with an LGTIN
 *          epcClass, ilmd lot), shipping and receiving the lot to a
 *          distributor, part quantities to retail stores, sales by quantity.
 *
 * Some producers write their identifiers as GS1 Digital Links on their own
 * host, the others as EPC URNs. Every GS1 key carries a valid check digit.
 * Many flows run at once and their events interleave, with event times
 * that strictly increase (so no two events are alike: distinct hash IDs).
 * The same seed gives the same bytes on every machine.
 *
 * This file and supply_chain.c are #included by bench_ingest.c (the
 * Makefile builds each bench as one translation unit).
 */
#ifndef YIMA_BENCH_SUPPLY_CHAIN_H
#define YIMA_BENCH_SUPPLY_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "yima/buf.h"

typedef struct sc_gen sc_gen;

/* Called with every GS1 identifier the generator writes (and the GLN inside
 * each purchase-order URN, as a Digital Link) while checking is on. Return 0
 * to go on; any other value makes sc_next() fail with it. */
typedef int (*sc_check_fn)(void *arg, const char *id);

/* What was generated, by kind of event. */
typedef struct sc_stats {
    uint64_t commission, pack, ship, receive, unpack, sell; /* units */
    uint64_t bulk_commission, bulk_ship, bulk_receive, bulk_sell;
    uint64_t ids; /* identifiers written */
} sc_stats;

/* A new generator for seed, or NULL when out of memory. */
sc_gen *sc_new(uint64_t seed);

/* Pass the identifiers of the next `events` events to fn(arg, id). */
void sc_check(sc_gen *g, size_t events, sc_check_fn fn, void *arg);

/* Append the next event and a newline to out. Returns 0, the check
 * function's value, or YIMA_ENOMEM when the buffer failed (out->failed). */
int sc_next(sc_gen *g, yima_buf *out);

const sc_stats *sc_stats_get(const sc_gen *g);

void sc_free(sc_gen *g);

/* The GS1 mod-10 check digit of the n digits at d ('0'..'9'). */
int sc_gs1_check_digit(const char *d, size_t n);

#endif /* YIMA_BENCH_SUPPLY_CHAIN_H */
