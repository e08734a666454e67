/*
 * sqlite_index.c - the code index's runs in SQLite (see index.h): bringing
 * the tail up to date from the log, flushing it as a sorted run, merging
 * runs, and finding a key's postings in runs and tail.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "yima/utf8.h"

#include "index.h"
#include "store_int.h"

#define SECRET_KEY "index_secret"

/* ---- The secret --------------------------------------------------------- */

int sq_index_secret_new(sqlite3 *db, char **msg)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t secret[16];
    char text[33], sqltext[80];

    if (RAND_bytes(secret, sizeof secret) != 1) {
        *msg = sqlite3_mprintf("no random bytes for the index secret");
        return SQLITE_ERROR;
    }
    for (int i = 0; i < 16; i++) {
        text[2 * i] = hex[secret[i] >> 4];
        text[2 * i + 1] = hex[secret[i] & 15];
    }
    text[32] = '\0';
    snprintf(sqltext, sizeof sqltext,
             "INSERT INTO meta VALUES ('" SECRET_KEY "', '%s')", text);
    return sqlite3_exec(db, sqltext, NULL, NULL, msg);
}

int sq_index_load(sq *s, yima_error *err)
{
    yima_buf b;
    int rc;

    ix_tail_init(&s->tail);
    yima_buf_init(&b, 64);
    rc = sq_meta_get(s, SECRET_KEY, &b, err);
    if (rc == 0 && (b.len != 32 || !b.data))
        rc = yima_error_set(err, YIMA_EIO, 0,
                            "store: %s: the index secret is damaged", s->path);
    for (int i = 0; rc == 0 && i < 16; i++) {
        int hi = yima_hex_digit((unsigned char)b.data[2 * i]),
            lo = yima_hex_digit((unsigned char)b.data[2 * i + 1]);

        if (hi < 0 || lo < 0)
            rc = yima_error_set(err, YIMA_EIO, 0,
                                "store: %s: the index secret is damaged",
                                s->path);
        else
            s->secret[i] = (uint8_t)(hi << 4 | lo);
    }
    yima_buf_free(&b);
    return rc;
}

uint64_t sq_index_key(const sq *s, const char *code)
{
    return ix_key(s->secret, code, strlen(code));
}

/* ---- Keeping the tail up to date ---------------------------------------- */

/* Reload the list of runs and `through`. */
static int load_runs(sq *s, yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_RUN_ALL);
    int rc;

    s->n_runs = 0;
    s->through = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->n_runs == s->runs_alloc) {
            size_t alloc = s->runs_alloc ? s->runs_alloc * 2 : 16;
            sq_run *p = realloc(s->runs, alloc * sizeof *p);

            if (!p) {
                sqlite3_reset(st);
                return yima_error_set(err, YIMA_ENOMEM, 0,
                                      "store: out of memory for the index");
            }
            s->runs = p;
            s->runs_alloc = alloc;
        }
        s->runs[s->n_runs] = (sq_run){
            sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
            (uint64_t)sqlite3_column_int64(st, 2),
            (uint64_t)sqlite3_column_int64(st, 3), sqlite3_column_int(st, 4)};
        if (s->runs[s->n_runs].hi > s->through)
            s->through = s->runs[s->n_runs].hi;
        s->n_runs++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "index runs");
}

int sq_index_add(sq *s, uint64_t idx, const char *event_id, const void *codes,
                 size_t len)
{
    const unsigned char *p = codes, *end = p + len;

    if (ix_tail_add(&s->tail, sq_index_key(s, event_id), idx, 0) != 0)
        return YIMA_ENOMEM;
    while (p < end) {
        const unsigned char *nul = memchr(p + 1, '\0', (size_t)(end - p - 1));

        if (!nul || p + 1 >= end)
            return YIMA_EIO;
        if (ix_tail_add(&s->tail,
                        ix_key(s->secret, (const char *)p + 1,
                               (size_t)(nul - p - 1)),
                        idx, *p) != 0)
            return YIMA_ENOMEM;
        p = nul + 1;
    }
    return 0;
}

int sq_index_add_keys(sq *s, uint64_t idx, const yima_event *ev,
                      const void *keys)
{
    const unsigned char *k = keys;
    uint64_t key;

    memcpy(&key, k, sizeof key);
    if (ix_tail_add(&s->tail, key, idx, 0) != 0)
        return YIMA_ENOMEM;
    for (size_t i = 0; i < ev->n_codes; i++) {
        memcpy(&key, k + (i + 1) * sizeof key, sizeof key);
        if (ix_tail_add(&s->tail, key, idx, ev->codes[i].role) != 0)
            return YIMA_ENOMEM;
    }
    return 0;
}

