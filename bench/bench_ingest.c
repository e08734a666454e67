/*
 * bench_ingest.c - how fast yima takes in events durably and sealed, next to
 * what SQLite alone can do on the same machine in the same run.
 *
 * Workload: YIMA_BENCH_EVENTS (default 200000) NDJSON EPCIS 2.0 events of a
 * synthetic supply chain (supply_chain.h), written to a file in a fresh
 * directory under /tmp (removed at the end). The first CHECK_EVENTS events'
 * GS1 keys are first parsed with yima_code_parse() and their check digits
 * recomputed here.
 *
 * yima: the file is taken in as `yima import` takes files of FILE_EVENTS
 * events each: yima_ingest_text() (yima/ingest.h) reads each on every core
 * and stores and seals it in one durable transaction (WAL,
 * synchronous=FULL), reading and storing overlapping. Timed end to end:
 * from the text in memory to every event durable, sealed and indexed,
 * including closing the store (its last index flush). `threads` readers.
 *
 * The ceilings: the file is read again in batches of BATCH lines, each
 * parsed with yima_epcis_read_ndjson() on one thread (timed: parse_rate,
 * the single-core reading rate) and written to three SQLite-only databases,
 * each in one durable transaction per batch with the store's pragmas:
 *
 *   sqlite_append          (INTEGER PRIMARY KEY, canonical JSON)
 *   sqlite_append_1idx     the same plus one random-key index row per event
 *                          (a WITHOUT ROWID table keyed by the event's
 *                          SHA-256 hash ID)
 *   sqlite_append_codeidx  the same as _1idx plus one index row per code
 *                          (canonical string, event, role): the plain
 *                          one-row-per-code design
 *
 * The ceilings get the parsed events for free, so yima's ratio to them
 * counts reading too.
 *
 * Runs: YIMA_BENCH_RUNS (default 3) times over, each into fresh databases,
 * yima then the ceilings, so that each sees the machine in the same spells.
 * Each rate reported is the best of its runs: on a shared machine a slower
 * run measures the neighbours, not the code (the median and every yima rate
 * are printed beside it).
 *
 * Output (key=value, for scripts):
 *
 *   bench ingest_data ...      the workload
 *   bench ingest events=N rate=R/s index_rows=C index_rate=R/s
 *       bytes_per_event=B (database + WAL) wal_bytes_per_event=W
 *       parse_rate=P/s threads=T file_events=F runs=K
 *       rate_median=M/s rates=R1/s,R2/s,...
 *   bench ingest_ceiling sqlite_append=A/s sqlite_append_1idx=I/s
 *       sqlite_append_codeidx=X/s ratio_vs_append=R/A ratio_vs_1idx=R/I
 *       ratio_vs_codeidx=R/X
 *   bench ingest_verdict limit=reading|store ... goal=100000 met|not met
 *
 * Exit 1 when the run fails (bad data, an error, a duplicate) or when yima
 * falls under FLOOR x sqlite_append of the same run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "yima/code.h"
#include "yima/epcis.h"
#include "yima/ingest.h"
#include "yima/store.h"
#include "bench_util.h"

#include "supply_chain.h"
#include "supply_chain.c"

#define DEFAULT_EVENTS 200000
#define DEFAULT_RUNS   3
#define MAX_RUNS       20
#define MAX_EVENTS     100000000ULL
#define BATCH          2000  /* events per ceiling transaction */
#define FILE_EVENTS    20000 /* events per yima transaction (one file) */
#define CHECK_EVENTS   300   /* events whose keys are checked one by one */
#define SEED           0x79696D61ULL
#define GOAL_EVENTS    100000.0 /* the goal on this machine, events/s */
#define GOAL_ROWS      300000.0 /* and code-index rows/s */
/*
 * Regression floor: yima end to end must reach FLOOR x sqlite_append of the
 * same run. On the shared 2-core VM (2026-11-22, ten runs of 200000 events)
 * ratio_vs_append was 0.041..0.068: sqlite_append is mostly fsync and WAL
 * writes and swings more than yima's CPU-bound rate. 0.02 is half the lowest
 * ratio seen: it lets a noisy neighbour pass and still fails a real
 * regression (a commit per event, a quadratic step: 3x and worse).
 * ratio_vs_codeidx is steadier (0.38..0.42) and is printed for trends.
 */
