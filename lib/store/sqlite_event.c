/*
 * sqlite_event.c - the SQLite backend's event rows: inserting an event and
 * its code-index rows, the last record time, one entry, every entry, and
 * the events of a code with the containers it was packed in.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

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

int64_t sq_code_key(sq *s, const char *code)
{
    uint8_t h[SHA256_DIGEST_LENGTH];
    uint64_t k = 0;

    /* The handle's digest: SHA256() looks the algorithm up every time. */
    if (!s->sha256 || EVP_DigestInit_ex(s->md, s->sha256, NULL) != 1 ||
        EVP_DigestUpdate(s->md, code, strlen(code)) != 1 ||
        EVP_DigestFinal_ex(s->md, h, NULL) != 1)
        SHA256((const unsigned char *)code, strlen(code), h);
    for (int i = 0; i < 8; i++)
        k = k << 8 | h[i];
    return (int64_t)k;
}

/*
 * events.codes: for each code of the event, its role (one byte, 1..11),
 * the code and a NUL. The code index is keyed by a 64-bit hash of the
 * code, so two codes may share a key: a query checks its candidates
 * against this list, and answers exactly.
 */
void sq_has_code(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *p = sqlite3_value_blob(argv[0]);
    const unsigned char *end = p + sqlite3_value_bytes(argv[0]);
    const char *code = (const char *)sqlite3_value_text(argv[1]);
    size_t len = code ? strlen(code) : 0;
    int any = sqlite3_value_type(argv[2]) == SQLITE_NULL;
    int role = sqlite3_value_int(argv[2]);

    (void)argc;
    while (p && code && p < end) {
        const unsigned char *nul = memchr(p + 1, '\0', (size_t)(end - p - 1));

        if (!nul)
            break;
        if ((any || *p == role) && (size_t)(nul - p - 1) == len &&
            memcmp(p + 1, code, len) == 0) {
            sqlite3_result_int(ctx, 1);
            return;
        }
        p = nul + 1;
    }
    sqlite3_result_int(ctx, 0);
}

/* Queue the code rows of row (already in events) for sq_put_codes. */
static int queue_codes(sq *s, const store_row *row)
{
    const yima_event *ev = row->ev;

    if (ev->n_codes > s->code_alloc - s->n_code) {
        size_t alloc = s->code_alloc ? s->code_alloc : 1024;
        sq_code *p;

        while (alloc - s->n_code < ev->n_codes)
            alloc *= 2;
        if (!(p = realloc(s->code, alloc * sizeof *p)))
            return YIMA_ENOMEM;
        s->code = p;
        s->code_alloc = alloc;
    }
    for (size_t i = 0; i < ev->n_codes; i++)
        s->code[s->n_code++] =
            (sq_code){sq_code_key(s, ev->codes[i].code), (int64_t)row->index,
                      (int)ev->codes[i].role, row->pos};
    return 0;
}

int sq_find(void *be, store_hash *const *sorted, size_t n, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_DUP);
    int rc;

    for (size_t i = 0; i < n; i++) {
        store_hash *h = sorted[i];

        if (i > 0 &&
            memcmp(h->hash, sorted[i - 1]->hash, sizeof h->hash) == 0) {
            h->stored = sorted[i - 1]->stored;
            h->index = sorted[i - 1]->index;
            h->record_time_ms = sorted[i - 1]->record_time_ms;
            continue;
        }
        sqlite3_bind_blob(st, 1,
                          h->hash + YIMA_LEDGER_HASH_LEN - SQ_HASH_KEY_LEN,
                          SQ_HASH_KEY_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, h->hash, YIMA_LEDGER_HASH_LEN, SQLITE_STATIC);
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

int sq_put_event(void *be, const store_row *row, yima_error *err)
{
    const yima_event *ev = row->ev;
    sq *s = be;
    sqlite3_stmt *st;
    int rc;

    yima_buf_reset(&s->list);
    for (size_t i = 0; i < ev->n_codes; i++) {
        yima_buf_putc(&s->list, (char)(unsigned char)ev->codes[i].role);
        yima_buf_add(&s->list, ev->codes[i].code,
                     strlen(ev->codes[i].code) + 1);
    }
    if (s->list.failed)
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory for the code list");

    st = sq_stmt(s, SQ_EVENT_PUT);
    sq_bind_u64(st, 1, row->index);
    sq_bind_text(st, 2, ev->event_id);
    sqlite3_bind_blob(st, 3, row->hash, YIMA_LEDGER_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, (int)ev->type);
    sqlite3_bind_int64(st, 5, ev->event_time_ms);
    sqlite3_bind_int64(st, 6, row->record_time_ms);
    sq_bind_text(st, 7, ev->action);
    sq_bind_text(st, 8, ev->biz_step);
    sq_bind_text(st, 9, ev->disposition);
    sq_bind_text(st, 10, row->parent);
    sqlite3_bind_int(st, 11, (int)row->children);
    sqlite3_bind_blob(st, 12, row->entry, (int)row->entry_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 13, s->list.data ? s->list.data : "",
                      (int)s->list.len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, st, rc, err, "event");
    if (queue_codes(s, row) != 0)
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory for the code index");
    return 0;
}

static int cmp_code(const void *a, const void *b)
{
    const sq_code *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->idx != y->idx)
        return x->idx < y->idx ? -1 : 1;
    return (x->role > y->role) - (x->role < y->role);
}

