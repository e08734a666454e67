/*
 * sqlite_event.c - the SQLite backend's event rows: inserting an event and
 * its code-index rows, the last record time, one entry, every entry, and
 * the events of a code with the containers it was packed in.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* The numbers the statements in sqlite.c are written with. */
_Static_assert(YIMA_ROLE_PARENT == 2 && YIMA_ROLE_CHILD == 3,
               "role numbers in sqlite.c");
_Static_assert(YIMA_EVENT_AGGREGATION == 2, "type number in sqlite.c");

int sq_last_record_time(void *be, int64_t *ms, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_LAST_TIME);
    int rc = sqlite3_step(st);

    *ms = INT64_MIN;
    if (rc == SQLITE_ROW)
        *ms = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        return sq_fail(s, st, rc, err, "last record time");
    sqlite3_reset(st);
    return 0;
}

/*
 * events.codes: for each code of the event, its role (one byte, 1..11),
 * the code and a NUL. The code index is keyed by a 63-bit hash of the
 * code, so two codes may share a key: a query checks its candidates
 * against this list, and answers exactly.
 */
bool sq_has_code(const void *list, size_t len, const char *code, int role)
{
    const unsigned char *p = list, *end = p + len;
    size_t n = strlen(code);

    while (p && p < end) {
        const unsigned char *nul = memchr(p + 1, '\0', (size_t)(end - p - 1));

        if (!nul || p + 1 >= end)
            break;
        if ((role == 0 || *p == role) && (size_t)(nul - p - 1) == n &&
            memcmp(p + 1, code, n) == 0)
            return true;
        p = nul + 1;
    }
    return false;
}

/* The first 8 bytes of a hash as the signed key of event_keys. */
static int64_t hash_key(const uint8_t *hash)
{
    uint64_t k = 0;

    for (int i = 0; i < 8; i++)
        k = k << 8 | hash[i];
    return (int64_t)k;
}

/* v (may be NULL) as events.biz_step / disposition store it: the word of
 * a standard CBV value after its prefix, any other value as it is. */
static const char *cbv_word(const char *v, const char *prefix)
{
    size_t n = strlen(prefix);

    return v && strncmp(v, prefix, n) == 0 && v[n] && !strchr(v + n, ':')
               ? v + n
               : v;
}

/* The latest eventTime of a stored event (event_keys), or INT64_MIN. */
static int latest_time(sq *s, int64_t *t, yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_KEY_MAX);
    int rc = sqlite3_step(st);

    *t = INT64_MIN;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *t = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sq_fail(s, st, rc, err, "duplicate look-up");
}

/* Called inside the write transaction: what it finds stays true until
 * the batch is stored. Events come roughly in time order, so most are
 * later than every stored one, and those need no look-up: a duplicate has
 * the eventTime of the event it repeats. */
int sq_find(void *be, store_hash *hash, size_t n, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_DUP);
    int64_t latest;
    int rc;

    if ((rc = latest_time(s, &latest, err)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        store_hash *h = &hash[i];

        h->stored = false;
        if (h->first != i) {
            const store_hash *f = &hash[h->first];

            h->stored = f->stored;
            h->index = f->index;
            h->record_time_ms = f->record_time_ms;
            continue;
        }
        if (h->event_time_ms > latest)
            continue;
        sqlite3_bind_int64(st, 1, h->event_time_ms);
        sqlite3_bind_int64(st, 2, hash_key(h->hash));
        sqlite3_bind_blob(st, 3, h->hash, YIMA_LEDGER_HASH_LEN, SQLITE_STATIC);
        rc = sqlite3_step(st);
        h->stored = rc == SQLITE_ROW;
        if (rc == SQLITE_ROW) {
            h->index = (uint64_t)sqlite3_column_int64(st, 0);
            h->record_time_ms = sqlite3_column_int64(st, 1);
        } else if (rc != SQLITE_DONE)
            return sq_fail(s, st, rc, err, "duplicate look-up");
        sqlite3_reset(st);
    }
    return 0;
}

/* Column col of the current row of st (event idx): as stored, or
 * unpacked into buf when packed (an entry's JSON, or a code list). */
