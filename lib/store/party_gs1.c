/*
 * party_gs1.c - yima_store_party_by_gs1(): which party a GLN (or another
 * GS1 key) belongs to, from the parties' master data ("gln", "gcp").
 *
 * Events name parties by GLN (urn:epc:id:pgln:..., .../417/{gln}); the
 * trace (lib/trace) needs the party's USCC. Master data keeps "gln" and
 * "gcp" in the parties.json column, so both look-ups scan the parties
 * table with SQLite's JSON functions: one pass over a table of parties,
 * not of events. The SQL is SQLite's; a second backend needs an op in
 * store_ops for it.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

/* Exact GLN first, then the longest company prefix at ?2 (1-based). */
static const char *const sql[2] = {
    "SELECT uscc FROM parties p WHERE EXISTS (SELECT 1 FROM "
    "json_each(p.json, '$.gln') g WHERE g.value = ?1) LIMIT 1",
    "SELECT p.uscc FROM parties p, json_each(p.json, '$.gcp') g "
    "WHERE g.type = 'text' AND length(g.value) BETWEEN 6 AND 12 "
    "AND substr(?1, ?2, length(g.value)) = g.value "
    "ORDER BY length(g.value) DESC LIMIT 1"};

int yima_store_party_by_gs1(yima_store *st, const char *key, size_t from,
                            char party[YIMA_PARTY_MAX], yima_error *err)
{
    sq *s;
    int rc = YIMA_ENOTFOUND;

    assert(st && key && party);
    party[0] = '\0';
    if (!(s = sq_of(st, "parties by GLN", err)))
        return YIMA_EUSAGE;
    for (int i = from == 0 ? 0 : 1; i < 2 && rc == YIMA_ENOTFOUND; i++) {
        sqlite3_stmt *q = NULL;
        int r = sqlite3_prepare_v2(s->db, sql[i], -1, &q, NULL);

        if (r == SQLITE_OK) {
            sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
            if (i == 1)
                sqlite3_bind_int64(q, 2, (sqlite3_int64)from + 1);
            r = sqlite3_step(q);
        }
        if (r == SQLITE_ROW) {
            snprintf(party, YIMA_PARTY_MAX, "%s",
                     (const char *)sqlite3_column_text(q, 0));
            rc = 0;
        } else if (r != SQLITE_DONE) {
            rc =
                yima_error_set(err, YIMA_EIO, 0, "store: parties by GLN %s: %s",
                               key, sqlite3_errmsg(s->db));
        }
        sqlite3_finalize(q);
    }
    if (rc == YIMA_ENOTFOUND)
        yima_error_set(err, rc, 0, "no party has GS1 key %s", key);
    return rc;
}
