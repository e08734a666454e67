/*
 * test_ingest.c - yima/ingest.h: an input read in pieces on several threads
 * is stored in input order, whole or not at all, and its faults carry the
 * numbers of the whole input, whatever the number of threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "yima/ingest.h"

#define EVENTS 4500 /* pieces of YIMA_INGEST_BATCH, the last short */

static char dir[64];
static int serial;

/* NDJSON of n events, a blank line after every 1000th, and event `bad`
 * (1-based; 0: none) with a GTIN check digit wrong. Sets *bad_line. */
static char *make_input(int n, int bad, int *bad_line, size_t *len)
{
    size_t cap = (size_t)n * 300 + 1024, at = 0;
    char *s = malloc(cap);
    int line = 0;

    assert_non_null(s);
    for (int i = 1; i <= n; i++) {
        at += (size_t)snprintf(
            s + at, cap - at,
            "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-03-01T08:%02d:"
            "%02d.%03dZ\",\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":"
            "[\"urn:epc:id:sgtin:0614141.107346.%d\"],\"action\":\"OBSERVE\","
            "\"bizStep\":\"shipping\"%s}\n",
            i / 60000 % 60, i / 1000 % 60, i % 1000, i,
            i == bad
                ? ",\"parentID\":\"https://id.gs1.org/00/106141412345678903\""
                : "");
        line++;
        if (i == bad)
            *bad_line = line;
        if (i % 1000 == 0) {
            s[at++] = '\n';
            line++;
        }
    }
    *len = at;
    return s;
}

static yima_store *fresh(void)
{
    char path[128];
    yima_store *st;
    yima_error err;

    snprintf(path, sizeof path, "%s/i%d.db", dir, serial++);
    assert_int_equal(yima_store_create(path, &err), 0);
    assert_int_equal(yima_store_open(path, &st, &err), 0);
    return st;
}

typedef struct seen {
    uint64_t n, last;
    int out_of_order;
} seen;

static void stored(void *arg, const yima_event *ev,
                   const yima_store_result *res)
{
    seen *s = arg;

    (void)ev;
    if (s->n && res->index != s->last + 1)
        s->out_of_order++;
    s->last = res->index;
    s->n++;
}

static void test_in_order(void **state)
{
    for (int threads = 1; threads <= 4; threads += 3) {
        yima_store *st = fresh();
        seen s = {0};
        yima_ingest in = {
            .ndjson = true, .threads = threads, .stored = stored, .arg = &s};
        yima_error err;
        uint64_t size;
        size_t len;
        int unused;
        char *text = make_input(EVENTS, 0, &unused, &len);

        (void)state;
        assert_int_equal(yima_ingest_text(st, text, len, &in, &err), 0);
        assert_int_equal(in.accepted, EVENTS);
        assert_int_equal(s.n, EVENTS);
        assert_int_equal(s.out_of_order, 0);
        assert_int_equal(yima_store_size(st, &size, &err), 0);
        assert_int_equal(size, EVENTS);
        /* again: every one a duplicate */
        assert_int_equal(yima_ingest_text(st, text, len, &in, &err), 0);
        assert_int_equal(in.duplicates, EVENTS);
        assert_int_equal(in.accepted, 0);
        yima_ingest_free(&in);
        free(text);
        yima_store_close(st);
    }
}

static void test_fault_numbers(void **state)
{
    int bad = 3321, bad_line = 0;
    size_t len;
    char *text = make_input(EVENTS, bad, &bad_line, &len);

    (void)state;
    assert_int_equal(bad_line, bad + 3); /* three blank lines before it */
    for (int threads = 1; threads <= 4; threads += 3) {
        yima_store *st = fresh();
        yima_ingest in = {.ndjson = true, .threads = threads};
        yima_error err;
        uint64_t size;
        char want[32];

        snprintf(want, sizeof want, "line %d: parentID", bad_line);
        /* all or nothing: nothing stored, the first fault named */
        assert_int_equal(yima_ingest_text(st, text, len, &in, &err),
                         YIMA_EINVAL);
        assert_int_equal(in.n_rejects, 1);
        assert_int_equal(in.rejects[0].line, bad_line);
        assert_int_equal(in.rejects[0].index, bad);
        assert_memory_equal(in.rejects[0].msg, want, strlen(want));
        assert_memory_equal(err.msg, want, strlen(want));
        assert_int_equal(in.accepted, 0);
        assert_int_equal(yima_store_size(st, &size, &err), 0);
        assert_int_equal(size, 0);
        yima_ingest_free(&in);

        /* --proceed: the others stored */
        in.flags = YIMA_EPCIS_PROCEED;
        assert_int_equal(yima_ingest_text(st, text, len, &in, &err), 0);
        assert_int_equal(in.accepted, EVENTS - 1);
        assert_int_equal(in.n_rejects, 1);
        assert_int_equal(in.rejects[0].line, bad_line);
        assert_int_equal(yima_store_size(st, &size, &err), 0);
        assert_int_equal(size, EVENTS - 1);
        yima_ingest_free(&in);
        yima_store_close(st);
    }
    free(text);
}

