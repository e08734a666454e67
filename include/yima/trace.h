/*
 * yima/trace.h - custody and trace: where a code came from, where it went,
 * who holds it now (MISSION R5).
 *
 * Custody is derived from the sealed events, so it can never disagree with
 * the ledger: a unit's backward trace replays its events; forward traces
 * read the custody state (below), kept by the same rules, and replay only
 * what it cannot tell. The rules (lib/trace/custody.c):
 *
 *   event                                        custody
 *   -------------------------------------------  ---------------------------
 *   ObjectEvent ADD naming the unit (or a        the party of its destination
 *   TransformationEvent output), when nobody     list, else source list, else
 *   holds it yet                                 the product's producer
 *   destinationList owning_party (else           that party
 *   possessing_party)
 *   bizStep retail_selling or disposition        "consumer"
 *   retail_sold
 *   TransformationEvent input                    ends: the unit became the
 *                                                event's outputs
 *
 * A unit packed in a container (AggregationEvent ADD, nested) moves with
 * the container's events until it is unpacked. Parties are shown as the
 * bare 18-character USCC; a GLN (urn:epc:id:pgln:..., .../417/{gln}) is
 * mapped to the party whose "gln" lists it or whose "gcp" starts it
 * (yima_store_party_by_gs1), else shown as the 13 digits. Goods traced by
 * quantity (quantityList epcClass, e.g. cable in metres) keep a balance per
 * party; an event that ships more than its source held is kept and
 * flagged "over_shipped" with a reason.
 *
 * Backward trace (any code):
 *
 *   {"code": canonical,
 *    "custody": [{"party", "since" (eventTime as recorded), "event"
 *                 (eventID), "place" (bizLocation, else readPoint),
 *                 "step" (bizStep, a CBV word when it is one),
 *                 ["quantity", "uom"], ["over_shipped": true, "reason"]}],
 *    "containers": [codes it rode in, first packing first],
 *    "inputs": [backward traces of the transformation inputs it was made
 *               from, nested]}
 *
 * Forward trace of a unit, container (its contents, at any depth), batch
 * (/01/{gtin}/10/{lot}), product (/01/{gtin}) or producer (a USCC):
 *
 *   {"scope": canonical,
 *    "holders": [{"party", "units": N} or {"party", "quantity", "uom"}],
 *    "consumers": N, "unaccounted": N,
 *    ["consumers_quantity": [{"quantity", "uom"}]],  when goods by
 *    ["transformed": N], ["outputs": [codes]],        quantity were sold,
 *    ["over_shipped": [{"event", "party", "reason"}]] units transformed,
 *   }                                                 events flagged
 *
 * Holders are sorted by party; parties holding nothing are left out.
 * "unaccounted" counts units whose custody cannot be told (no
 * commissioning, no known producer).
 */
#ifndef YIMA_TRACE_H
#define YIMA_TRACE_H

#include "yima/buf.h"
#include "yima/error.h"
#include "yima/store.h"

typedef enum yima_trace_direction {
    YIMA_TRACE_BACKWARD = 1,
    YIMA_TRACE_FORWARD
} yima_trace_direction;

/*
 * Trace `code` (any form yima/code.h knows; other identifiers as given) in
 * direction dir, counting only events whose eventTime is at or before `at`
 * (an RFC 3339 date-time with a time zone; NULL: all), and append the JSON
 * above, compact, to out. What `yima trace` prints and what
 * GET /api/v1/trace should answer.
 *
 * Returns 0, YIMA_EINVAL (a code of a known scheme that is invalid, or a
 * bad `at`; *err says which and why), YIMA_ENOTFOUND (no event names the
 * code, or the producer is not a stored party), YIMA_ETOOBIG (more than
 * YIMA_TRACE_UNITS_MAX units in scope), YIMA_EIO, YIMA_ENOMEM or the
 * buffer's error. Cost: a backward trace replays the code's events; a
 * forward trace catches the custody state up (yima_trace_catch_up) and
 * reads one row per unit in scope, replaying only as of a time and units
 * whose row cannot tell (see docs/internals.md, "Custody and trace").
 */
int yima_trace_json(yima_store *st, const char *code, yima_trace_direction dir,
                    const char *at, yima_buf *out, yima_error *err);

/*
 * The custody state: where each unit and container is now, a table in the
 * store (yima/store.h, "Custody state") derived from the sealed events by
 * the rules above (lib/trace/state.c), so that a forward trace reads one
 * row per unit. Bring it up to the ledger's end: every event not yet
 * applied is, in transactions of their own (or, inside an open
 * yima_store_batch_begin transaction, in that one). yima_trace_json()
 * calls it first when it has no `at`; `yima import` after its files.
 * Returns 0, or the store's error with *err saying why.
 */
int yima_trace_catch_up(yima_store *st, yima_error *err);

/* Why a capture was refused. */
typedef struct yima_trace_refusal {
    int status;   /* 403: the event names another party as the one who
                     ships or receives; 422: custody does not allow it */
    size_t event; /* position in the batch, 0-based */
    char code[YIMA_CODE_URI_MAX]; /* the unit or party at fault */
} yima_trace_refusal;

/*
 * The capture rule: a party records only what it does itself. Called in
 * the transaction of a capture, after yima_store_append() gave res for the
 * n events ev (recorded by party, a canonical USCC; NULL: nobody, as for
 * imports, where nothing is checked). For each event added, in order:
 *
 *   event                               must hold
 *   ----------------------------------  ------------------------------------
 *   bizStep receiving / arriving /      the destination (if any) is party
 *   accepting                           (403), and every unit it names
 *                                       (epcList, parentID, childEPCs) is
 *                                       held by party: shipped to it (422)
 *   any other event naming a source,    the source (if any) is party (403);
 *   a destination other than party,     every unit it names is held by
 *   or a retail sale                    party (422): not another's, not
 *                                       sold, not transformed
 *   ObjectEvent ADD, transformation     the source (if any) is party (403);
 *                                       new codes: the commissioning rule
 *
 * A unit no event has placed is held by its producer (master data, GS1
 * company prefix, issued platform code); one without a known producer
 * either is nobody's to guard and passes, as unknown identifiers pass the
 * commissioning rule. Goods by quantity are not
 * refused: an over-shipment is flagged in the trace. Each event admitted
 * is applied to the custody state, so later events of the same batch see
 * it. Returns 0 (all admitted), YIMA_EINVAL with *refusal and *err saying
 * which event, which code and why (the caller then rolls the batch back),
 * or the store's error.
 */
int yima_trace_admit(yima_store *st, const char *party, const yima_event *ev,
                     size_t n, const yima_store_result *res,
                     yima_trace_refusal *refusal, yima_error *err);

#define YIMA_TRACE_UNITS_MAX 10000000 /* units of one forward trace */
#define YIMA_TRACE_DEPTH_MAX 16       /* transformation levels followed back */

#endif /* YIMA_TRACE_H */