static int col_value(sq *s, sqlite3_stmt *st, uint64_t idx, int col, bool json,
                     yima_buf *buf, const void **p, size_t *n, yima_error *err)
{
    const void *v = sqlite3_column_blob(st, col);
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    int rc;

    *p = v ? v : "";
    *n = len;
    if (json ? !store_packed_json(v, len) : !store_packed_codes(v, len))
        return 0;
    if ((rc = store_unpack(s->packer, v, len, buf)) != 0)
        return yima_error_set(
            err, rc, 0,
            rc == YIMA_EIO
                ? "store: entry %llu is damaged: its packed %s does not unpack"
                : "store: entry %llu cannot be read (%s): out of memory",
            (unsigned long long)idx, json ? "JSON" : "code list");
    *p = buf->data;
    *n = buf->len;
    return 0;
}

int sq_col_entry(sq *s, sqlite3_stmt *st, uint64_t idx, int tcol, int ecol,
                 const void **p, size_t *n, yima_error *err)
{
    int rc = col_value(s, st, idx, ecol, true, &s->json, p, n, err);

    if (rc != 0 || *p != s->json.data) /* stored as the entry itself */
        return rc;
    if ((rc = store_entry_make(&s->entry, s->json.data, s->json.len,
                               sqlite3_column_int64(st, tcol))) != 0)
        return yima_error_set(err, rc, 0, "store: entry %llu: %s",
                              (unsigned long long)idx, yima_strerror(rc));
    *p = s->entry.data;
    *n = s->entry.len;
    return 0;
}

int sq_col_codes(sq *s, sqlite3_stmt *st, uint64_t idx, int col, const void **p,
                 size_t *n, yima_error *err)
{
    return col_value(s, st, idx, col, false, &s->codes, p, n, err);
}

const char *sq_col_event_id(sqlite3_stmt *st, int idcol, int hashcol,
                            char buf[YIMA_EVENT_HASH_LEN + 1])
{
    const char *id = (const char *)sqlite3_column_text(st, idcol);
    const void *hash;

    if (!id || id[0])
        return id;
    hash = sqlite3_column_blob(st, hashcol);
    if (!hash || sqlite3_column_bytes(st, hashcol) != YIMA_LEDGER_HASH_LEN)
        return NULL;
    store_hash_id_format(hash, buf);
    return buf;
}

int sq_put_event(void *be, const store_row *row, yima_error *err)
{
    const yima_event *ev = row->ev;
    const yima_store_packed *pk = row->packed;
    yima_store_packed here;
    char id[YIMA_EVENT_HASH_LEN + 1];
    sq *s = be;
    sqlite3_stmt *st;
    int rc;

    if (!pk || !pk->keys) { /* not packed ahead (or without keys): here */
        yima_buf_reset(&s->pack);
        if ((rc = yima_store_pack(s->packer, ev, 1, &s->pack, &here)) != 0)
            return yima_error_set(err, rc, 0, "store: cannot pack: %s",
                                  yima_strerror(rc));
        pk = &here;
    }

    st = sq_stmt(s, SQ_EVENT_PUT);
    sq_bind_u64(st, 1, row->index);
    /* The hash ID is not stored twice: events.hash makes it again. */
    store_hash_id_format(row->hash, id);
    sq_bind_text(st, 2, strcmp(id, ev->event_id) == 0 ? "" : ev->event_id);
    sqlite3_bind_blob(st, 3, row->hash, YIMA_LEDGER_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, (int)ev->type);
    sqlite3_bind_int64(st, 5, ev->event_time_ms);
    sqlite3_bind_int64(st, 6, row->record_time_ms);
    sq_bind_text(st, 7, ev->action);
    sq_bind_text(st, 8, cbv_word(ev->biz_step, SQ_BIZSTEP_PREFIX));
    sq_bind_text(st, 9, cbv_word(ev->disposition, SQ_DISP_PREFIX));
    sq_bind_text(st, 10, row->parent);
    sqlite3_bind_int(st, 11, (int)row->children);
    sqlite3_bind_blob(st, 12, pk->json, (int)pk->json_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 13, pk->codes_len ? pk->codes : "",
                      (int)pk->codes_len, SQLITE_STATIC);
    sq_bind_text(st, 14, row->recorder);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, st, rc, err, "event");

    st = sq_stmt(s, SQ_EVENT_KEY_PUT);
    sqlite3_bind_int64(st, 1, ev->event_time_ms);
    sqlite3_bind_int64(st, 2, hash_key(row->hash));
    sq_bind_u64(st, 3, row->index);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, st, rc, err, "event key");

    /* The code index is derived: only the tail in memory changes. */
    if (sq_index_add_keys(s, row->index, ev, pk->keys) != 0)
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory for the code index");
    return 0;
}

