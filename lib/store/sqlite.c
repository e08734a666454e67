/*
 * sqlite.c - the SQLite backend's file: creating it with the schema of
 * yima/store.h, opening it with the pragmas that make a commit durable,
 * every statement prepared once, transactions, and error mapping.
 */
#include <assert.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

#define APP_ID         0x79696D61 /* "yima" */
#define SCHEMA_VERSION 11

/* The custody state (lib/trace/state.c): derived from the events. Schema
 * 6 added the units of each batch. */
#define CUSTODY_SQL                                                            \
    "CREATE TABLE IF NOT EXISTS custody ("                                     \
    " code TEXT PRIMARY KEY,"                                                  \
    " holder TEXT,"                                                            \
    " container TEXT,"                                                         \
    " state INTEGER NOT NULL,"                                                 \
    " t INTEGER NOT NULL) WITHOUT ROWID;"                                      \
    "CREATE INDEX IF NOT EXISTS custody_container ON custody (container) "     \
    "WHERE container IS NOT NULL;"
#define BATCH_UNITS_SQL                                                        \
    "CREATE TABLE batch_units ("                                               \
    " batch TEXT NOT NULL,"                                                    \
    " code TEXT NOT NULL,"                                                     \
    " PRIMARY KEY (batch, code)) WITHOUT ROWID;"

/* Risk and recall records (lib/store/risk.c) and scans at places
 * (lib/store/scan.c); before schema 6 they were made on first use. */
#define RISK_SCANS_SQL                                                         \
    "CREATE TABLE IF NOT EXISTS risk_records ("                                \
    " id INTEGER PRIMARY KEY,"                                                 \
    " kind TEXT NOT NULL,"                                                     \
    " key TEXT NOT NULL,"                                                      \
    " tag TEXT,"                                                               \
    " created INTEGER NOT NULL,"                                               \
    " json TEXT NOT NULL);"                                                    \
    "CREATE INDEX IF NOT EXISTS risk_records_key ON risk_records (kind, key);" \
    "CREATE TABLE IF NOT EXISTS scans ("                                       \
    " id INTEGER PRIMARY KEY,"                                                 \
    " code TEXT NOT NULL,"                                                     \
    " time INTEGER NOT NULL,"                                                  \
    " place TEXT NOT NULL,"                                                    \
    " party TEXT NOT NULL);"                                                   \
    "CREATE INDEX IF NOT EXISTS scans_code ON scans (code, time);"

/* The code index's blocks: a rowid table with the blob, found through a
 * small (run, first_key) index. (A WITHOUT ROWID table keyed so would
 * keep the blob in the key's cell, and a search reads every overflowing
 * cell it compares whole: 64 KB per probe.) */
#define BLOCKS_SQL(name)                                                       \
    "CREATE TABLE " name " ("                                                  \
    " run INTEGER NOT NULL,"                                                   \
    " first_key INTEGER NOT NULL,"                                             \
    " data BLOB NOT NULL);"

#define BLOCKS_KEY_SQL                                                         \
    "CREATE UNIQUE INDEX index_blocks_key ON index_blocks (run, first_key);"

/* The ledger's stored hashes, SQ_HASH_BLOCK to a row (sqlite_ledger.c). */
#define LEDGER_HASHES_SQL                                                      \
    "CREATE TABLE ledger_hashes ("                                             \
    " blk INTEGER PRIMARY KEY,"                                                \
    " data BLOB NOT NULL CHECK (length(data) % 32 = 0));"

/* 64 KB pages, SQLite's largest: an ingest appends rows, and each page
 * costs the WAL two writes, a frame header and a checksum, and the
 * checkpointer a read and a write; on this VM a system call or a page's
 * first touch costs microseconds. Against 16 KB pages an import spends a
 * third less time in the kernel and takes events 0-11 % faster (more when
 * the host is slow); a look-up of one code's events in a store thirty
 * times larger than the page cache reads more bytes a row and takes 6-10 %
 * longer. A row of about 440 bytes packed: 145 a page. Stores made before
 * keep their pages (4 KB or 16 KB). */
