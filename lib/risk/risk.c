/*
 * risk.c - inspections, incident reports, recalls with their snapshot and
 * returns, risk cases and their grade (yima/risk.h). Bodies are checked
 * here, field by field, so every front door refuses the same things with
 * the same words; rows are kept by lib/store/risk.c, snapshots come from
 * the forward trace (yima/trace.h).
 *
 * Stored JSON holds neither "id" nor "created": both come from the row
 * and are added when a record is shown.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "yima/code.h"
#include "yima/epcis.h"
#include "yima/risk.h"
#include "yima/trace.h"

#include "risk_int.h"


#define DUMP_FLAGS                                                             \
    (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
#define TRACE_MAX (64u << 20) /* bytes of one forward trace */

/* ---- Small helpers --------------------------------------------------------
 */

/* The body as a JSON object, or NULL with *err saying where it broke. */
static json_t *body_object(const char *json, size_t len, yima_error *err)
{
    json_error_t je;
    json_t *v = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);

    if (!v) {
        yima_error_set(err, YIMA_EINVAL, (size_t)je.position,
                       "body: line %d, column %d: %s", je.line, je.column,
                       je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        yima_error_set(err, YIMA_EINVAL, 0, "body: must be a JSON object");
        return NULL;
    }
    return v;
}

/* Member `name` of o as a non-empty string of at most max bytes. */
static int text_field(json_t *o, const char *name, bool required, size_t max,
                      const char **out, yima_error *err)
{
    json_t *v = json_object_get(o, name);

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return yima_error_set(err, YIMA_EINVAL, 0, "%s: missing", name);
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "%s: must be a non-empty string", name);
    if (json_string_length(v) > max)
        return yima_error_set(err, YIMA_EINVAL, 0, "%s: longer than %zu bytes",
                              name, max);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return yima_error_set(err, YIMA_EINVAL, 0, "%s: holds a NUL", name);
    *out = json_string_value(v);
    return 0;
}

/* Member `name` must be one of the NULL-terminated words. */
static int word_field(json_t *o, const char *name, const char *const *words,
                      const char *list, const char **out, yima_error *err)
{
    int rc = text_field(o, name, true, 32, out, err);

    if (rc != 0)
        return rc;
    for (size_t i = 0; words[i]; i++)
        if (strcmp(*out, words[i]) == 0)
            return 0;
    return yima_error_set(err, YIMA_EINVAL, 0, "%s: '%.32s' is not one of %s",
                          name, *out, list);
}

/* Refuse members other than the NULL-terminated names. */
static int only_fields(json_t *o, const char *const *names, yima_error *err)
{
    const char *key;
    json_t *v;

    json_object_foreach(o, key, v)
    {
        size_t i = 0;

        while (names[i] && strcmp(names[i], key) != 0)
            i++;
        if (!names[i])
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "%.64s: not a member of this body", key);
    }
    return 0;
}

/* Parse `in` (field `name`) into a new code (caller frees). */
static yima_code *code_field(const char *name, const char *in, yima_error *err)
{
    yima_code *c = malloc(sizeof *c);
    yima_error e;

    if (!c) {
        yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
        return NULL;
    }
    if (yima_code_parse(in, strlen(in), NULL, c, &e) != 0) {
        yima_error_set(err, YIMA_EINVAL, e.pos, "%s: %s", name, e.msg);
        free(c);
        return NULL;
    }
    return c;
}

/* Is c a GS1 batch: a GTIN with a lot and no serial? */
static bool is_batch(const yima_code *c)
{
    return c->scheme == YIMA_SCHEME_GS1 && yima_code_ai(c, "01") &&
           yima_code_ai(c, "10") && !yima_code_ai(c, "21");
}

/* The canonical batch code of gtin's lot into out, or "" when the pair
 * does not make a code. */
static void batch_of(const char *gtin, const char *lot, char *out, size_t n)
{
    char in[512];
    yima_code *c;

    out[0] = '\0';
    if (snprintf(in, sizeof in, "(01)%s(10)%s", gtin, lot) >= (int)sizeof in)
        return;
    if (!(c = code_field("batch", in, NULL)))
        return;
    if (is_batch(c) && strlen(c->canonical) < n)
        snprintf(out, n, "%s", c->canonical);
    free(c);
}

