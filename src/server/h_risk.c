/*
 * h_risk.c - risk and recall over HTTP (yima/risk.h holds the rules):
 *
 *   POST /api/v1/inspections          regulator: a spot check 监督抽查
 *   GET  /api/v1/inspections?batch=   regulator, auditor; the producer of
 *                                     the batch for its own
 *   POST /api/v1/reports              anyone (no token): an incident report
 *   GET  /api/v1/risks                regulator, auditor: graded cases
 *   POST /api/v1/recalls              regulator: a recall with its snapshot
 *   GET  /api/v1/recalls/{id}         regulator, auditor, and the holders
 *                                     in its snapshot: the recall and its
 *                                     progress
 *   POST /api/v1/recalls/{id}/returns a holder (producer or seller) in the
 *                                     snapshot records units returned
 *   POST /api/v1/subscriptions        a producer or seller: its webhook for
 *                                     recall notifications
 *
 * Webhook notifications (yima_risk_notify) of a new recall are attempted
 * when it is ordered; the server's timer thread (server.c) retries what
 * is due.
 *
 * Bodies are checked by the library; its errors name the field and go to
 * the client as 400 (404 for a code or recall not found), and nothing is
 * stored then.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "yima/risk.h"

#include "api.h"
#include "auth.h"

#define ANSWER_MAX        (64u << 20)
#define NOTIFY_TIMEOUT_MS 2000 /* per step of one webhook POST */

/* Answer rc: status with out's JSON when 0, else the store's error. */
static int finish(yima_http_res *res, int rc, int status, yima_buf *out,
                  const yima_error *err, const char *what)
{
    if (rc == 0) {
        yima_buf_putc(out, '\n');
        rc = yima_http_res_send(res, status, "application/json", out->data,
                                out->len);
    } else if (rc == YIMA_ETOOBIG) {
        rc = yima_http_res_error(res, 413, "too big", "%s", err->msg);
    } else {
        rc = api_store_fail(res, rc, err, what);
    }
    yima_buf_free(out);
    return rc;
}

static const char *body_of(yima_http_req *req, size_t *len)
{
    const char *b = yima_http_req_body(req, len);

    if (!b) {
        *len = 0;
        return "";
    }
    return b;
}

/* The {id} of the path, or answers 400 and returns 0. */
static int64_t recall_id(yima_http_req *req, yima_http_res *res)
{
    const char *s = yima_http_req_param(req, "id");
    char *end;
    long long v;

    errno = 0;
    v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < 1) {
        yima_http_res_error(res, 400, "bad id",
                            "id: '%.32s' is not a recall id (a whole number "
                            ">= 1)",
                            s ? s : "");
        return 0;
    }
    return v;
}

int h_inspections_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    yima_error err;
    yima_buf out;
    const char *body;
    size_t len;

    if (!server_authorize(req, res, &who, ROLE_REGULATOR,
                          "record inspections (regulators)"))
        return 0;
    body = body_of(req, &len);
    yima_buf_init(&out, ANSWER_MAX);
    return finish(
        res,
        yima_risk_inspection_add(sw->st, body, len, who.tok.party, &out, &err),
        201, &out, &err, "bad inspection");
}

int h_inspections_get(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    const char *batch = yima_http_req_query(req, "batch");
    yima_code *c = yima_http_req_alloc(req, sizeof *c);
    server_caller who;
    yima_error err;
    yima_buf out;

    if (!server_authorize(req, res, &who, ROLE_PRODUCER | ROLE_READ_ALL,
                          "read inspections (regulators, auditors, and "
                          "producers for their own batches)"))
        return 0;
    if (!c)
        return yima_http_res_error(res, 500, "out of memory", "inspections");
    if (!batch || !*batch)
        return yima_http_res_error(res, 400, "bad batch",
                                   "batch: missing; give ?batch=<a batch "
                                   "code, (01){gtin}(10){lot}>");
    if (!api_code(res, "batch", batch, 0, false, c))
        return 0;
    if (who.role == ROLE_PRODUCER && !api_owns(sw->st, who.tok.party, c))
        return yima_http_res_error(res, 403, "not allowed",
                                   "%s is not a batch of %s: a producer "
                                   "reads only its own",
                                   c->canonical, who.tok.party);
    yima_buf_init(&out, ANSWER_MAX);
    return finish(res, yima_risk_inspections_json(sw->st, batch, &out, &err),
                  200, &out, &err, "bad batch");
}

