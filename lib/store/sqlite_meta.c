/*
 * sqlite_meta.c - the SQLite backend's small tables: settings (meta),
 * signed checkpoints, and master-data rows (parties, categories, products,
 * batches).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

int sq_meta_get(void *be, const char *key, yima_buf *out, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_META_GET);
    int rc;

    sq_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return yima_error_set(err, YIMA_ENOTFOUND, 0,
                              "store: no setting \"%s\"", key);
    }
    if (rc != SQLITE_ROW)
        return sq_fail(s, st, rc, err, "setting");
    rc = yima_buf_add(out, sqlite3_column_text(st, 0),
                      (size_t)sqlite3_column_bytes(st, 0));
    sqlite3_reset(st);
    if (rc != 0)
        yima_error_set(err, rc, 0, "store: setting \"%s\": %s", key,
                       yima_strerror(rc));
    return rc;
}

int sq_meta_put(void *be, const char *key, const char *value, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_META_PUT);
    int rc;

    sq_bind_text(st, 1, key);
    sq_bind_text(st, 2, value);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "setting");
}

int sq_checkpoint_put(void *be, uint64_t size, const char *note, size_t len,
                      yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_CP_PUT);
    int rc;

    sq_bind_u64(st, 1, size);
    sqlite3_bind_text(st, 2, note, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "checkpoint");
}

int sq_checkpoints(void *be, store_checkpoint_fn fn, void *arg, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_CP_ALL);
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *note = sqlite3_column_text(st, 1);
        sqlite3_int64 size = sqlite3_column_int64(st, 0);

        rc = fn(arg, size < 0 ? UINT64_MAX : (uint64_t)size,
                note ? (const char *)note : "",
                (size_t)sqlite3_column_bytes(st, 1));
        if (rc != 0) {
            sqlite3_reset(st);
            return rc;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "checkpoints");
}

/* Statement and column count of each kind's table. */
static void kind_stmts(yima_store_kind kind, enum sq_stmt *put,
                       enum sq_stmt *get, int *ncol)
{
    switch (kind) {
    case YIMA_STORE_PARTY:
        *put = SQ_PARTY_PUT, *get = SQ_PARTY_GET, *ncol = 5;
        break;
    case YIMA_STORE_CATEGORY:
        *put = SQ_CATEGORY_PUT, *get = SQ_CATEGORY_GET, *ncol = 5;
        break;
    case YIMA_STORE_PRODUCT:
        *put = SQ_PRODUCT_PUT, *get = SQ_PRODUCT_GET, *ncol = 5;
        break;
    case YIMA_STORE_BATCH:
        *put = SQ_BATCH_PUT, *get = SQ_BATCH_GET, *ncol = 3;
        break;
    default: assert(!"master-data kind"); *ncol = 0;
    }
}

int sq_master_put(void *be, yima_store_kind kind,
                  const char *const col[STORE_MASTER_COLS], yima_error *err)
{
    enum sq_stmt put = SQ_PARTY_PUT, get;
    sq *s = be;
    sqlite3_stmt *st;
    int rc, ncol;

    kind_stmts(kind, &put, &get, &ncol);
    st = sq_stmt(s, put);
    for (int i = 0; i < ncol; i++)
        sq_bind_text(st, i + 1, col[i]);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return yima_error_set(
            err, YIMA_EINVAL, 0, "%s: refers to an unknown %s",
            store_kind_name(kind),
            kind == YIMA_STORE_BATCH ? "product" : "party or category");
    return rc == SQLITE_DONE ? 0
                             : sq_fail(s, st, rc, err, store_kind_name(kind));
}

int sq_master_get(void *be, yima_store_kind kind, const char *key,
                  const char *key2, store_master_fn fn, void *arg,
                  yima_error *err)
{
    const char *col[STORE_MASTER_COLS] = {0};
    enum sq_stmt put, get = SQ_PARTY_GET;
    sq *s = be;
    sqlite3_stmt *st;
    int rc, ncol;

    kind_stmts(kind, &put, &get, &ncol);
    st = sq_stmt(s, get);
    sq_bind_text(st, 1, key);
    if (kind == YIMA_STORE_BATCH)
        sq_bind_text(st, 2, key2);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return yima_error_set(err, YIMA_ENOTFOUND, 0, "%s %s%s%s not found",
                              store_kind_name(kind), key, key2 ? " lot " : "",
                              key2 ? key2 : "");
    }
    if (rc != SQLITE_ROW)
        return sq_fail(s, st, rc, err, store_kind_name(kind));
    for (int i = 0; i < ncol; i++)
        col[i] = (const char *)sqlite3_column_text(st, i);
    rc = fn(arg, col);
    sqlite3_reset(st);
    return rc;
}

