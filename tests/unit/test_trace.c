/*
 * test_trace.c - custody and trace (lib/trace): a store built from
 * tests/data/trace/chain.jsonld (commissioning, packing into cases and a
 * pallet, shipping to a distributor named by USCC, receiving, unpacking,
 * shipping a case on to a retailer named by GLN, a retail sale, a
 * transformation, cable by the metre with an over-shipment) must give
 * exactly the traces in tests/data/trace/cases.tsv. Also: batch postings
 * leave the hash ID alone, the GLN look-up, and the errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "yima/epcis.h"
#include "yima/store.h"
#include "yima/trace.h"

#include "test_util.h"

#define DATA "tests/data/trace/"

static char dir[64];
static yima_store *st;

static const char *const master[] = {
    "{\"uscc\":\"91350100MA2XYW011J\",\"name\":\"P\",\"roles\":[\"producer\"],"
    "\"gcp\":[\"6901234\"]}",
    "{\"uscc\":\"91110105MA0AB12366\",\"name\":\"D\",\"roles\":[\"seller\"],"
    "\"gcp\":[\"6905678\"]}",
    "{\"uscc\":\"92310115MA1K00074K\",\"name\":\"R\",\"roles\":[\"seller\"],"
    "\"gln\":[\"6909999000012\"]}",
};

static int setup(void **state)
{
    char path[128];
    yima_event_batch *b = NULL;
    yima_error err;
    size_t len = 0;
    char *doc = slurp(DATA "chain.jsonld", &len);
    const char *prod = "{\"gtin\":\"06901234000016\",\"name\":\"wire\","
                       "\"producer\":\"91350100MA2XYW011J\"}";
    yima_event *ev;
    size_t n;
    int rc = -1;

    (void)state;
    snprintf(dir, sizeof dir, "/tmp/yima-trace-XXXXXX");
    if (!doc || !mkdtemp(dir))
        goto out;
    snprintf(path, sizeof path, "%s/t.db", dir);
    if (yima_store_create(path, &err) || yima_store_open(path, &st, &err))
        goto out;
    for (size_t i = 0; i < 3; i++)
        if (yima_store_master_put(st, YIMA_STORE_PARTY, master[i],
                                  strlen(master[i]), &err))
            goto out;
    if (yima_store_master_put(st, YIMA_STORE_PRODUCT, prod, strlen(prod),
                              &err) ||
        yima_epcis_read(doc, len, 0, &b, &err))
        goto out;
    n = yima_event_batch_count(b);
    if (!(ev = calloc(n, sizeof *ev)))
        goto out;
    for (size_t i = 0; i < n; i++)
        ev[i] = *yima_event_batch_get(b, i);
    rc = yima_store_append(st, ev, n, NULL, &err);
    free(ev);
out:
    if (rc)
        fprintf(stderr, "setup: %s\n", err.msg);
    yima_event_batch_free(b);
    free(doc);
    return rc;
}

static int teardown(void **state)
{
    char path[128];

    (void)state;
    yima_store_close(st);
    snprintf(path, sizeof path, "%s/t.db", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/t.db-wal", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/t.db-shm", dir);
    remove(path);
    rmdir(dir);
    return 0;
}

/* Every case of cases.tsv, byte for byte. */
static void test_cases(void **state)
{
    size_t len = 0, cases = 0;
    char *text = slurp(DATA "cases.tsv", &len), *line, *next;

    (void)state;
    assert_non_null(text);
    for (line = text; line && *line; line = next) {
        char *f[5];
        yima_buf out;
        yima_error err;
        int k = 0, rc;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        for (f[k++] = line; k < 5; k++) {
            char *tab = strchr(f[k - 1], '\t');
            assert_non_null(tab);
            *tab = '\0';
            f[k] = tab + 1;
        }
        yima_buf_init(&out, 1 << 20);
        rc = yima_trace_json(st, f[3],
                             strcmp(f[1], "backward") == 0 ? YIMA_TRACE_BACKWARD
                                                           : YIMA_TRACE_FORWARD,
                             strcmp(f[2], "-") ? f[2] : NULL, &out, &err);
        if (rc != 0 || strcmp(out.data, f[4]) != 0)
            fail_msg("case %s: rc %d (%s)\n got: %s\nwant: %s", f[0], rc,
                     rc ? err.msg : "", out.data ? out.data : "", f[4]);
        yima_buf_free(&out);
        cases++;
    }
    assert_int_equal(cases, 12);
    free(text);
}

/* The batch and product codes are found, and carry role BATCH. */
static int count(void *arg, uint64_t index, int64_t rt, const char *json,
                 size_t len)
{
    (void)index, (void)rt, (void)json, (void)len;
    ++*(int *)arg;
    return 0;
}

