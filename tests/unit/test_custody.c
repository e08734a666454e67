/*
 * test_custody.c - the custody state (lib/trace/state.c) must say exactly
 * what the replay of the events says (lib/trace/custody.c). A forward
 * trace with no `at` reads the state; one as of a time after every event
 * replays: over a synthetic supply chain (the benchmark's generator:
 * commissioning, cases and pallets packed and unpacked, shipping,
 * receiving, sales, goods by quantity) both must give the same JSON for
 * every unit, container, batch and product. Then the same after events
 * that break eventTime order, and after appends by a second handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "yima/code.h"
#include "yima/epcis.h"
#include "yima/ingest.h"
#include "yima/store.h"
#include "yima/trace.h"

#include <stdio.h>
#include <stdlib.h>

/* The generator is the benchmark's own (bench/supply_chain.h). */
#include "../../bench/supply_chain.c"

#define EVENTS 3000
#define LATE   "9999-12-31T00:00:00Z" /* after every event: a replay */

static char dir[64], path[128];
static yima_store *st;

/* Every scope worth comparing, once each. */
static char **scopes;
static long consumers; /* of the last trace compared */
static size_t n_scopes, cap_scopes;

static void scope_add(const char *s)
{
    static const yima_code_opts o = {0, true};
    static yima_code c;

    if (yima_code_parse(s, strlen(s), &o, &c, NULL) == 0)
        s = c.canonical; /* as the custody state names it */
    for (size_t i = 0; i < n_scopes; i++)
        if (strcmp(scopes[i], s) == 0)
            return;
    if (n_scopes == cap_scopes) {
        cap_scopes = cap_scopes ? cap_scopes * 2 : 256;
        scopes = realloc(scopes, cap_scopes * sizeof *scopes);
        assert_non_null(scopes);
    }
    scopes[n_scopes++] = strdup(s);
}

static void add_codes(json_t *list)
{
    size_t i;
    json_t *v;

    json_array_foreach(list, i, v) if (json_is_string(v))
        scope_add(json_string_value(v));
}

/* The batch of each unit an ObjectEvent ADD makes with an ILMD lot. */
static void add_batches(json_t *ev)
{
    static const yima_code_opts o = {0, true};
    static yima_code c;
    const char *key, *lot = NULL;
    char batch[256];
    json_t *v;
    size_t i;

    if (strcmp(json_string_value(json_object_get(ev, "action")) ?: "", "ADD"))
        return;
    json_object_foreach(json_object_get(ev, "ilmd"), key, v)
    {
        if (strstr(key, "lotNumber") && json_is_string(v))
            lot = json_string_value(v);
    }
    json_array_foreach(json_object_get(ev, "epcList"), i, v)
    {
        const char *u = json_string_value(v), *g;

        if (!lot || !u || yima_code_parse(u, strlen(u), &o, &c, NULL) != 0 ||
            !(g = yima_code_ai(&c, "01")))
            continue;
        snprintf(batch, sizeof batch, "(01)%s(10)%s", g, lot);
        scope_add(batch);
    }
}

static int collect(void *arg, uint64_t index, int64_t rt, const char *json,
                   size_t len)
{
    json_t *ev = json_loadb(json, len, 0, NULL), *p, *q;
    size_t i;

    (void)arg, (void)index, (void)rt;
    if (!ev)
        return 1;
    add_batches(ev);
    add_codes(json_object_get(ev, "epcList"));
    add_codes(json_object_get(ev, "childEPCs"));
    if (json_is_string(p = json_object_get(ev, "parentID")))
        scope_add(json_string_value(p));
    json_array_foreach(json_object_get(ev, "quantityList"), i, q)
    {
        const char *c = json_string_value(json_object_get(q, "epcClass"));
        if (c)
            scope_add(c);
    }
    json_decref(ev);
    return 0;
}

static int setup(void **state)
{
    yima_buf text;
    yima_ingest in = {.ndjson = true, .threads = 1};
    yima_error err;
    sc_gen *g = sc_new(7);
    int rc = -1;

    (void)state;
    yima_buf_init(&text, (size_t)1 << 30);
    snprintf(dir, sizeof dir, "/tmp/yima-custody-XXXXXX");
    if (!g || !mkdtemp(dir))
        goto out;
    snprintf(path, sizeof path, "%s/t.db", dir);
    for (size_t i = 0; i < EVENTS; i++)
        if (sc_next(g, &text) != 0)
            goto out;
    if (yima_store_create(path, &err) || yima_store_open(path, &st, &err) ||
        yima_ingest_text(st, (const char *)text.data, text.len, &in, &err) ||
        yima_store_events(st, NULL, collect, NULL, &err))
        goto out;
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "setup: %s\n", err.msg);
    yima_ingest_free(&in);
    yima_buf_free(&text);
    sc_free(g);
    return rc;
}

