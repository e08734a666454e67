/*
 * test_store.c - unit tests for lib/store: create/open, group-commit append
 * and read-back, duplicates, rollback, record times, the ledger against an
 * in-memory one, checkpoints, the containment query, master data, verify
 * against a file tampered with through the SQLite API, and a kill -9 in the
 * middle of appending. Stores live in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>
#include <sqlite3.h>

#include "yima/ledger.h"
#include "yima/siphash.h"
#include "yima/store.h"

#include "store/store_int.h" /* the code index, to test it from inside */

#include "test_util.h"

#define USCC  "91350100M000100Y43"
#define USCC2 "91230184MA1BUFLT44"
#define GTIN  "09506000134352"

static char dir[64];
static char path[128];
static int serial; /* makes each test's file name new */

/* ---- Building events ---------------------------------------------------- */

/* One test event and the storage its pointers use. */
typedef struct tev {
    yima_event ev;
    char id[64];
    char json[512];
    yima_event_code code[4];
    char text[4][64];
} tev;

/* Event number k (its hash ID depends on k only), mentioning `unit` (an
 * EPC) when given. */
static void make(tev *t, int k, const char *unit)
{
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "urn:uuid:test-%d", k);
    snprintf(t->ev.hash_id, sizeof t->ev.hash_id,
             "ni:///sha-256;%064x?ver=CBV2.0", k);
    t->ev.type = YIMA_EVENT_OBJECT;
    t->ev.event_id = t->id;
    t->ev.event_time_ms = 1700000000000LL + k;
    t->ev.action = "OBSERVE";
    t->ev.biz_step = "https://ref.gs1.org/cbv/BizStep-shipping";
    snprintf(t->json, sizeof t->json,
             "{\"type\":\"ObjectEvent\",\"eventID\":\"%s\",\"k\":%d}", t->id,
             k);
    t->ev.json = t->json;
    t->ev.json_len = strlen(t->json);
    snprintf(t->text[0], sizeof t->text[0], "urn:test:loc:%d", k % 3);
    t->code[0] = (yima_event_code){t->text[0], YIMA_ROLE_READ_POINT};
    t->ev.n_codes = 1;
    if (unit) {
        snprintf(t->text[1], sizeof t->text[1], "%s", unit);
        t->code[1] = (yima_event_code){t->text[1], YIMA_ROLE_EPC};
        t->ev.n_codes = 2;
    }
    t->ev.codes = t->code;
}

/* An aggregation event k: action on parent with child (child may be NULL). */
static void make_agg(tev *t, int k, const char *action, const char *parent,
                     const char *child)
{
    make(t, k, NULL);
    t->ev.type = YIMA_EVENT_AGGREGATION;
    t->ev.action = action;
    snprintf(t->text[1], sizeof t->text[1], "%s", parent);
    t->code[1] = (yima_event_code){t->text[1], YIMA_ROLE_PARENT};
    t->ev.n_codes = 2;
    if (child) {
        snprintf(t->text[2], sizeof t->text[2], "%s", child);
        t->code[2] = (yima_event_code){t->text[2], YIMA_ROLE_CHILD};
        t->ev.n_codes = 3;
    }
}

/* Copy n test events into a contiguous yima_event array. */
static yima_event *events_of(tev *t, size_t n)
{
    yima_event *ev = calloc(n, sizeof *ev);

    assert_non_null(ev);
    for (size_t i = 0; i < n; i++)
        ev[i] = t[i].ev;
    return ev;
}

/* Append events first..first+n-1 as one batch; all must be added. */
static void append_range(yima_store *st, int first, int n)
{
    tev *t = calloc((size_t)n, sizeof *t);
    yima_store_result *res = calloc((size_t)n, sizeof *res);
    yima_event *ev;
    yima_error err;

    assert_non_null(t);
    assert_non_null(res);
    for (int i = 0; i < n; i++)
        make(&t[i], first + i, NULL);
    ev = events_of(t, (size_t)n);
    assert_int_equal(yima_store_append(st, ev, (size_t)n, res, &err), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(res[i].status, YIMA_STORE_ADDED);
    free(ev);
    free(res);
    free(t);
}

/* Assert that sql, run on the store file at path, gives want as the text
 * of its first row's first column. */
static void expect_sql(const char *sql, const char *want)
{
    sqlite3 *db;
    sqlite3_stmt *q;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), want);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* A new store file; opened when st is not NULL. */
static void fresh(yima_store **st)
{
    yima_error err;

    snprintf(path, sizeof path, "%s/s%d.db", dir, serial++);
    assert_int_equal(yima_store_create(path, &err), 0);
    if (st)
        assert_int_equal(yima_store_open(path, st, &err), 0);
}

/* ---- Collecting query results ------------------------------------------- */

typedef struct got {
    size_t n;
    uint64_t index[64];
    int64_t time[64];
    char json[64][512];
} got;

static int collect(void *arg, uint64_t index, int64_t rt, const char *json,
                   size_t len)
{
    got *g = arg;

    assert_true(g->n < 64 && len < 512);
    g->index[g->n] = index;
    g->time[g->n] = rt;
    memcpy(g->json[g->n], json, len);
    g->json[g->n][len] = '\0';
    g->n++;
    return 0;
}

static int counter(void *arg, uint64_t index, int64_t rt, const char *json,
                   size_t len)
{
    (void)index, (void)rt, (void)json, (void)len;
    (*(size_t *)arg)++;
    return 0;
}

static size_t count_events(yima_store *st)
{
    yima_error err;
    size_t n = 0;

    assert_int_equal(yima_store_events(st, NULL, counter, &n, &err), 0);
    return n;
}

/* ---- Set-up -------------------------------------------------------------- */

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/yima-store-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- Tests --------------------------------------------------------------- */

static void test_create_open(void **state)
{
    yima_store *st = NULL;
    yima_error err;
    sqlite3 *db;
    uint64_t size = 99;

    (void)state;
    fresh(NULL);
    assert_int_equal(yima_store_create(path, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "already exists"));
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    assert_int_equal(yima_store_size(st, &size, &err), 0);
    assert_int_equal(size, 0);
    assert_int_equal(count_events(st), 0);
    /* The first store of the process set SQLite up (sq_setup): memory is
     * not counted (the counter stays 0 while SQLite allocates), and SQLite
     * takes no settings after its start. */
    {
        int used = 1, high = 1;

        append_range(st, 0, 50);
        assert_int_equal(
            sqlite3_status(SQLITE_STATUS_MEMORY_USED, &used, &high, 0),
            SQLITE_OK);
        assert_int_equal(used, 0);
        assert_int_equal(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1),
                         SQLITE_MISUSE);
    }
    yima_store_close(st);
    yima_store_close(NULL);

    snprintf(path, sizeof path, "%s/missing.db", dir);
    assert_int_equal(yima_store_open(path, &st, &err), YIMA_ENOTFOUND);
    assert_null(st);
    assert_non_null(strstr(err.msg, "missing.db"));

    snprintf(path, sizeof path, "%s/other.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", 0, 0, 0), 0);
    sqlite3_close(db);
    assert_int_equal(yima_store_open(path, &st, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "is not a yima store"));
}

static void test_append_and_read_back(void **state)
{
    yima_store *st;
    tev t[5];
    yima_store_result res[5];
    yima_event *ev;
    yima_error err;
    got *g = calloc(1, sizeof *g);
    yima_buf b;
    const char *json;
    size_t len;
    int64_t rt;

    (void)state;
    fresh(&st);
    for (int i = 0; i < 5; i++)
        make(&t[i], i, i % 2 ? "https://id.gs1.org/01/" GTIN "/21/2017" : NULL);
    ev = events_of(t, 5);
    assert_int_equal(yima_store_append(st, ev, 5, res, &err), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(res[i].status, YIMA_STORE_ADDED);
        assert_int_equal(res[i].index, i);
    }
    assert_int_equal(yima_store_events(st, NULL, collect, g, &err), 0);
    assert_int_equal(g->n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(g->index[i], i);
        assert_string_equal(g->json[i], t[i].json);
        assert_int_equal(g->time[i], res[i].record_time_ms);
    }

    memset(g, 0, sizeof *g);
    /* Any form of the code finds it. */
    assert_int_equal(
        yima_store_events(st, "(01)" GTIN "(21)2017", collect, g, &err), 0);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->index[0], 1);
    assert_int_equal(g->index[1], 3);
    memset(g, 0, sizeof *g);
    assert_int_equal(yima_store_events(st, "urn:nothing", collect, g, &err), 0);
    assert_int_equal(g->n, 0);

    /* The sealed entry: magic, record time, JSON. */
    yima_buf_init(&b, 1 << 20);
    assert_int_equal(yima_store_entry(st, 2, &b, &err), 0);
    assert_memory_equal(b.data, "yima-event/1\n", 13);
    assert_int_equal(b.data[13 + 24], '\n');
    assert_int_equal(b.data[13 + 23], 'Z');
    assert_int_equal(yima_store_entry_parse(b.data, b.len, &rt, &json, &len),
                     0);
    assert_int_equal(rt, res[2].record_time_ms);
    assert_int_equal(len, t[2].ev.json_len);
    assert_memory_equal(json, t[2].json, len);
    assert_int_equal(yima_store_entry(st, 5, &b, &err), YIMA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no entry 5"));
    /* A malformed entry is refused by the parser. */
    b.data[20] = 'x';
    assert_int_equal(yima_store_entry_parse(b.data, b.len, &rt, NULL, NULL),
                     YIMA_EINVAL);
    assert_int_equal(
        yima_store_entry_parse("yima-event/1\n", 13, NULL, NULL, NULL),
        YIMA_EINVAL);
    yima_buf_free(&b);

    /* Reopened, everything is still there. */
    yima_store_close(st);
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    assert_int_equal(count_events(st), 5);
    assert_int_equal(yima_store_append(st, ev, 0, NULL, &err), 0);
    yima_store_close(st);
    free(ev);
    free(g);
}

static void test_duplicates(void **state)
{
    yima_store *st;
    tev t[6];
    yima_store_result res[6];
    yima_event *ev;
    yima_error err;
    uint64_t size;

    (void)state;
    fresh(&st);
    append_range(st, 0, 3); /* events 0, 1, 2 */
    make(&t[0], 1, NULL);   /* stored */
    make(&t[1], 10, NULL);  /* new */
    make(&t[2], 11, NULL);  /* new */
    make(&t[3], 10, NULL);  /* earlier in this batch */
    make(&t[4], 2, NULL);   /* stored */
    make(&t[5], 12, NULL);  /* new */
    ev = events_of(t, 6);
    assert_int_equal(yima_store_append(st, ev, 6, res, &err), 0);
    assert_int_equal(res[0].status, YIMA_STORE_DUPLICATE);
    assert_int_equal(res[0].index, 1);
    assert_int_equal(res[1].status, YIMA_STORE_ADDED);
    assert_int_equal(res[1].index, 3);
    assert_int_equal(res[2].status, YIMA_STORE_ADDED);
    assert_int_equal(res[2].index, 4);
    assert_int_equal(res[3].status, YIMA_STORE_DUPLICATE);
    assert_int_equal(res[3].index, 3);
    assert_int_equal(res[3].record_time_ms, res[1].record_time_ms);
    assert_int_equal(res[4].status, YIMA_STORE_DUPLICATE);
    assert_int_equal(res[4].index, 2);
    assert_int_equal(res[5].status, YIMA_STORE_ADDED);
    assert_int_equal(res[5].index, 5);
    assert_int_equal(yima_store_size(st, &size, &err), 0);
    assert_int_equal(size, 6);
    assert_int_equal(count_events(st), 6);
    /* A batch of nothing but duplicates adds nothing. */
    assert_int_equal(yima_store_append(st, ev, 6, res, &err), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(res[i].status, YIMA_STORE_DUPLICATE);
    assert_int_equal(yima_store_size(st, &size, &err), 0);
    assert_int_equal(size, 6);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);

    /* The duplicate index is keyed by the hash's last 8 bytes: a hash that
     * shares them with a stored one is not a duplicate. */
    make(&t[0], 2, NULL);
    t[0].ev.hash_id[14] = '1';
    ev[0] = t[0].ev;
    assert_int_equal(yima_store_append(st, ev, 1, res, &err), 0);
    assert_int_equal(res[0].status, YIMA_STORE_ADDED);
    assert_int_equal(res[0].index, 6);
    assert_int_equal(yima_store_append(st, ev, 1, res, &err), 0);
    assert_int_equal(res[0].status, YIMA_STORE_DUPLICATE);
    assert_int_equal(res[0].index, 6);
    yima_store_close(st);
    free(ev);
}

/* Many duplicates in one batch, of events in it and of stored ones (the
 * latest stored too: a duplicate has the eventTime of what it repeats);
 * looked up in one transaction and answered with the first's index. */