static const char schema[] =
    "PRAGMA page_size=65536;"
    "PRAGMA journal_mode=WAL;"
    "PRAGMA application_id=2036952417;" /* APP_ID */
    "PRAGMA user_version=11;"           /* SCHEMA_VERSION */
    "BEGIN;"
    "CREATE TABLE events ("
    " idx INTEGER PRIMARY KEY,"
    " event_id TEXT NOT NULL,"
    " hash BLOB NOT NULL CHECK (length(hash) = 32),"
    " type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 5),"
    " event_time INTEGER NOT NULL,"
    " record_time INTEGER NOT NULL,"
    /* Not `action IN (...)`: SQLite builds a table of the list for every
     * row it checks, 1.6 us an insert; stores made before keep that form,
     * which means the same. */
    " action TEXT CHECK (action = 'ADD' OR action = 'OBSERVE'"
    "                    OR action = 'DELETE'),"
    " biz_step TEXT,"
    " disposition TEXT,"
    " parent TEXT,"
    " children INTEGER NOT NULL DEFAULT 0,"
    " entry BLOB NOT NULL,"
    " codes BLOB NOT NULL,"
    " recorder TEXT);"
    /* Duplicates are found by eventTime and the first 8 bytes of the
     * hash: events arrive roughly in time order, so this B-tree grows at
     * its right edge, nearly as cheaply as the events table itself. */
    "CREATE TABLE event_keys ("
    " t INTEGER NOT NULL,"
    " h INTEGER NOT NULL,"
    " idx INTEGER NOT NULL,"
    " PRIMARY KEY (t, h, idx)) WITHOUT ROWID;"
    /* The code index's runs (lib/store/index.h). */
    "CREATE TABLE index_runs ("
    " run INTEGER PRIMARY KEY,"
    " level INTEGER NOT NULL,"
    " lo INTEGER NOT NULL,"
    " hi INTEGER NOT NULL,"
    " postings INTEGER NOT NULL,"
    " format INTEGER NOT NULL DEFAULT 1);" /* IX_FORMAT_* */
    BLOCKS_SQL("index_blocks")
    "CREATE TABLE ledger ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " size INTEGER NOT NULL CHECK (size >= 0));"
    "INSERT INTO ledger VALUES (1, 0);"
    LEDGER_HASHES_SQL
    "CREATE TABLE checkpoints ("
    " size INTEGER PRIMARY KEY,"
    " note TEXT NOT NULL);"
    "CREATE TABLE meta ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE parties ("
    " uscc TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " roles TEXT,"
    " region TEXT,"
    " json TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE categories ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " name_en TEXT,"
    " phase INTEGER,"
    " json TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE products ("
    " code TEXT PRIMARY KEY,"
    " producer TEXT NOT NULL REFERENCES parties (uscc),"
    " category TEXT REFERENCES categories (id),"
    " name TEXT NOT NULL,"
    " json TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX products_producer ON products (producer);"
    "CREATE INDEX products_category ON products (category);"
    "CREATE TABLE batches ("
    " product TEXT NOT NULL REFERENCES products (code),"
    " lot TEXT NOT NULL,"
    " json TEXT NOT NULL,"
    " PRIMARY KEY (product, lot)) WITHOUT ROWID;"
    "CREATE TABLE tokens ("
    " id TEXT PRIMARY KEY,"
    " hash BLOB NOT NULL CHECK (length(hash) = 32),"
    " party TEXT NOT NULL REFERENCES parties (uscc),"
    " role TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " revoked INTEGER) WITHOUT ROWID;"
    "CREATE TABLE captures ("
    " id TEXT PRIMARY KEY,"
    " party TEXT,"
    " created INTEGER NOT NULL,"
    " json TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE issued ("
    " code TEXT PRIMARY KEY,"
    " party TEXT NOT NULL REFERENCES parties (uscc),"
    " product TEXT,"
    " created INTEGER NOT NULL) WITHOUT ROWID;"
    BLOCKS_KEY_SQL
    CUSTODY_SQL
    BATCH_UNITS_SQL
    RISK_SCANS_SQL
    "COMMIT;";

/* Version 3 stores lack the custody table; version 4 stores keep the code
 * index's blocks in a WITHOUT ROWID table. Each step below runs in the
 * write transaction upgrade() begins, and sets the version it reaches. */
static const char upgrade_3[] = CUSTODY_SQL "PRAGMA user_version=4;";
static const char upgrade_4[] =
    BLOCKS_SQL("index_blocks_5")
    "INSERT INTO index_blocks_5 SELECT run, first_key, data FROM index_blocks "
    "ORDER BY run, first_key;"
    "DROP TABLE index_blocks;"
    "ALTER TABLE index_blocks_5 RENAME TO index_blocks;" BLOCKS_KEY_SQL
    "PRAGMA user_version=5;";
