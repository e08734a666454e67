/*
 * yima/epcis.h - EPCIS 2.0 events.
 *
 * For now this header holds one part of the EPCIS model, the event hash ID;
 * the event model and the event store are added below it later.
 */
#ifndef YIMA_EPCIS_H
#define YIMA_EPCIS_H

#include <stddef.h>

#include "yima/buf.h"
#include "yima/error.h"

/* ==== Event hash ID (CBV 2.0, "EPCIS Event Hash ID") ===================== */
/*
 * Every EPCIS event has an ID that anyone can recompute from its content:
 *
 *   ni:///sha-256;<64 lower-case hex digits>?ver=CBV2.0
 *
 * the SHA-256 of the event's pre-hash string, a canonical text of the event
 * that is the same for every serialisation of the same event: its fields
 * in a fixed order as key=value with no separators, list items sorted by
 * byte order, times in UTC with milliseconds, numbers without trailing
 * zeros, CBV vocabulary as https://ref.gs1.org/cbv/... web URIs, GS1 keys
 * (EPC URNs, Digital Links on any host) as constrained canonical Digital
 * Links on https://id.gs1.org (through yima_code_parse(); identifiers it
 * does not recognise are kept as given), and user extension fields as
 * {namespace}localName=value, sorted. recordTime, eventID,
 * errorDeclaration and comments (rdfs:comment) are left out, so the ID of
 * an event stays the same when it is stored, corrected or annotated.
 *
 * The pre-hash strings match the test vectors of the GS1 reference
 * implementation (epcis-event-hash-generator) byte for byte.
 * tests/data/event-hash/ holds them.
 *
 * Input is JSON / JSON-LD text in UTF-8. Errors say which event (numbered
 * from 1 in document order) and which field, e.g.
 * "event 2: quantityList[0].quantity: expected a number, got a string".
 */

/* Characters in an event hash ID, not counting the NUL. */
#define YIMA_EPCIS_HASH_ID_LEN 89

/* Largest JSON document accepted, in bytes (YIMA_ETOOBIG beyond). */
#define YIMA_EPCIS_DOC_MAX (64u << 20)

/* Longest pre-hash string of one event, in bytes (YIMA_ETOOBIG beyond). */
#define YIMA_EPCIS_PREHASH_MAX (1u << 20)

/* Deepest nesting of objects and arrays inside an event's user extensions
 * and ILMD (YIMA_EINVAL beyond). */
#define YIMA_EPCIS_DEPTH_MAX 32

/*
 * Called once per event, in document order. `index` counts from 0;
 * `prehash` is the pre-hash string (prehash_len bytes, NUL-terminated) and
 * `event_id` the hash ID (YIMA_EPCIS_HASH_ID_LEN characters). Both belong
 * to the caller of the callback and are valid only during the call.
 * Return 0 to go on; any other value stops the walk and is returned by
 * yima_epcis_hash_document().
 */
typedef int (*yima_epcis_hash_fn)(void *arg, size_t index, const char *prehash,
                                  size_t prehash_len, const char *event_id);

/*
 * Compute the pre-hash string and hash ID of every event in an EPCIS 2.0
 * JSON document of len bytes (need not be NUL-terminated), and pass them to
 * each(arg, ...) in document order. The document may be
 *
 *   - an EPCISDocument: events in epcisBody.eventList (or epcisBody.event);
 *   - an EPCISQueryDocument: events in
 *     epcisBody.queryResults.resultsBody.eventList;
 *   - a bare event (an object whose type is ObjectEvent, AggregationEvent,
 *     TransactionEvent, TransformationEvent or AssociationEvent);
 *   - a JSON array of bare events.
 *
 * Namespace prefixes of user extensions come from the document's @context
 * (and an event's own @context); the prefixes of the standard EPCIS context
 * (gs1, cbv, cbvmda, epcis, rdfs, owl, xsd, dcterms) are always known. A
 * <prefix>:ignoreFields array at the top of the document, in epcisBody,
 * queryResults or resultsBody lists further user extension fields to leave
 * out of every event (e.g. a repository's own capture ID).
 *
 * Returns 0 when every event was hashed (an empty event list is fine), the
 * callback's value if it stopped the walk, YIMA_EINVAL for input that is
 * not JSON or not an EPCIS document, or an event that breaks a rule,
 * YIMA_ETOOBIG past YIMA_EPCIS_DOC_MAX or YIMA_EPCIS_PREHASH_MAX, or
 * YIMA_ENOMEM. On failure *err (may be NULL) says what and where; err->pos
 * is the character position for JSON syntax errors, 0 otherwise. Events
 * before a faulty one have already been passed to each().
 */
int yima_epcis_hash_document(const char *json, size_t len,
                             yima_epcis_hash_fn each, void *arg,
                             yima_error *err);

/* What one event needs from the document it came from. */
typedef struct yima_epcis_hash_opts {
    /* The document's "@context" value as JSON text (a string, an object or
     * an array of them), or NULL. */
    const char *context;
    size_t context_len;
    /* A NULL-terminated list of further user extension fields to leave out
     * ("example:captureID" with a prefix from the context, or
     * "{https://ns.example.com/epcis/}captureID"), or NULL. */
    const char *const *ignore_fields;
} yima_epcis_hash_opts;

/*
 * Compute the pre-hash string and hash ID of one event given as a JSON
 * object of len bytes, as the event store does for each event it keeps.
 * opts may be NULL (no document context, nothing extra to ignore).
 *
 * On success returns 0, writes the ID and a NUL to id, and, when prehash is
 * not NULL, replaces its contents with the pre-hash string (the buffer's own
 * cap applies too). Fails like yima_epcis_hash_document(); messages then
 * name the field without an event number. id is "" after a failure.
 */
int yima_epcis_hash_event(const char *json, size_t len,
                          const yima_epcis_hash_opts *opts, yima_buf *prehash,
                          char id[YIMA_EPCIS_HASH_ID_LEN + 1], yima_error *err);

/*
 * Write the hash ID of a pre-hash string of len bytes:
 * "ni:///sha-256;<hex>?ver=CBV2.0" and a NUL. Returns 0, or YIMA_EIO if
 * libcrypto fails (id is then "").
 */
int yima_epcis_hash_id(const char *prehash, size_t len,
                       char id[YIMA_EPCIS_HASH_ID_LEN + 1]);

/* ==== (the EPCIS event model follows here) =============================== */

#endif /* YIMA_EPCIS_H */
