/*
 * sqlite_query.c - the EPCIS 2.0 query parameters over the SQLite backend
 * (see yima_store_query in yima/store.h): candidates from the code index,
 * the eventTime index or a scan in ledger order, then every filter checked
 * against the event's row, and against its JSON only for list-item types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "yima/code.h"

#include "store_int.h"

#define SCAN_CHUNK 1024 /* rows a scan fetches at a time */
#define CBV        "https://ref.gs1.org/cbv/"

/* ---- Candidates ---------------------------------------------------------- */

typedef struct cand {
    uint64_t *v;
    size_t n, alloc;
    uint64_t from;
    unsigned roles;
    int failed;
} cand;

static int cand_push(cand *c, uint64_t idx)
{
    if (c->n == c->alloc) {
        size_t alloc = c->alloc ? c->alloc * 2 : 256;
        uint64_t *v = realloc(c->v, alloc * sizeof *v);

        if (!v)
            return c->failed = YIMA_ENOMEM;
        c->v = v;
        c->alloc = alloc;
    }
    c->v[c->n++] = idx;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Sort and drop repeats. */
static void cand_sort(cand *c)
{
    size_t k = 0;

    if (c->n > 1)
        qsort(c->v, c->n, sizeof *c->v, cmp_u64);
    for (size_t i = 0; i < c->n; i++)
        if (k == 0 || c->v[i] != c->v[k - 1])
            c->v[k++] = c->v[i];
    c->n = k;
}

static int posting(void *arg, const ix_post *p)
{
    cand *c = arg;

    if (IX_IDX(p) < c->from || !(c->roles & 1u << IX_ROLE(p)))
        return 0;
    return cand_push(c, IX_IDX(p));
}

/* Events from q->from on that post any value of f in one of its roles. */
static int by_codes(sq *s, const yima_query_codes *f, uint64_t from, cand *c,
                    yima_error *err)
{
    int rc;

    c->from = from;
    c->roles = f->roles;
    for (size_t i = 0; i < f->codes.n; i++)
        if ((rc = sq_index_find(s, sq_index_key(s, f->codes.v[i]), posting, c,
                                err)) != 0)
            return c->failed ? yima_error_set(err, YIMA_ENOMEM, 0,
                                              "store: out of memory in a "
                                              "query")
                             : rc;
    cand_sort(c);
    return 0;
}

/* Events from q->from on within the eventTime bounds. */
static int by_time(sq *s, const yima_query *q, cand *c, yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_TIME_RANGE);
    int rc;

    sqlite3_bind_int64(st, 1, q->ge_event_time);
    sqlite3_bind_int64(st, 2, q->lt_event_time);
    sq_bind_u64(st, 3, q->from);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cand_push(c, (uint64_t)sqlite3_column_int64(st, 0)) != 0) {
            sqlite3_reset(st);
            return yima_error_set(err, YIMA_ENOMEM, 0,
                                  "store: out of memory in a query");
        }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, st, rc, err, "eventTime query");
    cand_sort(c);
    return 0;
}

/* The next chunk of a scan in ledger order from `from`. */
static int by_scan(sq *s, const yima_query *q, uint64_t from, cand *c,
                   yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_SCAN);
    int rc;

    c->n = 0;
    sq_bind_u64(st, 1, from);
    sqlite3_bind_int64(st, 2, q->ge_record_time);
    sqlite3_bind_int64(st, 3, q->lt_record_time);
    sqlite3_bind_int(st, 4, SCAN_CHUNK);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (cand_push(c, (uint64_t)sqlite3_column_int64(st, 0)) != 0) {
            sqlite3_reset(st);
            return yima_error_set(err, YIMA_ENOMEM, 0,
                                  "store: out of memory in a query");
        }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "event scan");
}

/* ---- Filters ------------------------------------------------------------- */

