/*
 * api.h - what the scanning, native API and ledger handlers (h_scan.c,
 * h_api.c, h_ledger.c) share: JSON answers, codes and bodies taken from
 * requests with errors that say what and where, who owns a code, and
 * stored events shown with their recordTime.
 *
 * Every answer these helpers make is JSON. Error bodies follow the engine's
 * {"error":"<what>","detail":"<why and where>"}; a code that does not parse
 * adds "position", the 1-based character of the fault in what the client
 * sent (the query value, or the request path for Digital Link paths).
 */
#ifndef YIMA_SERVER_API_H
#define YIMA_SERVER_API_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "yima/code.h"
#include "yima/trace.h"

/* Every role a code may have in an event (bits 1 << yima_code_role). */
#define API_ALL_CODE_ROLES 0xffeu

/* Answer status with v as compact JSON and a newline. Takes v (NULL: 500). */
int api_send_json(yima_http_res *res, int status, json_t *v);

/*
 * Parse the code `in` that came as `field` ("code", "path", "product") into
 * *out (caller's memory). shift is subtracted from error positions (the
 * length of a prefix the caller put before what the client sent). When
 * as_given is true, an identifier that no scheme recognises is kept as it
 * is (out->scheme YIMA_SCHEME_UNKNOWN, out->canonical = in), as the store
 * indexes it; a recognised code with a fault is refused either way.
 * Returns true, or answers 400 and returns false.
 */
bool api_code(yima_http_res *res, const char *field, const char *in,
              size_t shift, bool as_given, yima_code *out);

/*
 * The request body as JSON of type `want` (JSON_OBJECT, JSON_ARRAY; any
 * other value: an object or an array). Nesting is checked first (bodies
 * not typed JSON skip the engine's check), then the text is parsed with
 * duplicate keys refused. Returns a new reference, or answers 400 naming
 * the line and column and returns NULL.
 */
json_t *api_body(yima_http_req *req, yima_http_res *res, int want);

/*
 * Answer a store failure: YIMA_ENOTFOUND 404, YIMA_EINVAL 400, others 500,
 * with err's message (what names the operation in the error field).
 */
int api_store_fail(yima_http_res *res, int rc, const yima_error *err,
                   const char *what);

/*
 * Does the party (canonical USCC) own the code? A platform code issued to
 * it; a GS1 key of a product it registered, or whose company prefix is one
 * of its GCPs ("gcp" in its master data); another code registered as one
 * of its products. Unrecognised identifiers belong to nobody.
 */
bool api_owns(yima_store *st, const char *party, const yima_code *code);

/*
 * The commissioning rule, the same at every door that takes events. An
 * event creates the codes it names in the epcList or quantityList of an
 * ObjectEvent ADD, every code of an event whose bizStep is commissioning,
 * and the outputs of a TransformationEvent. A producer may create only
 * codes of its own (api_owns); a seller may create no GS1 key or platform
 * code (goods come into being at their producer); identifiers of no scheme
 * yima knows (any other URI) are nobody's to guard and pass.
 * Returns 0 when the n events keep it, else the 1-based number of the first
 * that does not, with its code in *code and why in why (whysz bytes).
 */
size_t api_commission_check(yima_store *st, const char *party, bool producer,
                            const yima_event *ev, size_t n, const char **code,
                            char *why, size_t whysz);

/*
 * Store the n events ev in party's name (a canonical USCC) in one
 * transaction, and only when the capture rule (yima_trace_admit: a party
 * ships only what it holds, receives only what was shipped to it) admits
 * every one; res gets what became of each. Returns 0; YIMA_EINVAL with
 * refusal->status 403 or 422 when the rule refuses (nothing is stored);
 * or the store's error (refusal->status 0; YIMA_EINVAL then means an
 * event breaks a rule of the store).
 */
int api_record(yima_store *st, const char *party, const yima_event *ev,
               size_t n, yima_store_result *res, yima_trace_refusal *refusal,
               yima_error *err);

/* The record of `kind` with `key` (and lot for batches) parsed, or NULL
 * when there is none (or on any error). Caller decrefs. */
json_t *api_master(yima_store *st, yima_store_kind kind, const char *key,
                   const char *lot);

/* Append ms (UTC ms since 1970) as "2026-03-01T08:30:00.123Z". */
void api_time(yima_buf *b, int64_t ms);

/* Append a stored event (canonical JSON of len bytes, an object) with
 * "recordTime" added as its last member. Returns 0 or YIMA_EINVAL. */
int api_event_json(yima_buf *b, const char *json, size_t len,
                   int64_t record_time_ms);

/* The CBV word of a bizStep or disposition in any of its spellings
 * ("retail_sold", "urn:epcglobal:cbv:disp:retail_sold",
 * "https://ref.gs1.org/cbv/Disp-retail_sold"), or v itself. NULL for NULL. */
const char *api_cbv_word(const char *v);

#endif /* YIMA_SERVER_API_H */