/* A slow store: the readers get as far ahead as they may, and wait. */
static void slow(void *arg, size_t done, size_t total)
{
    (void)arg, (void)done, (void)total;
    usleep(30000);
}

/* An input of many more pieces than readers may run ahead of the store:
 * stored whole when nothing wants its events back (each piece is freed
 * once stored); and a fault in a later piece ends it while the readers
 * wait for room, without leaving them waiting. */
static void test_many_pieces(void **state)
{
    enum { MANY = 40 * YIMA_INGEST_BATCH + 7 };
    int bad_line = 0;
    size_t len;
    char *text = make_input(MANY, 0, &bad_line, &len);

    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        yima_store *st = fresh();
        yima_ingest in = {.ndjson = true, .threads = threads};
        yima_error err;
        uint64_t size;

        assert_int_equal(yima_ingest_text(st, text, len, &in, &err), 0);
        assert_int_equal(in.accepted, MANY);
        assert_int_equal(yima_store_size(st, &size, &err), 0);
        assert_int_equal(size, MANY);
        yima_ingest_free(&in);
        yima_store_close(st);
    }
    free(text);

    text = make_input(MANY, 4 * YIMA_INGEST_BATCH + 17, &bad_line, &len);
    for (int threads = 1; threads <= 2; threads++) {
        yima_store *st = fresh();
        yima_ingest in = {.ndjson = true, .threads = threads, .progress = slow};
        yima_error err;
        uint64_t size;

        assert_int_equal(yima_ingest_text(st, text, len, &in, &err),
                         YIMA_EINVAL);
        assert_int_equal(in.n_rejects, 1);
        assert_int_equal(in.rejects[0].index, 4 * YIMA_INGEST_BATCH + 17);
        assert_int_equal(yima_store_size(st, &size, &err), 0);
        assert_int_equal(size, 0);
        yima_ingest_free(&in);
        yima_store_close(st);
    }
    free(text);
}

/* Threads of this process whose nice value is `nice`. */
static int threads_at_nice(int nice)
{
    char path[300], buf[512];
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        FILE *f;
        char *p;
        long v = 0;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        if (!(f = fopen(path, "r")))
            continue; /* the thread ended */
        p = fgets(buf, sizeof buf, f) ? strrchr(buf, ')') : NULL;
        fclose(f);
        /* after the name: state, then fields 4..19; 19 is nice */
        for (int field = 3; p && field <= 19; field++)
            p = strchr(p + 1, ' ');
        if (p && sscanf(p, "%ld", &v) == 1 && v == nice)
            n++;
    }
    closedir(d);
    return n;
}

/* Readers run at a lower priority than the thread that stores: while they
 * wait AHEAD of it, both are found at the caller's nice value + 5. */
static void test_reader_priority(void **state)
{
    enum { MANY = 40 * YIMA_INGEST_BATCH };
    int bad_line = 0, mine, found = 0;
    size_t len;
    char *text;
    yima_store *st;
    yima_ingest in = {.ndjson = true, .threads = 2};
    yima_ingest_job *job;
    yima_error err;

    (void)state;
    errno = 0;
    mine = getpriority(PRIO_PROCESS, 0);
    assert_true(mine != -1 || errno == 0);
    if (mine + 5 > 19) /* run niced already: no room to go lower */
        skip();
    text = make_input(MANY, 0, &bad_line, &len);
    st = fresh();
    assert_non_null(job = yima_ingest_start(st, text, len, &in));
    for (int i = 0; i < 500 && found < 2; i++) {
        found = threads_at_nice(mine + 5);
        usleep(10000);
    }
    assert_int_equal(found, 2);
    assert_int_equal(getpriority(PRIO_PROCESS, 0), mine); /* ours stays */
    assert_int_equal(yima_ingest_finish(st, job, &err), 0);
    assert_int_equal(in.accepted, MANY);
    yima_ingest_free(&in);
    yima_store_close(st);
    free(text);
}

/* The whole input being wrong: too many events, not JSON. */
static void test_whole_input(void **state)
{
    yima_store *st = fresh();
    yima_ingest in = {.ndjson = false};
    yima_error err;

    (void)state;
    assert_int_equal(yima_ingest_text(st, "{\"nope", 6, &in, &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "JSON"));
    assert_int_equal(in.n_rejects, 0);
    yima_store_close(st);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/yima-ingest-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[96];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_fault_numbers),
        cmocka_unit_test(test_many_pieces),
        cmocka_unit_test(test_reader_priority),
        cmocka_unit_test(test_whole_input),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
