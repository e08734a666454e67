/*
 * yima/risk.h - risk and recall (MISSION R6, R7): spot checks 监督抽查,
 * incident reports, risk cases graded from severity and exposure, and
 * recalls that snapshot every holder and track their returns.
 *
 * Everything is kept in one table of the store (schema 6, which stores made
 * before gain at open; lib/store/risk.c):
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
 *   claim         notification id            -
 *   attempt       notification id            delivered | failed
 *
 * Records are only added, never changed: a case is open while it exists.
 * The json of the rows that webhook delivery reads:
 *
 *   kind          json
 *   ------------  ---------------------------------------------------------
 *   subscription  {"party", "url", "secret"} (no "secret" before secrets)
 *   notification  {"party", "url", "subscription": id, "status", "attempts"}
 *                 ("status" and "attempts" as queued; the state is derived)
 *   claim         {"until": UTC ms}: a sender is attempting the delivery;
 *                 nobody else tries it before "until" unless an attempt
 *                 row comes first
 *   attempt       {"status": HTTP status or null, ["error": why]}
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

/*
 * Decides, inside yima_store_risk_put_if's write transaction, whether the
 * rows go in: 0 yes, 1 no (nothing written), a negative YIMA_E* code on
 * failure. It may read with yima_store_risk_list on the same handle: no
 * other writer can change what it sees until the transaction ends.
 */
typedef int (*yima_store_risk_check_fn)(void *arg, yima_store *st);

/*
 * yima_store_risk_put, but only when check (NULL: always) says 0: a
 * check-then-add that two handles, or two processes, cannot both pass
 * (how a notification is claimed before it is sent). Returns 0 (added), 1
 * (the check said no), the check's error, YIMA_EIO.
 */
int yima_store_risk_put_if(yima_store *st, yima_store_risk_check_fn check,
                           void *arg, const yima_store_risk_row *rows, size_t n,
                           int64_t *ids, int64_t *created, yima_error *err);

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
 * "consumers", "unaccounted", "notified": [parties]}; *id (may be NULL)
 * the recall's id. Returns 0, YIMA_EINVAL, YIMA_ENOTFOUND (no event names
 * the scope), YIMA_ETOOBIG, YIMA_EIO, YIMA_ENOMEM.
 */
int yima_risk_recall_add(yima_store *st, const char *json, size_t len,
                         const char *by, yima_buf *out, int64_t *id,
                         yima_error *err);

/*
 * Recall `id` with its progress: the stored record plus "progress":
 * [{"party", "held", "returned", "outstanding"}] per holder of the
 * snapshot (units, or quantity and "uom" for goods by quantity), and
 * "held" and "returned" totals of units (quantities are not added in), and
 * "notifications": [{"id", "party", "url", "status": pending | delivered |
 * failed, "attempts", "next_attempt", "delivered_at", ["last_error"]}] (the
 * times RFC 3339 or null; last_error: the latest failed attempt's reason).
 * A holder with notifications has in its progress entry "notice": {"status",
 * "attempts", "delivered_at", ["last_error"]} over them all (delivered when
 * one is). Returns 0, YIMA_ENOTFOUND, YIMA_EIO.
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
 * Webhook subscription of party: {"url": "http[s]://HOST[:PORT][/PATH]"}
 * (stored, for notifications on recalls that name the party as a holder).
 * The answer carries "secret": 64 hex digits made now, which key the
 * signature of every notification to this URL (yima_risk_notify_run). It
 * is shown this once. Returns 0, YIMA_EINVAL (the URL is not one the
 * sender can reach: no host, a bad port, credentials, spaces), YIMA_EIO.
 */
int yima_risk_subscription_add(yima_store *st, const char *party,
                               const char *json, size_t len, yima_buf *out,
                               yima_error *err);

/* ---- Webhook delivery (lib/risk/notify.c) -------------------------------
 *
 * A notification is POSTed to its URL as
 *
 *   header                value
 *   --------------------  ------------------------------------------------
 *   Content-Type          application/json
 *   X-Yima-Notification   the notification's id (the same in every retry:
 *                         a receiver that sees it twice may drop it)
 *   X-Yima-Signature      sha256=HEX: HMAC-SHA256 of the body exactly as
 *                         sent, keyed with the subscription's "secret" (its
 *                         64 characters as they are); absent for
 *                         subscriptions made before secrets
 *
 *   body: {"event": "recall", "notification", "recall", "scope", "action",
 *          "reason", "party", "holds"}
 *
 * over http or https to any host (getaddrinfo; the first address that
 * connects). https verifies the server's certificate against the system's
 * CA store (and yima_risk_notify_config.cafile) and its name against the
 * URL's host (DNS name or IP address). A 2xx answer delivers the
 * notification; anything else is a failed attempt with its reason: the
 * status, a refused connection, a timeout, a certificate not trusted.
 *
 * Failed attempts are retried backoff_ms after the first, then twice as
 * long each time (at most a day), YIMA_RISK_NOTIFY_TRIES attempts in all.
 * A sender first claims a due notification in a write transaction (a
 * "claim" row, yima_store_risk_put_if), so senders sharing a store (the
 * workers and timer of one server, or several servers) never send it
 * twice; a claim whose sender died lapses after the attempt's timeout plus
 * YIMA_RISK_CLAIM_MARGIN_MS. SIGPIPE must be blocked or ignored in the
 * calling thread (TLS writes to a closed connection raise it), as it is in
 * every thread of `yima serve`.
 */
#define YIMA_RISK_NOTIFY_TRIES    8
#define YIMA_RISK_BACKOFF_MS      60000
#define YIMA_RISK_CLAIM_MARGIN_MS 5000

/* How notifications are sent, for the whole process. */
typedef struct yima_risk_notify_config {
    int64_t backoff_ms; /* the first retry's wait; 0: YIMA_RISK_BACKOFF_MS */
    const char *cafile; /* PEM certificates trusted besides the system's
                           (copied); NULL: none */
} yima_risk_notify_config;

/*
 * Set the configuration (c NULL: the defaults). Call it before any thread
 * sends or reads notifications: it is not synchronised. Returns 0, or
 * YIMA_EINVAL when backoff_ms is negative or the CA file cannot be read
 * or is longer than PATH_MAX.
 */
int yima_risk_notify_setup(const yima_risk_notify_config *c, yima_error *err);

typedef struct yima_risk_notify_opts {
    int64_t recall; /* only this recall's notifications; 0: every recall's */
    int timeout_ms; /* one attempt, whole: name lookup, connect, TLS, the
                       request, the answer's status line */
    int stop_fd;    /* when it turns readable (or hangs up), stop within
                       milliseconds: the attempt in flight is not recorded
                       and its claim lapses; -1: never */
} yima_risk_notify_opts;

/*
 * Deliver the notifications that are due now, one at a time; every attempt
 * is a row (kind "attempt"), and each shows in yima_risk_recall_json. *made
 * (may be NULL) gets the attempts made. Returns 0, YIMA_EIO (the store),
 * YIMA_ENOMEM.
 */
int yima_risk_notify_run(yima_store *st, const yima_risk_notify_opts *o,
                         size_t *made, yima_error *err);

/* yima_risk_notify_run of recall (0: all) with timeout_ms and no stop. */
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