static bool in_values(const yima_query_values *v, const char *s)
{
    if (v->n == 0)
        return true;
    for (size_t i = 0; s && i < v->n; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

/* in_values() for events.biz_step or disposition, s as stored: a bare word
 * (no ':') is the standard value prefix + s. */
static bool in_cbv(const yima_query_values *v, const char *s,
                   const char *prefix)
{
    size_t n = strlen(prefix);

    if (v->n == 0 || !s || strchr(s, ':'))
        return in_values(v, s);
    for (size_t i = 0; i < v->n; i++)
        if (strncmp(v->v[i], prefix, n) == 0 && strcmp(v->v[i] + n, s) == 0)
            return true;
    return false;
}

/* A bizTransaction / source / destination type as a web URI: the bare
 * CBV word and the CBV 1.x URN of a standard type become
 * https://ref.gs1.org/cbv/{BTT,SDT}-word; anything else stays. */
static void type_uri(int role, const char *t, char *out, size_t size)
{
    const char *kind = role == YIMA_ROLE_BIZ_TX ? "BTT-" : "SDT-";
    const char *urn = role == YIMA_ROLE_BIZ_TX ? "urn:epcglobal:cbv:btt:"
                                               : "urn:epcglobal:cbv:sdt:";

    if (strncmp(t, urn, strlen(urn)) == 0)
        snprintf(out, size, CBV "%s%s", kind, t + strlen(urn));
    else if (!strchr(t, ':'))
        snprintf(out, size, CBV "%s%s", kind, t);
    else
        snprintf(out, size, "%s", t);
}

/* What a filter with a type looks at in the event's JSON. */
typedef struct looker {
    json_t *ev;     /* the event, parsed on first need */
    yima_code *code;
    bool parsed;
} looker;

/* Does list item value v (as written in the event) name code? */
static bool names(looker *lk, const char *v, const char *code)
{
    if (strcmp(v, code) == 0)
        return true;
    return yima_code_parse(v, strlen(v), NULL, lk->code, NULL) == 0 &&
           strcmp(lk->code->canonical, code) == 0;
}

/* Has the event a list item of role's list with type and value code? */
static bool typed_item(looker *lk, const void *entry, size_t len, int role,
                       const char *type, const char *code)
{
    const char *list = role == YIMA_ROLE_BIZ_TX ? "bizTransactionList"
                       : role == YIMA_ROLE_SOURCE ? "sourceList"
                                                  : "destinationList";
    const char *key = role == YIMA_ROLE_BIZ_TX ? "bizTransaction"
                      : role == YIMA_ROLE_SOURCE ? "source"
                                                 : "destination";
    char want[512], got[512];
    const char *json;
    size_t n, i;
    json_t *item;

    if (!lk->parsed) {
        lk->parsed = true;
        if (yima_store_entry_parse(entry, len, NULL, &json, &n) == 0)
            lk->ev = json_loadb(json, n, 0, NULL);
    }
    type_uri(role, type, want, sizeof want);
    json_array_foreach (json_object_get(lk->ev, list), i, item) {
        const char *t = json_string_value(json_object_get(item, "type"));
        const char *v = json_string_value(json_object_get(item, key));

        if (!t || !v)
            continue;
        type_uri(role, t, got, sizeof got);
        if (strcmp(got, want) == 0 && names(lk, v, code))
            return true;
    }
    return false;
}

/* Does filter f hold for the event with code list (clen bytes)? */
static bool codes_hold(const yima_query_codes *f, const void *list,
                       size_t clen, looker *lk, const void *entry,
                       size_t elen)
{
    for (size_t i = 0; i < f->codes.n; i++)
        for (int role = YIMA_ROLE_EPC; role <= YIMA_ROLE_BATCH; role++) {
            if (!(f->roles & 1u << role) ||
                !sq_has_code(list, clen, f->codes.v[i], role))
                continue;
            if (!f->type || typed_item(lk, entry, elen, role, f->type,
                                       f->codes.v[i]))
                return true;
        }
    return false;
}

/* Does the current row of st (SQ_EVENT_ROW) pass every filter of q? The
 * code list and entry are unpacked only when a filter looks at them; -1
 * when they cannot be (*err set). */
static int passes(sq *s, const yima_query *q, sqlite3_stmt *st, uint64_t idx,
                  looker *lk, yima_error *err)
{
    int type = sqlite3_column_int(st, 0);
    int64_t et = sqlite3_column_int64(st, 1), rt = sqlite3_column_int64(st, 2);
    const void *list = "", *entry = "";
    size_t clen = 0, elen = 0;

    if (q->recorder) {
        const char *r = (const char *)sqlite3_column_text(st, 9);

        if (!r || strcmp(r, q->recorder) != 0)
            return 0;
    }
    if ((q->types && !(q->types & 1u << type)) || et < q->ge_event_time ||
        et >= q->lt_event_time || rt < q->ge_record_time ||
        rt >= q->lt_record_time ||
        !in_values(&q->actions, (const char *)sqlite3_column_text(st, 3)) ||
        !in_cbv(&q->biz_steps, (const char *)sqlite3_column_text(st, 4),
                SQ_BIZSTEP_PREFIX) ||
        !in_cbv(&q->dispositions, (const char *)sqlite3_column_text(st, 5),
                SQ_DISP_PREFIX))
        return 0;
    if (q->n_codes && sq_col_codes(s, st, idx, 6, &list, &clen, err) != 0)
        return -1;
    for (size_t k = 0; k < q->n_codes; k++)
        if (q->codes[k].type) {
            if (sq_col_entry(s, st, idx, 2, 7, &entry, &elen, err) != 0)
                return -1;
            break;
        }
    for (size_t k = 0; k < q->n_codes; k++)
        if (!codes_hold(&q->codes[k], list, clen, lk, entry, elen))
            return 0;
    return 1;
}

/* ---- The query ----------------------------------------------------------- */

typedef struct run {
    sq *s;
    const yima_query *q;
    store_entry_fn fn;
    void *arg;
    size_t given;
    uint64_t *next;
    looker lk;
    yima_error *err;
} run;

/* Look at candidate idx: 1 when the query is done (*next set). */
static int consider(run *r, uint64_t idx)
{
    sqlite3_stmt *st = sq_stmt(r->s, SQ_EVENT_ROW);
    const void *entry;
    size_t len;
    int rc;

    sq_bind_u64(st, 1, idx);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return 0; /* an index hint past the end: nothing */
    }
    if (rc != SQLITE_ROW)
        return sq_fail(r->s, st, rc, r->err, "query");
    json_decref(r->lk.ev);
    r->lk.ev = NULL;
    r->lk.parsed = false;
    if ((rc = passes(r->s, r->q, st, idx, &r->lk, r->err)) != 1) {
        sqlite3_reset(st);
        return rc < 0 ? YIMA_EIO : 0;
    }
    if (r->q->limit && r->given == r->q->limit) {
        *r->next = idx; /* one more matches: the next page starts here */
        sqlite3_reset(st);
        return 1;
    }
    if ((rc = sq_col_entry(r->s, st, idx, 2, 7, &entry, &len, r->err)) == 0)
        rc = r->fn(r->arg, idx, sqlite3_column_int64(st, 2), entry, len);
    sqlite3_reset(st);
    r->given++;
    return rc;
}

int sq_query(void *be, const yima_query *q, store_entry_fn fn, void *arg,
             uint64_t *next, yima_error *err)
{
    sq *s = be;
    uint64_t unused, from = q->from;
    bool own_tx = sqlite3_get_autocommit(s->db);
    run r = {s, q, fn, arg, 0, next ? next : &unused, {0}, err};
    cand c = {0};
    int rc;

    *r.next = UINT64_MAX;
    if (!(r.lk.code = malloc(sizeof *r.lk.code)))
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory in a query");
    if (own_tx && (rc = sq_begin_read(s, err)) != 0) {
        free(r.lk.code);
        return rc;
    }
    if (q->n_codes || q->ge_event_time != INT64_MIN ||
        q->lt_event_time != INT64_MAX) {
        rc = q->n_codes ? by_codes(s, &q->codes[0], q->from, &c, err)
                        : by_time(s, q, &c, err);
        for (size_t i = 0; rc == 0 && i < c.n; i++)
            rc = consider(&r, c.v[i]);
    } else {
        do {
            if ((rc = by_scan(s, q, from, &c, err)) != 0)
                break;
            for (size_t i = 0; rc == 0 && i < c.n; i++)
                rc = consider(&r, c.v[i]);
            if (c.n)
                from = c.v[c.n - 1] + 1;
        } while (rc == 0 && c.n == SCAN_CHUNK);
    }
    if (rc == 1)
        rc = 0;
    if (own_tx)
        sq_rollback(s);
    json_decref(r.lk.ev);
    free(r.lk.code);
    free(c.v);
    return rc;
}

/* ---- One event by its ID ------------------------------------------------- */

static int id_posting(void *arg, const ix_post *p)
{
    return IX_ROLE(p) == 0 ? cand_push(arg, IX_IDX(p)) : 0;
}

int sq_by_id(void *be, const char *id, store_entry_fn fn, void *arg,
             yima_error *err)
{
    sq *s = be;
    bool own_tx = sqlite3_get_autocommit(s->db);
    cand c = {0};
    int rc, found = 0;

    if (own_tx && (rc = sq_begin_read(s, err)) != 0)
        return rc;
    rc = sq_index_find(s, sq_index_key(s, id), id_posting, &c, err);
    if (rc == 0 && c.failed)
        rc = yima_error_set(err, YIMA_ENOMEM, 0,
                            "store: out of memory in a query");
    cand_sort(&c);
    for (size_t i = 0; rc == 0 && !found && i < c.n; i++) {
        sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_ROW);
        char buf[YIMA_EVENT_HASH_LEN + 1];
        const char *eid;

        sq_bind_u64(st, 1, c.v[i]);
        if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
            rc = rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "event by ID");
            sqlite3_reset(st);
            continue;
        }
        rc = 0;
        eid = sq_col_event_id(st, 8, 10, buf);
        if (eid && strcmp(eid, id) == 0) {
            const void *entry;
            size_t len;

            found = 1;
            if ((rc = sq_col_entry(s, st, c.v[i], 2, 7, &entry, &len, err)) ==
                0)
                rc = fn(arg, c.v[i], sqlite3_column_int64(st, 2), entry, len);
        }
        sqlite3_reset(st);
    }
    if (own_tx)
        sq_rollback(s);
    free(c.v);
    if (rc == 0 && !found)
        rc = yima_error_set(err, YIMA_ENOTFOUND, 0, "store: no event %.200s",
                            id);
    return rc;
}
