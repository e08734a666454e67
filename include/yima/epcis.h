/*
 * yima/epcis.h - EPCIS 2.0 events.
 *
 * Two parts: the event hash ID (CBV 2.0), and the reader and writer that
 * turn EPCIS 2.0 JSON-LD into validated yima_event values (yima/event.h)
 * and canonical events back into EPCIS documents.
 */
#ifndef YIMA_EPCIS_H
#define YIMA_EPCIS_H

#include <stddef.h>

#include "yima/buf.h"
#include "yima/code.h"
#include "yima/error.h"
#include "yima/event.h"

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

/* ==== Reading events ===================================================== */
/*
 * yima_epcis_read() takes what yima_epcis_hash_document() takes (an
 * EPCISDocument, an EPCISQueryDocument, a bare event or an array of
 * events); yima_epcis_read_ndjson() takes one event object per line (blank
 * lines are skipped; each line may carry its own @context). Every event is
 * checked against the EPCIS 2.0 model:
 *
 *   - type is ObjectEvent, AggregationEvent, TransactionEvent,
 *     TransformationEvent or AssociationEvent, and every field that is not
 *     an extension ("prefix:name") is one of that type's fields;
 *   - eventTime (a date-time with a time zone) and eventTimeZoneOffset
 *     (+hh:mm / -hh:mm within +-14:00) are required; recordTime, if given,
 *     is a date-time (it is not kept: the store sets it);
 *   - action is ADD, OBSERVE or DELETE, required for all but
 *     TransformationEvent (which has none); ilmd only with ADD;
 *   - what the event is about: ObjectEvent epcList, quantityList, or
 *     sensorElementList with readPoint; AggregationEvent and
 *     AssociationEvent childEPCs or childQuantityList unless DELETE
 *     (AssociationEvent also needs parentID); TransactionEvent a
 *     bizTransactionList, and epcList or quantityList unless DELETE;
 *     TransformationEvent inputs and outputs, or a transformationID and
 *     at least one of them;
 *   - field types: ID lists are arrays of distinct strings; quantity
 *     elements have epcClass, a numeric quantity and a uom of 2-3 capital
 *     letters or digits; readPoint and bizLocation objects with id;
 *     source / destination lists with type and value; bizTransactionList
 *     items with bizTransaction; sensorElementList with sensorReport
 *     lists; certificationInfo a string or strings; errorDeclaration with
 *     declarationTime; persistentDisposition with set and/or unset;
 *   - identifiers (epcList, parentID, childEPCs, input/outputEPCList,
 *     epcClass, readPoint.id, bizLocation.id, source, destination,
 *     bizTransaction) go through yima_code_parse(): a recognised one is
 *     indexed in its canonical form, an unrecognised one as given (EPCIS
 *     allows any URI), but a code that is recognised and invalid - a GS1
 *     key with a wrong check digit, a malformed EPC URN - is an error:
 *     "event 3: epcList[1]: AI (01): check digit is 3, expected 2";
 *   - limits: nesting depth, YIMA_EPCIS_EVENTS_MAX events, canonical bytes
 *     at most YIMA_EVENT_JSON_MAX.
 *
 * Messages name the event ("event 3: ", numbered from 1 in document order)
 * or, for NDJSON, the line ("line 7: "), then the field and the reason.
 */

/*
 * An identifier as an event field (or a query about one) holds it: returns
 * 1 with out->canonical set when yima/code.h recognises it, 0 when it is
 * some other URI EPCIS allows (take it as given: out is not meaningful), or
 * YIMA_EINVAL when it is recognised and wrong - a GS1 key with a bad check
 * digit, a malformed EPC URN - with *err saying why. The reader uses the
 * same rule, so a query finds what the reader indexed.
 */
int yima_epcis_code(const char *s, size_t n, yima_code *out, yima_error *err);

/*
 * An RFC 3339 date-time with a time zone (xsd:dateTimeStamp, as eventTime
 * is written: "2026-03-01T10:00:00.5+08:00") as UTC milliseconds since
 * 1970, a 4th decimal of 5..9 rounding up. Returns 0 or YIMA_EINVAL. The
 * one reader of times for every module (queries, traces, inspections).
 */
