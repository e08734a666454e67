/*
 * api.c - helpers shared by the scanning, native API and ledger handlers
 * (see api.h).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

int api_send_json(yima_http_res *res, int status, json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    int rc;

    json_decref(v);
    if (!s)
        return yima_http_res_error(res, 500, "out of memory",
                                   "the answer could not be written");
    yima_http_res_status(res, status);
    yima_http_res_type(res, "application/json");
    rc = yima_buf_puts(yima_http_res_body(res), s);
    if (rc == 0)
        rc = yima_buf_putc(yima_http_res_body(res), '\n');
    free(s);
    return rc;
}

bool api_code(yima_http_res *res, const char *field, const char *in,
              size_t shift, bool as_given, yima_code *out)
{
    yima_error err;
    size_t len = strlen(in), pos;
    yima_buf detail, *body;

    assert(res && field && in && out);
    yima_error_clear(&err);
    if (yima_code_parse(in, len, NULL, out, &err) == 0)
        return true;
    if (as_given && out->scheme == YIMA_SCHEME_UNKNOWN &&
        len < sizeof out->canonical && len > 0) {
        memcpy(out->canonical, in, len + 1);
        return true;
    }
    pos = err.pos > shift ? err.pos - shift : 0;
    yima_buf_init(&detail, 1024);
    yima_buf_printf(&detail, "%s: %s", field,
                    err.msg[0] ? err.msg : "not a code");
    if (pos)
        yima_buf_printf(&detail, " (at character %zu)", pos);
    yima_http_res_status(res, 400);
    yima_http_res_type(res, "application/json");
    body = yima_http_res_body(res);
    yima_buf_reset(body);
    yima_buf_puts(body, "{\"error\":\"bad code\",\"detail\":");
    yima_buf_json_str(body, detail.data ? detail.data : "", detail.len);
    if (pos)
        yima_buf_printf(body, ",\"position\":%zu", pos);
    yima_buf_puts(body, "}\n");
    yima_buf_free(&detail);
    return false;
}

json_t *api_body(yima_http_req *req, yima_http_res *res, int want)
{
    size_t len;
    const char *body = yima_http_req_body(req, &len);
    yima_error err;
    json_error_t je;
    json_t *v;

    if (len == 0) {
        yima_http_res_error(res, 400, "bad body",
                            "the body is empty; a JSON "
                            "%s was expected",
                            want == JSON_ARRAY ? "array" : "object");
        return NULL;
    }
    if (yima_http_json_depth(body, len, YIMA_HTTP_JSON_DEPTH_MAX, &err) != 0) {
        yima_http_res_error(res, 400, "json too deep", "body: %s", err.msg);
        return NULL;
    }
    v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        yima_http_res_error(res, 400, "bad json",
                            "body: %s at line %d, column %d (byte %d)", je.text,
                            je.line, je.column, je.position);
        return NULL;
    }
    if ((want == JSON_OBJECT && !json_is_object(v)) ||
        (want == JSON_ARRAY && !json_is_array(v)) ||
        (!json_is_object(v) && !json_is_array(v))) {
        yima_http_res_error(res, 400, "bad body", "the body must be a JSON %s",
                            want == JSON_OBJECT  ? "object"
                            : want == JSON_ARRAY ? "array"
                                                 : "object or array");
        json_decref(v);
        return NULL;
    }
    return v;
}

int api_store_fail(yima_http_res *res, int rc, const yima_error *err,
                   const char *what)
{
    const char *msg = err && err->msg[0] ? err->msg : yima_strerror(rc);

    if (rc == YIMA_ENOTFOUND)
        return yima_http_res_error(res, 404, "not found", "%s", msg);
    if (rc == YIMA_EINVAL || rc == YIMA_ETOOBIG)
        return yima_http_res_error(res, 400, what, "%s", msg);
    return yima_http_res_error(res, 500, what, "%s", msg);
}

json_t *api_master(yima_store *st, yima_store_kind kind, const char *key,
                   const char *lot)
{
    yima_buf b;
    yima_error err;
    json_t *v = NULL;

    yima_buf_init(&b, 1 << 20);
    if (yima_store_master_get(st, kind, key, lot, &b, &err) == 0 && b.data)
        v = json_loadb(b.data, b.len, 0, NULL);
    yima_buf_free(&b);
    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

/* Is the string member `key` of o equal to want? */
static bool member_is(json_t *o, const char *key, const char *want)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s && want && strcmp(s, want) == 0;
}