static void test_duplicates_many(void **state)
{
    enum { NEW = 1000, N = 3000 };
    tev *t = calloc(N, sizeof *t);
    yima_store_result *res = calloc(N, sizeof *res);
    yima_store *st;
    yima_event *ev;
    yima_error err;
    uint64_t size;

    (void)state;
    assert_non_null(t);
    assert_non_null(res);
    fresh(&st);
    append_range(st, 0, 20); /* events 0..19, 19 the latest */
    for (int i = 0; i < N; i++)
        make(&t[i],
             i < NEW ? 100 + i
             : i % 3 ? 100 + i * 7 % NEW
                     : i % 20,
             NULL);
    ev = events_of(t, N);
    assert_int_equal(yima_store_append(st, ev, N, res, &err), 0);
    for (int i = 0; i < N; i++) {
        if (i < NEW) {
            assert_int_equal(res[i].status, YIMA_STORE_ADDED);
            assert_int_equal(res[i].index, 20 + i);
        } else {
            assert_int_equal(res[i].status, YIMA_STORE_DUPLICATE);
            assert_int_equal(res[i].index, i % 3 ? 20 + i * 7 % NEW : i % 20);
        }
    }
    assert_int_equal(yima_store_size(st, &size, &err), 0);
    assert_int_equal(size, 20 + NEW);
    /* Again: only duplicates, the latest stored (1099) among them. */
    assert_int_equal(yima_store_append(st, ev, N, res, &err), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(res[i].status, YIMA_STORE_DUPLICATE);
    assert_int_equal(res[NEW - 1].index, 20 + NEW - 1);
    assert_int_equal(yima_store_size(st, &size, &err), 0);
    assert_int_equal(size, 20 + NEW);
    free(ev);
    free(t);
    free(res);
    yima_store_close(st);
}

/* The state of a store that must not change: size, root, event count. */
static void snapshot(yima_store *st, uint64_t *size,
                     uint8_t root[YIMA_LEDGER_HASH_LEN], size_t *n)
{
    yima_error err;

    assert_int_equal(yima_store_size(st, size, &err), 0);
    assert_int_equal(yima_ledger_root(yima_store_ledger(st), *size, root, &err),
                     0);
    *n = count_events(st);
}

static void test_rollback(void **state)
{
    uint8_t r0[YIMA_LEDGER_HASH_LEN], r1[YIMA_LEDGER_HASH_LEN];
    uint64_t s0, s1;
    size_t tail;
    size_t n0, n1;
    yima_store *st;
    tev t[3];
    yima_store_result res[3];
    yima_event *ev;
    yima_error err;

    (void)state;
    fresh(&st);
    append_range(st, 0, 4);
    snapshot(st, &s0, r0, &n0);

    /* The third event's code has no known role: nothing is stored. */
    for (int i = 0; i < 3; i++)
        make(&t[i], 100 + i, "urn:test:unit");
    t[2].code[1].role = 99;
    ev = events_of(t, 3);
    assert_int_equal(yima_store_append(st, ev, 3, res, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "event 3 of the batch"));
    assert_non_null(strstr(err.msg, "urn:uuid:test-102"));
    assert_non_null(strstr(err.msg, "unknown role"));
    snapshot(st, &s1, r1, &n1);
    assert_int_equal(s1, s0);
    assert_int_equal(n1, n0);
    assert_memory_equal(r0, r1, sizeof r0);
    free(ev);

    /* A bad action value, in the second event: the first was stored and
     * indexed in the tail, and both are undone. */
    make(&t[1], 201, NULL);
    t[1].ev.action = "SMASH";
    t[2].code[1].role = YIMA_ROLE_EPC;
    ev = events_of(t, 3);
    tail = ((sq *)st->be)->tail.n;
    assert_int_equal(yima_store_append(st, ev, 3, res, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "event 2 of the batch"));
    assert_int_equal(((sq *)st->be)->tail.n, tail);
    assert_int_equal(((sq *)st->be)->tail.upto, s0);
    snapshot(st, &s1, r1, &n1);
    assert_int_equal(s1, s0);
    assert_int_equal(n1, n0);
    free(ev);

    /* Checks before the transaction: too long, unknown type. */
    make(&t[1], 201, NULL);
    t[1].ev.json_len = YIMA_EVENT_JSON_MAX + 1;
    ev = events_of(t, 3);
    assert_int_equal(yima_store_append(st, ev, 3, res, &err), YIMA_ETOOBIG);
    assert_non_null(strstr(err.msg, "event 2 of the batch"));
    ev[1].json_len = t[1].ev.json_len = strlen(t[1].json);
    ev[1].type = 9;
    assert_int_equal(yima_store_append(st, ev, 3, res, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "unknown event type"));
    ev[1].type = YIMA_EVENT_OBJECT;
    snprintf(ev[1].hash_id, sizeof ev[1].hash_id, "ni:///sha-256;12?ver=2");
    assert_int_equal(yima_store_append(st, ev, 3, res, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "not a CBV 2.0 hash ID"));
    ev[1] = t[1].ev;
    snapshot(st, &s1, r1, &n1);
    assert_int_equal(s1, s0);

    /* The store goes on from where it was. */
    assert_int_equal(yima_store_append(st, ev, 3, res, &err), 0);
    assert_int_equal(res[0].index, 4);
    assert_int_equal(res[2].index, 6);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    free(ev);
    yima_store_close(st);
}

static void test_record_times(void **state)
{
    yima_store *st;
    yima_error err;
    got *g = calloc(1, sizeof *g);
    int64_t before = (int64_t)time(NULL) * 1000;
    sqlite3 *db;

    (void)state;
    fresh(&st);
    for (int b = 0; b < 8; b++)
        append_range(st, b * 5, 5);
    assert_int_equal(yima_store_events(st, NULL, collect, g, &err), 0);
    assert_int_equal(g->n, 40);
    assert_true(g->time[0] >= before - 1000);
    for (size_t i = 1; i < g->n; i++)
        assert_true(g->time[i] >= g->time[i - 1]);
    /* Within a batch, one time. */
    assert_int_equal(g->time[0], g->time[4]);
    yima_store_close(st);

    /* A last record time in the future (as after the clock stepped back):
     * new entries do not go before it. (Only the column is moved, so this
     * store would no longer verify.) */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE events SET record_time = "
                                  "253402300000000 WHERE idx = 39",
                                  0, 0, 0),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    append_range(st, 40, 2);
    memset(g, 0, sizeof *g);
    assert_int_equal(yima_store_events(st, NULL, collect, g, &err), 0);
    assert_int_equal(g->time[40], 253402300000000LL);
    assert_int_equal(g->time[41], 253402300000000LL);
    yima_store_close(st);
    free(g);
}

/* The store's ledger equals an in-memory ledger fed the same entries. */
static void test_ledger_matches_memory(void **state)
{
    uint8_t a[YIMA_LEDGER_HASH_LEN], b[YIMA_LEDGER_HASH_LEN];
    yima_ledger_memstore *ms;
    yima_ledger_store ls;
    yima_ledger *mem, *lg;
    yima_ledger_proof proof;
    yima_store *st;
    yima_error err;
    yima_buf e;
    uint64_t size;

    (void)state;
    fresh(&st);
    lg = yima_store_ledger(st);
    for (int b0 = 0, k = 0; b0 < 7; k += 13 + b0, b0++)
        append_range(st, k, 13 + b0);
    assert_int_equal(yima_store_size(st, &size, &err), 0);
    assert_int_equal(size, 7 * 13 + 21);

    assert_int_equal(yima_ledger_memstore_open(&ms), 0);
    yima_ledger_memstore_bind(ms, &ls);
    assert_int_equal(yima_ledger_open(&ls, &mem), 0);
    yima_buf_init(&e, 1 << 20);
    for (uint64_t i = 0; i < size; i++) {
        yima_buf_reset(&e);
        assert_int_equal(yima_store_entry(st, i, &e, &err), 0);
        assert_int_equal(yima_ledger_append(mem, e.data, e.len, NULL), 0);
    }
    for (uint64_t s = 0; s <= size; s += 7) {
        assert_int_equal(yima_ledger_root(lg, s, a, &err), 0);
        assert_int_equal(yima_ledger_root(mem, s, b, &err), 0);
        assert_memory_equal(a, b, sizeof a);
    }
    assert_int_equal(yima_ledger_root(lg, size, a, &err), 0);
    assert_int_equal(yima_ledger_root(mem, size, b, &err), 0);
    assert_memory_equal(a, b, sizeof a);

    /* An inclusion proof from the store checks out. */
    yima_buf_reset(&e);
    assert_int_equal(yima_store_entry(st, 50, &e, &err), 0);
    assert_int_equal(yima_ledger_leaf_hash(e.data, e.len, b), 0);
    assert_int_equal(yima_ledger_prove_inclusion(lg, 50, size, &proof, &err),
                     0);
    assert_int_equal(yima_ledger_root(lg, size, a, &err), 0);
    assert_int_equal(yima_ledger_verify_inclusion(b, 50, size, &proof, a, &err),
                     0);

    /* Only yima_store_append grows the tree. */
    assert_int_equal(yima_ledger_append(lg, "x", 1, NULL), YIMA_EUSAGE);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);

    yima_buf_free(&e);
    yima_ledger_close(mem);
    yima_ledger_memstore_close(ms);
    yima_store_close(st);
}

/* Sign a checkpoint of the store at its size and keep it. */
static void checkpoint(yima_store *st, const char *skey)
{
    yima_error err;
    yima_buf note;

    yima_buf_init(&note, 1 << 20);
    assert_int_equal(yima_ledger_checkpoint_sign(yima_store_ledger(st),
                                                 "example.com/yima", skey,
                                                 &note, &err),
                     0);
    assert_int_equal(yima_store_checkpoint_put(st, note.data, note.len, &err),
                     0);
    yima_buf_free(&note);
}

static void test_checkpoints_and_meta(void **state)
{
    yima_buf skey, vkey, note, v;
    yima_store *st;
    yima_error err;
    uint64_t size, csize;
    char bad[] = "example.com/yima\n3\n"
                 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

    (void)state;
    fresh(&st);
    yima_buf_init(&skey, 4096);
    yima_buf_init(&vkey, 4096);
    yima_buf_init(&note, 1 << 20);
    yima_buf_init(&v, 4096);
    assert_int_equal(yima_ledger_keygen("example.com/yima", &skey, &vkey, &err),
                     0);
    assert_int_equal(yima_store_checkpoint_latest(st, &csize, &note, &err),
                     YIMA_ENOTFOUND);
    append_range(st, 0, 3);
    checkpoint(st, skey.data);
    append_range(st, 3, 4);
    checkpoint(st, skey.data);
    assert_int_equal(yima_store_checkpoint_latest(st, &csize, &note, &err), 0);
    assert_int_equal(csize, 7);
    assert_int_equal(yima_ledger_checkpoint_open(vkey.data, "example.com/yima",
                                                 note.data, note.len, &size,
                                                 (uint8_t[32]){0}, &err),
                     0);
    assert_int_equal(size, 7);

    assert_int_equal(yima_store_checkpoint_put(st, bad, strlen(bad), &err),
                     YIMA_EINVAL);
    assert_string_equal(err.msg, "checkpoint at size 3: root differs");
    bad[17] = '9';
    assert_int_equal(yima_store_checkpoint_put(st, bad, strlen(bad), &err),
                     YIMA_EINVAL);
    assert_string_equal(err.msg,
                        "checkpoint at size 9: beyond the ledger's 7 entries");
    assert_int_equal(yima_store_checkpoint_put(st, "x\n", 2, &err),
                     YIMA_EINVAL);

    assert_int_equal(yima_store_meta_get(st, "origin", &v, &err),
                     YIMA_ENOTFOUND);
    assert_int_equal(
        yima_store_meta_put(st, "origin", "example.com/yima", &err), 0);
    assert_int_equal(yima_store_meta_put(st, "verifier_key", vkey.data, &err),
                     0);
    assert_int_equal(yima_store_meta_put(st, "origin", "example.org/x", &err),
                     0);
    assert_int_equal(yima_store_meta_get(st, "origin", &v, &err), 0);
    assert_string_equal(v.data, "example.org/x");
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);

    yima_buf_free(&skey);
    yima_buf_free(&vkey);
    yima_buf_free(&note);
    yima_buf_free(&v);
    yima_store_close(st);
}