static void test_batch_postings(void **state)
{
    const char *batch = "(01)06901234000016(10)LOT1";
    const char *product = "https://id.gs1.org/01/06901234000016";
    yima_query q;
    yima_error err;
    int n = 0;

    (void)state;
    yima_query_init(&q);
    q.codes[0] = (yima_query_codes){1u << YIMA_ROLE_BATCH, NULL, {&batch, 1}};
    q.n_codes = 1;
    assert_int_equal(yima_store_query(st, &q, count, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    n = 0;
    q.codes[0].codes.v = &product;
    assert_int_equal(yima_store_query(st, &q, count, &n, NULL, &err), 0);
    assert_int_equal(n, 2); /* the units and the cable by the metre */
    n = 0;
    assert_int_equal(yima_store_events(st, batch, count, &n, &err), 0);
    assert_int_equal(n, 1);
}

/* Batch postings are beside the JSON: the hash ID is the one computed
 * from the JSON alone, and the JSON has no trace of them. A unit's own lot
 * wins over the ILMD lot; a lot that is no valid AI (10) is not posted. */
static void test_postings_keep_hash(void **state)
{
    const char *doc =
        "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-04-01T09:00:00Z\","
        "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",\"epcList\":"
        "[\"(01)06901234000016(10)A/B(21)7\",\"urn:epc:id:sgtin:6901234."
        "000002.8\"],\"ilmd\":{\"cbvmda:lotNumber\":\"Z 1\"}}";
    char id[YIMA_EPCIS_HASH_ID_LEN + 1];
    yima_event_batch *b;
    const yima_event *e;
    yima_error err;
    int batch = 0;

    (void)state;
    assert_int_equal(yima_epcis_read(doc, strlen(doc), 0, &b, &err), 0);
    e = yima_event_batch_get(b, 0);
    assert_int_equal(
        yima_epcis_hash_event(doc, strlen(doc), NULL, NULL, id, &err), 0);
    assert_string_equal(e->hash_id, id);
    assert_null(strstr(e->json, "/10/"));
    for (size_t i = 0; i < e->n_codes; i++) {
        if (e->codes[i].role != YIMA_ROLE_BATCH)
            continue;
        batch++;
        assert_true(
            !strcmp(e->codes[i].code,
                    "https://id.gs1.org/01/06901234000016/10/A%2FB") ||
            !strcmp(e->codes[i].code, "https://id.gs1.org/01/06901234000016") ||
            !strcmp(e->codes[i].code, "https://id.gs1.org/01/06901234000023"));
    }
    assert_int_equal(batch, 3); /* "Z 1" is no valid lot (AI 10): left out */
    yima_event_batch_free(b);
}

static void test_party_by_gln(void **state)
{
    char party[YIMA_PARTY_MAX];
    yima_error err;

    (void)state;
    assert_int_equal(
        yima_store_party_by_gs1(st, "6909999000012", 0, party, &err), 0);
    assert_string_equal(party, "urn:yima:uscc:92310115MA1K00074K");
    assert_int_equal(
        yima_store_party_by_gs1(st, "6905678000014", 0, party, &err), 0);
    assert_string_equal(party, "urn:yima:uscc:91110105MA0AB12366");
    assert_int_equal(
        yima_store_party_by_gs1(st, "06901234000023", 1, party, &err), 0);
    assert_string_equal(party, "urn:yima:uscc:91350100MA2XYW011J");
    assert_int_equal(
        yima_store_party_by_gs1(st, "4000000000006", 0, party, &err),
        YIMA_ENOTFOUND);
}

static void test_errors(void **state)
{
    yima_buf out;
    yima_error err;

    (void)state;
    yima_buf_init(&out, 1 << 20);
    assert_int_equal(yima_trace_json(st, "(01)06901234000017(21)3",
                                     YIMA_TRACE_BACKWARD, NULL, &out, &err),
                     YIMA_EINVAL);
    assert_string_equal(err.msg, "code: AI (01): check digit is 7, expected 6");
    assert_int_equal(yima_trace_json(st, "(01)06901234000016(21)3",
                                     YIMA_TRACE_FORWARD, "soon", &out, &err),
                     YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "at: 'soon' is not an RFC 3339"));
    assert_int_equal(yima_trace_json(st, "(01)06901234000016(21)99",
                                     YIMA_TRACE_BACKWARD, NULL, &out, &err),
                     YIMA_ENOTFOUND);
    assert_string_equal(err.msg, "trace: no event names "
                                 "https://id.gs1.org/01/06901234000016/21/99");
    assert_int_equal(yima_trace_json(st, "(01)06901234000016(21)3",
                                     YIMA_TRACE_BACKWARD,
                                     "2026-03-01T00:00:00Z", &out, &err),
                     YIMA_ENOTFOUND);
    assert_int_equal(yima_trace_json(st, "92310115MA1K00074K",
                                     YIMA_TRACE_FORWARD, NULL, &out, &err),
                     0); /* a seller: it commissioned nothing */
    assert_string_equal(out.data, "{\"scope\":\"urn:yima:uscc:"
                                  "92310115MA1K00074K\",\"holders\":[],"
                                  "\"consumers\":0,\"unaccounted\":0}");
    yima_buf_reset(&out);
    assert_int_equal(yima_trace_json(st, "91000000000000000X",
                                     YIMA_TRACE_FORWARD, NULL, &out, &err),
                     YIMA_EINVAL);
    yima_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_batch_postings),
        cmocka_unit_test(test_postings_keep_hash),
        cmocka_unit_test(test_party_by_gln),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