/* Append o with "id" and "created" first, then its members, to out. */
static int show(yima_buf *out, int64_t id, int64_t created, json_t *o)
{
    json_t *v = json_object();
    char t[64];
    char *text;
    int rc;

    yima_store_time_format(created, t);
    json_object_set_new(v, "id", json_integer(id));
    json_object_set_new(v, "created", json_string(t));
    json_object_update(v, o);
    text = json_dumps(v, DUMP_FLAGS);
    json_decref(v);
    if (!text)
        return YIMA_ENOMEM;
    rc = yima_buf_puts(out, text);
    free(text);
    return rc;
}

static int put_one(yima_store *st, yima_store_risk_row *rows, size_t n,
                   json_t *rec, yima_buf *out, yima_error *err)
{
    char *text = json_dumps(rec, DUMP_FLAGS);
    int64_t ids[2], created;
    int rc;

    assert(n >= 1 && n <= 2);
    if (!text)
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    rows[0].json = text;
    if ((rc = yima_store_risk_put(st, rows, n, ids, &created, err)) == 0)
        rc = show(out, ids[0], created, rec);
    free(text);
    return rc;
}

static int count_row(void *arg, const yima_store_risk_row *row)
{
    (void)row;
    ++*(size_t *)arg;
    return 0;
}

/* Rows of kind with key. */
static size_t count(yima_store *st, const char *kind, const char *key)
{
    size_t n = 0;

    if (yima_store_risk_list(st, kind, key, 0, count_row, &n, NULL) != 0)
        return 0;
    return n;
}

/* A case row for batch when it has none yet: rows[*n] filled. */
static void open_case(yima_store *st, const char *batch, const char *by,
                      yima_store_risk_row *rows, size_t *n)
{
    if (count(st, "case", batch) > 0)
        return;
    rows[*n] = (yima_store_risk_row){0, "case", batch, by, 0, "{}"};
    ++*n;
}

/* ---- Inspections ------------------------------------------------------- */

int yima_risk_inspection_add(yima_store *st, const char *json, size_t len,
                             const char *by, yima_buf *out, yima_error *err)
{
    static const char *const fields[] = {
        "batch",        "verdict",    "samples", "standard",
        "failed_items", "laboratory", "date",    NULL};
    static const char *const verdicts[] = {"pass", "fail", NULL};
    json_t *o = NULL, *rec = NULL, *items, *v;
    const char *batch, *verdict, *standard, *lab, *date;
    yima_store_risk_row rows[2];
    yima_code *c = NULL;
    int64_t ms;
    size_t n = 1, i;
    int rc;

    assert(st && json && out);
    yima_error_clear(err);
    if (!(o = body_object(json, len, err)))
        return YIMA_EINVAL;
    if ((rc = only_fields(o, fields, err)) != 0 ||
        (rc = text_field(o, "batch", true, 512, &batch, err)) != 0 ||
        (rc = word_field(o, "verdict", verdicts, "pass, fail", &verdict,
                         err)) != 0 ||
        (rc = text_field(o, "standard", true, 200, &standard, err)) != 0 ||
        (rc = text_field(o, "laboratory", true, 200, &lab, err)) != 0 ||
        (rc = text_field(o, "date", true, 64, &date, err)) != 0)
        goto out;
    if (!(c = code_field("batch", batch, err))) {
        rc = err ? err->code : YIMA_EINVAL;
        goto out;
    }
    if (!is_batch(c)) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "batch: %.200s is not a batch code: give "
                            "(01){gtin}(10){lot} or /01/{gtin}/10/{lot}",
                            batch);
        goto out;
    }
    v = json_object_get(o, "samples");
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > 1000000) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "samples: must be a whole number from 1 to "
                            "1000000");
        goto out;
    }
    if (yima_epcis_time_ms(date, strlen(date), &ms) != 0) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "date: '%.64s' is not an RFC 3339 date-time with "
                            "a time zone (2026-03-05T12:00:00+08:00)",
                            date);
        goto out;
    }
    items = json_object_get(o, "failed_items");
    if (items && !json_is_array(items)) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "failed_items: must be an array of strings");
        goto out;
    }
    if (json_array_size(items) > YIMA_RISK_LIST_MAX) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "failed_items: more than %d items",
                            YIMA_RISK_LIST_MAX);
        goto out;
    }
    json_array_foreach(items, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > 200) {
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "failed_items[%zu]: must be a string of 1 to "
                                "200 bytes",
                                i);
            goto out;
        }
    }
    if (!strcmp(verdict, "fail") && json_array_size(items) == 0) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "failed_items: a failing inspection names at "
                            "least one failed item");
        goto out;
    }
    rec = json_object();
    json_object_set_new(rec, "batch", json_string(c->canonical));
    json_object_set_new(rec, "verdict", json_string(verdict));
    json_object_set(rec, "samples", json_object_get(o, "samples"));
    json_object_set_new(rec, "standard", json_string(standard));
    json_object_set_new(rec, "failed_items",
                        items ? json_incref(items) : json_array());
    json_object_set_new(rec, "laboratory", json_string(lab));
    json_object_set_new(rec, "date", json_string(date));
    if (by)
        json_object_set_new(rec, "by", json_string(by));
    rows[0] =
        (yima_store_risk_row){0, "inspection", c->canonical, verdict, 0, NULL};
    if (!strcmp(verdict, "fail"))
        open_case(st, c->canonical, "inspection", rows, &n);
    rc = put_one(st, rows, n, rec, out, err);