int sq_index_sync(sq *s, yima_error *err)
{
    sqlite3_stmt *st;
    uint64_t from;
    int rc;

    if ((rc = load_runs(s, err)) != 0)
        return rc;
    if (s->through > s->tail.from)
        ix_tail_drop_below(&s->tail, s->through);
    from = s->tail.upto > s->through ? s->tail.upto : s->through;
    if (s->tail.n == 0)
        s->tail.from = s->tail.upto = from;
    st = sq_stmt(s, SQ_EVENT_SINCE);
    sq_bind_u64(st, 1, from);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
        char buf[YIMA_EVENT_HASH_LEN + 1];
        const char *id = sq_col_event_id(st, 1, 3, buf);
        const void *codes;
        size_t len;

        if ((rc = sq_col_codes(s, st, idx, 2, &codes, &len, err)) != 0) {
            sqlite3_reset(st);
            return rc;
        }
        rc = sq_index_add(s, idx, id ? id : "", codes, len);
        if (rc != 0) {
            sqlite3_reset(st);
            return yima_error_set(err, rc, 0,
                                  rc == YIMA_ENOMEM
                                      ? "store: out of memory for the index"
                                      : "store: entry %llu has a damaged "
                                        "code list",
                                  (unsigned long long)idx);
        }
        s->tail.upto = idx + 1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "index catch-up");
}

/* ---- Writing runs -------------------------------------------------------- */

/* Blocks of one run being written (IX_FORMAT_DELTA). */
typedef struct writer {
    sq *s;
    int64_t run;
    yima_buf blk;  /* encoded postings of the open block */
    ix_block_writer enc;
    uint64_t first, last; /* keys of its first and last posting */
    size_t n;      /* postings in it */
    uint64_t total;
} writer;

static int put_block(writer *w, yima_error *err)
{
    sqlite3_stmt *st;
    int rc;

    if (w->n == 0)
        return 0;
    if (w->blk.failed)
        return yima_error_set(err, YIMA_ENOMEM, 0,
                              "store: out of memory writing an index run");
    st = sq_stmt(w->s, SQ_BLOCK_PUT);
    sqlite3_bind_int64(st, 1, w->run);
    sqlite3_bind_int64(st, 2, (int64_t)w->first);
    sqlite3_bind_blob(st, 3, w->blk.data, (int)w->blk.len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(w->s, st, rc, err, "index block");
    yima_buf_reset(&w->blk);
    w->n = 0;
    return 0;
}

/* Add the next posting in run order; a block ends only between keys. */
static int write_post(writer *w, const ix_post *p, yima_error *err)
{
    uint8_t e[IX_POST_MAX];
    int rc;

    if (w->n >= IX_BLOCK && p->key != w->last &&
        (rc = put_block(w, err)) != 0)
        return rc;
    if (w->n == 0) {
        w->first = p->key;
        ix_block_start(&w->enc, p->key);
    }
    w->last = p->key;
    yima_buf_add(&w->blk, e, ix_block_put(&w->enc, p, e));
    w->n++;
    w->total++;
    return 0;
}

static int put_run(sq *s, int64_t run, int level, uint64_t lo, uint64_t hi,
                   uint64_t postings, yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_RUN_PUT);
    int rc;

    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_int(st, 2, level);
    sq_bind_u64(st, 3, lo);
    sq_bind_u64(st, 4, hi);
    sq_bind_u64(st, 5, postings);
    sqlite3_bind_int(st, 6, IX_FORMAT_DELTA);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, st, rc, err, "index run");
}

static int64_t next_run(const sq *s)
{
    int64_t run = 0;

    for (size_t i = 0; i < s->n_runs; i++)
        if (s->runs[i].run > run)
            run = s->runs[i].run;
    return run + 1;
}

/* Inside a write transaction: the tail becomes run `next_run` of level 0. */
static int flush_tail(sq *s, yima_error *err)
{
    writer w = {.s = s, .run = next_run(s)};
    int rc = 0;

    if (s->tail.n == 0)
        return 0;
    ix_tail_sort(&s->tail);
    yima_buf_init(&w.blk, SIZE_MAX / 2);
    for (size_t i = 0; rc == 0 && i < s->tail.n; i++)
        rc = write_post(&w, &s->tail.post[i], err);
    if (rc == 0)
        rc = put_block(&w, err);
    if (rc == 0)
        rc = put_run(s, w.run, 0, s->tail.from, s->tail.upto, w.total, err);
    yima_buf_free(&w.blk);
    return rc;
}