static void test_containment_query(void **state)
{
    const char *unit = "urn:test:unit:1", *box = "urn:test:case:1",
               *pallet = "urn:test:pallet:1";
    yima_store *st;
    tev t[12];
    yima_event *ev;
    yima_error err;
    got *g = calloc(1, sizeof *g);
    static const uint64_t want[] = {0, 1, 2, 4, 5, 6, 7, 8};

    (void)state;
    fresh(&st);
    make(&t[0], 0, unit);                       /* 0 unit made */
    make_agg(&t[1], 1, "ADD", box, unit);       /* 1 unit into case */
    make(&t[2], 2, box);                        /* 2 case observed */
    make(&t[3], 3, "urn:test:unit:2");          /* 3 another unit */
    make_agg(&t[4], 4, "ADD", pallet, box);     /* 4 case onto pallet */
    make(&t[5], 5, pallet);                     /* 5 pallet shipped */
    make_agg(&t[6], 6, "DELETE", pallet, NULL); /* 6 pallet broken up */
    make(&t[7], 7, box);                        /* 7 case received */
    make_agg(&t[8], 8, "DELETE", box, unit);    /* 8 unit out of case */
    make(&t[9], 9, box);                        /* 9 case reused */
    make(&t[10], 10, pallet);                   /* 10 pallet reused */
    make_agg(&t[11], 11, "ADD", box, "urn:test:unit:3"); /* 11 */
    ev = events_of(t, 12);
    assert_int_equal(yima_store_append(st, ev, 12, NULL, &err), 0);
    assert_int_equal(yima_store_events(st, unit, collect, g, &err), 0);
    assert_int_equal(g->n, sizeof want / sizeof *want);
    for (size_t i = 0; i < g->n; i++)
        assert_int_equal(g->index[i], want[i]);

    /* Only the case: its own events, and the pallet's while on it. */
    memset(g, 0, sizeof *g);
    assert_int_equal(yima_store_events(st, box, collect, g, &err), 0);
    assert_int_equal(g->n, 9); /* 1 2 4 7 8 9 11, and 5 6 on the pallet */
    assert_int_equal(g->index[3], 5);
    assert_int_equal(g->index[4], 6);
    free(ev);
    free(g);
    yima_store_close(st);
}

/* Two codes whose index keys collide: made by copying index rows to events
 * that do not mention the code. Queries must still answer exactly. */
/* Postings that name the unit's key for events that do not name it (as
 * two codes sharing a key would): in the tail, then in a run. */
static void test_code_key_collision(void **state)
{
    const char *unit = "urn:test:unit:1", *box = "urn:test:case:1";
    yima_store *st;
    tev t[4];
    yima_event *ev;
    yima_error err;
    got *g = calloc(1, sizeof *g);
    sq *s;

    (void)state;
    fresh(&st);
    make(&t[0], 0, unit);                 /* 0 unit made */
    make_agg(&t[1], 1, "ADD", box, unit); /* 1 unit into case */
    make(&t[2], 2, "urn:test:other");     /* 2 */
    make_agg(&t[3], 3, "ADD", "urn:test:case:2", "urn:test:unit:2"); /* 3 */
    ev = events_of(t, 4);
    assert_int_equal(yima_store_append(st, ev, 4, NULL, &err), 0);
    s = st->be;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(
            ix_tail_add(&s->tail, sq_index_key(s, unit), 2, YIMA_ROLE_EPC), 0);
        assert_int_equal(
            ix_tail_add(&s->tail, sq_index_key(s, unit), 3, YIMA_ROLE_CHILD),
            0);
        memset(g, 0, sizeof *g);
        assert_int_equal(yima_store_events(st, unit, collect, g, &err), 0);
        assert_int_equal(g->n, 2);
        assert_int_equal(g->index[0], 0);
        assert_int_equal(g->index[1], 1);
        /* The same postings written into a run. */
        assert_int_equal(sq_index_flush(s, &err), 0);
        assert_int_equal(s->tail.n, 0);
        assert_int_equal(s->n_runs, round + 1);
    }
    free(ev);
    free(g);
    yima_store_close(st);
}

/* Tokens: made for a party's role, checked, refused when wrong or revoked,
 * and never stored in clear. */
static void test_tokens(void **state)
{
    static const char party[] =
        "{\"uscc\":\"91350100MA2XYW011J\",\"name\":\"闽江电缆\","
        "\"roles\":[\"producer\"]}";
    char token[YIMA_TOKEN_LEN + 1], bad[YIMA_TOKEN_LEN + 1];
    yima_store_token info, live;
    yima_store *st;
    yima_error err;
    sqlite3 *db;
    sqlite3_stmt *q;

    (void)state;
    fresh(&st);
    assert_int_equal(yima_store_token_create(st, "91350100MA2XYW011J",
                                             "producer", token, &info, &err),
                     YIMA_ENOTFOUND); /* no such party yet */
    assert_int_equal(
        yima_store_master_put(st, YIMA_STORE_PARTY, party, strlen(party), &err),
        0);
    assert_int_equal(yima_store_token_create(st, "91350100MA2XYW011J",
                                             "regulator", token, &info, &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "does not have the role regulator"));
    assert_int_equal(yima_store_token_create(st, "91350100MA2XYW011J", "king",
                                             token, &info, &err),
                     YIMA_EINVAL);
    assert_int_equal(yima_store_token_create(st, "91350100MA2XYW011J",
                                             "producer", token, &info, &err),
                     0);
    assert_int_equal(strlen(token), YIMA_TOKEN_LEN);
    assert_memory_equal(token, "ymt_", 4);
    assert_memory_equal(token + 4, info.id, YIMA_TOKEN_ID_LEN);

    assert_int_equal(yima_store_token_check(st, token, &live, &err), 0);
    assert_string_equal(live.party, "urn:yima:uscc:91350100MA2XYW011J");
    assert_string_equal(live.role, "producer");
    assert_string_equal(live.id, info.id);
    /* one secret digit changed: unknown; not a token at all: invalid */
    memcpy(bad, token, sizeof bad);
    bad[YIMA_TOKEN_LEN - 1] = bad[YIMA_TOKEN_LEN - 1] == '0' ? '1' : '0';
    assert_int_equal(yima_store_token_check(st, bad, &live, &err),
                     YIMA_ENOTFOUND);
    assert_int_equal(yima_store_token_check(st, "Bearer xyz", &live, &err),
                     YIMA_EINVAL);
    /* the table holds a hash, not the token */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM tokens WHERE "
                                        "instr(hash, ?1) OR instr(id, ?1) "
                                        "OR length(hash) != 32",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, token + 17, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);
    sqlite3_close(db);

    assert_int_equal(yima_store_token_revoke(st, info.id, &err), 0);
    assert_int_equal(yima_store_token_check(st, token, &live, &err),
                     YIMA_EUSAGE);
    assert_non_null(strstr(err.msg, "revoked"));
    assert_int_equal(yima_store_token_revoke(st, token, &err), YIMA_EINVAL);
    assert_int_equal(yima_store_token_revoke(st, "000000000000", &err),
                     YIMA_ENOTFOUND);
    assert_int_equal(yima_store_token_revoke(st, "nonsense", &err),
                     YIMA_EINVAL);
    yima_store_close(st);
}

/* Run q and return how many events it gave; indexes in g. */
static size_t run_query(yima_store *st, yima_query *q, got *g, uint64_t *next)
{
    yima_error err;

    memset(g, 0, sizeof *g);
    assert_int_equal(yima_store_query(st, q, collect, g, next, &err), 0);
    return g->n;
}

/* The EPCIS query parameters: each filter alone, together, and paging. */
static void test_query(void **state)
{
    const char *loc1[] = {"urn:test:loc:1"}, *add[] = {"ADD"},
               *unit[] = {"urn:test:unit:7", "urn:test:unit:8"},
               *po[] = {"urn:test:po:1"},
               *ship[] = {"https://ref.gs1.org/cbv/BizStep-shipping"};
    yima_store *st;
    tev t[12];
    yima_event *ev;
    yima_error err;
    yima_query q;
    uint64_t next;
    got *g = calloc(1, sizeof *g);
    size_t total = 0;

    (void)state;
    assert_non_null(g);
    fresh(&st);
    for (int k = 0; k < 10; k++) { /* 0..9: unit k, read point k % 3 */
        char u[32];

        snprintf(u, sizeof u, "urn:test:unit:%d", k);
        make(&t[k], k, u);
    }
    make_agg(&t[10], 10, "ADD", "urn:test:case:1", "urn:test:unit:7");
    /* 11: a purchase order as a bizTransaction of type po */
    make(&t[11], 11, NULL);
    snprintf(t[11].json, sizeof t[11].json,
             "{\"type\":\"ObjectEvent\",\"eventID\":\"%s\","
             "\"bizTransactionList\":[{\"type\":\"po\","
             "\"bizTransaction\":\"urn:test:po:1\"}]}",
             t[11].id);
    t[11].ev.json_len = strlen(t[11].json);
    snprintf(t[11].text[1], sizeof t[11].text[1], "urn:test:po:1");
    t[11].code[1] = (yima_event_code){t[11].text[1], YIMA_ROLE_BIZ_TX};
    t[11].ev.n_codes = 2;
    ev = events_of(t, 12);
    assert_int_equal(yima_store_append(st, ev, 12, NULL, &err), 0);

    yima_query_init(&q);
    assert_int_equal(run_query(st, &q, g, &next), 12);
    assert_true(next == UINT64_MAX);

    q.types = 1u << YIMA_EVENT_AGGREGATION;
    assert_int_equal(run_query(st, &q, g, NULL), 1);
    assert_int_equal(g->index[0], 10);
    yima_query_init(&q);
    q.actions = (yima_query_values){add, 1};
    assert_int_equal(run_query(st, &q, g, NULL), 1);
    yima_query_init(&q);
    q.biz_steps = (yima_query_values){ship, 1};
    assert_int_equal(run_query(st, &q, g, NULL), 12);
    /* Stored as the CBV word (schema 11); a row of an older store keeps
     * the URI, and a value of no standard vocabulary is kept as given:
     * each is found by the value the query names. */
    {
        static const char *const other[] = {"urn:example:step:count"},
                                 *recv[] = {"https://ref.gs1.org/cbv/BizStep-"
                                            "receiving"};
        sqlite3 *db;

        expect_sql("SELECT group_concat(DISTINCT biz_step) FROM events",
                   "shipping");
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(
            sqlite3_exec(db,
                         "UPDATE events SET biz_step = "
                         "'https://ref.gs1.org/cbv/BizStep-shipping' "
                         "WHERE idx = 3; UPDATE events SET biz_step = "
                         "'urn:example:step:count' WHERE idx = 5",
                         NULL, NULL, NULL),
            SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(run_query(st, &q, g, NULL), 11);
        q.biz_steps = (yima_query_values){other, 1};
        assert_int_equal(run_query(st, &q, g, NULL), 1);
        assert_int_equal(g->index[0], 5);
        q.biz_steps = (yima_query_values){recv, 1};
        assert_int_equal(run_query(st, &q, g, NULL), 0);
    }

    /* EQ_readPoint: events 1, 4, 7, 10 (make() gives k % 3) */
    yima_query_init(&q);
    q.codes[0] =
        (yima_query_codes){1u << YIMA_ROLE_READ_POINT, NULL, {loc1, 1}};
    q.n_codes = 1;
    assert_int_equal(run_query(st, &q, g, NULL), 4);
    assert_int_equal(g->index[3], 10);
    /* MATCH_epc: unit 7 or 8 in epcList or childEPCs */
    yima_query_init(&q);
    q.codes[0] = (yima_query_codes){
        1u << YIMA_ROLE_EPC | 1u << YIMA_ROLE_CHILD, NULL, {unit, 2}};
    q.n_codes = 1;
    assert_int_equal(run_query(st, &q, g, NULL), 3);
    /* only epcList: not the aggregation */
    q.codes[0].roles = 1u << YIMA_ROLE_EPC;
    assert_int_equal(run_query(st, &q, g, NULL), 2);
    /* and read point 1 as well: event 7 only */
    q.codes[1] =
        (yima_query_codes){1u << YIMA_ROLE_READ_POINT, NULL, {loc1, 1}};
    q.n_codes = 2;
    assert_int_equal(run_query(st, &q, g, NULL), 1);
    assert_int_equal(g->index[0], 7);

    /* EQ_bizTransaction_po, by bare word, URN and web URI; not _desadv */
    yima_query_init(&q);
    q.n_codes = 1;
    q.codes[0] = (yima_query_codes){1u << YIMA_ROLE_BIZ_TX, "po", {po, 1}};
    assert_int_equal(run_query(st, &q, g, NULL), 1);
    assert_int_equal(g->index[0], 11);
    q.codes[0].type = "urn:epcglobal:cbv:btt:po";
    assert_int_equal(run_query(st, &q, g, NULL), 1);
    q.codes[0].type = "https://ref.gs1.org/cbv/BTT-po";
    assert_int_equal(run_query(st, &q, g, NULL), 1);
    q.codes[0].type = "desadv";
    assert_int_equal(run_query(st, &q, g, NULL), 0);

    /* eventTime bounds: make() gives base + k ms */
    yima_query_init(&q);
    q.ge_event_time = 1700000000000LL + 2;
    q.lt_event_time = 1700000000000LL + 5;
    assert_int_equal(run_query(st, &q, g, NULL), 3);
    assert_int_equal(g->index[0], 2);
    yima_query_init(&q);
    q.ge_record_time = g->time[0] + 1;
    assert_int_equal(run_query(st, &q, g, NULL), 0);

    /* paging: pages of 5 give everything once, in order */
    yima_query_init(&q);
    q.limit = 5;
    for (int page = 0; page < 4; page++) {
        size_t n = run_query(st, &q, g, &next);

        for (size_t i = 0; i < n; i++)
            assert_int_equal(g->index[i], total + i);
        total += n;
        if (next == UINT64_MAX)
            break;
        assert_int_equal(n, 5);
        q.from = next;
    }
    assert_int_equal(total, 12);

    /* by eventID */
    memset(g, 0, sizeof *g);
    assert_int_equal(
        yima_store_event_by_id(st, "urn:uuid:test-4", collect, g, &err), 0);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->index[0], 4);
    assert_int_equal(
        yima_store_event_by_id(st, "urn:uuid:test-99", collect, g, &err),
        YIMA_ENOTFOUND);
    free(ev);
    free(g);
    yima_store_close(st);
}