out:
    json_decref(o);
    json_decref(rec);
    free(c);
    return rc;
}

typedef struct lister {
    yima_buf *out;
    size_t n;
    int rc;
} lister;

static int list_row(void *arg, const yima_store_risk_row *row)
{
    lister *l = arg;
    json_t *o = json_loads(row->json, 0, NULL);

    if (!o)
        return 0; /* not ours: never written by this file */
    if (l->n++ > 0)
        yima_buf_putc(l->out, ',');
    l->rc = show(l->out, row->id, row->created_ms, o);
    json_decref(o);
    return l->rc;
}

int yima_risk_inspections_json(yima_store *st, const char *batch, yima_buf *out,
                               yima_error *err)
{
    yima_code *c;
    lister l = {out, 0, 0};
    int rc;

    assert(st && batch && out);
    yima_error_clear(err);
    if (!(c = code_field("batch", batch, err)))
        return err ? err->code : YIMA_EINVAL;
    if (!is_batch(c)) {
        free(c);
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "batch: %.200s is not a batch code", batch);
    }
    yima_buf_putc(out, '[');
    rc = yima_store_risk_list(st, "inspection", c->canonical, 0, list_row, &l,
                              err);
    if (rc == 0)
        rc = yima_buf_putc(out, ']');
    free(c);
    return rc;
}

/* ---- Reports ------------------------------------------------------------ */

typedef struct lot_find {
    size_t events;
    char lot[128];
} lot_find;

/* The first ILMD lotNumber (any prefix spelling) of the code's events. */
static int find_lot(void *arg, uint64_t index, int64_t record_time_ms,
                    const char *json, size_t len)
{
    lot_find *f = arg;
    json_t *ev, *ilmd, *v;
    const char *key;

    (void)index;
    (void)record_time_ms;
    f->events++;
    if (f->lot[0] || !(ev = json_loadb(json, len, 0, NULL)))
        return 0;
    ilmd = json_object_get(ev, "ilmd");
    json_object_foreach(ilmd, key, v)
    {
        size_t n = strlen(key);

        if (n >= 9 && !strcmp(key + n - 9, "lotNumber") && json_is_string(v)) {
            snprintf(f->lot, sizeof f->lot, "%s", json_string_value(v));
            break;
        }
    }
    json_decref(ev);
    return 0;
}

