/*
 * yima/event.h - an EPCIS 2.0 event as the platform accepts and keeps it.
 *
 * lib/epcis reads EPCIS 2.0 JSON-LD (documents, query documents, NDJSON
 * lines) into yima_event values: validated, with every identifier turned
 * into its canonical form (yima/code.h) and listed in `codes` for the
 * index, and with the event's canonical bytes ready for the ledger. The
 * store (yima/store.h) persists them; it never parses JSON itself.
 *
 * Canonical bytes (`json`): the event as compact EPCIS 2.0 JSON, UTF-8,
 * keys in the order the EPCIS 2.0 JSON schema lists them, with `eventID`
 * (the CBV 2.0 hash ID when the event brought none) and the document's
 * `@context` namespaces needed by its extensions. `recordTime` is NOT in
 * these bytes: the store adds it when it seals the event (see store.h).
 *
 * Memory: a yima_event_batch owns everything its events point to; free
 * the batch and every event in it is gone.
 */
#ifndef YIMA_EVENT_H
#define YIMA_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yima/error.h"

#define YIMA_EVENT_ID_MAX   256   /* longest eventID accepted, bytes */
#define YIMA_EVENT_JSON_MAX 65000 /* canonical bytes: one ledger entry */
#define YIMA_EVENT_HASH_LEN 89    /* ni:///sha-256;<64 hex>?ver=CBV2.0 */

typedef enum yima_event_type {
    YIMA_EVENT_OBJECT = 1,
    YIMA_EVENT_AGGREGATION,
    YIMA_EVENT_TRANSFORMATION,
    YIMA_EVENT_TRANSACTION,
    YIMA_EVENT_ASSOCIATION
} yima_event_type;

/* Why an identifier is in an event: what the index is asked later
 * ("every event of this unit", "everything packed in this case"). */
typedef enum yima_code_role {
    YIMA_ROLE_EPC = 1,     /* epcList */
    YIMA_ROLE_PARENT,      /* parentID: a case, pallet, or assembly */
    YIMA_ROLE_CHILD,       /* childEPCs */
    YIMA_ROLE_INPUT,       /* inputEPCList */
    YIMA_ROLE_OUTPUT,      /* outputEPCList */
    YIMA_ROLE_CLASS,       /* quantityList / childQuantityList / input- and
                              outputQuantityList epcClass (lots, products) */
    YIMA_ROLE_READ_POINT,  /* readPoint.id */
    YIMA_ROLE_LOCATION,    /* bizLocation.id */
    YIMA_ROLE_SOURCE,      /* sourceList[].source */
    YIMA_ROLE_DESTINATION, /* destinationList[].destination */
    YIMA_ROLE_BIZ_TX,      /* bizTransactionList[].bizTransaction */
    YIMA_ROLE_BATCH        /* not in the JSON: an ObjectEvent ADD (or
                              commissioning) creates units of this batch,
                              https://id.gs1.org/01/{gtin}/10/{lot}, and of
                              this product, https://id.gs1.org/01/{gtin}
                              (one each per GTIN of its epcList and
                              quantityList; lot from ILMD lotNumber or the
                              code itself), for lib/trace */
} yima_code_role;

/* One indexed identifier of an event. */
typedef struct yima_event_code {
    const char *code; /* canonical form (yima_code.canonical), or the
                         identifier as given when no scheme knows it */
    yima_code_role role;
} yima_event_code;

typedef struct yima_event {
    yima_event_type type;
    const char *event_id; /* as given, or the CBV 2.0 hash ID */
    char hash_id[YIMA_EVENT_HASH_LEN + 1]; /* always the CBV 2.0 hash ID:
                                              the duplicate test */
    int64_t event_time_ms;                 /* UTC milliseconds since 1970 */
    const char *action;   /* "ADD" "OBSERVE" "DELETE", or NULL */
    const char *biz_step; /* CBV web URI, or NULL */
    const char *disposition;
    const char *json; /* canonical bytes, see above */
    size_t json_len;
    size_t n_codes;
    yima_event_code *codes;
} yima_event;

/* A set of events read from one input, in input order. Opaque. */
typedef struct yima_event_batch yima_event_batch;

#endif /* YIMA_EVENT_H */
