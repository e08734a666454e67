/*
 * yima/risk.h - risk and recall (MISSION R6, R7): spot checks 监督抽查,
 * incident reports, risk cases graded from severity and exposure, and
 * recalls that snapshot every holder and track their returns.
 *
 * Everything is kept in one table of the store, created on first use (so
 * stores made before it simply gain it; lib/store/risk.c):
 *
 *   risk_records  column   type                 meaning
 *   ------------  -------  -------------------  -----------------------------
 *                 id       INTEGER PRIMARY KEY  the record's id, from 1
 *                 kind     TEXT NOT NULL        see below
 *                 key      TEXT NOT NULL        what it is about
 *                 tag      TEXT NULL            a short qualifier
 *                 created  INTEGER NOT NULL     UTC ms
 *                 json     TEXT NOT NULL        the record as answered
 *   index (kind, key)
 *
 *   kind          key                        tag
 *   ------------  -------------------------  ------------------------------
 *   inspection    batch (canonical code)     verdict: pass | fail
 *   case          batch                      "inspection" or "report": what
 *                                            opened it (a failed
 *                                            inspection, or any report)
 *   report        batch, or the code itself  kind: injury | fire | defect |
 *                 when its batch is unknown  other
 *   recall        scope (canonical code)     action: warning | removal |
 *                                            recall
 *   return        recall id (decimal)        party (canonical USCC)
 *   subscription  party (canonical USCC)     -
 *   notification  recall id (decimal)        party (bare USCC)
 *   attempt       notification id            delivered | failed
 *
 * Records are only added, never changed: a case is open while it exists.
 *
 * Risk grading (yima_risk_cases_json), per batch with a case:
 *
 *   severity = 3 x failed inspections + 3 x (injury + fire reports)
 *              + 1 x defect reports                  ("other" counts 0)
 *   exposure = units held by holders + units sold to consumers, from the
 *              forward trace of the batch now (a holder of goods traced by
 *              quantity counts as 1)
 *
 *   grade   when                             suggested action
 *   ------  -------------------------------  ----------------------------
 *   high    severity >= 6                    recall 召回
 *   medium  severity >= 3 and exposure > 0   removal 下架
 *   low     otherwise                        warning 预警
 *
 * A unit is recalled (yima_risk_recalled) when a recall with action
 * "recall" or "removal" has as its scope the unit's own code, its batch
 * (/01/{gtin}/10/{lot}) or its product (/01/{gtin}); a "warning" does not
 * make units recalled. Scopes are compared in canonical form.
 *
 * Thread safety: as the store's (one thread per handle).
 */
#ifndef YIMA_RISK_H
#define YIMA_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yima/buf.h"
#include "yima/error.h"
#include "yima/store.h"

#define YIMA_RISK_TEXT_MAX 4000 /* bytes of a free-text field */
#define YIMA_RISK_LIST_MAX 64   /* failed_items of one inspection */

/* ---- Rows (lib/store/risk.c) ------------------------------------------- */

/* One risk_records row; strings valid during a callback only. */
typedef struct yima_store_risk_row {
    int64_t id;
    const char *kind, *key, *tag; /* tag may be NULL */
    int64_t created_ms;
    const char *json;
} yima_store_risk_row;

/*
 * Add the n rows (id and created_ms are ignored: assigned now) in one
 * transaction; ids (may be NULL) gets their ids and *created (may be NULL)
 * the time they were given. Returns 0, YIMA_EIO.
 */
int yima_store_risk_put(yima_store *st, const yima_store_risk_row *rows,
                        size_t n, int64_t *ids, int64_t *created,
                        yima_error *err);

/* Called for each row of a listing, in id order; non-zero stops it. */
typedef int (*yima_store_risk_fn)(void *arg, const yima_store_risk_row *row);

/*
 * Every row of `kind` with key `key` (NULL: any key) and, when id > 0, that
 * id. Returns 0, the callback's value, YIMA_EIO.
 */
int yima_store_risk_list(yima_store *st, const char *kind, const char *key,
                         int64_t id, yima_store_risk_fn fn, void *arg,
                         yima_error *err);

/* ---- Inspections, reports, recalls, cases (lib/risk/risk.c) ------------
 *
 * Each *_add takes the client's JSON body (len bytes), checks it field by
 * field (YIMA_EINVAL, *err naming the field: `samples: must be a whole
 * number >= 1`), stores it, and appends the stored record, with its "id",
 * as compact JSON to out. Nothing is stored when they fail.
 */

/*
 * Inspection: {"batch": CODE (a GS1 batch /01/{gtin}/10/{lot}), "verdict":
 * "pass"|"fail", "samples": N >= 1, "standard": TEXT, "failed_items":
 * [TEXT] (optional), "laboratory": TEXT, "date": RFC 3339}, recorded by
 * `by` (a USCC). A "fail" opens the batch's risk case (if not open).
 * Returns 0, YIMA_EINVAL, YIMA_EIO, YIMA_ENOMEM.
 */
int yima_risk_inspection_add(yima_store *st, const char *json, size_t len,
                             const char *by, yima_buf *out, yima_error *err);