int yima_risk_report_add(yima_store *st, const char *json, size_t len,
                         yima_buf *out, yima_error *err)
{
    static const char *const fields[] = {"code", "kind", "description", NULL};
    static const char *const kinds[] = {"injury", "fire", "defect", "other",
                                        NULL};
    json_t *o = NULL, *rec = NULL;
    const char *code, *kind, *desc;
    char batch[512] = "";
    yima_store_risk_row rows[2];
    yima_code *c = NULL;
    lot_find f = {0, ""};
    size_t n = 1;
    int rc;

    assert(st && json && out);
    yima_error_clear(err);
    if (!(o = body_object(json, len, err)))
        return YIMA_EINVAL;
    if ((rc = only_fields(o, fields, err)) != 0 ||
        (rc = text_field(o, "code", true, 512, &code, err)) != 0 ||
        (rc = word_field(o, "kind", kinds, "injury, fire, defect, other", &kind,
                         err)) != 0 ||
        (rc = text_field(o, "description", true, YIMA_RISK_TEXT_MAX, &desc,
                         err)) != 0)
        goto out;
    if (!(c = code_field("code", code, err))) {
        rc = err ? err->code : YIMA_EINVAL;
        goto out;
    }
    if ((rc = yima_store_events(st, c->canonical, find_lot, &f, err)) != 0)
        goto out;
    if (f.events == 0) {
        rc = yima_error_set(err, YIMA_ENOTFOUND, 0, "code: no event names %s",
                            c->canonical);
        goto out;
    }
    if (c->scheme == YIMA_SCHEME_GS1 && yima_code_ai(c, "01")) {
        const char *lot = yima_code_ai(c, "10");

        if (lot || f.lot[0])
            batch_of(yima_code_ai(c, "01"), lot ? lot : f.lot, batch,
                     sizeof batch);
    }
    rec = json_object();
    json_object_set_new(rec, "code", json_string(c->canonical));
    json_object_set_new(rec, "batch",
                        batch[0] ? json_string(batch) : json_null());
    json_object_set_new(rec, "kind", json_string(kind));
    json_object_set_new(rec, "description", json_string(desc));
    rows[0] = (yima_store_risk_row){
        0, "report", batch[0] ? batch : c->canonical, kind, 0, NULL};
    if (batch[0])
        open_case(st, batch, "report", rows, &n);
    rc = put_one(st, rows, n, rec, out, err);
out:
    json_decref(o);
    json_decref(rec);
    free(c);
    return rc;
}

/* ---- Recalls ------------------------------------------------------------ */

/* The forward trace of code now, parsed. */
static int forward(yima_store *st, const char *code, json_t **tr,
                   yima_error *err)
{
    yima_buf b;
    int rc;

    *tr = NULL;
    yima_buf_init(&b, TRACE_MAX);
    rc = yima_trace_json(st, code, YIMA_TRACE_FORWARD, NULL, &b, err);
    if (rc == 0 && !(*tr = json_loadb(b.data, b.len, 0, NULL)))
        rc = yima_error_set(err, YIMA_EIO, 0, "trace: unreadable answer");
    yima_buf_free(&b);
    return rc;
}

typedef struct subs {
    json_t *urls; /* array of {"url", "subscription": id} */
} subs;

static int sub_row(void *arg, const yima_store_risk_row *row)
{
    subs *s = arg;
    json_t *o = json_loads(row->json, 0, NULL);
    json_t *url = json_object_get(o, "url");

    if (json_is_string(url))
        json_array_append_new(s->urls,
                              json_pack("{sOsI}", "url", url, "subscription",
                                        (json_int_t)row->id));
    json_decref(o);
    return 0;
}

