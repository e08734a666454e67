/*
 * custody.c - the rows of the custody state (yima/store.h, "Custody
 * state"): lib/trace decides what they say; this file only keeps them.
 * Like party_gs1.c it reads the SQLite backend directly; a second backend
 * needs ops for it.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static void copy_col(char *dst, size_t size, sqlite3_stmt *q, int col)
{
    const unsigned char *v = sqlite3_column_text(q, col);
    size_t n = v ? (size_t)sqlite3_column_bytes(q, col) : 0;

    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

int yima_store_custody_get(yima_store *st, const char *code,
                           yima_store_custody *out, yima_error *err)
{
    sq *s;
    sqlite3_stmt *q;
    int r;

    assert(st && code && out);
    if (!(s = sq_of(st, "custody", err)))
        return YIMA_EUSAGE;
    q = sq_stmt(s, SQ_CUSTODY_GET);
    sq_bind_text(q, 1, code);
    r = sqlite3_step(q);
    if (r == SQLITE_DONE) {
        sqlite3_reset(q);
        return yima_error_set(err, YIMA_ENOTFOUND, 0,
                              "store: no custody of %.200s", code);
    }
    if (r != SQLITE_ROW)
        return sq_fail(s, q, r, err, "custody");
    copy_col(out->holder, sizeof out->holder, q, 0);
    copy_col(out->container, sizeof out->container, q, 1);
    out->state = sqlite3_column_int(q, 2);
    out->t = sqlite3_column_int64(q, 3);
    sqlite3_reset(q);
    return 0;
}

int yima_store_custody_put(yima_store *st, const char *code,
                           const yima_store_custody *row, yima_error *err)
{
    sq *s;
    sqlite3_stmt *q;
    int r;

    assert(st && code && row);
    if (!(s = sq_of(st, "custody", err)))
        return YIMA_EUSAGE;
    q = sq_stmt(s, SQ_CUSTODY_PUT);
    sq_bind_text(q, 1, code);
    sq_bind_text(q, 2, row->holder[0] ? row->holder : NULL);
    sq_bind_text(q, 3, row->container[0] ? row->container : NULL);
    sqlite3_bind_int(q, 4, row->state);
    sqlite3_bind_int64(q, 5, row->t);
    r = sqlite3_step(q);
    sqlite3_reset(q);
    return r == SQLITE_DONE ? 0 : sq_fail(s, q, r, err, "custody");
}

int yima_store_custody_kids(yima_store *st, const char *container,
                            int (*fn)(void *arg, const char *code), void *arg,
                            yima_error *err)
{
    yima_buf codes; /* NUL-separated */
    sqlite3_stmt *q;
    sq *s;
    int r, rc = 0;

    assert(st && container && fn);
    if (!(s = sq_of(st, "custody", err)))
        return YIMA_EUSAGE;
    yima_buf_init(&codes, (size_t)1 << 30);
    q = sq_stmt(s, SQ_CUSTODY_KIDS);
    sq_bind_text(q, 1, container);
    while ((r = sqlite3_step(q)) == SQLITE_ROW && rc == 0)
        rc = yima_buf_add(&codes, sqlite3_column_text(q, 0),
                          (size_t)sqlite3_column_bytes(q, 0) + 1);
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_fail(s, q, r, err, "custody");
    else if (rc != 0)
        yima_error_set(err, rc, 0, "store: custody: %s", yima_strerror(rc));
    sqlite3_reset(q);
    for (size_t at = 0; rc == 0 && at < codes.len;) {
        const char *code = (const char *)codes.data + at;

        at += strlen(code) + 1;
        rc = fn(arg, code);
    }
    yima_buf_free(&codes);
    return rc;
}

int yima_store_batch_unit_put(yima_store *st, const char *batch,
                              const char *code, yima_error *err)
{
    sq *s;
    sqlite3_stmt *q;
    int r;

    assert(st && batch && code);
    if (!(s = sq_of(st, "custody", err)))
        return YIMA_EUSAGE;
    q = sq_stmt(s, SQ_BATCH_UNIT_PUT);
    sq_bind_text(q, 1, batch);
    sq_bind_text(q, 2, code);
    r = sqlite3_step(q);
    sqlite3_reset(q);
    return r == SQLITE_DONE ? 0 : sq_fail(s, q, r, err, "batch units");
}

int yima_store_custody_batch(yima_store *st, const char *batch,
                             int (*fn)(void *arg, const char *code,
                                       const char *holder, int state),
                             void *arg, yima_error *err)
{
    sqlite3_stmt *q;
    sq *s;
    int r, rc = 0;

    assert(st && batch && fn);
    if (!(s = sq_of(st, "custody", err)))
        return YIMA_EUSAGE;
    q = sq_stmt(s, SQ_CUSTODY_BATCH);
    sq_bind_text(q, 1, batch);
    while (rc == 0 && (r = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(arg, (const char *)sqlite3_column_text(q, 0),
                (const char *)sqlite3_column_text(q, 1),
                sqlite3_column_int(q, 2));
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_fail(s, q, r, err, "custody");
    sqlite3_reset(q);
    return rc;
}

bool yima_store_in_batch(const yima_store *st)
{
    return st->batch;
}