/* Version 5 stores lack the units of each batch: the custody state is
 * derived, so it is dropped and rebuilt by the next catch-up. */
static const char upgrade_5[] = BATCH_UNITS_SQL RISK_SCANS_SQL
    "DELETE FROM custody;"
    "DELETE FROM meta WHERE key = 'custody_upto';"
    "PRAGMA user_version=6;";

/* Version 6 stores hold every entry and code list as it is; version 7
 * writes them packed (pack.c), and reads both. Older programs must not
 * read packed rows, so the version changes, and nothing else. */
static const char upgrade_6[] = "PRAGMA user_version=7;";

/* Version 8 packs new entries against dictionary 2 (pack.c) and reads rows
 * of both dictionaries; older programs know only dictionary 1. */
static const char upgrade_7[] = "PRAGMA user_version=8;";

/* Version 9 writes the code index's new runs delta-coded (index.h); the
 * runs already there keep their 16-byte postings, which the new column
 * says (the default), until a merge rewrites them. Older programs read
 * every block as 16-byte postings. */
static const char upgrade_8[] =
    "ALTER TABLE index_runs ADD COLUMN format INTEGER NOT NULL DEFAULT 1;"
    "PRAGMA user_version=9;";

/* Version 10 keeps the ledger's hashes SQ_HASH_BLOCK to a row instead of
 * one: the rows are copied over in C (sq_ledger_upgrade), which needs the
 * new table first, and sets the version. */
static const char upgrade_9[] = LEDGER_HASHES_SQL;

/* Version 11 stores a standard bizStep or disposition as its CBV word
 * ("shipping", not https://ref.gs1.org/cbv/BizStep-shipping; 60 bytes an
 * event); rows stored before keep the URI, and queries match both. Older
 * programs would match only the URIs. */
static const char upgrade_10[] = "PRAGMA user_version=11;";

/* upgrades[v] takes a store of schema v to v + 1 (each sets user_version,
 * but for version 9, which sq_ledger_upgrade finishes). */
static const char *const upgrades[SCHEMA_VERSION] = {
    [3] = upgrade_3, [4] = upgrade_4,  [5] = upgrade_5, [6] = upgrade_6,
    [7] = upgrade_7, [8] = upgrade_8,  [9] = upgrade_9,
    [10] = upgrade_10};


/* Role numbers: 2 = YIMA_ROLE_PARENT, 3 = YIMA_ROLE_CHILD; type 2 =
 * YIMA_EVENT_AGGREGATION (checked by static asserts in sqlite_event.c). */