int yima_risk_recall_add(yima_store *st, const char *json, size_t len,
                         const char *by, yima_buf *out, int64_t *id_out,
                         yima_error *err)
{
    static const char *const fields[] = {"scope", "action", "reason", NULL};
    static const char *const actions[] = {"warning", "removal", "recall", NULL};
    json_t *o = NULL, *rec = NULL, *tr = NULL, *notified, *h;
    const char *scope, *action, *reason;
    yima_store_risk_row row;
    yima_code *c = NULL;
    char idtext[32];
    int64_t id, created;
    size_t i;
    int rc;

    assert(st && json && out);
    yima_error_clear(err);
    if (!(o = body_object(json, len, err)))
        return YIMA_EINVAL;
    if ((rc = only_fields(o, fields, err)) != 0 ||
        (rc = text_field(o, "scope", true, 512, &scope, err)) != 0 ||
        (rc = word_field(o, "action", actions, "warning, removal, recall",
                         &action, err)) != 0 ||
        (rc = text_field(o, "reason", true, YIMA_RISK_TEXT_MAX, &reason,
                         err)) != 0)
        goto out;
    if (!(c = code_field("scope", scope, err))) {
        rc = err ? err->code : YIMA_EINVAL;
        goto out;
    }
    if ((rc = forward(st, c->canonical, &tr, err)) != 0) {
        if (rc == YIMA_ENOTFOUND && err)
            yima_error_set(err, rc, 0, "scope: %s", err->msg);
        goto out;
    }
    rec = json_object();
    json_object_set_new(rec, "scope", json_string(c->canonical));
    json_object_set_new(rec, "action", json_string(action));
    json_object_set_new(rec, "reason", json_string(reason));
    if (by)
        json_object_set_new(rec, "by", json_string(by));
    json_object_set(rec, "holders", json_object_get(tr, "holders"));
    json_object_set(rec, "consumers", json_object_get(tr, "consumers"));
    json_object_set(rec, "unaccounted", json_object_get(tr, "unaccounted"));
    if (json_object_get(tr, "consumers_quantity"))
        json_object_set(rec, "consumers_quantity",
                        json_object_get(tr, "consumers_quantity"));
    row = (yima_store_risk_row){0, "recall", c->canonical, action, 0, NULL};
    {
        char *text = json_dumps(rec, DUMP_FLAGS);

        if (!text) {
            rc = yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
            goto out;
        }
        row.json = text;
        rc = yima_store_risk_put(st, &row, 1, &id, &created, err);
        free(text);
        if (rc != 0)
            goto out;
    }
    /* Queue one notification per subscription of each holder: delivery
     * (with back-off) is for a sender to do; the rows say what is owed. */
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    if (id_out)
        *id_out = id;
    notified = json_array();
    json_array_foreach(json_object_get(rec, "holders"), i, h)
    {
        const char *party = json_string_value(json_object_get(h, "party"));
        subs s = {json_array()};
        json_t *sub;
        size_t k;

        if (!party || !s.urls) {
            json_decref(s.urls);
            continue;
        }
        char full[YIMA_PARTY_MAX + 16];
        snprintf(full, sizeof full, "urn:yima:uscc:%s", party);
        if (yima_store_risk_list(st, "subscription", full, 0, sub_row, &s,
                                 NULL) == 0 &&
            json_array_size(s.urls) > 0)
            json_array_append_new(notified, json_string(party));
        json_array_foreach(s.urls, k, sub)
        {
            json_t *nt = json_object();
            char *text;

            json_object_set_new(nt, "party", json_string(party));
            json_object_set(nt, "url", json_object_get(sub, "url"));
            json_object_set(nt, "subscription",
                            json_object_get(sub, "subscription"));
            json_object_set_new(nt, "status", json_string("pending"));
            json_object_set_new(nt, "attempts", json_integer(0));
            text = json_dumps(nt, DUMP_FLAGS);
            json_decref(nt);
            if (text) {
                yima_store_risk_row nr = {0,   "notification", idtext, party, 0,
                                          text};

                yima_store_risk_put(st, &nr, 1, NULL, NULL, NULL);
                free(text);
            }
        }
        json_decref(s.urls);
    }
    json_object_set_new(rec, "notified", notified);
    rc = show(out, id, created, rec);
out:
    json_decref(o);
    json_decref(rec);
    json_decref(tr);
    free(c);
    return rc;
}

typedef struct one_rec {
    json_t *o;
    int64_t created;
} one_rec;

static int one_row(void *arg, const yima_store_risk_row *row)
{
    one_rec *r = arg;

    r->o = json_loads(row->json, 0, NULL);
    r->created = row->created_ms;
    return 1;
}

/* Recall id's record (caller decrefs), or NULL. */
static json_t *recall_get(yima_store *st, int64_t id, int64_t *created,
                          yima_error *err)
{
    one_rec r = {NULL, 0};
    int rc = yima_store_risk_list(st, "recall", NULL, id, one_row, &r, err);

    if (rc < 0)
        return NULL;
    if (!r.o)
        yima_error_set(err, YIMA_ENOTFOUND, 0, "no recall %" PRId64, id);
    if (created)
        *created = r.created;
    return r.o;
}

/* Returns of recall id per party: an object party -> number. */
static int ret_row(void *arg, const yima_store_risk_row *row)
{
    json_t *sums = arg, *o = json_loads(row->json, 0, NULL);
    json_t *n = json_object_get(o, "units");
    double had = json_number_value(json_object_get(sums, row->tag));

    if (!n)
        n = json_object_get(o, "quantity");
    if (row->tag && json_is_number(n))
        json_object_set_new(sums, row->tag,
                            json_real(had + json_number_value(n)));
    json_decref(o);
    return 0;
}