/* Hand the current row (record_time at col, entry at col + 1) to fn. */
static int give(sq *s, sqlite3_stmt *st, int col, uint64_t index,
                store_entry_fn fn, void *arg, yima_error *err)
{
    const void *p;
    size_t len;
    int rc;

    if ((rc = sq_col_entry(s, st, index, col, col + 1, &p, &len, err)) != 0)
        return rc;
    return fn(arg, index, sqlite3_column_int64(st, col), p, len);
}

static int all_events(sq *s, store_entry_fn fn, void *arg, yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_ALL);
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t index = (uint64_t)sqlite3_column_int64(st, 0);

        if ((rc = give(s, st, 1, index, fn, arg, err)) != 0) {
            sqlite3_reset(st);
            return rc;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "events");
}

/* A growing list of ledger indexes. */
typedef struct idxlist {
    int64_t *v;
    size_t n, alloc;
} idxlist;

static int push(idxlist *l, int64_t v)
{
    if (l->n == l->alloc) {
        size_t alloc = l->alloc ? l->alloc * 2 : 64;
        int64_t *p = realloc(l->v, alloc * sizeof *p);

        if (!p)
            return YIMA_ENOMEM;
        l->v = p;
        l->alloc = alloc;
    }
    l->v[l->n++] = v;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The postings of one key in a window of events, sorted by event. */
typedef struct hits {
    ix_post *v;
    size_t n, alloc;
    uint64_t from, hi; /* from <= idx <= hi */
    int role;        /* 0: any role but the eventID's */
    int failed;
} hits;

static int hit(void *arg, const ix_post *p)
{
    hits *h = arg;
    uint64_t idx = IX_IDX(p);

    if (idx < h->from || idx > h->hi || IX_ROLE(p) == 0 ||
        (h->role && IX_ROLE(p) != h->role))
        return 0;
    if (h->n == h->alloc) {
        size_t alloc = h->alloc ? h->alloc * 2 : 64;
        ix_post *v = realloc(h->v, alloc * sizeof *v);

        if (!v)
            return h->failed = YIMA_ENOMEM;
        h->v = v;
        h->alloc = alloc;
    }
    h->v[h->n++] = *p;
    return 0;
}

static int cmp_post(const void *a, const void *b)
{
    const ix_post *x = a, *y = b;

    return (x->idx_role > y->idx_role) - (x->idx_role < y->idx_role);
}

/* The postings of code (role: 0 any) with from <= idx <= hi, by event. */
static int find_hits(sq *s, const char *code, int role, uint64_t from,
                     uint64_t hi, hits *h, yima_error *err)
{
    int rc;

    h->n = 0;
    h->from = from;
    h->hi = hi;
    h->role = role;
    h->failed = 0;
    rc = sq_index_find(s, sq_index_key(s, code), hit, h, err);
    if (rc == 0 && h->failed)
        rc = yima_error_set(err, YIMA_ENOMEM, 0,
                            "store: out of memory in a code query");
    if (rc == 0 && h->n > 1)
        qsort(h->v, h->n, sizeof *h->v, cmp_post);
    return rc;
}

/* What a query needs to know of one event. */
typedef struct info {
    int type;
    bool add, del;   /* action ADD, DELETE */
    char *parent;    /* malloc'd, or NULL */
    unsigned children;
    bool names;      /* its code list names the code asked about */
} info;

/* Read event idx and check that it names code with role (0: any). */
static int event_info(sq *s, uint64_t idx, const char *code, int role,
                      info *out, yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_INFO);
    const char *action, *parent;
    const void *list;
    size_t len;
    int rc;

    memset(out, 0, sizeof *out);
    sq_bind_u64(st, 1, idx);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return yima_error_set(err, YIMA_EIO, 0,
                              "store: the code index names entry %llu, "
                              "which is missing",
                              (unsigned long long)idx);
    }
    if (rc != SQLITE_ROW)
        return sq_fail(s, st, rc, err, "event of a code");
    out->type = sqlite3_column_int(st, 0);
    action = (const char *)sqlite3_column_text(st, 1);
    out->add = action && strcmp(action, "ADD") == 0;
    out->del = action && strcmp(action, "DELETE") == 0;
    parent = (const char *)sqlite3_column_text(st, 2);
    out->children = (unsigned)sqlite3_column_int(st, 3);
    if ((rc = sq_col_codes(s, st, idx, 4, &list, &len, err)) != 0) {
        sqlite3_reset(st);
        return rc;
    }
    out->names = sq_has_code(list, len, code, role);
    if (parent && out->names && !(out->parent = strdup(parent))) {
        sqlite3_reset(st);
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory in a code query");
    }
    sqlite3_reset(st);
    return 0;
}