/* ---- Merging runs -------------------------------------------------------- */

/* A run read block by block, in key order. */
typedef struct cursor {
    int64_t run;
    int format;
    sqlite3_stmt *st; /* the next block after a key */
    ix_post *post;
    size_t n, at, alloc;
    uint64_t last_first; /* first key of the block held */
    int done;
} cursor;

static int cursor_next_block(sq *s, cursor *c, int first, yima_error *err)
{
    ix_block_reader r;
    int rc;

    sqlite3_reset(c->st);
    sqlite3_bind_int64(c->st, 1, c->run);
    sqlite3_bind_int64(c->st, 2, first ? -1 : (int64_t)c->last_first);
    rc = sqlite3_step(c->st);
    if (rc == SQLITE_DONE) {
        c->done = 1;
        sqlite3_reset(c->st);
        return 0;
    }
    if (rc != SQLITE_ROW)
        return sq_fail(s, c->st, rc, err, "index merge");
    c->last_first = (uint64_t)sqlite3_column_int64(c->st, 0);
    rc = ix_block_open(&r, c->format, c->last_first,
                       sqlite3_column_blob(c->st, 1),
                       (size_t)sqlite3_column_bytes(c->st, 1))
             ? 1
             : -1;
    for (c->n = 0; rc == 1; c->n++) {
        if (c->n == c->alloc) {
            size_t alloc = c->alloc ? 2 * c->alloc : 2 * IX_BLOCK;
            ix_post *q = realloc(c->post, alloc * sizeof *q);

            if (!q) {
                sqlite3_reset(c->st);
                return yima_error_set(err, YIMA_ENOMEM, 0,
                                      "store: out of memory merging the "
                                      "index");
            }
            c->post = q;
            c->alloc = alloc;
        }
        if ((rc = ix_block_next(&r, &c->post[c->n])) != 1)
            break;
    }
    sqlite3_reset(c->st);
    if (rc < 0 || c->n == 0)
        return yima_error_set(err, YIMA_EIO, 0,
                              "store: index run %lld has a damaged block "
                              "(first key %llu)",
                              (long long)c->run,
                              (unsigned long long)c->last_first);
    c->at = 0;
    return 0;
}

/* Merge the runs at positions pick[0..k) of s->runs into one run. */
static int merge(sq *s, const size_t *pick, size_t k, yima_error *err)
{
    static const char next_sql[] =
        "SELECT first_key, data FROM index_blocks "
        "WHERE run = ?1 AND first_key > ?2 ORDER BY first_key LIMIT 1";
    cursor c[IX_FANOUT] = {0};
    writer w = {.s = s, .run = next_run(s)};
    uint64_t lo = UINT64_MAX, hi = 0;
    int level = 0, rc = 0;

    yima_buf_init(&w.blk, SIZE_MAX / 2);
    for (size_t i = 0; i < k && rc == 0; i++) {
        const sq_run *r = &s->runs[pick[i]];

        c[i].run = r->run;
        c[i].format = r->format;
        if (r->lo < lo)
            lo = r->lo;
        if (r->hi > hi)
            hi = r->hi;
        if (r->level + 1 > level)
            level = r->level + 1;
        rc = sqlite3_prepare_v2(s->db, next_sql, -1, &c[i].st, NULL);
        rc = rc == SQLITE_OK ? cursor_next_block(s, &c[i], 1, err)
                             : sq_fail(s, NULL, rc, err, "index merge");
    }
    while (rc == 0) {
        size_t best = k;

        for (size_t i = 0; i < k; i++)
            if (!c[i].done &&
                (best == k ||
                 ix_post_cmp(&c[i].post[c[i].at],
                             &c[best].post[c[best].at]) < 0))
                best = i;
        if (best == k)
            break;
        rc = write_post(&w, &c[best].post[c[best].at], err);
        if (rc == 0 && ++c[best].at == c[best].n)
            rc = cursor_next_block(s, &c[best], 0, err);
    }
    if (rc == 0)
        rc = put_block(&w, err);
    for (size_t i = 0; i < k; i++) {
        sqlite3_finalize(c[i].st);
        free(c[i].post);
    }
    yima_buf_free(&w.blk);
    for (size_t i = 0; i < k && rc == 0; i++) {
        sqlite3_stmt *st = sq_stmt(s, SQ_RUN_DROP);

        sqlite3_bind_int64(st, 1, s->runs[pick[i]].run);
        if ((rc = sqlite3_step(st)) != SQLITE_DONE)
            return sq_fail(s, st, rc, err, "index merge");
        sqlite3_reset(st);
        st = sq_stmt(s, SQ_BLOCK_DROP);
        sqlite3_bind_int64(st, 1, s->runs[pick[i]].run);
        if ((rc = sqlite3_step(st)) != SQLITE_DONE)
            return sq_fail(s, st, rc, err, "index merge");
        sqlite3_reset(st);
        rc = 0;
    }
    if (rc == 0)
        rc = put_run(s, w.run, level, lo, hi, w.total, err);
    return rc;
}