/* An event whose eventID is its hash ID stores it once (events.hash): it
 * is found by that ID, also after the index is rebuilt at open. */
static void test_hash_id_stored_once(void **state)
{
    tev t[3];
    yima_event *ev;
    yima_store *st;
    yima_error err;
    got *g = calloc(1, sizeof *g);

    (void)state;
    assert_non_null(g);
    fresh(&st);
    for (int i = 0; i < 3; i++) {
        make(&t[i], 700 + i, NULL);
        if (i < 2) /* the third keeps a eventID of its own */
            t[i].ev.event_id = t[i].ev.hash_id;
    }
    ev = events_of(t, 3);
    assert_int_equal(yima_store_append(st, ev, 3, NULL, &err), 0);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3; i++) {
            memset(g, 0, sizeof *g);
            assert_int_equal(
                yima_store_event_by_id(st, ev[i].event_id, collect, g, &err),
                0);
            assert_int_equal(g->n, 1);
            assert_int_equal(g->index[0], i);
        }
        yima_store_close(st); /* the tail is rebuilt from events at open */
        assert_int_equal(yima_store_open(path, &st, &err), 0);
    }
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    yima_store_close(st);
    expect_sql("SELECT group_concat(length(event_id)) FROM events ORDER BY idx",
               "0,0,17");
    free(ev);
    free(g);
}

/* Events recorded in a party's name, capture jobs, issued codes. */
static void test_recorder_jobs_issue(void **state)
{
    static const char party[] =
        "{\"uscc\":\"91350100MA2XYW011J\",\"name\":\"闽江电缆\","
        "\"roles\":[\"producer\"]}";
    const char *p = "urn:yima:uscc:91350100MA2XYW011J";
    char code[YIMA_DIC_LEN + 1], who[YIMA_PARTY_MAX];
    yima_store_issued is;
    yima_store *st;
    yima_event *ev;
    yima_error err;
    yima_query q;
    yima_buf json;
    tev t[3];
    got *g = calloc(1, sizeof *g);

    (void)state;
    fresh(&st);
    for (int i = 0; i < 3; i++)
        make(&t[i], i, NULL);
    ev = events_of(t, 3);
    assert_int_equal(yima_store_set_recorder(st, p), 0);
    assert_int_equal(yima_store_append(st, ev, 2, NULL, &err), 0);
    assert_int_equal(yima_store_set_recorder(st, NULL), 0);
    assert_int_equal(yima_store_append(st, ev + 2, 1, NULL, &err), 0);
    yima_query_init(&q);
    q.recorder = p;
    assert_int_equal(run_query(st, &q, g, NULL), 2);
    q.recorder = "urn:yima:uscc:91110105MA0AB12366";
    assert_int_equal(run_query(st, &q, g, NULL), 0);

    yima_buf_init(&json, 1 << 16);
    assert_int_equal(yima_store_capture_put(st, "job-1", p, "{\"ok\":1}", &err),
                     0);
    assert_int_equal(yima_store_capture_get(st, "job-1", who, &json, &err), 0);
    assert_string_equal(json.data, "{\"ok\":1}");
    assert_string_equal(who, p);
    assert_int_equal(yima_store_capture_get(st, "job-2", who, &json, &err),
                     YIMA_ENOTFOUND);
    yima_buf_free(&json);

    assert_int_equal(
        yima_store_issue(st, "91350100MA2XYW011J", NULL, code, &err),
        YIMA_ENOTFOUND); /* not a party yet */
    assert_int_equal(
        yima_store_master_put(st, YIMA_STORE_PARTY, party, strlen(party), &err),
        0);
    assert_int_equal(
        yima_store_issue(st, "91350100MA2XYW011J", NULL, code, &err), 0);
    assert_int_equal(strlen(code), YIMA_DIC_LEN);
    assert_int_equal(yima_store_issued_get(st, code, &is, &err), 0);
    assert_string_equal(is.party, p);
    code[5] = code[5] == 'A' ? 'B' : 'A'; /* another code: check fails */
    assert_int_not_equal(yima_store_issued_get(st, code, &is, &err), 0);
    assert_int_equal(yima_store_issued_get(st, "06901234000016", &is, &err),
                     YIMA_EINVAL);
    free(ev);
    free(g);
    yima_store_close(st);
}

/* SipHash-2-4 of bytes 00..0e under key 00..0f (the paper's example). */
static void test_siphash_vector(void **state)
{
    uint8_t key[16], msg[15];

    (void)state;
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        msg[i] = (uint8_t)i;
    assert_true(yima_siphash(key, msg, sizeof msg) == 0xa129ca6149be45e5ULL);
    assert_true(yima_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
}

/* The events table still refuses an action EPCIS does not have (its
 * CHECK is written without an IN list, which SQLite rebuilt per row). */
static void test_action_check(void **state)
{
    static const char *const sql[] = {
        "INSERT INTO events (idx, event_id, hash, type, event_time, "
        "record_time, action, entry, codes) VALUES (900, '', zeroblob(32), "
        "1, 0, 0, '%s', x'00', x'')"};
    static const char *const action[] = {"ADD", "OBSERVE", "DELETE", "SELL",
                                         "add"};
    yima_store *st;
    sqlite3 *db;
    char q[256];

    (void)state;
    fresh(&st);
    yima_store_close(st);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int i = 0; i < 5; i++) {
        snprintf(q, sizeof q, sql[0], action[i]);
        assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL),
                         i < 3 ? SQLITE_OK : SQLITE_CONSTRAINT);
        assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
                         SQLITE_OK);
    }
    sqlite3_close(db);
}

/* The checkpointer thread copies committed pages back into the database
 * file while the handle stays open (it runs at least once a second). */
static void test_checkpointer_runs(void **state)
{
    yima_store *st;
    struct stat sb;
    off_t before;

    (void)state;
    fresh(&st);
    assert_int_equal(stat(path, &sb), 0);
    before = sb.st_size;
    append_range(st, 0, 2000); /* more than the file's free pages hold */
    usleep(1500 * 1000);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > before);
    yima_store_close(st);
}

/* A writer past its WAL limit starts the WAL over after a commit, so the
 * file stays near the limit instead of growing with all that is written;
 * nothing is lost on the way, for this handle or another. */
static void test_wal_restart(void **state)
{
    yima_store *st, *other;
    yima_error err;
    struct stat sb;
    uint64_t size;
    char wal[256];
    int64_t page;

    (void)state;
    fresh(&st);
    page = ((sq *)st->be)->page_size; /* the limits below are in pages */
    ((sq *)st->be)->wal_restart = 16 * page;
    snprintf(wal, sizeof wal, "%s-wal", path);
    for (int b = 0; b < 40; b++)
        append_range(st, b * 100, 100);
    assert_int_equal(stat(wal, &sb), 0);
    /* 4,000 events wrote several hundred pages; the WAL holds about one
     * commit past the limit */
    assert_true(sb.st_size < 128 * page);
    assert_int_equal(yima_store_size(st, &size, &err), 0);
    assert_int_equal(size, 4000);
    assert_int_equal(yima_store_open(path, &other, &err), 0);
    assert_int_equal(yima_store_size(other, &size, &err), 0);
    assert_int_equal(size, 4000);
    assert_int_equal(yima_store_verify(other, NULL, NULL, &err), 0);

    /* A reader keeping a snapshot makes the restart wait in vain: the
     * writer then leaves it until the WAL has grown by a quarter of the
     * limit, and starts over once the reader is gone. */
    {
        sq *s = st->be;
        bool began;
        int64_t retry;

        s->wal_restart = 64 * page; /* a quarter is more than a small commit */
        assert_int_equal(yima_store_snapshot_begin(other, &began, &err), 0);
        assert_true(began);
        for (int b = 40; s->wal_retry == 0 && b < 80; b++)
            append_range(st, b * 100, 100);
        retry = s->wal_retry;
        assert_true(retry > s->wal_restart);
        {
            /* right after the busy try, a commit that writes nothing (all
             * duplicates) is not the WAL starting over */
            tev t;
            yima_event *ev;
            yima_store_result res;

            make(&t, 0, NULL);
            ev = events_of(&t, 1);
            assert_int_equal(yima_store_append(st, ev, 1, &res, &err), 0);
            assert_int_equal(res.status, YIMA_STORE_DUPLICATE);
            free(ev);
            assert_true(s->wal_retry == retry);
        }
        append_range(st, 8000, 1); /* a small commit: no second try */
        assert_true(s->wal_retry == retry);
        yima_store_snapshot_end(other, began);
        for (int b = 81; s->wal_retry != 0 && b < 140; b++)
            append_range(st, b * 100, 100);
        assert_true(s->wal_retry == 0);
    }
    yima_store_close(other);
    yima_store_close(st);
}

static int cmp_posting(const void *a, const void *b)
{
    return ix_post_cmp(a, b);
}

static int count_posting(void *arg, const ix_post *p)
{
    (void)p;
    (*(size_t *)arg)++;
    return 0;
}

/* The flush's sort, with scratch memory and in place: every posting kept,
 * in run order, with keys that fill one bucket (one heavy key), keys that
 * share all the bits the radix passes look at, roles added out of order,
 * and chains that still find a key after it. */
static void test_tail_sort(void **state)
{
    enum { N = 200000 };
    ix_tail t;
    ix_post *want = malloc(N * sizeof *want);
    uint64_t x = 0x9e3779b97f4a7c15u, same = (uint64_t)0x2a5 << 41;
    size_t found = 0;

    (void)state;
    assert_non_null(want);
    ix_tail_init(&t);
    for (size_t i = 0; i < N; i++) {
        uint64_t key;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (i % 5 == 0) /* a product's key on many events */
            key = 0x123456789abcdefu;
        else if (i % 7 == 0) /* top 22 bits shared, 9 keys, interleaved */
            key = same | (x >> 1) % 9;
        else
            key = x >> 1;
        /* three roles of an event, added 3, 2, 1 */
        assert_int_equal(ix_tail_add(&t, key, i / 3, 3 - (int)(i % 3)), 0);
    }
    memcpy(want, t.post, N * sizeof *want);
    qsort(want, N, sizeof *want, cmp_posting);
    /* a look-up first, so the sort must throw the chains away */
    assert_int_equal(
        ix_tail_find(&t, 0x123456789abcdefu, count_posting, &found), 0);
    assert_int_equal(found, N / 5);
    /* without scratch memory too */
    {
        ix_post *copy = malloc(N * sizeof *copy);

        assert_non_null(copy);
        memcpy(copy, t.post, N * sizeof *copy);
        ix_post_sort_in_place(copy, N);
        assert_memory_equal(copy, want, N * sizeof *want);
        free(copy);
    }
    ix_tail_sort(&t);
    assert_int_equal(t.n, N);
    assert_memory_equal(t.post, want, N * sizeof *want);
    found = 0;
    assert_int_equal(
        ix_tail_find(&t, 0x123456789abcdefu, count_posting, &found), 0);
    assert_int_equal(found, N / 5);
    ix_tail_free(&t);
    free(want);
}

/* Codes found through runs of every level and the tail, from this handle
 * and from a second one on the same file (another process). */
