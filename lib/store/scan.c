/*
 * scan.c - scans at places (yima/store.h, "Scans at places"): one table,
 * scans, created on the first write so stores made before it need no
 * migration, and readers of a store without it simply see no scans (a
 * scan view never writes). Like risk.c this uses the SQLite handle
 * directly; a second backend needs an op in store_ops for it.
 */
#include <assert.h>
#include <string.h>

#include "store_int.h"

static const char table_sql[] =
    "CREATE TABLE IF NOT EXISTS scans ("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL,"
    " time INTEGER NOT NULL,"
    " place TEXT NOT NULL,"
    " party TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS scans_code ON scans (code, time);";

/* The backend's SQLite state, or NULL and *err set. `create`: make the
 * table when missing (the writer); a reader finds *absent instead. */
static sq *scan_db(yima_store *st, bool create, bool *absent, yima_error *err)
{
    sqlite3_stmt *q = NULL;
    sq *s;
    int r;

    *absent = false;
    if (st->ops != &sq_ops) {
        yima_error_set(err, YIMA_EUSAGE, 0,
                       "store: scans: not in this backend");
        return NULL;
    }
    s = st->be;
    if (create) /* a no-op once the table exists: it writes nothing */
        r = sqlite3_exec(s->db, table_sql, NULL, NULL, NULL);
    else if ((r = sqlite3_prepare_v2(s->db,
                                     "SELECT 1 FROM sqlite_master WHERE "
                                     "type = 'table' AND name = 'scans'",
                                     -1, &q, NULL)) == SQLITE_OK) {
        r = sqlite3_step(q);
        *absent = r == SQLITE_DONE;
        r = r == SQLITE_ROW || r == SQLITE_DONE ? SQLITE_OK : r;
    }
    sqlite3_finalize(q);
    if (r != SQLITE_OK) {
        yima_error_set(err, YIMA_EIO, 0, "store: scans: %s",
                       sqlite3_errmsg(s->db));
        return NULL;
    }
    return s;
}

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
    bool absent;
    sq *s;
    int r, rc = 0;

    assert(st && code && place);
    yima_error_clear(err);
    if (stored)
        *stored = false;
    if (!(s = scan_db(st, true, &absent, err)))
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
    bool absent;
    sq *s;
    int r, rc = 0;

    assert(st && code && fn);
    yima_error_clear(err);
    if (!(s = scan_db(st, false, &absent, err)))
        return err ? err->code : YIMA_EIO;
    if (absent)
        return 0; /* nothing was ever scanned at a place */
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