/* The GS1 key of a code and where its company prefix starts in it: GTIN,
 * SSCC, GRAI and ITIP begin with an indicator or extension digit. */
static const char *gs1_key(const yima_code *c, size_t *skip)
{
    static const char *const keys[] = {"01",   "00",   "8003", "8006", "414",
                                       "417",  "253",  "255",  "401",  "402",
                                       "8004", "8010", "8013", "8017", "8018"};

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = yima_code_ai(c, keys[i]);

        if (v) {
            *skip = i < 4 ? 1 : 0;
            return v;
        }
    }
    return NULL;
}

/* Does the party's master data list a GCP that starts the code's key? */
static bool gcp_owns(yima_store *st, const char *party, const yima_code *c)
{
    size_t skip = 0, i;
    const char *key = gs1_key(c, &skip);
    json_t *p, *g;
    bool yes = false;

    if (!key || strlen(key) <= skip)
        return false;
    if (!(p = api_master(st, YIMA_STORE_PARTY, party, NULL)))
        return false;
    json_array_foreach(json_object_get(p, "gcp"), i, g)
    {
        const char *gcp = json_string_value(g);
        size_t n = gcp ? strlen(gcp) : 0;

        if (n >= 6 && n <= 12 && strspn(gcp, "0123456789") == n &&
            strncmp(key + skip, gcp, n) == 0) {
            yes = true;
            break;
        }
    }
    json_decref(p);
    return yes;
}

bool api_owns(yima_store *st, const char *party, const yima_code *c)
{
    char product[YIMA_CODE_URI_MAX];
    json_t *p;
    bool yes;

    assert(st && party && c);
    if (c->scheme == YIMA_SCHEME_DIC) {
        yima_store_issued is;
        yima_error err;

        return yima_store_issued_get(st, c->canonical, &is, &err) == 0 &&
               strcmp(is.party, party) == 0;
    }
    if (c->scheme == YIMA_SCHEME_UNKNOWN)
        return false;
    if (c->scheme == YIMA_SCHEME_GS1) {
        const char *gtin = yima_code_ai(c, "01");

        if (gtin)
            snprintf(product, sizeof product, "https://id.gs1.org/01/%s", gtin);
        else
            product[0] = '\0';
    } else {
        snprintf(product, sizeof product, "%s", c->canonical);
    }
    if (product[0] &&
        (p = api_master(st, YIMA_STORE_PRODUCT, product, NULL)) != NULL) {
        yes = member_is(p, "producer", party);
        json_decref(p);
        if (yes)
            return true;
    }
    return c->scheme == YIMA_SCHEME_GS1 && gcp_owns(st, party, c);
}

void api_time(yima_buf *b, int64_t ms)
{
    char when[YIMA_STORE_TIME_LEN + 1];

    if (yima_store_time_format(ms, when) == 0)
        yima_buf_puts(b, when);
}

int api_event_json(yima_buf *b, const char *json, size_t len,
                   int64_t record_time_ms)
{
    if (len < 2 || json[0] != '{' || json[len - 1] != '}')
        return YIMA_EINVAL;
    yima_buf_add(b, json, len - 1);
    yima_buf_puts(b, len > 2 ? ",\"recordTime\":\"" : "\"recordTime\":\"");
    api_time(b, record_time_ms);
    return yima_buf_puts(b, "\"}");
}