#define FLOOR 0.02

/* The pragmas lib/store/sqlite.c makes and opens a store with (its page
 * size, durable commits, SQ_WAL_AUTOCHECKPOINT: 64 MiB of 64 KB pages). */
static const char pragmas[] = "PRAGMA page_size=65536;"
                              "PRAGMA journal_mode=WAL;"
                              "PRAGMA synchronous=FULL;"
                              "PRAGMA cache_size=-32768;"
                              "PRAGMA temp_store=MEMORY;"
                              "PRAGMA wal_autocheckpoint=1024;";

enum { SINK_YIMA, SINK_APPEND, SINK_1IDX, SINK_CODEIDX, SINKS };

static const char *const sink_file[SINKS] = {
    "yima.db", "append.db", "append_1idx.db", "append_codeidx.db"};

/* One SQLite-only ceiling database. */
typedef struct ceiling {
    int kind; /* SINK_APPEND, SINK_1IDX or SINK_CODEIDX */
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *event, *key, *code;
} ceiling;

typedef struct bench {
    char dir[64];
    char ndjson[PATH_MAX];
    char path[SINKS][PATH_MAX];
    yima_store *st;
    ceiling c[SINKS]; /* c[SINK_APPEND..SINK_CODEIDX] */
    double t[SINKS];  /* time in each sink */
    double t_gen, t_read, t_parse, t_free, t_yima;
    double cpu_yima; /* CPU seconds of every thread while yima ingests */
    int runs, run;   /* runs wanted, the one going on */
    /* Each run's times, kept when it ends (the fields above are the
     * current run's): */
    double run_t[MAX_RUNS][SINKS], run_parse[MAX_RUNS];
    double run_yima[MAX_RUNS], run_cpu[MAX_RUNS];
    uint64_t events, codes, json_bytes, ndjson_bytes;
    uint64_t checked_ids;
    yima_event *ev;
    yima_store_result *res;
} bench;

/* ---- The self-check of the generated keys -------------------------------- */

/* Every identifier must parse as a GS1 key whose check digit is the one
 * computed here (from the library's canonical form: URNs carry none). */
static int check_id(void *arg, const char *id)
{
    static const char *const keys[] = {"00", "01", "253", "414", "417"};
    bench *bm = arg;
    yima_code code;
    yima_error err;
    const char *key = NULL;
    size_t n;

    if (yima_code_parse(id, strlen(id), NULL, &code, &err) != 0) {
        fprintf(stderr, "bench: generated %s: %s\n", id, err.msg);
        return 1;
    }
    for (size_t i = 0; !key && i < sizeof keys / sizeof keys[0]; i++)
        key = yima_code_ai(&code, keys[i]);
    if (code.scheme != YIMA_SCHEME_GS1 || !key) {
        fprintf(stderr, "bench: generated %s: not a GS1 key\n", id);
        return 1;
    }
    n = strlen(key);
    if (yima_code_ai(&code, "253"))
        n = 13; /* GDTI: 13 digits, then the serial */
    if (n < 2 || n > strlen(key) ||
        sc_gs1_check_digit(key, n - 1) != key[n - 1] - '0') {
        fprintf(stderr, "bench: generated %s: check digit differs from %s\n",
                id, code.canonical);
        return 1;
    }
    bm->checked_ids++;
    return 0;
}

/* ---- Files --------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write n events to bm->ndjson. */
static int generate(bench *bm, uint64_t n, sc_gen *g)
{
    yima_buf b;
    int fd, rc = 0;
    double t0 = bench_now();

    fd = open(bm->ndjson, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        fprintf(stderr, "bench: %s: %s\n", bm->ndjson, strerror(errno));
        return -1;
    }
    yima_buf_init(&b, 64u << 20);
    sc_check(g, CHECK_EVENTS, check_id, bm);
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        if ((rc = sc_next(g, &b)) != 0)
            fprintf(stderr, "bench: generating event %llu failed\n",
                    (unsigned long long)i + 1);
        if (rc == 0 && (b.len >= (4u << 20) || i + 1 == n)) {
            bm->ndjson_bytes += b.len;
            if (write_all(fd, b.data, b.len) != 0) {
                fprintf(stderr, "bench: %s: %s\n", bm->ndjson, strerror(errno));
                rc = -1;
            }
            yima_buf_reset(&b);
        }
    }
    yima_buf_free(&b);
    if (close(fd) != 0 && rc == 0)
        rc = -1;
    bm->t_gen = bench_now() - t0;
    return rc ? -1 : 0;
}