/* One packing of a code into a parent: from the ADD at `at`. */
typedef struct packing {
    uint64_t at;
    char *parent;
} packing;

typedef struct packings {
    packing *v;
    size_t n, alloc;
} packings;

static void packings_free(packings *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].parent);
    free(p->v);
}

/* Does event `in` (naming the code it was read for) end the packing of a
 * child into parent? As the child: a DELETE of it, or an ADD into another
 * parent. As the parent (parent NULL): a DELETE of it naming no children. */
static bool ends_packing(const info *in, const char *parent)
{
    if (!in->names || in->type != YIMA_EVENT_AGGREGATION)
        return false;
    if (!parent)
        return in->del && in->children == 0;
    return in->del || !in->parent || strcmp(in->parent, parent) != 0;
}

/* Lower *end to the first event after `at` and before *end where `code`
 * in `role` ends the packing (ends_packing with parent). */
static int first_end(sq *s, const char *code, int role, const char *parent,
                     uint64_t at, uint64_t *end, hits *h, yima_error *err)
{
    info in;
    int rc;

    if ((rc = find_hits(s, code, role, at + 1, *end, h, err)) != 0)
        return rc;
    for (size_t i = 0; i < h->n && IX_IDX(&h->v[i]) < *end; i++) {
        uint64_t idx = IX_IDX(&h->v[i]);
        bool ends;

        if ((rc = event_info(s, idx, code, role, &in, err)) != 0)
            return rc;
        ends = ends_packing(&in, parent);
        free(in.parent);
        if (ends) {
            *end = idx;
            break;
        }
    }
    return 0;
}

/*
 * The first event after `at` that ends the packing of code into parent:
 * code unpacked (a DELETE naming it as a child) or packed elsewhere (an
 * ADD into another parent), or the parent emptied whole (a DELETE of the
 * parent naming no children). Sets *end to it if it is before *end.
 */
static int unpacked(sq *s, const char *code, const char *parent, uint64_t at,
                    uint64_t *end, hits *h, yima_error *err)
{
    int rc = first_end(s, code, YIMA_ROLE_CHILD, parent, at, end, h, err);

    return rc ? rc
              : first_end(s, parent, YIMA_ROLE_PARENT, NULL, at, end, h, err);
}

/*
 * Add to out the events that mention code with from <= idx <= hi, then for
 * every ADD in that window that packs code into a parent, the parent's
 * events from the ADD until it is unpacked (recursively).
 */
