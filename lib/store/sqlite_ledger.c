/*
 * sqlite_ledger.c - the SQLite backend as the ledger's hash store
 * (yima_ledger_store in yima/ledger.h): the size row and the ledger_hashes
 * table, SQ_HASH_BLOCK stored hashes a row, in stored-index order: block b
 * holds hashes b * SQ_HASH_BLOCK on, every block but the last is full, and
 * an append fills the last one up before it adds more. 255 hashes (8,160
 * bytes) and not 256: two such rows fill a 16 KB page (eight a 64 KB one),
 * two of 8,192 bytes do not fit in one. A row per hash (schema 9 and before)
 * cost the storing thread a B-tree insert for each of the two hashes an event
 * adds, and 82 bytes an event on disk (64 now).
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

/* Step st (SQ_HASH_GET) to block blk: *data its hashes, *count of them
 * (0 when it is not stored). st stays on the row until it is reset. */
static int block_row(sq *s, sqlite3_stmt *st, uint64_t blk,
                     const uint8_t **data, size_t *count)
{
    size_t bytes;
    int rc;

    sqlite3_reset(st);
    sq_bind_u64(st, 1, blk);
    *count = 0;
    if ((rc = sqlite3_step(st)) == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return remember(s, st, rc, "ledger hash");
    *data = sqlite3_column_blob(st, 0);
    bytes = (size_t)sqlite3_column_bytes(st, 0);
    if (bytes % YIMA_LEDGER_HASH_LEN || bytes > sizeof s->hashes) {
        snprintf(s->last, sizeof s->last,
                 "store: ledger hash block %llu is damaged (%zu bytes)",
                 (unsigned long long)blk, bytes);
        return YIMA_EIO;
    }
    *count = bytes / YIMA_LEDGER_HASH_LEN;
    return 0;
}

static int put_block(sq *s, uint64_t blk, const void *data, size_t n)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_HASH_PUT);
    int rc;

    sq_bind_u64(st, 1, blk);
    sqlite3_bind_blob(st, 2, data, (int)(n * YIMA_LEDGER_HASH_LEN),
                      SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : remember(s, st, rc, "ledger hash");
}

/* Each hash is copied from its block's row where SQLite holds it: one
 * look-up for the hashes of a block that follow each other in index[]. */
int sq_read(void *be, const uint64_t *index, size_t n,
            uint8_t (*out)[YIMA_LEDGER_HASH_LEN])
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_HASH_GET);
    uint64_t held = UINT64_MAX; /* the block st is on */
    const uint8_t *data = NULL;
    size_t count = 0;
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        uint64_t blk = index[i] / SQ_HASH_BLOCK;
        size_t at = (size_t)(index[i] % SQ_HASH_BLOCK);

        if (blk != held) {
            held = blk;
            if ((rc = block_row(s, st, blk, &data, &count)) != 0)
                break;
        }
        if (at >= count)
            rc = YIMA_ENOTFOUND;
        else
            memcpy(out[i], data + at * YIMA_LEDGER_HASH_LEN,
                   YIMA_LEDGER_HASH_LEN);
    }
    sqlite3_reset(st);
    return rc;
}

/* Called only inside a write transaction (yima_store_append), which rolls
 * everything back on failure: that makes it all or nothing. The hashes go
 * on from the end of the last block, which is written again with them;
 * then a row for each SQ_HASH_BLOCK. */