/* Read the whole file at path; *len its size. NULL on failure. */
static char *read_file(const char *path, size_t *len)
{
    struct stat sb;
    char *p = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY);

    if (fd < 0 || fstat(fd, &sb) != 0 || !(p = malloc((size_t)sb.st_size + 1)))
        goto fail;
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, p + got, (size_t)sb.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            goto fail;
        got += (size_t)r;
    }
    close(fd);
    p[got] = '\0';
    *len = got;
    return p;
fail:
    fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(p);
    return NULL;
}

/* Remove the databases' files. */
static void remove_sinks(const bench *bm)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[PATH_MAX + 16];

    for (int s = 0; s < SINKS; s++)
        for (size_t k = 0;
             bm->path[s][0] && k < sizeof suffix / sizeof suffix[0]; k++) {
            snprintf(p, sizeof p, "%s%s", bm->path[s], suffix[k]);
            unlink(p);
        }
}

/* Remove what the run left in the temporary directory, and the directory. */
static void cleanup(const bench *bm)
{
    if (!bm->dir[0])
        return;
    unlink(bm->ndjson);
    remove_sinks(bm);
    if (rmdir(bm->dir) != 0)
        fprintf(stderr, "bench: cannot remove %s: %s\n", bm->dir,
                strerror(errno));
}

/* ---- The SQLite ceilings ------------------------------------------------- */

static int sq_check(sqlite3 *db, int rc, const char *what)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    fprintf(stderr, "bench: sqlite %s: %s\n", what, sqlite3_errmsg(db));
    return -1;
}

static int ceiling_open(ceiling *c, int kind, const char *path)
{
    static const char events[] =
        "CREATE TABLE events (idx INTEGER PRIMARY KEY, json BLOB NOT NULL);";
    static const char keys[] = "CREATE TABLE keys (hash BLOB PRIMARY KEY,"
                               " idx INTEGER NOT NULL) WITHOUT ROWID;";
    static const char codes[] =
        "CREATE TABLE codes (code TEXT NOT NULL, idx INTEGER NOT NULL,"
        " role INTEGER NOT NULL, PRIMARY KEY (code, idx, role))"
        " WITHOUT ROWID;";
    sqlite3 *db;

    c->kind = kind;
    if (sqlite3_open_v2(path, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK)
        return sq_check(c->db, SQLITE_ERROR, path);
    db = c->db;
    if (sq_check(db, sqlite3_exec(db, pragmas, NULL, NULL, NULL), "pragmas") ||
        sq_check(db, sqlite3_exec(db, events, NULL, NULL, NULL), "schema") ||
        (kind >= SINK_1IDX &&
         sq_check(db, sqlite3_exec(db, keys, NULL, NULL, NULL), "schema")) ||
        (kind == SINK_CODEIDX &&
         sq_check(db, sqlite3_exec(db, codes, NULL, NULL, NULL), "schema")))
        return -1;
    if (sq_check(db,
                 sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &c->begin, NULL),
                 "prepare") ||
        sq_check(db, sqlite3_prepare_v2(db, "COMMIT", -1, &c->commit, NULL),
                 "prepare") ||
        sq_check(db,
                 sqlite3_prepare_v2(db, "INSERT INTO events VALUES (?1, ?2)",
                                    -1, &c->event, NULL),
                 "prepare") ||
        (kind >= SINK_1IDX &&
         sq_check(db,
                  sqlite3_prepare_v2(db, "INSERT INTO keys VALUES (?1, ?2)", -1,
                                     &c->key, NULL),
                  "prepare")) ||
        (kind == SINK_CODEIDX &&
         sq_check(db,
                  sqlite3_prepare_v2(db,
                                     "INSERT INTO codes VALUES (?1, ?2, ?3)",
                                     -1, &c->code, NULL),
                  "prepare")))
        return -1;
    return 0;
}