int h_reports_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    yima_error err;
    yima_buf out;
    const char *body;
    size_t len;

    if (!server_caller_get(req, res, &who)) /* no token is fine */
        return 0;
    body = body_of(req, &len);
    yima_buf_init(&out, ANSWER_MAX);
    return finish(res, yima_risk_report_add(sw->st, body, len, &out, &err), 201,
                  &out, &err, "bad report");
}

int h_risks_get(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    yima_error err;
    yima_buf out;

    if (!server_authorize(req, res, &who, ROLE_READ_ALL,
                          "read risk cases (regulators, auditors)"))
        return 0;
    yima_buf_init(&out, ANSWER_MAX);
    return finish(res, yima_risk_cases_json(sw->st, &out, &err), 200, &out,
                  &err, "risks");
}

int h_recalls_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    yima_error err;
    yima_buf out;
    const char *body;
    size_t len;
    int64_t id = 0;
    int rc;

    if (!server_authorize(req, res, &who, ROLE_REGULATOR,
                          "order recalls (regulators)"))
        return 0;
    body = body_of(req, &len);
    yima_buf_init(&out, ANSWER_MAX);
    rc = yima_risk_recall_add(sw->st, body, len, who.tok.party, &out, &id,
                              &err);
    if (rc == 0) /* first attempts now; failures wait for the timer */
        yima_risk_notify(sw->st, id, NOTIFY_TIMEOUT_MS, NULL, NULL);
    return finish(res, rc, 201, &out, &err, "bad recall");
}

int h_recall_get(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    yima_error err;
    yima_buf out;
    int64_t id;

    if (!server_authorize(req, res, &who, ROLE_ANY,
                          "read recalls (regulators, auditors, and the holders "
                          "it names)"))
        return 0;
    if (!(id = recall_id(req, res)))
        return 0;
    if (!(who.role & ROLE_READ_ALL) &&
        !yima_risk_recall_holder(sw->st, id, who.tok.party))
        return yima_http_res_error(res, 403, "not allowed",
                                   "%s is not a holder in recall %lld",
                                   who.tok.party, (long long)id);
    yima_buf_init(&out, ANSWER_MAX);
    return finish(res, yima_risk_recall_json(sw->st, id, &out, &err), 200, &out,
                  &err, "recall");
}

int h_recall_returns_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    yima_error err;
    yima_buf out;
    const char *body;
    size_t len;
    int64_t id;

    if (!server_authorize(req, res, &who, ROLE_PRODUCER | ROLE_SELLER,
                          "record returns (the holders a recall names)"))
        return 0;
    if (!(id = recall_id(req, res)))
        return 0;
    if (!yima_risk_recall_holder(sw->st, id, who.tok.party))
        return yima_http_res_error(res, 403, "not allowed",
                                   "%s is not a holder in recall %lld",
                                   who.tok.party, (long long)id);
    body = body_of(req, &len);
    yima_buf_init(&out, ANSWER_MAX);
    return finish(
        res,
        yima_risk_return_add(sw->st, id, who.tok.party, body, len, &out, &err),
        201, &out, &err, "bad return");
}

int h_subscriptions_post(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    server_caller who;
    yima_error err;
    yima_buf out;
    const char *body;
    size_t len;

    if (!server_authorize(req, res, &who, ROLE_PRODUCER | ROLE_SELLER,
                          "subscribe to recall notifications (producers, "
                          "sellers)"))
        return 0;
    body = body_of(req, &len);
    yima_buf_init(&out, ANSWER_MAX);
    return finish(res,
                  yima_risk_subscription_add(sw->st, who.tok.party, body, len,
                                             &out, &err),
                  201, &out, &err, "bad subscription");
}