int sq_append(void *be, uint64_t old_size, uint64_t new_size, uint64_t first,
              const uint8_t (*hash)[YIMA_LEDGER_HASH_LEN], size_t n)
{
    sq *s = be;
    sqlite3_stmt *st;
    uint64_t size, blk = first / SQ_HASH_BLOCK;
    size_t at = (size_t)(first % SQ_HASH_BLOCK), i = 0, count;
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
    if (at && n) { /* the last block, filled up */
        size_t k = n < SQ_HASH_BLOCK - at ? n : SQ_HASH_BLOCK - at;

        const uint8_t *data = NULL;

        st = sq_stmt(s, SQ_HASH_GET);
        if ((rc = block_row(s, st, blk, &data, &count)) == 0 && count)
            memcpy(s->hashes, data, count * YIMA_LEDGER_HASH_LEN);
        sqlite3_reset(st);
        if (rc != 0)
            return rc;
        if (count != at) {
            snprintf(s->last, sizeof s->last,
                     "store: ledger hash block %llu holds %zu hashes, not "
                     "%zu",
                     (unsigned long long)blk, count, at);
            return YIMA_EIO;
        }
        memcpy(s->hashes[at], hash, k * YIMA_LEDGER_HASH_LEN);
        if ((rc = put_block(s, blk++, s->hashes, at + k)) != 0)
            return rc;
        i = k;
    }
    for (; i < n; i += SQ_HASH_BLOCK, blk++) {
        size_t k = n - i < SQ_HASH_BLOCK ? n - i : SQ_HASH_BLOCK;

        if ((rc = put_block(s, blk, hash[i], k)) != 0)
            return rc;
    }
    st = sq_stmt(s, SQ_SIZE_SET);
    sq_bind_u64(st, 1, new_size);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return remember(s, st, rc, "ledger size");
    return 0;
}

int sq_ledger_upgrade(sq *s, yima_error *err)
{
    static const char *const sql[] = {
        "SELECT idx, hash FROM ledger_hash ORDER BY idx",
        "INSERT INTO ledger_hashes VALUES (?1, ?2)"};
    sqlite3_stmt *get = NULL, *put = NULL;
    uint64_t blk = 0;
    size_t count = 0;
    int rc;

    if ((rc = sqlite3_prepare_v2(s->db, sql[0], -1, &get, NULL)) != SQLITE_OK ||
        (rc = sqlite3_prepare_v2(s->db, sql[1], -1, &put, NULL)) != SQLITE_OK)
        goto out;
    /* A hash missing from the old table stays a hole of zeros, for
     * `ledger verify` to find. */
    memset(s->hashes, 0, sizeof s->hashes);
    while ((rc = sqlite3_step(get)) == SQLITE_ROW) {
        int64_t idx = sqlite3_column_int64(get, 0);

        if (idx < 0 || sqlite3_column_bytes(get, 1) != YIMA_LEDGER_HASH_LEN)
            continue; /* not a hash: verify finds what is missing */
        while ((uint64_t)idx / SQ_HASH_BLOCK > blk) {
            sqlite3_bind_int64(put, 1, (int64_t)blk);
            sqlite3_bind_blob(put, 2, s->hashes, (int)sizeof s->hashes,
                              SQLITE_STATIC);
            if ((rc = sqlite3_step(put)) != SQLITE_DONE)
                goto out;
            sqlite3_reset(put);
            memset(s->hashes, 0, sizeof s->hashes);
            blk++;
            count = 0;
        }
        memcpy(s->hashes[idx % SQ_HASH_BLOCK], sqlite3_column_blob(get, 1),
               YIMA_LEDGER_HASH_LEN);
        count = (size_t)(idx % SQ_HASH_BLOCK) + 1;
    }
    if (rc != SQLITE_DONE)
        goto out;
    if (count) {
        sqlite3_bind_int64(put, 1, (int64_t)blk);
        sqlite3_bind_blob(put, 2, s->hashes,
                          (int)(count * YIMA_LEDGER_HASH_LEN), SQLITE_STATIC);
        if ((rc = sqlite3_step(put)) != SQLITE_DONE)
            goto out;
    }
    rc = sqlite3_exec(s->db,
                      "DROP TABLE ledger_hash;"
                      "PRAGMA user_version=10;",
                      NULL, NULL, NULL);
out:
    if (rc != SQLITE_OK) /* the message, before finalizing clears it */
        rc = sq_fail(s, NULL, rc, err, "ledger upgrade");
    sqlite3_finalize(get);
    sqlite3_finalize(put);
    if (rc == 0)
        return 0;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

const char *sq_reason(void *be)
{
    sq *s = be;

    return s->last;
}