static const char *const sql[SQ_COUNT] = {
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_BEGIN_READ] = "BEGIN DEFERRED",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_LAST_TIME] = "SELECT record_time FROM events ORDER BY idx DESC "
                     "LIMIT 1",
    [SQ_EVENT_PUT] = "INSERT INTO events VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                     "?14)",
    /* ?1 eventTime, ?2 the first 8 bytes of hash ?3. */
    [SQ_EVENT_DUP] = "SELECT e.idx, e.record_time FROM event_keys k "
                     "JOIN events e ON e.idx = k.idx "
                     "WHERE k.t = ?1 AND k.h = ?2 AND e.hash = ?3",
    [SQ_EVENT_KEY_PUT] = "INSERT INTO event_keys VALUES (?1, ?2, ?3)",
    [SQ_EVENT_KEY_MAX] = "SELECT max(t) FROM event_keys",
    [SQ_EVENT_SINCE] = "SELECT idx, event_id, codes, hash FROM events "
                       "WHERE idx >= ?1 ORDER BY idx",
    [SQ_EVENT_INFO] = "SELECT type, action, parent, children, codes "
                      "FROM events WHERE idx = ?1",
    [SQ_RUN_ALL] = "SELECT run, level, lo, hi, format FROM index_runs "
                   "ORDER BY run",
    [SQ_RUN_PUT] = "INSERT INTO index_runs VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQ_RUN_DROP] = "DELETE FROM index_runs WHERE run = ?1",
    [SQ_BLOCK_PUT] = "INSERT INTO index_blocks VALUES (?1, ?2, ?3)",
    [SQ_BLOCK_DROP] = "DELETE FROM index_blocks WHERE run = ?1",
    [SQ_BLOCK_FIND] = "SELECT first_key, data FROM index_blocks WHERE run = ?1 "
                      "AND first_key <= ?2 ORDER BY first_key DESC LIMIT 1",
    [SQ_EVENT_ALL] = "SELECT idx, record_time, entry FROM events "
                     "ORDER BY idx",
    [SQ_EVENT_ONE] = "SELECT record_time, entry FROM events WHERE idx = ?1",
    [SQ_EVENT_ROW] = "SELECT type, event_time, record_time, action, biz_step, "
                     "disposition, codes, entry, event_id, recorder, hash "
                     "FROM events WHERE idx = ?1",
    /* ?1 the first index, ?2 / ?3 recordTime bounds (non-decreasing in
     * idx), ?4 the most rows. */
    [SQ_EVENT_SCAN] = "SELECT idx FROM events WHERE idx >= ?1 AND "
                      "record_time >= ?2 AND record_time < ?3 "
                      "ORDER BY idx LIMIT ?4",
    [SQ_TIME_RANGE] = "SELECT idx FROM event_keys WHERE t >= ?1 AND t < ?2 "
                      "AND idx >= ?3",
    [SQ_SIZE] = "SELECT size FROM ledger WHERE id = 1",
    [SQ_SIZE_SET] = "UPDATE ledger SET size = ?1 WHERE id = 1",
    [SQ_HASH_GET] = "SELECT data FROM ledger_hashes WHERE blk = ?1",
    [SQ_HASH_PUT] = "INSERT OR REPLACE INTO ledger_hashes VALUES (?1, ?2)",
    [SQ_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [SQ_META_PUT] = "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
    [SQ_CP_PUT] = "INSERT OR REPLACE INTO checkpoints VALUES (?1, ?2)",
    [SQ_CP_ALL] = "SELECT size, note FROM checkpoints ORDER BY size DESC",
    [SQ_PARTY_PUT] = "INSERT INTO parties VALUES (?1, ?2, ?3, ?4, ?5) "
                     "ON CONFLICT (uscc) DO UPDATE SET name = ?2, "
                     "roles = ?3, region = ?4, json = ?5",
    [SQ_PARTY_GET] = "SELECT uscc, name, roles, region, json FROM parties "
                     "WHERE uscc = ?1",
    [SQ_CATEGORY_PUT] = "INSERT INTO categories VALUES (?1, ?2, ?3, ?4, ?5) "
                        "ON CONFLICT (id) DO UPDATE SET name = ?2, "
                        "name_en = ?3, phase = ?4, json = ?5",
    [SQ_CATEGORY_GET] = "SELECT id, name, name_en, phase, json "
                        "FROM categories WHERE id = ?1",
    [SQ_PRODUCT_PUT] = "INSERT INTO products VALUES (?1, ?2, ?3, ?4, ?5) "
                       "ON CONFLICT (code) DO UPDATE SET producer = ?2, "
                       "category = ?3, name = ?4, json = ?5",
    [SQ_PRODUCT_GET] = "SELECT code, producer, category, name, json "
                       "FROM products WHERE code = ?1",
    [SQ_BATCH_PUT] = "INSERT INTO batches VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (product, lot) DO UPDATE SET json = ?3",
    [SQ_BATCH_GET] = "SELECT product, lot, json FROM batches "
                     "WHERE product = ?1 AND lot = ?2",
    [SQ_DATA_VERSION] = "PRAGMA data_version",
    [SQ_TOKEN_PUT] = "INSERT INTO tokens VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
    [SQ_TOKEN_GET] = "SELECT hash, party, role, created, revoked "
                     "FROM tokens WHERE id = ?1",
    [SQ_TOKEN_REVOKE] = "UPDATE tokens SET revoked = ?2 WHERE id = ?1",
    [SQ_CAPTURE_PUT] = "INSERT OR REPLACE INTO captures VALUES (?1, ?2, ?3, ?4)",
    [SQ_CAPTURE_GET] = "SELECT party, json FROM captures WHERE id = ?1",
    [SQ_ISSUED_PUT] = "INSERT INTO issued VALUES (?1, ?2, ?3, ?4)",
    [SQ_ISSUED_GET] = "SELECT party, product, created FROM issued "
                      "WHERE code = ?1",
    [SQ_CUSTODY_GET] = "SELECT holder, container, state, t FROM custody "
                       "WHERE code = ?1",
    [SQ_CUSTODY_PUT] = "INSERT INTO custody VALUES (?1, ?2, ?3, ?4, ?5) "
                       "ON CONFLICT (code) DO UPDATE SET holder = ?2, "
                       "container = ?3, state = ?4, t = ?5",
    [SQ_BATCH_UNIT_PUT] = "INSERT OR IGNORE INTO batch_units VALUES (?1, ?2)",
    [SQ_CUSTODY_BATCH] = "SELECT b.code, c.holder, c.state FROM batch_units b "
                         "JOIN custody c ON c.code = b.code "
                         "WHERE b.batch = ?1 ORDER BY b.code",
    [SQ_CUSTODY_KIDS] = "SELECT code FROM custody WHERE container = ?1",
};