static void test_index_runs(void **state)
{
    enum { BATCHES = 9, PER = 40 };
    yima_store *st, *other;
    tev *t = calloc(PER, sizeof *t);
    yima_event *ev;
    yima_error err;
    got *g = calloc(1, sizeof *g);
    sqlite3 *db;
    sqlite3_stmt *q;
    char unit[64];
    int levels = 0;

    (void)state;
    assert_non_null(t);
    assert_non_null(g);
    fresh(&st);
    assert_int_equal(yima_store_open(path, &other, &err), 0);
    for (int b = 0; b < BATCHES; b++) {
        for (int i = 0; i < PER; i++) {
            /* unit k is in events k and k + BATCHES * PER / 2 */
            snprintf(unit, sizeof unit, "urn:test:unit:%d",
                     (b * PER + i) % (BATCHES * PER / 2));
            make(&t[i], b * PER + i, unit);
        }
        ev = events_of(t, PER);
        assert_int_equal(yima_store_append(st, ev, PER, NULL, &err), 0);
        free(ev);
        if (b < BATCHES - 1) /* the last batch stays in the tail */
            assert_int_equal(sq_index_flush(st->be, &err), 0);
    }
    /* 8 flushes: two merges of four into level 1. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*), max(level), "
                                        "sum(postings) FROM index_runs",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 2);
    levels = sqlite3_column_int(q, 1);
    assert_int_equal(levels, 1);
    /* eventID, read point and unit of each event of the first 8 batches */
    assert_int_equal(sqlite3_column_int(q, 2), 8 * PER * 3);
    sqlite3_finalize(q);
    sqlite3_close(db);

    for (int pass = 0; pass < 2; pass++) {
        yima_store *h = pass ? other : st;

        for (int k = 0; k < BATCHES * PER / 2; k += 7) {
            snprintf(unit, sizeof unit, "urn:test:unit:%d", k);
            memset(g, 0, sizeof *g);
            assert_int_equal(yima_store_events(h, unit, collect, g, &err), 0);
            assert_int_equal(g->n, 2);
            assert_int_equal(g->index[0], k);
            assert_int_equal(g->index[1], k + BATCHES * PER / 2);
        }
    }
    free(t);
    free(g);
    yima_store_close(other);
    yima_store_close(st);
}

/* Blocks of format 2 give back what was put, however large the keys and
 * events; one cut inside a posting, or a key past 2^63, is damaged. */
static void test_index_block_codec(void **state)
{
    enum { N = 5000 };
    ix_post *want = malloc(N * sizeof *want), got_post;
    uint8_t *blk = malloc(N * IX_POST_MAX), fixed[32];
    uint64_t x = 0x2545f4914f6cdd1du;
    size_t len = 0, *ends = malloc(N * sizeof *ends), n = 0;
    ix_block_writer w;
    ix_block_reader r;
    int rc;

    (void)state;
    assert_non_null(want);
    assert_non_null(blk);
    assert_non_null(ends);
    for (size_t i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        want[i].key = i < 3       ? (uint64_t)i
                      : i < N - 3 ? x >> 1
                                  : ((uint64_t)1 << 63) - 1;
        want[i].idx_role = i % 11 == 0   ? UINT64_MAX - (x & 0xffff)
                           : i % 13 == 0 ? 0
                                         : (x >> 20) % 5000 << 8 | i % 7;
        if (i % 4 == 1) /* a code of many events */
            want[i].key = want[i - 1].key;
        if (i % 17 == 2) /* the same posting twice */
            want[i] = want[i - 1];
    }
    qsort(want, N, sizeof *want, cmp_posting);
    ix_block_start(&w, want[0].key);
    for (size_t i = 0; i < N; i++) {
        size_t k = ix_block_put(&w, &want[i], blk + len);

        assert_true(k >= 2 && k <= IX_POST_MAX);
        len += k;
        ends[i] = len;
    }
    assert_true(ix_block_open(&r, IX_FORMAT_DELTA, want[0].key, blk, len));
    while ((rc = ix_block_next(&r, &got_post)) == 1) {
        assert_true(n < N);
        assert_memory_equal(&got_post, &want[n], sizeof got_post);
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, N);

    /* Cut short: whole postings read, then damaged unless cut between. */
    for (size_t cut = 1; cut < 60; cut++) {
        size_t whole = 0;

        while (whole < N && ends[whole] <= cut)
            whole++;
        assert_true(ix_block_open(&r, IX_FORMAT_DELTA, want[0].key, blk, cut));
        for (n = 0; (rc = ix_block_next(&r, &got_post)) == 1; n++)
            ;
        assert_int_equal(n, whole);
        assert_int_equal(rc, whole && ends[whole - 1] == cut ? 0 : -1);
    }
    /* A key past the largest: 2^63 - 1, then one more. */
    {
        static const uint8_t past[] = {0x01, 0x00};

        assert_true(ix_block_open(&r, IX_FORMAT_DELTA, ((uint64_t)1 << 63) - 1,
                                  past, sizeof past));
        assert_int_equal(ix_block_next(&r, &got_post), -1);
    }
    /* A varint of more than 64 bits. */
    memset(blk, 0xff, 9);
    blk[9] = 0x02;
    blk[10] = 0x00;
    assert_true(ix_block_open(&r, IX_FORMAT_DELTA, 0, blk, 11));
    assert_int_equal(ix_block_next(&r, &got_post), -1);
    /* Format 1: 16 bytes a posting, nothing else. */
    ix_post_encode(&want[0], fixed);
    ix_post_encode(&want[1], fixed + 16);
    assert_false(ix_block_open(&r, IX_FORMAT_FIXED, 0, fixed, 31));
    assert_false(ix_block_open(&r, 3, 0, fixed, 32));
    assert_false(ix_block_open(&r, IX_FORMAT_DELTA, 0, fixed, 0));
    assert_true(ix_block_open(&r, IX_FORMAT_FIXED, 0, fixed, 32));
    for (n = 0; (rc = ix_block_next(&r, &got_post)) == 1; n++)
        assert_memory_equal(&got_post, &want[n], sizeof got_post);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 2);
    free(ends);
    free(blk);
    free(want);
}

/* Put db's ledger hashes back as schema 9 and before kept them: a row of
 * table ledger_hash each. Returns how many. */
static int ledger_to_rows(sqlite3 *db)
{
    sqlite3_stmt *q, *u;
    int n = 0;

    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE ledger_hash ("
                                  " idx INTEGER PRIMARY KEY,"
                                  " hash BLOB NOT NULL CHECK "
                                  "(length(hash) = 32))",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT blk, data FROM "
                                        "ledger_hashes ORDER BY blk",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO ledger_hash VALUES "
                                        "(?1, ?2)",
                                        -1, &u, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const uint8_t *d = sqlite3_column_blob(q, 1);
        int bytes = sqlite3_column_bytes(q, 1);

        assert_int_equal(sqlite3_column_int(q, 0) * SQ_HASH_BLOCK, n);
        for (int i = 0; i < bytes / 32; i++, n++) {
            sqlite3_bind_int(u, 1, n);
            sqlite3_bind_blob(u, 2, d + 32 * i, 32, SQLITE_STATIC);
            assert_int_equal(sqlite3_step(u), SQLITE_DONE);
            sqlite3_reset(u);
        }
    }
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    assert_int_equal(
        sqlite3_exec(db, "DROP TABLE ledger_hashes", NULL, NULL, NULL),
        SQLITE_OK);
    return n;
}

/* Rewrite every block of the store at path as format 1 (16 bytes a
 * posting), as schema 8 wrote them; with `schema8`, also drop the format
 * column and say version 8. */