static json_t *returns_of(yima_store *st, int64_t id)
{
    json_t *sums = json_object();
    char key[32];

    snprintf(key, sizeof key, "%" PRId64, id);
    yima_store_risk_list(st, "return", key, 0, ret_row, sums, NULL);
    return sums;
}

/* A number as an integer when it is whole. */
static json_t *num(double v)
{
    if (v == floor(v) && fabs(v) < 9e15)
        return json_integer((json_int_t)v);
    return json_real(v);
}

/* The holder entry of party (bare USCC) in rec's snapshot, or NULL. */
static json_t *holder_of(json_t *rec, const char *party)
{
    json_t *h;
    size_t i;

    json_array_foreach(json_object_get(rec, "holders"), i, h)
    {
        const char *p = json_string_value(json_object_get(h, "party"));

        if (p && !strcmp(p, party))
            return h;
    }
    return NULL;
}

static double held_by(json_t *h)
{
    json_t *n = json_object_get(h, "units");

    return json_number_value(n ? n : json_object_get(h, "quantity"));
}

/* A canonical USCC without its urn:yima:uscc: prefix, as traces show. */
static const char *bare(const char *party)
{
    static const char prefix[] = "urn:yima:uscc:";

    return strncmp(party, prefix, sizeof prefix - 1)
               ? party
               : party + sizeof prefix - 1;
}

int yima_risk_recall_json(yima_store *st, int64_t id, yima_buf *out,
                          yima_error *err)
{
    json_t *rec, *sums, *progress, *h, *notes, *notice;
    double held = 0, returned = 0;
    int64_t created;
    size_t i;
    int rc;

    assert(st && out);
    yima_error_clear(err);
    if (!(rec = recall_get(st, id, &created, err)))
        return err && err->code ? err->code : YIMA_ENOTFOUND;
    sums = returns_of(st, id);
    if (risk_notifications(st, id, &notes) != 0) {
        json_decref(notes);
        notes = NULL;
    }
    progress = json_array();
    json_array_foreach(json_object_get(rec, "holders"), i, h)
    {
        const char *p = json_string_value(json_object_get(h, "party"));
        double n = held_by(h),
               r = p ? json_number_value(json_object_get(sums, p)) : 0;
        json_t *e = json_object();

        json_object_set_new(e, "party", json_string(p ? p : ""));
        if (json_object_get(h, "uom"))
            json_object_set(e, "uom", json_object_get(h, "uom"));
        json_object_set_new(e, "held", num(n));
        json_object_set_new(e, "returned", num(r));
        json_object_set_new(e, "outstanding", num(n - r));
        if (p && (notice = risk_notice_of(notes, p)) != NULL)
            json_object_set_new(e, "notice", notice);
        json_array_append_new(progress, e);
        if (json_object_get(h, "units")) { /* metres do not add to units */
            held += n;
            returned += r;
        }
    }
    h = json_object();
    json_object_set_new(h, "held", num(held));
    json_object_set_new(h, "returned", num(returned));
    json_object_set_new(h, "holders", progress);
    json_object_set_new(rec, "progress", h);
    if (notes)
        json_object_set_new(rec, "notifications", notes);
    rc = show(out, id, created, rec);
    json_decref(sums);
    json_decref(rec);
    return rc;
}

bool yima_risk_recall_holder(yima_store *st, int64_t id, const char *party)
{
    json_t *rec = recall_get(st, id, NULL, NULL);
    bool yes = rec && holder_of(rec, bare(party)) != NULL;

    json_decref(rec);
    return yes;
}