/* The oldest IX_FANOUT runs of the lowest level that has that many. */
static size_t pick_merge(const sq *s, size_t pick[IX_FANOUT])
{
    for (int level = 0; level < 64; level++) {
        size_t k = 0;

        for (size_t i = 0; i < s->n_runs && k < IX_FANOUT; i++)
            if (s->runs[i].level == level)
                pick[k++] = i;
        if (k == IX_FANOUT)
            return k;
    }
    return 0;
}

/* One write transaction: begin, sync, body, commit (or roll back). */
static int in_tx(sq *s, int (*body)(sq *s, yima_error *err), yima_error *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_BEGIN);
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, NULL, rc, err, "index begin");
    if ((rc = sq_index_sync(s, err)) == 0 && (rc = body(s, err)) == 0) {
        st = sq_stmt(s, SQ_COMMIT);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        rc = rc == SQLITE_DONE ? 0 : sq_fail(s, NULL, rc, err, "index commit");
    }
    if (rc != 0)
        sq_rollback(s);
    return rc;
}

static int merge_one(sq *s, yima_error *err)
{
    size_t pick[IX_FANOUT], k = pick_merge(s, pick);

    return k ? merge(s, pick, k, err) : 0;
}

int sq_index_flush(sq *s, yima_error *err)
{
    size_t pick[IX_FANOUT];
    int rc;

    /* Runs are derived from the events, which are synced by their own
     * commits: a run lost to a power cut is rebuilt as the tail at the
     * next open, and WAL frames carry checksums, so a torn one ends the
     * log where the synced events end. So these transactions do not wait
     * for the disk (synchronous=NORMAL: the next sync, a commit's or a
     * checkpoint's, writes them), and at close the checkpoint copies them
     * into the database without their ever being synced in the WAL. */
    sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    if ((rc = in_tx(s, flush_tail, err)) == 0) {
        /* The tail is in a run now: a later sync drops it. */
        ix_tail_drop_below(&s->tail, s->tail.upto);
        while ((rc = load_runs(s, err)) == 0 && pick_merge(s, pick))
            if ((rc = in_tx(s, merge_one, err)) != 0)
                break;
    }
    /* Events must never be committed at NORMAL: when SQLite will not go
     * back to FULL, the next write transaction tries again and refuses to
     * begin without it (sq_begin). */
    s->not_full = sqlite3_exec(s->db, "PRAGMA synchronous=FULL", NULL, NULL,
                               NULL) != SQLITE_OK;
    return rc;
}

/* ---- Finding ------------------------------------------------------------- */

int sq_index_find(sq *s, uint64_t key, int (*fn)(void *arg, const ix_post *p),
                  void *arg, yima_error *err)
{
    int rc;

    for (size_t r = 0; r < s->n_runs; r++) {
        sqlite3_stmt *st = sq_stmt(s, SQ_BLOCK_FIND);
        ix_block_reader blk;
        ix_post post;

        sqlite3_bind_int64(st, 1, s->runs[r].run);
        sqlite3_bind_int64(st, 2, (int64_t)key);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            continue;
        if (rc != SQLITE_ROW)
            return sq_fail(s, st, rc, err, "index look-up");
        /* The block's postings in key order, up to the first past key. */
        rc = ix_block_open(&blk, s->runs[r].format,
                           (uint64_t)sqlite3_column_int64(st, 0),
                           sqlite3_column_blob(st, 1),
                           (size_t)sqlite3_column_bytes(st, 1))
                 ? 1
                 : -1;
        while (rc == 1 && (rc = ix_block_next(&blk, &post)) == 1 &&
               post.key <= key) {
            int stop = post.key == key ? fn(arg, &post) : 0;

            if (stop) {
                sqlite3_reset(st);
                return stop;
            }
        }
        sqlite3_reset(st);
        if (rc < 0)
            return yima_error_set(err, YIMA_EIO, 0,
                                  "store: index run %lld has a damaged "
                                  "block",
                                  (long long)s->runs[r].run);
    }
    return ix_tail_find(&s->tail, key, fn, arg);
}
