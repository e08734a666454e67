/*
 * sqlite_ledger.c - the SQLite backend as the ledger's hash store
 * (yima_ledger_store in yima/ledger.h): the size row and the ledger_hash
 * table, one row per stored hash, appended and never changed.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

/* Remember the database's reason: the ledger passes on only a code. */
static int remember(sq *s, sqlite3_stmt *st, int rc, const char *what)
{
    yima_error e;
    int code = sq_fail(s, st, rc, &e, what);

    snprintf(s->last, sizeof s->last, "%s", e.msg);
    return code;
}

int sq_size(void *be, uint64_t *size)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_SIZE);
    int rc = sqlite3_step(st);
    sqlite3_int64 v;

    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        snprintf(s->last, sizeof s->last, "store: ledger size row missing");
        return rc == SQLITE_DONE ? YIMA_EIO
                                 : remember(s, st, rc, "ledger size");
    }
    v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (v < 0)
        return YIMA_EIO;
    *size = (uint64_t)v;
    return 0;
}

int sq_read(void *be, const uint64_t *index, size_t n,
            uint8_t (*out)[YIMA_LEDGER_HASH_LEN])
{
    sq *s = be;

    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = sq_stmt(s, SQ_HASH_GET);
        int rc;

        sq_bind_u64(st, 1, index[i]);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            sqlite3_reset(st);
            return YIMA_ENOTFOUND;
        }
        if (rc != SQLITE_ROW)
            return remember(s, st, rc, "ledger hash");
        if (sqlite3_column_bytes(st, 0) != YIMA_LEDGER_HASH_LEN) {
            sqlite3_reset(st);
            snprintf(s->last, sizeof s->last,
                     "store: ledger hash %llu is not 32 bytes",
                     (unsigned long long)index[i]);
            return YIMA_EIO;
        }
        memcpy(out[i], sqlite3_column_blob(st, 0), YIMA_LEDGER_HASH_LEN);
        sqlite3_reset(st);
    }
    return 0;
}

/* Called only inside a write transaction (yima_store_append), which rolls
 * everything back on failure: that makes it all or nothing. */
int sq_append(void *be, uint64_t old_size, uint64_t new_size, uint64_t first,
              const uint8_t (*hash)[YIMA_LEDGER_HASH_LEN], size_t n)
{
    sq *s = be;
    sqlite3_stmt *st;
    uint64_t size;
    int rc;

    if ((rc = sq_size(s, &size)) != 0)
        return rc;
    if (size != old_size || new_size < old_size ||
        new_size > YIMA_LEDGER_SIZE_MAX ||
        first != yima_ledger_stored_count(old_size) ||
        first + n != yima_ledger_stored_count(new_size)) {
        snprintf(s->last, sizeof s->last,
                 "store: ledger append from size %llu, but the store has "
                 "%llu",
                 (unsigned long long)old_size, (unsigned long long)size);
        return YIMA_EUSAGE;
    }
    /* SQ_HASH_ROWS rows a statement while there are that many: a statement
     * costs about as much again as the row it inserts. */
    for (size_t i = 0; i < n;) {
        size_t k = n - i >= SQ_HASH_ROWS ? SQ_HASH_ROWS : 1;

        st = sq_stmt(s, k > 1 ? SQ_HASH_PUT_MANY : SQ_HASH_PUT);
        for (size_t r = 0; r < k; r++, i++) {
            sq_bind_u64(st, (int)(2 * r + 1), first + i);
            sqlite3_bind_blob(st, (int)(2 * r + 2), hash[i],
                              YIMA_LEDGER_HASH_LEN, SQLITE_STATIC);
        }
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return remember(s, st, rc, "ledger hash");
    }
    st = sq_stmt(s, SQ_SIZE_SET);
    sq_bind_u64(st, 1, new_size);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return remember(s, st, rc, "ledger size");
    return 0;
}

const char *sq_reason(void *be)
{
    sq *s = be;

    return s->last;
}