int yima_risk_return_add(yima_store *st, int64_t id, const char *party,
                         const char *json, size_t len, yima_buf *out,
                         yima_error *err)
{
    static const char *const fields[] = {"units", "quantity", NULL};
    json_t *o = NULL, *rec = NULL, *sums = NULL, *h, *units, *qty, *r = NULL;
    const char *p = bare(party);
    yima_store_risk_row row;
    char key[32];
    double n, left;
    int rc;

    assert(st && party && json && out);
    yima_error_clear(err);
    if (!(rec = recall_get(st, id, NULL, err)))
        return err && err->code ? err->code : YIMA_ENOTFOUND;
    if (!(h = holder_of(rec, p))) {
        rc =
            yima_error_set(err, YIMA_ENOTFOUND, 0,
                           "recall %" PRId64 ": %s holds nothing in it", id, p);
        goto out;
    }
    if (!(o = body_object(json, len, err))) {
        rc = YIMA_EINVAL;
        goto out;
    }
    if ((rc = only_fields(o, fields, err)) != 0)
        goto out;
    units = json_object_get(o, "units");
    qty = json_object_get(o, "quantity");
    if (!units == !qty) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "units: give units (a whole number) or quantity, "
                            "one of them");
        goto out;
    }
    if (units && (!json_is_integer(units) || json_integer_value(units) < 1)) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "units: must be a whole number >= 1");
        goto out;
    }
    if (qty && (!json_is_number(qty) || !(json_number_value(qty) > 0))) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "quantity: must be a number > 0");
        goto out;
    }
    if (units && !json_object_get(h, "units")) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "units: %s holds goods by quantity: give "
                            "quantity",
                            p);
        goto out;
    }
    if (qty && !json_object_get(h, "quantity")) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "quantity: %s holds units: give units", p);
        goto out;
    }
    n = json_number_value(units ? units : qty);
    sums = returns_of(st, id);
    left = held_by(h) - json_number_value(json_object_get(sums, p));
    if (n > left + 1e-9) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "%s: %g is more than the %g %s still holds "
                            "outstanding in recall %" PRId64,
                            units ? "units" : "quantity", n, left, p, id);
        goto out;
    }
    r = json_object();
    json_object_set_new(r, "recall", json_integer(id));
    json_object_set_new(r, "party", json_string(p));
    json_object_set(r, units ? "units" : "quantity", units ? units : qty);
    snprintf(key, sizeof key, "%" PRId64, id);
    row = (yima_store_risk_row){0, "return", key, p, 0, NULL};
    rc = put_one(st, &row, 1, r, out, err);
out:
    json_decref(o);
    json_decref(r);
    json_decref(rec);
    json_decref(sums);
    return rc;
}

/* ---- Cases and grades --------------------------------------------------- */

typedef struct case_list {
    json_t *cases; /* array of {batch, opened, opened_by} */
} case_list;

static int case_row(void *arg, const yima_store_risk_row *row)
{
    case_list *l = arg;
    json_t *o = json_object();
    char t[64];

    yima_store_time_format(row->created_ms, t);
    json_object_set_new(o, "batch", json_string(row->key));
    json_object_set_new(o, "opened", json_string(t));
    json_object_set_new(o, "opened_by", json_string(row->tag ? row->tag : ""));
    json_array_append_new(l->cases, o);
    return 0;
}

static int fail_row(void *arg, const yima_store_risk_row *row)
{
    if (row->tag && !strcmp(row->tag, "fail"))
        ++*(size_t *)arg;
    return 0;
}

static int kind_row(void *arg, const yima_store_risk_row *row)
{
    json_t *kinds = arg;
    const char *k = row->tag ? row->tag : "other";

    json_object_set_new(
        kinds, k,
        json_integer(json_integer_value(json_object_get(kinds, k)) + 1));
    return 0;
}