int sq_token_put(void *be, const yima_store_token *t, const uint8_t *hash,
                 yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_TOKEN_PUT);
    int rc;

    sq_bind_text(st, 1, t->id);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
    sq_bind_text(st, 3, t->party);
    sq_bind_text(st, 4, t->role);
    sqlite3_bind_int64(st, 5, t->created_ms);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "token");
}

/* Copy column col's text into out (size n), cut if it must be. */
static void copy_text(sqlite3_stmt *st, int col, char *out, size_t n)
{
    const char *v = (const char *)sqlite3_column_text(st, col);

    snprintf(out, n, "%s", v ? v : "");
}

int sq_token_get(void *be, const char *id, yima_store_token *t, uint8_t *hash,
                 yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_TOKEN_GET);
    int rc;

    sq_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return yima_error_set(err, YIMA_ENOTFOUND, 0, "store: no token %s",
                              id);
    }
    if (rc != SQLITE_ROW)
        return sq_fail(s, st, rc, err, "token");
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    if (sqlite3_column_bytes(st, 0) == 32)
        memcpy(hash, sqlite3_column_blob(st, 0), 32);
    else
        memset(hash, 0, 32); /* matches no token */
    copy_text(st, 1, t->party, sizeof t->party);
    copy_text(st, 2, t->role, sizeof t->role);
    t->created_ms = sqlite3_column_int64(st, 3);
    t->revoked_ms = sqlite3_column_int64(st, 4);
    sqlite3_reset(st);
    return 0;
}

int sq_token_revoke(void *be, const char *id, int64_t ms, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_TOKEN_REVOKE);
    int rc;

    sq_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, ms);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, st, rc, err, "token");
    if (sqlite3_changes(s->db) == 0)
        return yima_error_set(err, YIMA_ENOTFOUND, 0, "store: no token %s",
                              id);
    return 0;
}

int sq_capture_put(void *be, const char *id, const char *party, int64_t ms,
                   const char *json, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_CAPTURE_PUT);
    int rc;

    sq_bind_text(st, 1, id);
    sq_bind_text(st, 2, party);
    sqlite3_bind_int64(st, 3, ms);
    sq_bind_text(st, 4, json);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "capture job");
}

int sq_capture_get(void *be, const char *id, char *party, yima_buf *json,
                   yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_CAPTURE_GET);
    int rc;

    sq_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return yima_error_set(err, YIMA_ENOTFOUND, 0,
                              "store: no capture job %.64s", id);
    }
    if (rc != SQLITE_ROW)
        return sq_fail(s, st, rc, err, "capture job");
    copy_text(st, 0, party, YIMA_PARTY_MAX);
    rc = yima_buf_add(json, sqlite3_column_text(st, 1),
                      (size_t)sqlite3_column_bytes(st, 1));
    sqlite3_reset(st);
    return rc == 0 ? 0
                   : yima_error_set(err, rc, 0, "store: capture job: %s",
                                    yima_strerror(rc));
}

int sq_issued_put(void *be, const char *code, const char *party,
                  const char *product, int64_t ms, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_ISSUED_PUT);
    int rc;

    sq_bind_text(st, 1, code);
    sq_bind_text(st, 2, party);
    sq_bind_text(st, 3, product);
    sqlite3_bind_int64(st, 4, ms);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "issued code");
}

int sq_issued_get(void *be, const char *code, yima_store_issued *out,
                  yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_ISSUED_GET);
    int rc;

    sq_bind_text(st, 1, code);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return yima_error_set(err, YIMA_ENOTFOUND, 0,
                              "store: %s was never issued here", code);
    }
    if (rc != SQLITE_ROW)
        return sq_fail(s, st, rc, err, "issued code");
    copy_text(st, 0, out->party, sizeof out->party);
    copy_text(st, 1, out->product, sizeof out->product);
    out->created_ms = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    return 0;
}