static void ceiling_close(ceiling *c)
{
    sqlite3_finalize(c->begin);
    sqlite3_finalize(c->commit);
    sqlite3_finalize(c->event);
    sqlite3_finalize(c->key);
    sqlite3_finalize(c->code);
    sqlite3_close(c->db);
    memset(c, 0, sizeof *c); /* a failed reopen leaves nothing to free */
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

/* The 32 bytes of a CBV 2.0 hash ID ("ni:///sha-256;<64 hex>?ver=..."). */
static int hash_bytes(const char *hash_id, unsigned char out[32])
{
    const char *h = hash_id + strlen(YIMA_STORE_HASH_PREFIX);

    for (int i = 0; i < 32; i++) {
        int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* Step and reset one statement. */
static int step(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return sq_check(db, rc, what);
}

/* One batch into a ceiling: one transaction, one row per event (and per
 * event key, and per code). */
static int ceiling_batch(ceiling *c, const yima_event *ev, size_t n,
                         uint64_t first)
{
    unsigned char hash[32];

    if (step(c->db, c->begin, "begin"))
        return -1;
    for (size_t i = 0; i < n; i++) {
        sqlite3_int64 idx = (sqlite3_int64)(first + i);

        sqlite3_bind_int64(c->event, 1, idx);
        sqlite3_bind_blob(c->event, 2, ev[i].json, (int)ev[i].json_len,
                          SQLITE_STATIC);
        if (step(c->db, c->event, "insert event"))
            return -1;
        if (c->kind == SINK_APPEND)
            continue;
        if (hash_bytes(ev[i].hash_id, hash) != 0) {
            fprintf(stderr, "bench: bad hash ID %s\n", ev[i].hash_id);
            return -1;
        }
        sqlite3_bind_blob(c->key, 1, hash, sizeof hash, SQLITE_STATIC);
        sqlite3_bind_int64(c->key, 2, idx);
        if (step(c->db, c->key, "insert key"))
            return -1;
        if (c->kind == SINK_1IDX)
            continue;
        sqlite3_bind_int64(c->code, 2, idx);
        for (size_t k = 0; k < ev[i].n_codes; k++) {
            sqlite3_bind_text(c->code, 1, ev[i].codes[k].code, -1,
                              SQLITE_STATIC);
            sqlite3_bind_int(c->code, 3, (int)ev[i].codes[k].role);
            if (step(c->db, c->code, "insert code"))
                return -1;
        }
    }
    return step(c->db, c->commit, "commit");
}

/* ---- The run ------------------------------------------------------------- */

/* Parse one batch of lines and write it to every ceiling. */
static int one_batch(bench *bm, const char *text, size_t len, size_t lines,
                     uint64_t batch_no)
{
    yima_event_batch *b = NULL;
    yima_error err;
    size_t n;
    double t0 = bench_now();
    int rc = 0;

    if (yima_epcis_read_ndjson(text, len, 0, &b, &err) != 0) {
        fprintf(stderr, "bench: batch %llu: %s\n",
                (unsigned long long)batch_no + 1, err.msg);
        return -1;
    }
    n = yima_event_batch_count(b);
    for (size_t i = 0; i < n && i < BATCH; i++)
        bm->ev[i] = *yima_event_batch_get(b, i);
    bm->t_parse += bench_now() - t0;
    if (n != lines) {
        fprintf(stderr, "bench: batch %llu: %zu events from %zu lines\n",
                (unsigned long long)batch_no + 1, n, lines);
        yima_event_batch_free(b);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        bm->codes += bm->ev[i].n_codes;
        bm->json_bytes += bm->ev[i].json_len;
    }

    for (int k = 0; k < SINKS - 1 && rc == 0; k++) {
        int s = SINK_APPEND + (int)((batch_no + (uint64_t)k) % (SINKS - 1));

        t0 = bench_now();
        rc = ceiling_batch(&bm->c[s], bm->ev, n, bm->events);
        bm->t[s] += bench_now() - t0;
    }
    t0 = bench_now();
    yima_event_batch_free(b);
    bm->t_free += bench_now() - t0;
    bm->events += n;
    return rc;
}

/* The end of the line n lines after at (or len). */
static size_t lines_after(const char *text, size_t len, size_t at, size_t n)
{
    while (at < len && n-- > 0) {
        const char *nl = memchr(text + at, '\n', len - at);

        at = nl ? (size_t)(nl - text) + 1 : len;
    }
    return at;
}

/* yima: files of FILE_EVENTS events through yima_ingest_text(), then close
 * the store; all timed. */
/* CPU seconds (user + system) the process has used. */
static double cpu_now(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static int ingest_yima(bench *bm, const char *text, size_t len)
{
    double t0 = bench_now(), c0 = cpu_now();
    size_t at = 0;
    yima_error err;
    yima_ingest in[2];
    yima_ingest_job *job[2] = {NULL, NULL};
    int k = 0, rc = 0;

    /* As `yima import` does: file N+1 is read while file N is stored. */
    while (rc == 0 && (at < len || job[(k + 1) % 2])) {
        int prev = (k + 1) % 2;

        if (at < len) {
            size_t end = lines_after(text, len, at, FILE_EVENTS);

            in[k % 2] = (yima_ingest){.ndjson = true};
            job[k % 2] =
                yima_ingest_start(bm->st, text + at, end - at, &in[k % 2]);
            at = end;
        }
        k++;
        if (!job[prev])
            continue;
        rc = yima_ingest_finish(bm->st, job[prev], &err);
        job[prev] = NULL;
        if (rc != 0 || in[prev].duplicates || in[prev].n_rejects) {
            fprintf(stderr, "bench: yima: %s (%zu duplicates, %zu rejected)\n",
                    rc ? err.msg : "", in[prev].duplicates, in[prev].n_rejects);
            rc = -1;
        }
        yima_ingest_free(&in[prev]);
    }
    for (int i = 0; i < 2; i++) /* after a failure: finish what was begun */
        if (job[i]) {
            yima_ingest_finish(bm->st, job[i], &err);
            yima_ingest_free(&in[i]);
        }
    if (rc != 0)
        return -1;
    yima_store_close(bm->st);
    bm->t_yima = bench_now() - t0;
    bm->cpu_yima = cpu_now() - c0;
    if (yima_store_open(bm->path[SINK_YIMA], &bm->st, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* One run: yima, then the ceilings, on the file's text. */
static int one_run(bench *bm, const char *text, size_t len)
{
    size_t at = 0;
    uint64_t batch_no = 0;
    double t0;

    if (ingest_yima(bm, text, len) != 0)
        return -1;
    while (at < len) {
        size_t end = at, lines = 0;

        t0 = bench_now();
        while (end < len && lines < BATCH) {
            const char *nl = memchr(text + end, '\n', len - end);

            end = nl ? (size_t)(nl - text) + 1 : len;
            lines++;
        }
        bm->t_parse += bench_now() - t0;
        if (one_batch(bm, text + at, end - at, lines, batch_no++) != 0)
            return -1;
        at = end;
    }
    return 0;
}

static int open_sinks(bench *bm)
{
    yima_error err;

    for (int s = 0; s < SINKS; s++)
        snprintf(bm->path[s], sizeof bm->path[s], "%s/%s", bm->dir,
                 sink_file[s]);
    if (yima_store_create(bm->path[SINK_YIMA], &err) != 0 ||
        yima_store_open(bm->path[SINK_YIMA], &bm->st, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return -1;
    }
    for (int s = SINK_APPEND; s < SINKS; s++)
        if (ceiling_open(&bm->c[s], s, bm->path[s]) != 0)
            return -1;
    return 0;
}

static void close_sinks(bench *bm)
{
    yima_store_close(bm->st);
    bm->st = NULL;
    for (int s = SINK_APPEND; s < SINKS; s++)
        if (bm->c[s].db) {
            ceiling_close(&bm->c[s]);
            bm->c[s].db = NULL;
        }
}

/* Every run, each into fresh databases; each run's times are kept. */
static int ingest(bench *bm)
{
    size_t len;
    double t0 = bench_now();
    char *text = read_file(bm->ndjson, &len);
    int rc = 0;

    bm->t_read = bench_now() - t0;
    if (!text)
        return -1;
    for (bm->run = 0; rc == 0 && bm->run < bm->runs; bm->run++) {
        if (bm->run > 0) {
            close_sinks(bm);
            remove_sinks(bm);
            if (open_sinks(bm) != 0) {
                rc = -1;
                break;
            }
        }
        memset(bm->t, 0, sizeof bm->t);
        bm->t_parse = bm->t_free = bm->t_yima = bm->cpu_yima = 0;
        bm->events = bm->codes = bm->json_bytes = 0;
        if ((rc = one_run(bm, text, len)) != 0)
            break;
        memcpy(bm->run_t[bm->run], bm->t, sizeof bm->t);
        bm->run_parse[bm->run] = bm->t_parse;
        bm->run_yima[bm->run] = bm->t_yima;
        bm->run_cpu[bm->run] = bm->cpu_yima;
    }
    free(text);
    return rc;
}

/* The best (shortest) of n times, and *median their median. */
static double best_of(const double *t, int n, double *median)
{
    double v[MAX_RUNS];

    memcpy(v, t, (size_t)n * sizeof *v);
    for (int i = 1; i < n; i++) /* a handful: insertion sort */
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double x = v[j];

            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    if (median)
        *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return v[0];
}

/* Each sink's best run into the fields report() reads; yima's CPU is its
 * best run's. Returns yima's median time. */
static double keep_best(bench *bm)
{
    double col[MAX_RUNS], median = 0;
    int best = 0;

    for (int s = 0; s < SINKS; s++) {
        for (int r = 0; r < bm->runs; r++)
            col[r] = bm->run_t[r][s];
        bm->t[s] = best_of(col, bm->runs, NULL);
    }
    bm->t_parse = best_of(bm->run_parse, bm->runs, NULL);
    bm->t_yima = best_of(bm->run_yima, bm->runs, &median);
    for (int r = 0; r < bm->runs; r++)
        if (bm->run_yima[r] == bm->t_yima)
            best = r;
    bm->cpu_yima = bm->run_cpu[best];
    return median;
}

/* ---- Report -------------------------------------------------------------- */

static int report(bench *bm, const sc_stats *mix, const uint64_t *bytes,
                  const uint64_t *wal)
{
    double median = keep_best(bm);
    double ev = (double)bm->events;
    double rate = ev / bm->t_yima, index_rate = (double)bm->codes / bm->t_yima;
    double parse_rate = ev / bm->t_parse;
    double append = ev / bm->t[SINK_APPEND], idx1 = ev / bm->t[SINK_1IDX];
    double codeidx = ev / bm->t[SINK_CODEIDX];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* Reading on every core at the one-core rate: the most it allows. */
    double read_bound = parse_rate * (double)(cores > 0 ? cores : 1);
    /* Cores kept busy while yima ingested, and its CPU an event. */
    double busy = bm->cpu_yima / bm->t_yima;
    double cpu_us = bm->cpu_yima * 1e6 / ev;
    bool cpu = busy >= 0.85 * (double)(cores > 0 ? cores : 1);
    bool reading = !cpu && rate >= 0.6 * read_bound;
    bool ok = rate >= FLOOR * append;
    char why[200];

    printf("bench ingest_data events=%llu ndjson_bytes_per_event=%.0f "
           "canonical_bytes_per_event=%.0f codes_per_event=%.2f "
           "gen_rate=%.0f/s checked_ids=%llu commission=%llu pack=%llu "
           "ship=%llu receive=%llu unpack=%llu sell=%llu "
           "bulk_commission=%llu bulk_ship=%llu bulk_receive=%llu "
           "bulk_sell=%llu\n",
           (unsigned long long)bm->events, (double)bm->ndjson_bytes / ev,
           (double)bm->json_bytes / ev, (double)bm->codes / ev, ev / bm->t_gen,
           (unsigned long long)bm->checked_ids,
           (unsigned long long)mix->commission, (unsigned long long)mix->pack,
           (unsigned long long)mix->ship, (unsigned long long)mix->receive,
           (unsigned long long)mix->unpack, (unsigned long long)mix->sell,
           (unsigned long long)mix->bulk_commission,
           (unsigned long long)mix->bulk_ship,
           (unsigned long long)mix->bulk_receive,
           (unsigned long long)mix->bulk_sell);
    printf("bench ingest events=%llu rate=%.0f/s index_rows=%llu "
           "index_rate=%.0f/s bytes_per_event=%.0f wal_bytes_per_event=%.0f "
           "parse_rate=%.0f/s threads=%ld file_events=%d runs=%d "
           "rate_median=%.0f/s rates=",
           (unsigned long long)bm->events, rate, (unsigned long long)bm->codes,
           index_rate, (double)bytes[SINK_YIMA] / ev,
           (double)wal[SINK_YIMA] / ev, parse_rate, cores, FILE_EVENTS,
           bm->runs, ev / median);
    for (int r = 0; r < bm->runs; r++)
        printf("%s%.0f/s", r ? "," : "", ev / bm->run_yima[r]);
    printf("\n");
    printf(
        "bench ingest_ceiling sqlite_append=%.0f/s sqlite_append_1idx=%.0f/s "
        "sqlite_append_codeidx=%.0f/s ratio_vs_append=%.3f "
        "ratio_vs_1idx=%.3f ratio_vs_codeidx=%.3f "
        "bytes_per_event_append=%.0f bytes_per_event_codeidx=%.0f\n",
        append, idx1, codeidx, rate / append, rate / idx1, rate / codeidx,
        (double)bytes[SINK_APPEND] / ev, (double)bytes[SINK_CODEIDX] / ev);

    if (cpu)
        snprintf(why, sizeof why,
                 "CPU limits: every core busy, %.1f us of CPU an event in "
                 "all (reading and packing on every core, storing on one)",
                 cpu_us);
    else if (reading)
        snprintf(why, sizeof why,
                 "reading limits: JSON, checking each event and its codes, "
                 "the hash ID and the canonical bytes, on %ld cores at "
                 "%.0f/s each",
                 cores, parse_rate);
    else
        snprintf(why, sizeof why,
                 "storing limits: one writer sealing and inserting, %.2f of "
                 "%ld cores busy, %.1f us of CPU an event in all",
                 busy, cores, cpu_us);
    printf("bench ingest_verdict limit=%s read_bound=%.0f/s cores_busy=%.2f "
           "cpu_us_per_event=%.1f goal=%.0f %s "
           "goal_index_rows=%.0f %s floor=%.2f %s - %s\n",
           cpu       ? "cpu"
           : reading ? "reading"
                     : "store",
           read_bound, busy, cpu_us, GOAL_EVENTS,
           rate >= GOAL_EVENTS ? "met" : "not met", GOAL_ROWS,
           index_rate >= GOAL_ROWS ? "met" : "not met", FLOOR,
           ok ? "ok" : "BELOW", why);
    if (!ok)
        fprintf(stderr,
                "bench: yima ingest %.0f/s is under %.2f x sqlite_append "
                "(%.0f/s)\n",
                rate, FLOOR, append);
    return ok ? 0 : 1;
}

int main(void)
{
    static bench bm; /* large: paths */
    uint64_t n, runs, bytes[SINKS], wal[SINKS], size = 0;
    yima_error err;
    sc_gen *g = NULL;
    int rc = 1;

    if (bench_env_u64("YIMA_BENCH_EVENTS", DEFAULT_EVENTS, 1, MAX_EVENTS, &n) !=
            0 ||
        bench_env_u64("YIMA_BENCH_RUNS", DEFAULT_RUNS, 1, MAX_RUNS, &runs) != 0)
        return 1;
    bm.runs = (int)runs;
    snprintf(bm.dir, sizeof bm.dir, "/tmp/yima-bench-XXXXXX");
    if (!mkdtemp(bm.dir)) {
        fprintf(stderr, "bench: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(bm.ndjson, sizeof bm.ndjson, "%s/events.ndjson", bm.dir);
    bm.ev = calloc(BATCH, sizeof *bm.ev);
    bm.res = calloc(BATCH, sizeof *bm.res);
    if (!bm.ev || !bm.res || !(g = sc_new(SEED))) {
        fprintf(stderr, "bench: out of memory\n");
        goto out;
    }
    if (generate(&bm, n, g) != 0 || open_sinks(&bm) != 0 || ingest(&bm) != 0)
        goto out;
    for (int s = 0; s < SINKS; s++) /* before close folds in the WAL */
        bytes[s] = bench_db_bytes(bm.path[s], &wal[s]);
    if (yima_store_size(bm.st, &size, &err) != 0 || size != n ||
        bm.events != n) {
        fprintf(stderr, "bench: the store holds %llu events, expected %llu\n",
                (unsigned long long)size, (unsigned long long)n);
        goto out;
    }
    rc = report(&bm, sc_stats_get(g), bytes, wal);
out:
    close_sinks(&bm);
    cleanup(&bm);
    sc_free(g);
    free(bm.ev);
    free(bm.res);
    return rc;
}
