/*
 * scan.c - scans at places (yima/store.h, "Scans at places"): one table,
 * scans (schema in sqlite.c). Like risk.c this uses the SQLite handle
 * directly (sq_of); a second backend needs ops for it.
 */
#include <assert.h>
#include <string.h>

#include "store_int.h"

int yima_store_scan_put(yima_store *st, const char *code, const char *place,
                        const char *party, bool *stored, yima_error *err)
{
    /* One statement, so the repeat test and the insert are one step of
     * SQLite's (autocommit) and two workers cannot both insert. */
    static const char sql[] =
        "INSERT INTO scans (code, time, place, party) "
        "SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM scans "
        "WHERE code = ?1 AND place = ?3 AND time > ?2 - ?5)";
    sqlite3_stmt *q = NULL;
    int64_t now = store_now_ms();
    sq *s;
    int r, rc = 0;

    assert(st && code && place);
    yima_error_clear(err);
    if (stored)
        *stored = false;
    if (!(s = sq_of(st, "scans", err)))
        return err ? err->code : YIMA_EIO;
    r = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, now);
        sqlite3_bind_text(q, 3, place, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, party ? party : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, YIMA_STORE_SCAN_REPEAT_MS);
        r = sqlite3_step(q);
    }
    if (r == SQLITE_DONE) {
        if (stored)
            *stored = sqlite3_changes(s->db) > 0;
    } else {
        rc = yima_error_set(err, YIMA_EIO, 0, "store: scans: %s",
                            sqlite3_errmsg(s->db));
    }
    sqlite3_finalize(q);
    return rc;
}

int yima_store_scans(yima_store *st, const char *code, yima_store_scan_fn fn,
                     void *arg, yima_error *err)
{
    sqlite3_stmt *q = NULL;
    sq *s;
    int r, rc = 0;

    assert(st && code && fn);
    yima_error_clear(err);
    if (!(s = sq_of(st, "scans", err)))
        return YIMA_EUSAGE;
    r = sqlite3_prepare_v2(s->db,
                           "SELECT code, time, place, party FROM scans "
                           "WHERE code = ?1 ORDER BY time DESC, id DESC "
                           "LIMIT ?2",
                           -1, &q, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, YIMA_STORE_SCANS_MAX);
    }
    while (r == SQLITE_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        yima_store_scan row = {(const char *)sqlite3_column_text(q, 0),
                               sqlite3_column_int64(q, 1),
                               (const char *)sqlite3_column_text(q, 2),
                               (const char *)sqlite3_column_text(q, 3)};

        if ((rc = fn(arg, &row)) != 0)
            break;
        r = SQLITE_OK;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = yima_error_set(err, YIMA_EIO, 0, "store: scans: %s",
                            sqlite3_errmsg(s->db));
    sqlite3_finalize(q);
    return rc;
}