int yima_risk_cases_json(yima_store *st, yima_buf *out, yima_error *err)
{
    case_list l;
    json_t *c;
    size_t i;
    char *text;
    int rc;

    assert(st && out);
    yima_error_clear(err);
    if (!(l.cases = json_array()))
        return yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
    rc = yima_store_risk_list(st, "case", NULL, 0, case_row, &l, err);
    json_array_foreach(l.cases, i, c)
    {
        const char *batch;
        json_t *kinds, *tr = NULL, *h;
        size_t failed = 0, k;
        long long sev, exposure = 0;
        const char *grade, *action;

        if (rc != 0)
            break;
        batch = json_string_value(json_object_get(c, "batch"));
        kinds = json_pack("{s:i,s:i,s:i,s:i}", "injury", 0, "fire", 0, "defect",
                          0, "other", 0);
        if ((rc = yima_store_risk_list(st, "inspection", batch, 0, fail_row,
                                       &failed, err)) != 0 ||
            (rc = yima_store_risk_list(st, "report", batch, 0, kind_row, kinds,
                                       err)) != 0) {
            json_decref(kinds);
            break;
        }
        if (forward(st, batch, &tr, NULL) == 0) {
            json_array_foreach(json_object_get(tr, "holders"), k, h) exposure +=
                json_object_get(h, "units")
                    ? json_integer_value(json_object_get(h, "units"))
                    : 1;
            exposure += json_integer_value(json_object_get(tr, "consumers"));
        }
        json_decref(tr);
        sev = 3 * (long long)failed +
              3 * (json_integer_value(json_object_get(kinds, "injury")) +
                   json_integer_value(json_object_get(kinds, "fire"))) +
              json_integer_value(json_object_get(kinds, "defect"));
        if (sev >= 6)
            grade = "high", action = "recall";
        else if (sev >= 3 && exposure > 0)
            grade = "medium", action = "removal";
        else
            grade = "low", action = "warning";
        json_object_set_new(c, "failed_inspections",
                            json_integer((json_int_t)failed));
        json_object_set_new(c, "reports", kinds);
        json_object_set_new(c, "severity", json_integer(sev));
        json_object_set_new(c, "exposure", json_integer(exposure));
        json_object_set_new(c, "grade", json_string(grade));
        json_object_set_new(c, "action", json_string(action));
    }
    if (rc == 0) {
        if ((text = json_dumps(l.cases, DUMP_FLAGS)) != NULL) {
            rc = yima_buf_puts(out, text);
            free(text);
        } else {
            rc = yima_error_set(err, YIMA_ENOMEM, 0, "out of memory");
        }
    }
    json_decref(l.cases);
    return rc;
}

/* ---- Subscriptions and the scan hook ------------------------------------ */

int yima_risk_subscription_add(yima_store *st, const char *party,
                               const char *json, size_t len, yima_buf *out,
                               yima_error *err)
{
    static const char *const fields[] = {"url", NULL};
    json_t *o = NULL, *rec = NULL;
    yima_store_risk_row row;
    unsigned char key[32];
    char why[200], secret[2 * sizeof key + 1];
    const char *url;
    int rc;

    assert(st && party && json && out);
    yima_error_clear(err);
    if (!(o = body_object(json, len, err)))
        return YIMA_EINVAL;
    if ((rc = only_fields(o, fields, err)) != 0 ||
        (rc = text_field(o, "url", true, 1000, &url, err)) != 0)
        goto out;
    if (!risk_url_ok(url, why, sizeof why)) {
        rc = yima_error_set(err, YIMA_EINVAL, 0, "url: '%.100s' is %s", url,
                            why);
        goto out;
    }
    /* the key of the signatures: the receiver's proof that a notice is
     * the platform's */
    if (RAND_bytes(key, sizeof key) != 1) {
        rc = yima_error_set(err, YIMA_EIO, 0, "subscription: no randomness");
        goto out;
    }
    for (size_t i = 0; i < sizeof key; i++)
        snprintf(secret + 2 * i, 3, "%02x", key[i]);
    rec = json_object();
    json_object_set_new(rec, "party", json_string(party));
    json_object_set_new(rec, "url", json_string(url));
    json_object_set_new(rec, "secret", json_string(secret));
    row = (yima_store_risk_row){0, "subscription", party, NULL, 0, NULL};
    rc = put_one(st, &row, 1, rec, out, err);
out:
    json_decref(o);
    json_decref(rec);
    return rc;
}

static int recall_row(void *arg, const yima_store_risk_row *row)
{
    (void)arg;
    return row->tag &&
           (!strcmp(row->tag, "recall") || !strcmp(row->tag, "removal"));
}

static bool covered(yima_store *st, const char *key)
{
    return key && key[0] &&
           yima_store_risk_list(st, "recall", key, 0, recall_row, NULL, NULL) ==
               1;
}

bool yima_risk_recalled(yima_store *st, const char *code, const char *product,
                        const char *lot)
{
    static const char gs1[] = "https://id.gs1.org/01/";
    char batch[512] = "";

    assert(st && code);
    if (product && lot && !strncmp(product, gs1, sizeof gs1 - 1))
        batch_of(product + sizeof gs1 - 1, lot, batch, sizeof batch);
    return covered(st, code) || covered(st, product) || covered(st, batch);
}