static int teardown(void **state)
{
    char p[160];

    (void)state;
    yima_store_close(st);
    for (size_t i = 0; i < n_scopes; i++)
        free(scopes[i]);
    free(scopes);
    remove(path);
    snprintf(p, sizeof p, "%s-wal", path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    remove(p);
    rmdir(dir);
    return 0;
}

/* The forward trace of scope from the state and from a replay agree;
 * returns how many holders it lists. */
static size_t same(yima_store *s, const char *scope)
{
    yima_buf a, b;
    yima_error e1, e2;
    int r1, r2;
    size_t holders = 0;
    json_t *j;

    yima_buf_init(&a, 1 << 24);
    yima_buf_init(&b, 1 << 24);
    r1 = yima_trace_json(s, scope, YIMA_TRACE_FORWARD, NULL, &a, &e1);
    r2 = yima_trace_json(s, scope, YIMA_TRACE_FORWARD, LATE, &b, &e2);
    if (r1 != r2 || (r1 == 0 && strcmp(a.data, b.data) != 0))
        fail_msg("%s:\nstate (%d %s): %s\nreplay (%d %s): %s", scope, r1,
                 r1 ? e1.msg : "", a.data ? a.data : "", r2, r2 ? e2.msg : "",
                 b.data ? b.data : "");
    if (r1 == 0 && (j = json_loadb(a.data, a.len, 0, NULL)) != NULL) {
        holders = json_array_size(json_object_get(j, "holders"));
        consumers = (long)json_integer_value(json_object_get(j, "consumers"));
        json_decref(j);
    }
    yima_buf_free(&a);
    yima_buf_free(&b);
    return holders;
}

static void test_state_is_the_replay(void **state)
{
    size_t held = 0, products = 0, batches = 0;

    (void)state;
    assert_true(n_scopes > 500);
    for (size_t i = 0; i < n_scopes; i++)
        held += same(st, scopes[i]) > 0;
    assert_true(held > n_scopes / 4); /* not a comparison of empty traces */
    for (size_t i = 0; i < n_scopes; i++)
        batches += strstr(scopes[i], "/10/") && !strstr(scopes[i], "/21/");
    assert_true(batches > 20); /* batches of serialised units among them */
    /* and the batches and products of a few units */
    for (size_t i = 0; i < n_scopes; i++) {
        const char *s = scopes[i], *k = strstr(s, "/21/");
        char product[64];

        if (strncmp(s, "https://", 8) != 0 || !k || k - s > 60)
            continue;
        snprintf(product, sizeof product, "%.*s", (int)(k - s), s);
        if (!strstr(product, "/01/"))
            continue;
        assert_true(same(st, product) > 0);
        if (++products == 3)
            break;
    }
}

static int kid(void *arg, const char *code)
{
    (void)code;
    ++*(size_t *)arg;
    return 0;
}

/* How many codes are packed in container now. */
static size_t kids(const char *container)
{
    size_t n = 0;
    yima_error err;

    assert_int_equal(yima_store_custody_kids(st, container, kid, &n, &err), 0);
    return n;
}

/* An event older than what was applied makes its codes replay: the answer
 * is still the replay's. */
static void test_late_events(void **state)
{
    char doc[2048];
    const char *unit = NULL;
    yima_event_batch *b = NULL;
    yima_error err;
    yima_store_result res;
    long before;

    (void)state;
    for (size_t i = 0; i < n_scopes && !unit; i++)
        if (strstr(scopes[i], "/21/") && same(st, scopes[i]) > 0)
            unit = scopes[i];
    assert_non_null(unit);
    /* a sale dated before everything else */
    snprintf(doc, sizeof doc,
             "{\"type\":\"ObjectEvent\",\"eventTime\":\"2000-01-01T00:00:00Z\","
             "\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[\"%s\"],"
             "\"action\":\"OBSERVE\",\"bizStep\":\"retail_selling\","
             "\"disposition\":\"retail_sold\"}",
             unit);
    assert_int_equal(yima_epcis_read(doc, strlen(doc), 0, &b, &err), 0);
    assert_int_equal(
        yima_store_append(st, yima_event_batch_get(b, 0), 1, &res, &err), 0);
    yima_event_batch_free(b);
    same(st, unit);
    /* a whole case sold (its units go with it), in time order */
    for (size_t i = 0;; i++) {
        if (i == n_scopes)
            fail_msg("no case with units in it to sell");
        if (strstr(scopes[i], "/00/") && kids(scopes[i]) > 0 &&
            same(st, scopes[i]) > 0) {
            snprintf(doc, sizeof doc,
                     "{\"type\":\"ObjectEvent\",\"eventTime\":"
                     "\"2099-01-01T00:00:00Z\",\"eventTimeZoneOffset\":"
                     "\"+00:00\",\"epcList\":[\"%s\"],\"action\":"
                     "\"OBSERVE\",\"bizStep\":\"retail_selling\"}",
                     scopes[i]);
            assert_int_equal(yima_epcis_read(doc, strlen(doc), 0, &b, &err),
                             0);
            assert_int_equal(yima_store_append(st, yima_event_batch_get(b, 0),
                                               1, &res, &err),
                             0);
            yima_event_batch_free(b);
            before = consumers;
            same(st, scopes[i]);
            assert_true(consumers > before); /* its units went with it */
            break;
        }
    }
    for (size_t i = 0; i < n_scopes; i += 7)
        same(st, scopes[i]);
}

/* Events appended through another handle are caught up before a trace. */
static void test_other_handle(void **state)
{
    yima_store *other;
    yima_error err;
    yima_buf text;
    yima_ingest in = {.ndjson = true, .threads = 1};
    sc_gen *g = sc_new(8);

    (void)state;
    assert_non_null(g);
    yima_buf_init(&text, (size_t)1 << 30);
    for (size_t i = 0; i < 800; i++)
        assert_int_equal(sc_next(g, &text), 0);
    assert_int_equal(yima_store_open(path, &other, &err), 0);
    assert_int_equal(yima_ingest_text(other, (const char *)text.data,
                                      text.len, &in, &err),
                     0);
    yima_store_close(other);
    assert_int_equal(yima_store_events(st, NULL, collect, NULL, &err), 0);
    for (size_t i = 0; i < n_scopes; i += 5)
        same(st, scopes[i]);
    yima_ingest_free(&in);
    yima_buf_free(&text);
    sc_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_is_the_replay),
        cmocka_unit_test(test_late_events),
        cmocka_unit_test(test_other_handle),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