/* In key order: a B-tree takes sorted inserts much faster. */
int sq_put_codes(void *be, size_t *pos, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_CODE_PUT);
    size_t n = s->n_code;
    int rc;

    s->n_code = 0;
    if (n > 1)
        qsort(s->code, n, sizeof *s->code, cmp_code);
    for (size_t i = 0; i < n; i++) {
        const sq_code *c = &s->code[i];

        if (i > 0 && cmp_code(c, c - 1) == 0)
            continue; /* the same code twice in one role */
        sqlite3_bind_int64(st, 1, c->key);
        sqlite3_bind_int64(st, 2, c->idx);
        sqlite3_bind_int(st, 3, c->role);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            *pos = c->pos;
            return sq_fail(s, st, rc, err, "code");
        }
    }
    return 0;
}

/* Hand the current row (record_time at col, entry at col + 1) to fn. */
static int give(sqlite3_stmt *st, int col, uint64_t index, store_entry_fn fn,
                void *arg)
{
    const void *p = sqlite3_column_blob(st, col + 1);
    int len = sqlite3_column_bytes(st, col + 1);

    return fn(arg, index, sqlite3_column_int64(st, col), p ? p : "",
              (size_t)len);
}

static int all_events(sq *s, store_entry_fn fn, void *arg, yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_EVENT_ALL);
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t index = (uint64_t)sqlite3_column_int64(st, 0);

        if ((rc = give(st, 1, index, fn, arg)) != 0) {
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

/* One packing of a code into a parent: from the ADD at `at`. */
typedef struct packing {
    int64_t at;
    char *parent;
} packing;

/* Statement id with its window bound: code's key, lo, hi, code. */
static sqlite3_stmt *code_window(sq *s, enum sq_stmt id, const char *code,
                                 int64_t lo, int64_t hi)
{
    sqlite3_stmt *st = sq_stmt(s, id);

    sqlite3_bind_int64(st, 1, sq_code_key(s, code));
    sqlite3_bind_int64(st, 2, lo);
    sqlite3_bind_int64(st, 3, hi);
    sq_bind_text(st, 4, code);
    return st;
}

/*
 * Add to out the events that mention code with lo < idx <= hi, then for
 * every ADD in that window that packs code into a parent, the parent's
 * events from the ADD until it is unpacked (recursively).
 */
static int collect(sq *s, const char *code, int64_t lo, int64_t hi, int depth,
                   idxlist *out, yima_error *err)
{
    packing *pk = NULL;
    size_t npk = 0, alloc = 0;
    sqlite3_stmt *st;
    int rc;

    st = code_window(s, SQ_CODE_HITS, code, lo, hi);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = push(out, sqlite3_column_int64(st, 0))) != 0)
            goto out;
    if (rc != SQLITE_DONE) {
        rc = sq_fail(s, st, rc, err, "code query");
        goto out;
    }
    rc = 0;
    if (depth >= STORE_QUERY_DEPTH)
        goto out;

    /* Read the packings first: the recursion reuses the statements. */
    st = code_window(s, SQ_CODE_PACKED, code, lo, hi);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *parent = (const char *)sqlite3_column_text(st, 1);

        if (npk == alloc) {
            size_t a = alloc ? alloc * 2 : 8;
            packing *p = realloc(pk, a * sizeof *p);

            if (!p) {
                rc = YIMA_ENOMEM;
                goto out;
            }
            pk = p;
            alloc = a;
        }
        pk[npk].at = sqlite3_column_int64(st, 0);
        if (!(pk[npk].parent = strdup(parent ? parent : ""))) {
            rc = YIMA_ENOMEM;
            goto out;
        }
        npk++;
    }
    if (rc != SQLITE_DONE) {
        rc = sq_fail(s, st, rc, err, "containment query");
        goto out;
    }
    rc = 0;

    for (size_t i = 0; i < npk && rc == 0; i++) {
        int64_t end = hi;

        st = sq_stmt(s, SQ_CODE_UNPACKED);
        sqlite3_bind_int64(st, 1, sq_code_key(s, code));
        sq_bind_text(st, 2, pk[i].parent);
        sqlite3_bind_int64(st, 3, pk[i].at);
        sq_bind_text(st, 4, code);
        sqlite3_bind_int64(st, 5, sq_code_key(s, pk[i].parent));
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            rc = sq_fail(s, st, rc, err, "containment query");
            goto out;
        }
        if (sqlite3_column_type(st, 0) != SQLITE_NULL &&
            sqlite3_column_int64(st, 0) < end)
            end = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        rc = collect(s, pk[i].parent, pk[i].at, end, depth + 1, out, err);
    }
out:
    sqlite3_reset(st);
    for (size_t i = 0; i < npk; i++)
        free(pk[i].parent);
    free(pk);
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
    int rc;

    if (!code)
        return all_events(s, fn, arg, err);
    if ((rc = collect(s, code, -1, INT64_MAX, 0, &l, err)) != 0)
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
        rc = give(st, 0, (uint64_t)l.v[i], fn, arg);
        sqlite3_reset(st);
        if (rc != 0)
            goto out;
    }
out:
    free(l.v);
    return rc;
}

int sq_entry(void *be, uint64_t index, yima_buf *out, yima_error *err)
{
    const void *p;
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
    p = sqlite3_column_blob(st, 1);
    rc = yima_buf_add(out, p ? p : "", (size_t)sqlite3_column_bytes(st, 1));
    sqlite3_reset(st);
    if (rc != 0)
        yima_error_set(err, rc, 0, "store: entry %llu: %s",
                       (unsigned long long)index, yima_strerror(rc));
    return rc;
}