int yima_epcis_time_ms(const char *s, size_t n, int64_t *ms);

/* Flags for the readers. */
#define YIMA_EPCIS_PROCEED  1 /* keep the valid events, record the others */
#define YIMA_EPCIS_DUP_KEYS 2 /* accept repeated object keys: last wins */

/* Most events in one input (YIMA_ETOOBIG beyond, whatever the flags). */
#define YIMA_EPCIS_EVENTS_MAX 100000

/* An event the reader rejected (with YIMA_EPCIS_PROCEED). Owned by the
 * batch. */
typedef struct yima_epcis_reject {
    size_t index;       /* the event's number in the input, from 1 */
    size_t line;        /* NDJSON: its line, from 1; documents: 0 */
    int code;           /* YIMA_EINVAL or YIMA_ETOOBIG */
    const char *field;  /* "epcList[1]"; "" when no single field is wrong */
    const char *reason; /* "AI (01): check digit is 3, expected 2" */
    const char *msg;    /* "event 3: epcList[1]: AI (01): ..." */
} yima_epcis_reject;

/*
 * Read the events of an EPCIS 2.0 JSON(-LD) text of len bytes (need not be
 * NUL-terminated) into a new batch. flags: YIMA_EPCIS_PROCEED and / or
 * YIMA_EPCIS_DUP_KEYS, or 0.
 *
 * Without YIMA_EPCIS_PROCEED the read is all or nothing: the first faulty
 * event fails it. With it, faulty events are left out and listed by
 * yima_event_batch_rejects(); the read still fails when the input as a
 * whole is wrong (not JSON, not an EPCIS document, too big, too many
 * events).
 *
 * On success returns 0 and sets *out to a batch the caller frees with
 * yima_event_batch_free(). On failure returns YIMA_EINVAL, YIMA_ETOOBIG
 * (past YIMA_EPCIS_DOC_MAX, YIMA_EPCIS_EVENTS_MAX or YIMA_EVENT_JSON_MAX)
 * or YIMA_ENOMEM, sets *out to NULL and fills *err (may be NULL).
 */
int yima_epcis_read(const char *json, size_t len, int flags,
                    yima_event_batch **out, yima_error *err);

/* The same for NDJSON text: one event object per line. Messages say
 * "line N: ..."; err->pos is 0. */
int yima_epcis_read_ndjson(const char *text, size_t len, int flags,
                           yima_event_batch **out, yima_error *err);

/* Events in the batch (0 for NULL). */
size_t yima_event_batch_count(const yima_event_batch *b);

/* Event i (0-based) of the batch, or NULL when i is out of range. The event
 * lives as long as the batch. */
const yima_event *yima_event_batch_get(const yima_event_batch *b, size_t i);

/* The rejected events, in input order: sets *out (may be NULL when there
 * are none) and returns how many. */
size_t yima_event_batch_rejects(const yima_event_batch *b,
                                const yima_epcis_reject **out);

/* Free the batch and everything its events point to. Accepts NULL. */
void yima_event_batch_free(yima_event_batch *b);

/* ==== Writing events ===================================================== */

/*
 * Append an EPCISDocument holding n events given as canonical bytes
 * (yima_event.json, lens[i] bytes each): @context, type, schemaVersion
 * "2.0", creationDate (now, UTC) and epcisBody.eventList, as compact JSON.
 * Each event must be a JSON object text (it is copied as it is: canonical
 * events carry their own @context). Returns 0, YIMA_EINVAL for an event
 * text that is not an object, or a yima_buf error (the buffer's cap
 * applies).
 */
int yima_epcis_write_document(yima_buf *out, const char *const *events_json,
                              const size_t *lens, size_t n);

/*
 * Append the NDJSON form: each event's canonical bytes and a newline.
 * Returns 0, YIMA_EINVAL or a yima_buf error, like the above.
 */
int yima_epcis_write_ndjson(yima_buf *out, const char *const *events_json,
                            const size_t *lens, size_t n);

#endif /* YIMA_EPCIS_H */