static void blocks_to_fixed(bool schema8)
{
    sqlite3 *db;
    sqlite3_stmt *q, *u;
    yima_buf b;

    yima_buf_init(&b, SIZE_MAX / 2);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT b.rowid, b.first_key, b.data, "
                                        "r.format FROM index_blocks b "
                                        "JOIN index_runs r USING (run)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE index_blocks SET data = ?2 "
                                        "WHERE rowid = ?1",
                                        -1, &u, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        ix_block_reader r;
        ix_post p;
        uint8_t e[16];
        int rc;

        assert_int_equal(sqlite3_column_int(q, 3), IX_FORMAT_DELTA);
        assert_true(ix_block_open(
            &r, IX_FORMAT_DELTA, (uint64_t)sqlite3_column_int64(q, 1),
            sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2)));
        yima_buf_reset(&b);
        while ((rc = ix_block_next(&r, &p)) == 1) {
            ix_post_encode(&p, e);
            assert_int_equal(yima_buf_add(&b, e, sizeof e), 0);
        }
        assert_int_equal(rc, 0);
        sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
        sqlite3_bind_blob(u, 2, b.data, (int)b.len, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(u), SQLITE_DONE);
        sqlite3_reset(u);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    if (schema8)
        ledger_to_rows(db);
    assert_int_equal(sqlite3_exec(db,
                                  schema8 ? "ALTER TABLE index_runs "
                                            "DROP COLUMN format;"
                                            "PRAGMA user_version=8;"
                                          : "UPDATE index_runs SET format = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    yima_buf_free(&b);
}

/* Runs of 16-byte postings (schema 8 and before) are found as they are,
 * in a store upgraded to schema 9, and merged into a run of format 2. */
static void test_index_fixed_runs(void **state)
{
    enum { BATCHES = 8, PER = 30, UNITS = BATCHES * PER / 2 };
    yima_store *st;
    tev *t = calloc(PER, sizeof *t);
    yima_event *ev;
    yima_error err;
    got *g = calloc(1, sizeof *g);
    char unit[64];

    (void)state;
    assert_non_null(t);
    assert_non_null(g);
    fresh(&st);
    for (int b = 0; b < BATCHES; b++) {
        static const char *const want[BATCHES] = {"2",  "22",  "111",  "2",
                                                  "11", "112", "1122", "1122"};

        for (int i = 0; i < PER; i++) {
            /* unit k is in events k and k + UNITS */
            snprintf(unit, sizeof unit, "urn:test:unit:%d",
                     (b * PER + i) % UNITS);
            make(&t[i], b * PER + i, unit);
        }
        ev = events_of(t, PER);
        assert_int_equal(yima_store_append(st, ev, PER, NULL, &err), 0);
        free(ev);
        if (b < BATCHES - 1) /* the last batch stays in the tail */
            assert_int_equal(sq_index_flush(st->be, &err), 0);
        /* Runs 1-3 as a schema 8 store has them; later, runs 5 (1-4
         * merged, 3 of them format 1) and 6 as format 1 of schema 9. */
        if (b == 2 || b == 4) {
            yima_store_close(st);
            blocks_to_fixed(b == 2);
            assert_int_equal(yima_store_open(path, &st, &err), 0);
        }
        expect_sql("SELECT coalesce(group_concat(format, ''), '') FROM "
                   "(SELECT format FROM index_runs ORDER BY run)",
                   want[b]);
        for (int k = 0; k < UNITS; k += 5) {
            bool second = (b + 1) * PER > k + UNITS;

            if (k >= (b + 1) * PER)
                break;
            snprintf(unit, sizeof unit, "urn:test:unit:%d", k);
            memset(g, 0, sizeof *g);
            assert_int_equal(yima_store_events(st, unit, collect, g, &err), 0);
            assert_int_equal(g->n, second ? 2 : 1);
            assert_int_equal(g->index[0], k);
            if (second)
                assert_int_equal(g->index[1], k + UNITS);
        }
    }
    free(t);
    free(g);
    yima_store_close(st);
}

/* PRAGMA synchronous of db: 2 is FULL, 1 NORMAL. */
static int synchronous_of(sqlite3 *db)
{
    sqlite3_stmt *q;
    int v;

    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* A flush that fails leaves the tail sorted by key; a batch rolled back
 * after it must put `upto` back where it was, not derive it from the last
 * posting kept, or the next sync adds events to the tail twice. A flush
 * runs with synchronous=NORMAL (its runs are derived): FULL again after
 * it, failed or not, for the events. */
static void test_rollback_after_failed_flush(void **state)
{
    enum { N = 60 };
    yima_store *st;
    sq *s;
    tev t[2];
    yima_event *ev;
    yima_error err;
    sqlite3 *db;
    sqlite3_stmt *q;
    size_t tail;

    (void)state;
    /* A fixed index secret: the keys, so the order a sort leaves, are the
     * same every run. */
    fresh(NULL);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE meta SET value = "
                                  "'000102030405060708090a0b0c0d0e0f' "
                                  "WHERE key = 'index_secret'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    s = st->be;
    append_range(st, 0, N);
    tail = s->tail.n;
    assert_int_equal(s->tail.upto, N);
    assert_int_equal(sqlite3_exec(s->db,
                                  "CREATE TEMP TRIGGER no_runs BEFORE INSERT "
                                  "ON index_runs BEGIN "
                                  "SELECT RAISE(ABORT, 'no runs today'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_not_equal(sq_index_flush(s, &err), 0);
    assert_int_equal(s->tail.n, tail);
    assert_int_equal(synchronous_of(s->db), 2); /* FULL again for events */
    /* sorted by key now: the last posting is not of event N - 1 */
    assert_int_not_equal(IX_IDX(&s->tail.post[tail - 1]), N - 1);
    assert_int_equal(
        sqlite3_exec(s->db, "DROP TRIGGER no_runs", NULL, NULL, NULL),
        SQLITE_OK);

    /* The first event of the batch is added to the tail, the second is
     * refused: both undone. */
    make(&t[0], N, NULL);
    make(&t[1], N + 1, NULL);
    t[1].ev.action = "SMASH";
    ev = events_of(t, 2);
    assert_int_equal(yima_store_append(st, ev, 2, NULL, &err), YIMA_EINVAL);
    free(ev);
    assert_int_equal(s->tail.n, tail);
    assert_int_equal(s->tail.upto, N);

    /* Every event indexed once: two postings each (eventID, read point). */
    append_range(st, N, 10);
    assert_int_equal(sq_index_flush(s, &err), 0);
    assert_int_equal(synchronous_of(s->db), 2);
    assert_int_equal(sqlite3_prepare_v2(s->db,
                                        "SELECT sum(postings) FROM index_runs",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), (N + 10) * 2);
    sqlite3_finalize(q);
    /* A flush that could not put FULL back: the next write does first. */
    assert_int_equal(
        sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL),
        SQLITE_OK);
    s->not_full = true;
    append_range(st, N + 10, 1);
    assert_int_equal(synchronous_of(s->db), 2);
    assert_false(s->not_full);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    yima_store_close(st);
}

static void test_master_data(void **state)
{
    yima_store *st;
    yima_error err;
    yima_buf b;
    const char *party = "{\"uscc\":\"91350100m000100y43\",\"name\":\"福州食品"
                        "有限公司\",\"roles\":[\"producer\",\"seller\"],"
                        "\"region\":\"350100\",\"tel\":\"0591-1\"}";

    (void)state;
    fresh(&st);
    yima_buf_init(&b, 1 << 20);
#define PUT(kind, json)                                                        \
    yima_store_master_put(st, kind, json, strlen(json), &err)
    assert_int_equal(PUT(YIMA_STORE_PARTY, party), 0);
    assert_int_equal(
        yima_store_master_get(st, YIMA_STORE_PARTY, USCC, NULL, &b, &err), 0);
    assert_string_equal(b.data,
                        "{\"uscc\":\"urn:yima:uscc:" USCC "\",\"name\":\"福州"
                        "食品有限公司\",\"roles\":[\"producer\",\"seller\"],"
                        "\"region\":\"350100\",\"tel\":\"0591-1\"}");

    assert_int_equal(PUT(YIMA_STORE_PARTY, "{\"uscc\":\"91350100M000100Y42\","
                                           "\"name\":\"x\"}"),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "party: \"uscc\": "));
    assert_int_equal(PUT(YIMA_STORE_PARTY, "{\"uscc\":\"" GTIN "\","
                                           "\"name\":\"x\"}"),
                     YIMA_EINVAL);
    assert_string_equal(err.msg,
                        "party: \"uscc\": must be a uscc code, not gs1");
    assert_int_equal(PUT(YIMA_STORE_PARTY, "{\"uscc\":\"" USCC2 "\"}"),
                     YIMA_EINVAL);
    assert_string_equal(err.msg, "party: \"name\": missing");
    assert_int_equal(PUT(YIMA_STORE_PARTY, "{\"uscc\":1"), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "party: JSON: "));
    assert_int_equal(PUT(YIMA_STORE_PARTY, "[]"), YIMA_EINVAL);
    assert_int_equal(PUT(YIMA_STORE_PARTY, "{\"uscc\":\"" USCC2 "\",\"name\":"
                                           "\"x\",\"roles\":[\"a,b\"]}"),
                     YIMA_EINVAL);

    assert_int_equal(PUT(YIMA_STORE_CATEGORY, "{\"id\":\"0101\",\"name\":\"乳"
                                              "制品\",\"name_en\":\"Dairy\","
                                              "\"phase\":1}"),
                     0);
    assert_int_equal(PUT(YIMA_STORE_CATEGORY, "{\"id\":\"0102\",\"name\":\"x\","
                                              "\"phase\":\"one\"}"),
                     YIMA_EINVAL);
    yima_buf_reset(&b);
    assert_int_equal(
        yima_store_master_get(st, YIMA_STORE_CATEGORY, "0101", NULL, &b, &err),
        0);
    assert_string_equal(b.data, "{\"id\":\"0101\",\"name\":\"乳制品\","
                                "\"name_en\":\"Dairy\",\"phase\":1}");

    assert_int_equal(PUT(YIMA_STORE_PRODUCT,
                         "{\"gtin\":\"(01)" GTIN "\",\"producer\":\"" USCC
                         "\",\"category\":\"0101\",\"name\":\"牛奶\","
                         "\"spec\":{\"ml\":250}}"),
                     0);
    yima_buf_reset(&b);
    assert_int_equal(yima_store_master_get(st, YIMA_STORE_PRODUCT,
                                           "https://id.gs1.org/01/" GTIN, NULL,
                                           &b, &err),
                     0);
    assert_string_equal(b.data, "{\"code\":\"https://id.gs1.org/01/" GTIN
                                "\",\"producer\":\"urn:yima:uscc:" USCC
                                "\",\"category\":\"0101\",\"name\":\"牛奶\","
                                "\"spec\":{\"ml\":250}}");
    /* A GTIN must be gs1 and alone; the producer must be a known party. */
    assert_int_equal(PUT(YIMA_STORE_PRODUCT, "{\"gtin\":\"" USCC "\","
                                             "\"producer\":\"" USCC "\","
                                             "\"name\":\"x\"}"),
                     YIMA_EINVAL);
    assert_string_equal(err.msg,
                        "product: \"gtin\": must be a gs1 code, not uscc");
    assert_int_equal(PUT(YIMA_STORE_PRODUCT,
                         "{\"gtin\":\"(01)" GTIN
                         "(21)ABC\",\"producer\":\"" USCC "\",\"name\":\"x\"}"),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "GTIN alone"));
    assert_int_equal(PUT(YIMA_STORE_PRODUCT, "{\"gtin\":\"" GTIN "\","
                                             "\"producer\":\"" USCC2 "\","
                                             "\"name\":\"x\"}"),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "unknown"));
    assert_int_equal(PUT(YIMA_STORE_PRODUCT, "{\"gtin\":\"" GTIN "\","
                                             "\"producer\":\"" USCC "\","
                                             "\"category\":\"9999\","
                                             "\"name\":\"x\"}"),
                     YIMA_EINVAL);

    assert_int_equal(PUT(YIMA_STORE_BATCH, "{\"product\":\"" GTIN "\","
                                           "\"lot\":\"L2025-01\","
                                           "\"made\":\"2025-01-02\"}"),
                     0);
    assert_int_equal(PUT(YIMA_STORE_BATCH, "{\"product\":\"09506000134369\","
                                           "\"lot\":\"L1\"}"),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "unknown product"));
    yima_buf_reset(&b);
    assert_int_equal(
        yima_store_master_get(st, YIMA_STORE_BATCH, GTIN, "L2025-01", &b, &err),
        0);
    assert_string_equal(b.data, "{\"product\":\"https://id.gs1.org/01/" GTIN
                                "\",\"lot\":\"L2025-01\","
                                "\"made\":\"2025-01-02\"}");
    assert_int_equal(
        yima_store_master_get(st, YIMA_STORE_BATCH, GTIN, "L9", &b, &err),
        YIMA_ENOTFOUND);
    assert_int_equal(
        yima_store_master_get(st, YIMA_STORE_PARTY, USCC2, NULL, &b, &err),
        YIMA_ENOTFOUND);
    assert_int_equal(
        yima_store_master_get(st, YIMA_STORE_PARTY, "nonsense", NULL, &b, &err),
        YIMA_EINVAL);

    /* Replacing a party keeps its products. */
    assert_int_equal(PUT(YIMA_STORE_PARTY, "{\"uscc\":\"" USCC "\","
                                           "\"name\":\"新名\"}"),
                     0);
    yima_buf_reset(&b);
    assert_int_equal(
        yima_store_master_get(st, YIMA_STORE_PARTY, USCC, NULL, &b, &err), 0);
    assert_string_equal(b.data, "{\"uscc\":\"urn:yima:uscc:" USCC
                                "\",\"name\":\"新名\"}");
#undef PUT
    yima_buf_free(&b);
    yima_store_close(st);
}

/* ---- Tampering ----------------------------------------------------------- */

#define TAMPER_N 50

/* A store of TAMPER_N events in 5 batches with a checkpoint at the end. */
static void tamper_base(void)
{
    yima_buf skey, vkey;
    yima_store *st;
    yima_error err;

    fresh(&st);
    for (int b = 0; b < 5; b++)
        append_range(st, b * 10, 10);
    yima_buf_init(&skey, 4096);
    yima_buf_init(&vkey, 4096);
    assert_int_equal(yima_ledger_keygen("example.com/yima", &skey, &vkey, &err),
                     0);
    checkpoint(st, skey.data);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    yima_buf_free(&skey);
    yima_buf_free(&vkey);
    yima_store_close(st);
}

/* Run sql on the store file behind its back; verify must fail with want. */
static void tamper(const char *sql, const char *want)
{
    yima_store *st;
    yima_error err;
    sqlite3 *db;
    char *msg = NULL;

    tamper_base();
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, 0, 0, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), YIMA_EINVAL);
    assert_string_equal(err.msg, want);
    yima_store_close(st);
}

/*
 * Rewrite entry idx behind the store's back as someone who can unpack it
 * would: its sealed entry with `from` replaced by `to`, written in the
 * unpacked form of schema 6 (which the store still reads), then sql (may be
 * NULL). Verify must fail with want, or pass when want is NULL.
 */