/* The inspections of `batch` (any form of the code) as a JSON array,
 * oldest first. Returns 0, YIMA_EINVAL (not a batch code), YIMA_EIO. */
int yima_risk_inspections_json(yima_store *st, const char *batch, yima_buf *out,
                               yima_error *err);

/*
 * Incident report: {"code": CODE, "kind": "injury"|"fire"|"defect"|
 * "other", "description": TEXT}. The code must be named by some event
 * (YIMA_ENOTFOUND otherwise). Its batch is the lot in the code (AI 10) or
 * the ILMD lotNumber of its commissioning event; the record says "batch"
 * (or null). A report whose batch is known opens the batch's case (if
 * not open), so a regulator sees every batch consumers complain about.
 */
int yima_risk_report_add(yima_store *st, const char *json, size_t len,
                         yima_buf *out, yima_error *err);

/*
 * Recall: {"scope": CODE, "action": "warning"|"removal"|"recall",
 * "reason": TEXT}, ordered by `by`. Takes the forward trace of the scope
 * now (yima/trace.h) and keeps its holders, consumers and unaccounted as
 * the snapshot; notifications are queued for holders with subscriptions
 * (in a second transaction: should it fail, the recall stands without
 * them).
 * out: {"id", "scope", "action", "reason", "by", "created", "holders",
 * "consumers", "unaccounted", "notified": [parties]}. Returns 0,
 * YIMA_EINVAL, YIMA_ENOTFOUND (no event names the scope), YIMA_ETOOBIG,
 * YIMA_EIO, YIMA_ENOMEM.
 */
int yima_risk_recall_add(yima_store *st, const char *json, size_t len,
                         const char *by, yima_buf *out, yima_error *err);

/*
 * Recall `id` with its progress: the stored record plus "progress":
 * [{"party", "held", "returned", "outstanding"}] per holder of the
 * snapshot (units, or quantity and "uom" for goods by quantity), and
 * "held" and "returned" totals of units (quantities are not added in), and
 * "notifications" (yima_risk_notify). Returns 0, YIMA_ENOTFOUND, YIMA_EIO.
 */
int yima_risk_recall_json(yima_store *st, int64_t id, yima_buf *out,
                          yima_error *err);

/* Is `party` (canonical USCC) a holder in recall id's snapshot? */
bool yima_risk_recall_holder(yima_store *st, int64_t id, const char *party);

/*
 * A holder records returns: {"units": N} (or {"quantity": X}) returned to
 * recall id by party (canonical USCC, a holder of its snapshot). More than
 * it still holds outstanding is refused. out gets the return record.
 * Returns 0, YIMA_EINVAL, YIMA_ENOTFOUND (no such recall, or party holds
 * nothing in it), YIMA_EIO.
 */
int yima_risk_return_add(yima_store *st, int64_t id, const char *party,
                         const char *json, size_t len, yima_buf *out,
                         yima_error *err);

/* Risk cases, graded (rule above): a JSON array of {"batch", "opened",
 * "opened_by", "failed_inspections", "reports": {kind: N}, "severity",
 * "exposure", "grade", "action"}. Returns 0, YIMA_EIO, YIMA_ENOMEM. */
int yima_risk_cases_json(yima_store *st, yima_buf *out, yima_error *err);

/*
 * Webhook subscription of party: {"url": "http://127.0.0.1:PORT/..."}
 * (http or https; stored, for notifications on recalls that name the
 * party as a holder). Returns 0, YIMA_EINVAL, YIMA_EIO.
 */
int yima_risk_subscription_add(yima_store *st, const char *party,
                               const char *json, size_t len, yima_buf *out,
                               yima_error *err);

/*
 * Deliver the recall notifications that are due now (of recall id; 0: of
 * every recall): POST {"event": "recall", "notification", "recall",
 * "scope", "action", "reason", "party", "holds"} to each URL, waiting at
 * most timeout_ms per step. A 2xx answer delivers it; anything else is a
 * failed attempt, retried after YIMA_RISK_BACKOFF_MS, then twice as long
 * each time (at most a day), YIMA_RISK_NOTIFY_TRIES attempts in all. Every
 * attempt is a row (kind "attempt", key the notification's id, tag
 * delivered | failed, json {"status", ["error"]}). Only
 * http://127.0.0.1[:port]/path URLs are reached; others fail their
 * attempts with a reason. *made (may be NULL) gets the attempts made.
 * Returns 0, YIMA_EIO, YIMA_ENOMEM. The state of each shows in
 * yima_risk_recall_json as "notifications".
 */
#define YIMA_RISK_NOTIFY_TRIES 8
#define YIMA_RISK_BACKOFF_MS   60000
int yima_risk_notify(yima_store *st, int64_t recall, int timeout_ms,
                     size_t *made, yima_error *err);

/*
 * Is the unit recalled (rule above)? code: canonical; product: the
 * product's canonical code or NULL; lot: its lot or NULL. Store errors
 * answer false.
 */
bool yima_risk_recalled(yima_store *st, const char *code, const char *product,
                        const char *lot);

#endif /* YIMA_RISK_H */