const store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .last_record_time = sq_last_record_time,
    .find = sq_find,
    .put_event = sq_put_event,
    .events = sq_events,
    .entry = sq_entry,
    .query = sq_query,
    .version = sq_version,
    .by_id = sq_by_id,
    .size = sq_size,
    .read = sq_read,
    .append = sq_append,
    .reason = sq_reason,
    .meta_get = sq_meta_get,
    .meta_put = sq_meta_put,
    .checkpoint_put = sq_checkpoint_put,
    .checkpoints = sq_checkpoints,
    .token_put = sq_token_put,
    .token_get = sq_token_get,
    .token_revoke = sq_token_revoke,
    .capture_put = sq_capture_put,
    .capture_get = sq_capture_get,
    .issued_put = sq_issued_put,
    .issued_get = sq_issued_get,
    .master_put = sq_master_put,
    .master_get = sq_master_get,
};

sq *sq_of(yima_store *st, const char *what, yima_error *err)
{
    if (st->ops == &sq_ops)
        return st->be;
    yima_error_set(err, YIMA_EUSAGE, 0, "store: %s: not in this backend", what);
    return NULL;
}

int sq_fail(sq *s, sqlite3_stmt *st, int rc, yima_error *err, const char *what)
{
    int code;

    switch (rc & 0xff) {
    case SQLITE_NOMEM: code = YIMA_ENOMEM; break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG: code = YIMA_EINVAL; break;
    default: code = YIMA_EIO; break;
    }
    if (rc == SQLITE_TOOBIG)
        code = YIMA_ETOOBIG;
    yima_error_set(err, code, 0, "store: %s: %s", what,
                   s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    if (st)
        sqlite3_reset(st);
    return code;
}

sqlite3_stmt *sq_stmt(sq *s, enum sq_stmt id)
{
    sqlite3_stmt *st = s->stmt[id];

    assert(id < SQ_COUNT && st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int sq_bind_u64(sqlite3_stmt *st, int col, uint64_t v)
{
    /* Indexes stay below YIMA_LEDGER_SIZE_MAX * 2 < INT64_MAX. */
    return sqlite3_bind_int64(st, col, (sqlite3_int64)v);
}

int sq_bind_text(sqlite3_stmt *st, int col, const char *s)
{
    return s ? sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC)
             : sqlite3_bind_null(st, col);
}

/* Run a statement that returns no rows. */
static int exec1(sq *s, enum sq_stmt id, yima_error *err, const char *what)
{
    sqlite3_stmt *st = sq_stmt(s, id);
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, NULL, rc, err, what);
    return 0;
}

int sq_begin(void *be, yima_error *err)
{
    sq *s = be;
    int rc;

    s->last[0] = '\0';
    if (s->not_full) { /* a flush could not put it back (sqlite_index.c) */
        if ((rc = sqlite3_exec(s->db, "PRAGMA synchronous=FULL", NULL, NULL,
                               NULL)) != SQLITE_OK)
            return sq_fail(s, NULL, rc, err, "synchronous=FULL");
        s->not_full = false;
    }
    if ((rc = exec1(s, SQ_BEGIN, err, "begin")) != 0)
        return rc;
    if ((rc = sq_index_sync(s, err)) != 0) {
        exec1(s, SQ_ROLLBACK, NULL, "rollback");
        return rc;
    }
    s->tail_mark = s->tail.n;
    s->tail_upto_mark = s->tail.upto;
    s->writing = true;
    sq_ckpt_start(s);
    return 0;
}

int sq_begin_read(void *be, yima_error *err)
{
    sq *s = be;
    int rc;

    if ((rc = exec1(s, SQ_BEGIN_READ, err, "begin")) != 0)
        return rc;
    if ((rc = sq_index_sync(s, err)) != 0)
        exec1(s, SQ_ROLLBACK, NULL, "rollback");
    return rc;
}

int sq_commit(void *be, yima_error *err)
{
    sq *s = be;
    int rc;

    if ((rc = exec1(s, SQ_COMMIT, err, "commit")) != 0)
        return rc;
    if (s->writing) {
        s->writing = false;
        s->wrote = true;
        /* The batch is durable; a failed flush only leaves the tail
         * longer, and the next commit tries again. */
        if (s->tail.n >= IX_FLUSH)
            sq_index_flush(s, NULL);
        sq_wal_restart(s);
    }
    return 0;
}

int sq_version(void *be, uint64_t *v, yima_error *err)
{
    sq *s = be;
    sqlite3_stmt *st = sq_stmt(s, SQ_DATA_VERSION);
    int rc = sqlite3_step(st);

    if (rc != SQLITE_ROW)
        return sq_fail(s, st, rc, err, "data version");
    /* Other connections' commits move data_version; this one's writes,
     * in transactions or not, move its count of changed rows. */
    *v = (uint64_t)sqlite3_column_int64(st, 0) << 40 ^
         (uint64_t)sqlite3_total_changes64(s->db);
    sqlite3_reset(st);
    return 0;
}

void sq_rollback(void *be)
{
    sq *s = be;

    if (s->writing) {
        ix_tail_truncate(&s->tail, s->tail_mark, s->tail_upto_mark);
        s->writing = false;
    }
    /* After some errors SQLite has already rolled back; that is fine. */
    if (sqlite3_get_autocommit(s->db))
        return;
    exec1(s, SQ_ROLLBACK, NULL, "rollback");
}

static void unlink_all(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    size_t n = strlen(path);
    char *p = malloc(n + 9);

    if (!p)
        return;
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        memcpy(p, path, n);
        memcpy(p + n, suffix[i], strlen(suffix[i]) + 1);
        unlink(p);
    }
    free(p);
}