static void tamper_entry(uint64_t idx, const char *from, const char *to,
                         const char *sql, const char *want)
{
    yima_store *st;
    yima_error err;
    yima_buf e, out;
    sqlite3 *db;
    sqlite3_stmt *up;
    char *at;

    tamper_base();
    yima_buf_init(&e, 1 << 20);
    yima_buf_init(&out, 1 << 20);
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    assert_int_equal(yima_store_entry(st, idx, &e, &err), 0);
    yima_store_close(st);
    assert_non_null(at = strstr(e.data, from));
    yima_buf_add(&out, e.data, (size_t)(at - e.data));
    yima_buf_puts(&out, to);
    yima_buf_puts(&out, at + strlen(from));
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE events SET entry = ?1 "
                                        "WHERE idx = ?2",
                                        -1, &up, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(up, 1, out.data, (int)out.len, SQLITE_STATIC);
    sqlite3_bind_int64(up, 2, (sqlite3_int64)idx);
    assert_int_equal(sqlite3_step(up), SQLITE_DONE);
    sqlite3_finalize(up);
    if (sql)
        assert_int_equal(sqlite3_exec(db, sql, 0, 0, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    if (!want) {
        assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    } else {
        assert_int_equal(yima_store_verify(st, NULL, NULL, &err), YIMA_EINVAL);
        assert_string_equal(err.msg, want);
    }
    yima_store_close(st);
    yima_buf_free(&e);
    yima_buf_free(&out);
}

static void test_verify_edit(void **state)
{
    (void)state;
    /* Written back unpacked and unchanged: read as it is, and intact. */
    tamper_entry(41, "\"k\":41", "\"k\":41", NULL, NULL);
    /* One byte of the JSON, and one of the record time. */
    tamper_entry(41, "\"k\":41", "\"k\":42", NULL,
                 "ledger: entry 41 does not match its leaf hash");
    tamper_entry(7, "Z", "Y", NULL,
                 "ledger: entry 7 does not match its leaf hash");
    /* An unpacked entry whose record_time column moved without it. */
    tamper_entry(3, "Z", "Z",
                 "UPDATE events SET record_time = record_time + 1 "
                 "WHERE idx = 3",
                 "ledger: entry 3: record_time column differs from the "
                 "sealed entry");
    /* A packed entry takes its record time from the column: moving it
     * changes the entry. */
    tamper("UPDATE events SET record_time = record_time + 1 WHERE idx = 3",
           "ledger: entry 3 does not match its leaf hash");
    /* A stored hash rewritten: a leaf's shows up as its entry, a node's
     * by its stored index (19, 20, 21 are made by entry 11; all 97 are in
     * block 0, 32 bytes each). */
    tamper("UPDATE ledger_hashes SET data = CAST(substr(data, 1, 608) || "
           "zeroblob(32) || substr(data, 641) AS BLOB) WHERE blk = 0",
           "ledger: entry 11 does not match its leaf hash");
    tamper("UPDATE ledger_hashes SET data = CAST(substr(data, 1, 672) || "
           "zeroblob(32) || substr(data, 705) AS BLOB) WHERE blk = 0",
           "ledger: hash 21 (made by entry 11) differs from the one rebuilt");
}

/* A fresh store at `path`, a copy of the store at orig as schema 9 kept it
 * (a row per ledger hash; with a hole: hash 700 lost). Returns the number
 * of hash rows. */
static int as_schema9(const char *orig, bool hole)
{
    char cmd[3 * sizeof path + 16];
    sqlite3 *db;
    int rows;

    fresh(NULL);
    snprintf(cmd, sizeof cmd, "cp %s %s", orig, path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    rows = ledger_to_rows(db);
    assert_int_equal(sqlite3_exec(db,
                                  hole ? "DELETE FROM ledger_hash WHERE "
                                         "idx = 700;"
                                         "PRAGMA user_version=9;COMMIT"
                                       : "PRAGMA user_version=9;COMMIT",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    return rows;
}

/* A store of schema 9 (a row per ledger hash) is upgraded at open: its
 * hashes, five blocks of them and a hole, are kept in blocks; proofs and
 * verify answer as before, and appends go on from the last block. */
_Static_assert(SQ_HASH_BLOCK == 255, "the block counts below are for 255");
static void test_ledger_blocks_upgrade(void **state)
{
    yima_ledger_proof before, after;
    uint8_t root[32], root2[32];
    yima_store *st;
    yima_error err;
    sqlite3 *db;
    sqlite3_stmt *q;
    char orig[sizeof path];

    (void)state;
    fresh(&st);
    for (int b = 0; b < 6; b++) /* 600 events: 1,196 hashes */
        append_range(st, b * 100, 100);
    assert_int_equal(yima_ledger_root(yima_store_ledger(st), 600, root, &err),
                     0);
    assert_int_equal(yima_ledger_prove_inclusion(yima_store_ledger(st), 345,
                                                 600, &before, &err),
                     0);
    yima_store_close(st);

    snprintf(orig, sizeof orig, "%s", path);
    for (int hole = 0; hole < 2; hole++) {
        assert_int_equal(as_schema9(orig, hole), 1196);
        assert_int_equal(yima_store_open(path, &st, &err), 0);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT (SELECT count(*) FROM "
                                            "sqlite_master WHERE name = "
                                            "'ledger_hash'), count(*), "
                                            "sum(length(data)) FROM "
                                            "ledger_hashes",
                                            -1, &q, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(q, 0), 0);
        assert_int_equal(sqlite3_column_int(q, 1), 5);
        assert_int_equal(sqlite3_column_int(q, 2), 1196 * 32);
        sqlite3_finalize(q);
        sqlite3_close(db);
        if (hole) { /* a hash lost before the upgrade is found */
            assert_int_equal(yima_store_verify(st, NULL, NULL, &err),
                             YIMA_EINVAL);
            assert_non_null(strstr(err.msg, "700"));
            yima_store_close(st);
            continue;
        }
        assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
        assert_int_equal(
            yima_ledger_root(yima_store_ledger(st), 600, root2, &err), 0);
        assert_memory_equal(root, root2, 32);
        assert_int_equal(yima_ledger_prove_inclusion(yima_store_ledger(st), 345,
                                                     600, &after, &err),
                         0);
        assert_int_equal(before.n, after.n);
        assert_true(before.n > 5);
        assert_memory_equal(before.hash, after.hash, before.n * 32);
        /* 1,196 hashes fill block 4 up to 176: the next append goes on
         * from there, into blocks 4 to 7. */
        append_range(st, 600, 300);
        assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
        yima_store_close(st);
        expect_sql("SELECT group_concat(length(data) / 32) FROM "
                   "(SELECT data FROM ledger_hashes ORDER BY blk)",
                   "255,255,255,255,255,255,255,11");
    }
}

/* Two processes open a store of an older schema at the same moment: the
 * one that gets the write lock second finds the store already upgraded
 * (it read the old version before) and opens it as it is. */
static void test_upgrade_race(void **state)
{
    yima_store *st;
    yima_error err;
    sqlite3 *lock;
    char orig[sizeof path];
    int status, ready[2];
    pid_t pid;

    (void)state;
    fresh(&st);
    append_range(st, 0, 300);
    yima_store_close(st);
    snprintf(orig, sizeof orig, "%s", path);
    as_schema9(orig, false);

    /* The other process reads version 9, then waits for the write lock
     * this handle holds; once it is free, both race for it. (Forked
     * before this handle opens: a child must not inherit an open one.) */
    assert_int_equal(pipe(ready), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char c;
        int rc;

        close(ready[1]); /* the parent's end: a parent gone ends the read */
        if (read(ready[0], &c, 1) != 1)
            _exit(2);
        if ((rc = yima_store_open(path, &st, &err)) == 0)
            rc = yima_store_verify(st, NULL, NULL, &err);
        if (rc != 0)
            fprintf(stderr, "child: %s\n", err.msg);
        _exit(rc != 0);
    }
    close(ready[0]);
    assert_int_equal(sqlite3_open(path, &lock), SQLITE_OK);
    assert_int_equal(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(write(ready[1], "x", 1), 1);
    usleep(300 * 1000);
    assert_int_equal(sqlite3_exec(lock, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(lock);
    if (yima_store_open(path, &st, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(ready[1]);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    yima_store_close(st);
    expect_sql("PRAGMA user_version", "11");
    expect_sql("SELECT count(*) FROM sqlite_master WHERE name = 'ledger_hash'",
               "0");
}

/* A packed value with bytes overwritten cannot pass for an event. */
static void test_verify_damaged_pack(void **state)
{
    yima_store *st;
    yima_error err;
    sqlite3 *db;
    int rc;

    (void)state;
    tamper_base();
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE events SET entry = substr(entry, 1, "
                                  "6) || zeroblob(6) || substr(entry, 13) "
                                  "WHERE idx = 5",
                                  0, 0, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    rc = yima_store_verify(st, NULL, NULL, &err);
    assert_true(rc == YIMA_EIO || rc == YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "entry 5"));
    yima_store_close(st);
}

/* A store holding a row of dictionary 1 (written before dictionary 2)
 * among rows of dictionary 2: the event reads back as it was, verify
 * recomputes its leaf from it, and a look-up by its code finds it. */
static void test_dictionary_1_rows(void **state)
{
    size_t bn, jn;
    char *b = slurp("tests/data/store/packed-json-1.bin", &bn),
         *j = slurp("tests/data/store/packed-json-1.json", &jn);
    yima_store *st;
    yima_error err;
    sqlite3 *db;
    sqlite3_stmt *q;
    tev t;
    yima_event *ev;
    got *g = calloc(1, sizeof *g);

    (void)state;
    assert_non_null(b);
    assert_non_null(j);
    assert_non_null(g);
    fresh(&st);
    append_range(st, 0, 3);
    make(&t, 3, "urn:test:unit:old");
    assert_true(jn < sizeof t.json);
    memcpy(t.json, j, jn + 1);
    t.ev.json_len = jn;
    ev = events_of(&t, 1);
    assert_int_equal(yima_store_append(st, ev, 1, NULL, &err), 0);
    free(ev);
    append_range(st, 4, 3);
    yima_store_close(st);

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE events SET entry = ?1 "
                                        "WHERE idx = 3 AND substr(entry, 1, "
                                        "1) = x'02'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(q, 1, b, (int)bn, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_finalize(q);
    sqlite3_close(db);

    assert_int_equal(yima_store_open(path, &st, &err), 0);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    assert_int_equal(
        yima_store_events(st, "urn:test:unit:old", collect, g, &err), 0);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->index[0], 3);
    assert_non_null(strstr(g->json[0], "06901137000052/21/500000001"));
    yima_store_close(st);
    free(g);
    free(b);
    free(j);
}

/* Append events first..first+n-1 packed ahead and sealed for seal_ms (0:
 * not sealed; below 0: all but the last sealed for -seal_ms, the last for
 * -seal_ms + 1); *record_ms: the recordTime they were stored with. */
static void append_sealed(yima_store *st, yima_packer *p, int first, int n,
                          int64_t seal_ms, int64_t *record_ms)
{
    tev *t = calloc((size_t)n, sizeof *t);
    yima_store_result *res = calloc((size_t)n, sizeof *res);
    yima_store_packed *pk = calloc((size_t)n, sizeof *pk);
    yima_event *ev;
    yima_error err;
    yima_buf data;

    assert_non_null(t);
    assert_non_null(res);
    assert_non_null(pk);
    for (int i = 0; i < n; i++)
        make(&t[i], first + i, NULL);
    ev = events_of(t, (size_t)n);
    yima_buf_init(&data, 1 << 20);
    yima_packer_seal(p, seal_ms < 0 ? -seal_ms : seal_ms);
    assert_int_equal(yima_store_pack(p, ev, (size_t)n - 1, &data, pk), 0);
    if (seal_ms < 0)
        yima_packer_seal(p, -seal_ms + 1);
    assert_int_equal(yima_store_pack(p, ev + n - 1, 1, &data, pk + n - 1), 0);
    assert_int_equal(
        yima_store_append_packed(st, ev, pk, (size_t)n, res, &err), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(res[i].status, YIMA_STORE_ADDED);
        assert_true(res[i].record_time_ms == res[0].record_time_ms);
    }
    *record_ms = res[0].record_time_ms;
    yima_buf_free(&data);
    free(pk);
    free(ev);
    free(res);
    free(t);
}

/* Events sealed ahead by a packer are stored at the time they were sealed
 * for, and the ledger holds their entries as dated so; sealed for a time
 * before the last one stored, or for two times in one batch, they are
 * sealed again by the store, never dated back. verify recomputes every
 * leaf from the stored entries. */
static void test_sealed_ahead(void **state)
{
    /* far ahead of the clock: a batch not taking its seal is dated at the
     * last recordTime stored */
    int64_t t0 = 4000000000000LL, when;
    yima_packer *p;
    yima_store *st;
    yima_error err;

    (void)state;
    fresh(&st);
    assert_non_null(p = yima_store_packer(st));
    append_sealed(st, p, 0, 40, t0, &when);
    assert_true(when == t0); /* the seal taken */
    append_sealed(st, p, 40, 40, t0 + 5, &when);
    assert_true(when == t0 + 5);
    append_sealed(st, p, 80, 40, t0 - 1000, &when);
    assert_true(when == t0 + 5); /* not dated back: sealed again */
    append_sealed(st, p, 120, 40, -(t0 + 10), &when);
    assert_true(when == t0 + 5); /* two times in the batch: sealed again */
    append_sealed(st, p, 160, 40, 0, &when); /* not sealed */
    assert_true(when == t0 + 5);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    yima_packer_free(p);
    yima_store_close(st);
}

/* Hash IDs to digests: lower or upper case hex, nothing else. */
static void test_hash_id_parse(void **state)
{
    char id[YIMA_EVENT_HASH_LEN + 1];
    uint8_t h[YIMA_LEDGER_HASH_LEN];
    const char *hex = "00112233445566778899aabbccddeeff"
                      "0123456789ABCDEFfedcba9876543210";

    (void)state;
    snprintf(id, sizeof id, "ni:///sha-256;%s?ver=CBV2.0", hex);
    assert_int_equal(store_hash_id_parse(id, h), 0);
    assert_int_equal(h[0], 0x00);
    assert_int_equal(h[5], 0x55);
    assert_int_equal(h[15], 0xff);
    assert_int_equal(h[16], 0x01);
    assert_int_equal(h[23], 0xef);
    assert_int_equal(h[31], 0x10);
    for (size_t at = 14; at < 14 + 64; at += 9) {
        char bad[sizeof id];

        memcpy(bad, id, sizeof id);
        bad[at] = at % 2 ? 'g' : ':'; /* just past 'f', just past '9' */
        assert_int_equal(store_hash_id_parse(bad, h), YIMA_EINVAL);
    }
    id[strlen(id) - 1] = '1'; /* ?ver=CBV2.1 */
    assert_int_equal(store_hash_id_parse(id, h), YIMA_EINVAL);
}

/* A packer of a store computes the index keys the store would. */
static void test_pack_keys(void **state)
{
    yima_event_code codes[2] = {{.role = YIMA_ROLE_EPC, .code = "urn:x:1"},
                                {.role = YIMA_ROLE_CHILD, .code = "urn:x:2"}};
    yima_event ev = {.event_id = "urn:uuid:k",
                     .json = "{}",
                     .json_len = 2,
                     .codes = codes,
                     .n_codes = 2};
    const char *const named[] = {"urn:uuid:k", "urn:x:1", "urn:x:2"};
    yima_store_packed pk;
    yima_packer *p;
    yima_store *st;
    yima_buf data;

    (void)state;
    fresh(&st);
    assert_non_null(p = yima_store_packer(st));
    yima_buf_init(&data, 1 << 20);
    assert_int_equal(yima_store_pack(p, &ev, 1, &data, &pk), 0);
    assert_non_null(pk.keys);
    for (int i = 0; i < 3; i++) {
        uint64_t k;

        memcpy(&k, (const char *)pk.keys + i * sizeof k, sizeof k);
        assert_true(k == sq_index_key(st->be, named[i]));
    }
    yima_buf_free(&data);
    yima_packer_free(p);
    yima_store_close(st);
}

/* Packing: what goes in comes out, the tags say which column, and a
 * value that is not packed is refused. */
static void test_pack_round_trip(void **state)
{
    static const char *const json[] = {
        "{}",
        "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/"
        "epcis-context.jsonld\",\"type\":\"ObjectEvent\",\"eventTime\":"
        "\"2026-03-01T08:00:00.000+08:00\"}",
        "\"\xe4\xb8\x80\xe7\xa0\x81 one code, not a word of the dictionary\""};
    /* The second code shares all of the first: front coding keeps 2 bytes */
    yima_event_code codes[2] = {{.role = YIMA_ROLE_EPC, .code = "urn:x:1"},
                                {.role = YIMA_ROLE_PARENT, .code = "urn:x:12"}};
    yima_packer *p = yima_packer_new();
    yima_store_packed pk[3];
    yima_event ev[3] = {{0}};
    yima_buf data, out;

    (void)state;
    assert_non_null(p);
    yima_buf_init(&data, 1 << 20);
    yima_buf_init(&out, 1 << 20);
    for (int i = 0; i < 3; i++) {
        ev[i].json = json[i];
        ev[i].json_len = strlen(json[i]);
        ev[i].codes = codes;
        ev[i].n_codes = (size_t)i; /* 0, 1 and 2 codes */
    }
    assert_int_equal(yima_store_pack(p, ev, 3, &data, pk), 0);
    for (int i = 0; i < 3; i++) {
        assert_null(pk[i].keys); /* a packer of no store: no keys */
        assert_int_equal(*(const unsigned char *)pk[i].json,
                         PACK_JSON_2); /* new rows */
        assert_true(store_packed_json(pk[i].json, pk[i].json_len));
        assert_false(store_packed_codes(pk[i].json, pk[i].json_len));
        assert_int_equal(store_unpack(p, pk[i].json, pk[i].json_len, &out), 0);
        assert_int_equal(out.len, strlen(json[i]));
        assert_memory_equal(out.data, json[i], out.len);
        if (i == 0) {
            assert_int_equal(pk[i].codes_len, 0); /* no codes: empty */
            continue;
        }
        assert_true(store_packed_codes(pk[i].codes, pk[i].codes_len));
        assert_int_equal(store_unpack(p, pk[i].codes, pk[i].codes_len, &out),
                         0);
        assert_memory_equal(
            out.data, i == 1 ? "\x01urn:x:1" : "\x01urn:x:1\0\x02urn:x:12",
            i == 1 ? 9 : 19);
        assert_int_equal(out.len, i == 1 ? 9 : 19);
    }
    /* tag, then role 1, shared 0, "urn:x:1", NUL; role 2, shared 7, "2",
     * NUL */
    assert_int_equal(pk[2].codes_len, 1 + 1 + 1 + 8 + 1 + 1 + 2);
    /* The canonical JSON of an event shrinks to well under half. */
    assert_true(pk[1].json_len * 2 < ev[1].json_len);
    /* Dictionary 2 is the one rows were packed with: its bytes (a new
     * one needs a new tag), and a frame packed when it was made. */
    {
        static const char want[] = "5f0749a7fe108a7d7b0e547d5a548843"
                                   "ce2804e255fbfc75ba2f67cc44452e74";
        unsigned char md[32];
        char hex[65];
        size_t bn, jn;
        char *b = slurp("tests/data/store/packed-json-2.bin", &bn),
             *j = slurp("tests/data/store/packed-json-1.json", &jn);

        assert_int_equal(store_dict2_len, 16384);
        SHA256(store_dict2, store_dict2_len, md);
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        assert_string_equal(hex, want);
        assert_non_null(b);
        assert_non_null(j);
        assert_int_equal(b[0], PACK_JSON_2);
        assert_int_equal(store_unpack(p, b, bn, &out), 0);
        assert_int_equal(out.len, jn);
        assert_memory_equal(out.data, j, jn);
        free(b);
        free(j);
    }
    /* Rows of dictionary 1 (written before dictionary 2) read as they
     * were: a frame the program of then packed. */
    {
        size_t bn, jn;
        char *b = slurp("tests/data/store/packed-json-1.bin", &bn),
             *j = slurp("tests/data/store/packed-json-1.json", &jn);

        assert_non_null(b);
        assert_non_null(j);
        assert_int_equal(b[0], PACK_JSON_1);
        assert_true(store_packed_json(b, bn));
        assert_int_equal(store_unpack(p, b, bn, &out), 0);
        assert_int_equal(out.len, jn);
        assert_memory_equal(out.data, j, jn);
        /* cut short: refused (a changed byte is the ledger's to find:
         * frames carry no checksum) */
        assert_int_equal(store_unpack(p, b, bn - 1, &out), YIMA_EIO);
        free(b);
        free(j);
    }
    /* Unpacked values and damaged ones are not taken for packed. */
    assert_false(store_packed_json("yima-event/1\n", 13));
    assert_false(store_packed_codes("\x01"
                                    "a",
                                    3));
    assert_int_equal(store_unpack(p, "yima-event/1\n", 13, &out), YIMA_EIO);
    assert_int_equal(store_unpack(p, "\x01garbage", 8, &out), YIMA_EIO);
    assert_int_equal(store_unpack(p, "\x02garbage", 8, &out), YIMA_EIO);
    assert_int_equal(store_unpack(p, "\x03garbage", 8, &out), YIMA_EIO);
    /* A prefix longer than the code before, a code without its NUL. */
    assert_int_equal(store_unpack(p,
                                  "\x82\x01\x00"
                                  "ab\0\x01\x03"
                                  "c",
                                  9, &out),
                     YIMA_EIO);
    assert_int_equal(store_unpack(p,
                                  "\x82\x01\x00"
                                  "ab",
                                  5, &out),
                     YIMA_EIO);
    yima_buf_free(&data);
    yima_buf_free(&out);
    yima_packer_free(p);
}

static void test_verify_delete(void **state)
{
    (void)state;
    tamper("DELETE FROM events WHERE idx = 17", "ledger: entry 17 is missing");
    tamper("DELETE FROM events WHERE idx >= 47",
           "ledger: 3 entries missing after 46");
    tamper("DELETE FROM events", "ledger: all 50 entries are missing");
    /* Delete the middle and close the gap. */
    tamper("DELETE FROM event_keys WHERE idx = 30; DELETE FROM events WHERE "
           "idx = 30; UPDATE events SET idx = idx - 1 WHERE idx > 30",
           "ledger: entry 30 does not match its leaf hash");
    /* Cut the tail off everything, ledger included: only the checkpoint
     * knows. */
    tamper("DELETE FROM event_keys WHERE idx >= 40; DELETE FROM events WHERE "
           "idx >= 40; UPDATE ledger_hashes SET data = substr(data, 1, "
           "78 * 32) WHERE blk = 0; UPDATE ledger SET size = 40",
           "checkpoint at size 50: beyond the ledger's 40 entries");
}

static void test_verify_reorder_insert(void **state)
{
    (void)state;
    tamper("UPDATE events SET idx = -1 WHERE idx = 10;"
           "UPDATE events SET idx = 10 WHERE idx = 11;"
           "UPDATE events SET idx = 11 WHERE idx = -1",
           "ledger: entry 10 does not match its leaf hash");
    /* A row slipped in at 20 (the rest moved up). */
    tamper(
        "UPDATE events SET idx = idx + 1000 WHERE idx >= 20;"
        "UPDATE events SET idx = idx - 999 WHERE idx >= 1000;"
        "INSERT INTO events SELECT 20, 'x', randomblob(32), type, event_time, "
        "record_time, action, biz_step, disposition, parent, children, "
        "entry, codes, recorder FROM events WHERE idx = 19",
        "ledger: entry 20 does not match its leaf hash");
    tamper(
        "INSERT INTO events SELECT 50, 'x', randomblob(32), type, event_time, "
        "record_time, action, biz_step, disposition, parent, children, "
        "entry, codes, recorder FROM events WHERE idx = 49",
        "ledger: entry 50 is beyond the ledger's size 50");
    /* Stored hashes cut off: the first missing one is named (entry 27
     * adds hashes 50-52). */
    tamper("UPDATE ledger_hashes SET data = substr(data, 1, 51 * 32) "
           "WHERE blk = 0",
           "ledger: hash 51 (entry 27) is missing");
    tamper("UPDATE ledger_hashes SET data = CAST(data || zeroblob(32) AS "
           "BLOB) WHERE blk = 0",
           "ledger: hash 97 is beyond the ledger's size 50");
    tamper("UPDATE checkpoints SET note = replace(note, '\n50\n', '\n50\nA')",
           "checkpoint at size 50: root differs");
    tamper("UPDATE checkpoints SET size = 49",
           "checkpoint at size 49: the note names size 50");
}

/* ---- Crash safety: kill -9 while appending --------------------------------
 */

static void test_kill_while_appending(void **state)
{
    yima_store *st;
    yima_error err;
    uint64_t size, acked = 0, v;
    int fd[2], status;
    pid_t pid;

    (void)state;
    fresh(NULL);
    assert_int_equal(pipe(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the writer: report each acknowledged size */
        close(fd[0]);
        if (yima_store_open(path, &st, &err) != 0)
            _exit(2);
        for (int b = 0;; b++) {
            tev t[100];
            yima_event ev[100];

            for (int i = 0; i < 100; i++) {
                make(&t[i], b * 100 + i, NULL);
                ev[i] = t[i].ev;
            }
            if (yima_store_append(st, ev, 100, NULL, &err) != 0 ||
                yima_store_size(st, &v, &err) != 0 ||
                write(fd[1], &v, sizeof v) != sizeof v)
                _exit(3);
        }
    }
    close(fd[1]);
    /* Let a few batches through, then kill it in the middle of one. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(read(fd[0], &acked, sizeof acked), sizeof acked);
    usleep(3000);
    kill(pid, SIGKILL);
    while (read(fd[0], &v, sizeof v) == sizeof v)
        acked = v;
    close(fd[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));

    assert_int_equal(yima_store_open(path, &st, &err), 0);
    assert_int_equal(yima_store_size(st, &size, &err), 0);
    assert_true(size >= acked);
    assert_int_equal(size % 100, 0); /* whole batches only */
    assert_int_equal(count_events(st), size);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    append_range(st, 1000000, 10);
    assert_int_equal(yima_store_verify(st, NULL, NULL, &err), 0);
    yima_store_close(st);
}

/* ---- Rate ---------------------------------------------------------------- */

static void progress(void *arg, uint64_t done, uint64_t total)
{
    (void)total;
    *(uint64_t *)arg = done;
}

static void test_append_rate(void **state)
{
    enum { BATCH = 1000, BATCHES = 20 };
    tev *t = calloc(BATCH, sizeof *t);
    yima_event *ev = calloc(BATCH, sizeof *ev);
    struct timespec a, b;
    yima_store *st;
    yima_error err;
    uint64_t done = 0;
    double s;

    (void)state;
    assert_non_null(t);
    assert_non_null(ev);
    fresh(&st);
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int k = 0; k < BATCHES; k++) {
        for (int i = 0; i < BATCH; i++) {
            make(&t[i], k * BATCH + i, "urn:epc:id:sgtin:0614141.107346.1");
            ev[i] = t[i].ev;
        }
        assert_int_equal(yima_store_append(st, ev, BATCH, NULL, &err), 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("store: %d events in batches of %d: %.0f events/s\n",
           BATCH * BATCHES, BATCH, BATCH * BATCHES / s);
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(yima_store_verify(st, progress, &done, &err), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("store: verify: %.0f entries/s\n", BATCH * BATCHES / s);
    assert_int_equal(done, BATCH * BATCHES);
    yima_store_close(st);
    free(ev);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_open),
        cmocka_unit_test(test_append_and_read_back),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_duplicates_many),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_record_times),
        cmocka_unit_test(test_ledger_matches_memory),
        cmocka_unit_test(test_checkpoints_and_meta),
        cmocka_unit_test(test_containment_query),
        cmocka_unit_test(test_code_key_collision),
        cmocka_unit_test(test_siphash_vector),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_recorder_jobs_issue),
        cmocka_unit_test(test_index_runs),
        cmocka_unit_test(test_index_block_codec),
        cmocka_unit_test(test_index_fixed_runs),
        cmocka_unit_test(test_tail_sort),
        cmocka_unit_test(test_rollback_after_failed_flush),
        cmocka_unit_test(test_action_check),
        cmocka_unit_test(test_wal_restart),
        cmocka_unit_test(test_checkpointer_runs),
        cmocka_unit_test(test_master_data),
        cmocka_unit_test(test_verify_edit),
        cmocka_unit_test(test_verify_damaged_pack),
        cmocka_unit_test(test_pack_round_trip),
        cmocka_unit_test(test_dictionary_1_rows),
        cmocka_unit_test(test_hash_id_stored_once),
        cmocka_unit_test(test_pack_keys),
        cmocka_unit_test(test_hash_id_parse),
        cmocka_unit_test(test_sealed_ahead),
        cmocka_unit_test(test_verify_delete),
        cmocka_unit_test(test_verify_reorder_insert),
        cmocka_unit_test(test_ledger_blocks_upgrade),
        cmocka_unit_test(test_upgrade_race),
        cmocka_unit_test(test_kill_while_appending),
        cmocka_unit_test(test_append_rate),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