static int collect(sq *s, const char *code, uint64_t from, uint64_t hi,
                   int depth, idxlist *out, yima_error *err)
{
    packings pk = {0};
    hits h = {0};
    info in;
    int rc;

    if ((rc = find_hits(s, code, 0, from, hi, &h, err)) != 0)
        goto out;
    for (size_t i = 0; i < h.n && rc == 0; i++) {
        uint64_t idx = IX_IDX(&h.v[i]);

        if (i > 0 && IX_IDX(&h.v[i - 1]) == idx)
            continue; /* the same event in another role */
        if ((rc = event_info(s, idx, code, 0, &in, err)) != 0)
            goto out;
        /* A packing: code a child of an aggregation ADD with a parent. */
        if (in.names && in.type == YIMA_EVENT_AGGREGATION && in.add &&
            in.parent && depth < STORE_QUERY_DEPTH) {
            bool child = false;

            for (size_t k = i; k < h.n && IX_IDX(&h.v[k]) == idx; k++)
                child |= IX_ROLE(&h.v[k]) == YIMA_ROLE_CHILD;
            if (child) {
                if (pk.n == pk.alloc) {
                    size_t a = pk.alloc ? pk.alloc * 2 : 8;
                    packing *p = realloc(pk.v, a * sizeof *p);

                    if (!p) {
                        free(in.parent);
                        rc = YIMA_ENOMEM;
                        goto out;
                    }
                    pk.v = p;
                    pk.alloc = a;
                }
                pk.v[pk.n++] = (packing){idx, in.parent};
                in.parent = NULL;
            }
        }
        free(in.parent);
        if (in.names)
            rc = push(out, (int64_t)idx);
    }
    /* Each packing checks its child role exactly (another role of the same
     * event named the code). */
    for (size_t i = 0; i < pk.n && rc == 0; i++) {
        uint64_t end = hi;

        rc = event_info(s, pk.v[i].at, code, YIMA_ROLE_CHILD, &in, err);
        free(in.parent);
        if (rc != 0 || !in.names)
            continue;
        if ((rc = unpacked(s, code, pk.v[i].parent, pk.v[i].at, &end, &h,
                           err)) == 0)
            rc = collect(s, pk.v[i].parent, pk.v[i].at + 1, end, depth + 1,
                         out, err);
    }
out:
    free(h.v);
    packings_free(&pk);
    if (rc == YIMA_ENOMEM)
        yima_error_set(err, rc, 0, "store: out of memory in a code query");
    return rc;
}

int sq_events(void *be, const char *code, store_entry_fn fn, void *arg,
              yima_error *err)
{
    idxlist l = {0};
    sq *s = be;
    sqlite3_stmt *st;
    bool own_tx = sqlite3_get_autocommit(s->db);
    int rc;

    /* One snapshot for the index and the rows it names. */
    if (own_tx && (rc = sq_begin_read(s, err)) != 0)
        return rc;
    if (!code) {
        rc = all_events(s, fn, arg, err);
        goto out;
    }
    if ((rc = collect(s, code, 0, UINT64_MAX, 0, &l, err)) != 0)
        goto out;
    if (l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, cmp_i64);
    for (size_t i = 0; i < l.n; i++) {
        if (i > 0 && l.v[i] == l.v[i - 1])
            continue;
        st = sq_stmt(s, SQ_EVENT_ONE);
        sqlite3_bind_int64(st, 1, l.v[i]);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            sqlite3_reset(st);
            rc = yima_error_set(err, YIMA_EIO, 0,
                                "store: the code index names entry %lld, "
                                "which is missing",
                                (long long)l.v[i]);
            goto out;
        }
        if (rc != SQLITE_ROW) {
            rc = sq_fail(s, st, rc, err, "event of a code");
            goto out;
        }
        rc = give(s, st, 0, (uint64_t)l.v[i], fn, arg, err);
        sqlite3_reset(st);
        if (rc != 0)
            goto out;
    }
out:
    if (own_tx)
        sq_rollback(s);
    free(l.v);
    return rc;
}

int sq_entry(void *be, uint64_t index, yima_buf *out, yima_error *err)
{
    const void *p;
    size_t len;
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_ONE);
    int rc;

    sq_bind_u64(st, 1, index);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return yima_error_set(err, YIMA_ENOTFOUND, 0,
                              "store: no entry %llu in the ledger",
                              (unsigned long long)index);
    }
    if (rc != SQLITE_ROW)
        return sq_fail(s, st, rc, err, "entry");
    if ((rc = sq_col_entry(s, st, index, 0, 1, &p, &len, err)) != 0) {
        sqlite3_reset(st);
        return rc;
    }
    rc = yima_buf_add(out, p, len);
    sqlite3_reset(st);
    if (rc != 0)
        yima_error_set(err, rc, 0, "store: entry %llu: %s",
                       (unsigned long long)index, yima_strerror(rc));
    return rc;
}