const char *api_cbv_word(const char *v)
{
    static const char *const prefixes[] = {"https://ref.gs1.org/cbv/BizStep-",
                                           "https://ref.gs1.org/cbv/Disp-",
                                           "urn:epcglobal:cbv:bizstep:",
                                           "urn:epcglobal:cbv:disp:",
                                           "cbv:BizStep-",
                                           "cbv:Disp-"};

    if (!v)
        return NULL;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);

        if (strncmp(v, prefixes[i], n) == 0)
            return v + n;
    }
    return v;
}

/* Does the event create the codes it names with role r? */
static bool creates(const yima_event *ev, yima_code_role r)
{
    const char *step = api_cbv_word(ev->biz_step);

    if (ev->type == YIMA_EVENT_TRANSFORMATION && r == YIMA_ROLE_OUTPUT)
        return true;
    if (step && strcmp(step, "commissioning") == 0)
        return r == YIMA_ROLE_EPC || r == YIMA_ROLE_CLASS ||
               r == YIMA_ROLE_PARENT || r == YIMA_ROLE_CHILD ||
               r == YIMA_ROLE_OUTPUT;
    return ev->type == YIMA_EVENT_OBJECT && ev->action &&
           strcmp(ev->action, "ADD") == 0 &&
           (r == YIMA_ROLE_EPC || r == YIMA_ROLE_CLASS);
}

size_t api_commission_check(yima_store *st, const char *party, bool producer,
                            const yima_event *ev, size_t n, const char **code,
                            char *why, size_t whysz)
{
    yima_code_opts opts = {.canonical_only = true};
    yima_code *c = malloc(sizeof *c);
    char owned[32] = ""; /* a GTIN found ours: units come in runs */

    if (!c) {
        snprintf(why, whysz, "out of memory");
        *code = "";
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < ev[i].n_codes; k++) {
            const char *s = ev[i].codes[k].code, *gtin;

            if (!creates(&ev[i], ev[i].codes[k].role) ||
                yima_code_parse(s, strlen(s), &opts, c, NULL) != 0 ||
                (c->scheme != YIMA_SCHEME_GS1 && c->scheme != YIMA_SCHEME_DIC))
                continue;
            gtin = c->scheme == YIMA_SCHEME_GS1 ? yima_code_ai(c, "01") : NULL;
            if (producer && gtin && strcmp(gtin, owned) == 0)
                continue;
            if (producer && api_owns(st, party, c)) {
                if (gtin && strlen(gtin) < sizeof owned)
                    memcpy(owned, gtin, strlen(gtin) + 1);
                continue;
            }
            *code = s;
            if (producer)
                snprintf(why, whysz,
                         "%.200s is not a code of %s: a producer "
                         "commissions only codes under its GS1 company "
                         "prefixes or of its registered products, and "
                         "platform codes issued to it",
                         s, party);
            else
                snprintf(why, whysz,
                         "%.200s would be commissioned by %s, which is not "
                         "a producer: goods come into being at their "
                         "producer",
                         s, party);
            free(c);
            return i + 1;
        }
    free(c);
    return 0;
}

int api_record(yima_store *st, const char *party, const yima_event *ev,
               size_t n, yima_store_result *res, yima_trace_refusal *refusal,
               yima_error *err)
{
    int rc;

    memset(refusal, 0, sizeof *refusal);
    if ((rc = yima_store_batch_begin(st, err)) != 0)
        return rc;
    yima_store_set_recorder(st, party);
    rc = yima_store_append(st, ev, n, res, err);
    yima_store_set_recorder(st, NULL);
    if (rc == 0)
        rc = yima_trace_admit(st, party, ev, n, res, refusal, err);
    if (rc == 0)
        rc = yima_store_batch_commit(st, err);
    else
        yima_store_batch_rollback(st);
    return rc;
}