int sq_create(const char *path, yima_error *err)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    int fd, rc;

    sq_setup();
    /* O_EXCL claims the name: two creators cannot both succeed. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return yima_error_set(
            err, errno == EEXIST ? YIMA_EINVAL : YIMA_EIO, 0, "store: %s %s",
            path, errno == EEXIST ? "already exists" : strerror(errno));
    close(fd);
    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, schema, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sq_index_secret_new(db, &msg);
    if (rc != SQLITE_OK) {
        rc = yima_error_set(
            err, YIMA_EIO, 0, "store: %s: cannot create: %s", path,
            msg ? msg : (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
        sqlite3_free(msg);
        sqlite3_close(db);
        unlink_all(path);
        return rc;
    }
    rc = sqlite3_close(db);
    assert(rc == SQLITE_OK);
    return 0;
}

void sq_close(void *be)
{
    sq *s = be;

    if (!s)
        return;
    /* A long tail would be rebuilt by every later open: save it. */
    if (s->wrote && s->tail.n >= IX_CLOSE_FLUSH)
        sq_index_flush(s, NULL);
    sq_ckpt_stop(s);
    ix_tail_free(&s->tail);
    free(s->runs);
    for (int i = 0; i < SQ_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    yima_buf_free(&s->pack);
    yima_buf_free(&s->json);
    yima_buf_free(&s->entry);
    yima_buf_free(&s->codes);
    yima_packer_free(s->packer);
    free(s->path);
    free(s);
}

