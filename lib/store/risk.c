/*
 * risk.c - the rows of risk and recall (yima/risk.h): one table,
 * risk_records (schema in sqlite.c). Like party_gs1.c this uses the
 * SQLite handle directly (sq_of); a second backend needs ops for it.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "yima/risk.h"

#include "store_int.h"

int yima_store_risk_put(yima_store *st, const yima_store_risk_row *rows,
                        size_t n, int64_t *ids, int64_t *created,
                        yima_error *err)
{
    return yima_store_risk_put_if(st, NULL, NULL, rows, n, ids, created, err);
}

int yima_store_risk_put_if(yima_store *st, yima_store_risk_check_fn check,
                           void *arg, const yima_store_risk_row *rows, size_t n,
                           int64_t *ids, int64_t *created, yima_error *err)
{
    sqlite3_stmt *q = NULL;
    int64_t now = store_now_ms();
    sq *s;
    int r, rc = 0, verdict = 0;

    assert(st && (rows || n == 0));
    yima_error_clear(err);
    if (!(s = sq_of(st, "risk records", err)))
        return err ? err->code : YIMA_EIO;
    r = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    /* the check reads inside the write lock: no other writer can change
     * what it saw before the rows are in */
    if (r == SQLITE_OK && check && (verdict = check(arg, st)) != 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        if (verdict < 0)
            return yima_error_set(err, verdict, 0,
                                  "store: risk records: the check failed");
        return verdict;
    }
    if (r == SQLITE_OK)
        r = sqlite3_prepare_v2(s->db,
                               "INSERT INTO risk_records (kind, key, tag, "
                               "created, json) VALUES (?1, ?2, ?3, ?4, ?5)",
                               -1, &q, NULL);
    for (size_t i = 0; i < n && r == SQLITE_OK; i++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, rows[i].kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, rows[i].key, -1, SQLITE_STATIC);
        if (rows[i].tag)
            sqlite3_bind_text(q, 3, rows[i].tag, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 3);
        sqlite3_bind_int64(q, 4, now);
        sqlite3_bind_text(q, 5, rows[i].json, -1, SQLITE_STATIC);
        r = sqlite3_step(q);
        if (r == SQLITE_DONE) {
            r = SQLITE_OK;
            if (ids)
                ids[i] = sqlite3_last_insert_rowid(s->db);
        }
    }
    if (r == SQLITE_OK)
        r = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (r == SQLITE_OK && created)
        *created = now;
    if (r != SQLITE_OK) {
        rc = yima_error_set(err, YIMA_EIO, 0, "store: risk records: %s",
                            sqlite3_errmsg(s->db));
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(q);
    return rc;
}

int yima_store_risk_list(yima_store *st, const char *kind, const char *key,
                         int64_t id, yima_store_risk_fn fn, void *arg,
                         yima_error *err)
{
    sqlite3_stmt *q = NULL;
    sq *s;
    int r, rc = 0;

    assert(st && kind && fn);
    yima_error_clear(err);
    if (!(s = sq_of(st, "risk records", err)))
        return YIMA_EUSAGE;
    r = sqlite3_prepare_v2(s->db,
                           "SELECT id, kind, key, tag, created, json "
                           "FROM risk_records WHERE kind = ?1 "
                           "AND (?2 IS NULL OR key = ?2) "
                           "AND (?3 <= 0 OR id = ?3) ORDER BY id",
                           -1, &q, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
        if (key)
            sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 2);
        sqlite3_bind_int64(q, 3, id);
    }
    while (r == SQLITE_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        yima_store_risk_row row = {sqlite3_column_int64(q, 0),
                                   (const char *)sqlite3_column_text(q, 1),
                                   (const char *)sqlite3_column_text(q, 2),
                                   (const char *)sqlite3_column_text(q, 3),
                                   sqlite3_column_int64(q, 4),
                                   (const char *)sqlite3_column_text(q, 5)};

        if ((rc = fn(arg, &row)) != 0)
            break;
        r = SQLITE_OK;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = yima_error_set(err, YIMA_EIO, 0, "store: risk records: %s",
                            sqlite3_errmsg(s->db));
    sqlite3_finalize(q);
    return rc;
}