/* Read one integer pragma. */
static int pragma_int(sq *s, const char *sqltext, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sqltext, -1, &st, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/*
 * Take the store at schema *ver one version up, in one write transaction.
 * The version is read again once the transaction holds the write lock:
 * another process opening the store at the same time may have upgraded it
 * since it was read, and then this one only learns the new version.
 */
static int upgrade(sq *s, int *ver, const char *path, yima_error *err)
{
    int rc, now = *ver;

    if ((rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) !=
            SQLITE_OK ||
        (rc = pragma_int(s, "PRAGMA user_version", &now)) != SQLITE_OK)
        goto fail;
    if (now == *ver) {
        if ((rc = sqlite3_exec(s->db, upgrades[now], NULL, NULL, NULL)) !=
            SQLITE_OK)
            goto fail;
        if (now == 9 && (rc = sq_ledger_upgrade(s, err)) != 0)
            return rc; /* rolled back */
        now++;
    }
    if ((rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
        goto fail;
    *ver = now;
    return 0;
fail:
    rc = sq_fail(s, NULL, rc, err, path);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/*
 * SQLite's process-wide settings, made before its first use (after it,
 * sqlite3_config() refuses them, and SQLite works as it would anyway): no
 * memory statistics (yima never reads them), since counting took a global
 * mutex for every allocation. (A page-cache pool in huge pages saved the
 * writer's first-touch faults, 2-3 %, but a pool is a cap for every
 * connection of the process together, and its slots are sized for 16 KB
 * pages, four times the memory for stores of 4 KB pages: not kept.)
 */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void sq_setup(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, sqlite_setup);
}

int sq_open(const char *path, void **be, yima_error *err)
{
    static const char pragmas[] = "PRAGMA foreign_keys=ON;"
                                  "PRAGMA synchronous=FULL;"
                                  "PRAGMA journal_mode=WAL;"
                                  "PRAGMA cache_size=-32768;"
                                  "PRAGMA temp_store=MEMORY;";
    struct stat sb;
    sq *s = NULL;
    int rc, app = 0, ver = 0;

    sq_setup();
    *be = NULL;
    if (stat(path, &sb) != 0)
        return yima_error_set(err, errno == ENOENT ? YIMA_ENOTFOUND : YIMA_EIO,
                              0, "store: %s: %s", path, strerror(errno));
    s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        rc = yima_error_set(err, YIMA_ENOMEM, 0, "store: out of memory");
        goto out;
    }
    yima_buf_init(&s->pack, 2 * PACK_MAX);
    yima_buf_init(&s->json, PACK_MAX);
    yima_buf_init(&s->entry, PACK_MAX + YIMA_STORE_HEADER_LEN);
    yima_buf_init(&s->codes, PACK_MAX);
    ix_tail_init(&s->tail);
    if (!(s->packer = yima_packer_new())) {
        rc = yima_error_set(err, YIMA_ENOMEM, 0, "store: out of memory");
        goto out;
    }
    /* A handle is used by one thread at a time (yima/store.h): SQLite's
     * per-call connection mutex would only cost. */
    rc = sqlite3_open_v2(path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(s, NULL, rc, err, path);
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, SQ_BUSY_MS);
    if ((rc = pragma_int(s, "PRAGMA application_id", &app)) != SQLITE_OK ||
        (rc = pragma_int(s, "PRAGMA user_version", &ver)) != SQLITE_OK) {
        rc = sq_fail(s, NULL, rc, err, path);
        goto out;
    }
    if (app != APP_ID) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "store: %s is not a yima store", path);
        goto out;
    }
    /* Older schemas are brought up one version at a time. */
    while (ver >= 3 && ver < SCHEMA_VERSION)
        if ((rc = upgrade(s, &ver, path, err)) != 0)
            goto out;
    if (ver != SCHEMA_VERSION) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "store: %s has schema version %d; this program "
                            "reads version %d",
                            path, ver, SCHEMA_VERSION);
        goto out;
    }
    if ((rc = sqlite3_exec(s->db, pragmas, NULL, NULL, NULL)) != SQLITE_OK ||
        (rc = pragma_int(s, "PRAGMA page_size", &s->page_size)) != SQLITE_OK) {
        rc = sq_fail(s, NULL, rc, err, path);
        goto out;
    }
    if (s->page_size < 512)
        s->page_size = 4096;
    s->wal_restart = SQ_WAL_RESTART;
    sqlite3_wal_autocheckpoint(s->db, SQ_WAL_AUTOCHECKPOINT / s->page_size);
    for (int i = 0; i < SQ_COUNT; i++) {
        rc = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &s->stmt[i], NULL);
        if (rc != SQLITE_OK) {
            rc = sq_fail(s, NULL, rc, err, path);
            goto out;
        }
    }
    if ((rc = sq_index_load(s, err)) != 0)
        goto out;
    store_packer_key(s->packer, s->secret);
    *be = s;
    s = NULL;
    rc = 0;
out:
    sq_close(s);
    return rc;
}
