/*
 * test_risk.c - risk and recall (lib/risk, lib/store/risk.c) on a store
 * with no events: inspection bodies from tests/data/risk/inspections.tsv
 * are stored or refused with the field named, and nothing is stored when
 * refused; a store without the risk table reads as empty and is not
 * written by reads; a failed inspection opens a case graded by the rule
 * of yima/risk.h; which recalls make a unit recalled. Recalls with their
 * snapshots, reports and returns need events: tests/cli/recall.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "yima/risk.h"
#include "yima/store.h"

#include "test_util.h"

static char dir[64];
static yima_store *st;

static int setup(void **state)
{
    char path[128];
    yima_error err;

    (void)state;
    snprintf(dir, sizeof dir, "/tmp/yima-risk-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/t.db", dir);
    if (yima_store_create(path, &err) || yima_store_open(path, &st, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char path[128];

    (void)state;
    yima_store_close(st);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/t.db%s", dir, suffix[i]);
        remove(path);
    }
    rmdir(dir);
    return 0;
}

static int count_row(void *arg, const yima_store_risk_row *row)
{
    (void)row;
    ++*(size_t *)arg;
    return 0;
}

static size_t rows(const char *kind)
{
    size_t n = 0;

    assert_int_equal(
        yima_store_risk_list(st, kind, NULL, 0, count_row, &n, NULL), 0);
    return n;
}

/* Runs first: the store has no risk table yet. */
static void test_empty_store(void **state)
{
    uint64_t v1, v2;
    yima_buf out;
    yima_error err;

    (void)state;
    yima_buf_init(&out, 1 << 20);
    assert_int_equal(yima_store_version(st, &v1, &err), 0);
    assert_false(yima_risk_recalled(st, "https://id.gs1.org/01/06901234000016",
                                    NULL, NULL));
    assert_int_equal(yima_risk_cases_json(st, &out, &err), 0);
    assert_string_equal(out.data, "[]");
    assert_int_equal(rows("recall"), 0);
    assert_int_equal(yima_store_version(st, &v2, &err), 0);
    assert_true(v1 == v2); /* reads wrote nothing */
    yima_buf_free(&out);
}

static void test_inspection_bodies(void **state)
{
    size_t len = 0, cases = 0, stored = 0;
    char *text = slurp("tests/data/risk/inspections.tsv", &len), *line, *next;

    (void)state;
    assert_non_null(text);
    for (line = text; line && *line; line = next) {
        char *tab;
        yima_buf out;
        yima_error err;
        int rc;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || !(tab = strchr(line, '\t')))
            continue;
        *tab++ = '\0';
        yima_buf_init(&out, 1 << 20);
        rc = yima_risk_inspection_add(st, line, strlen(line),
                                      "urn:yima:uscc:11350100MB01234578", &out,
                                      &err);
        if (strcmp(tab, "ok") == 0) {
            if (rc != 0)
                fail_msg("%s: %s", line, err.msg);
            assert_non_null(strstr(out.data, "{\"id\":"));
            assert_non_null(strstr(
                out.data, "\"batch\":\"https://id.gs1.org/01/06901234000016/"
                          "10/L1\""));
            stored++;
        } else {
            if (rc != YIMA_EINVAL || !strstr(err.msg, tab))
                fail_msg("%s: rc %d, '%s' not in '%s'", line, rc, tab, err.msg);
        }
        assert_int_equal(rows("inspection"), stored);
        yima_buf_free(&out);
        cases++;
    }
    assert_true(cases >= 10);
    free(text);
}

static void test_case_graded(void **state)
{
    yima_buf out;
    yima_error err;

    (void)state;
    yima_buf_init(&out, 1 << 20);
    /* test_inspection_bodies stored one failing inspection of L1 */
    assert_int_equal(rows("case"), 1);
    assert_int_equal(yima_risk_cases_json(st, &out, &err), 0);
    assert_non_null(strstr(out.data, "\"batch\":\"https://id.gs1.org/01/"
                                     "06901234000016/10/L1\""));
    /* severity 3, but nothing in circulation (no events): a warning */
    assert_non_null(strstr(out.data, "\"failed_inspections\":1,"));
    assert_non_null(strstr(out.data, "\"severity\":3,\"exposure\":0,"
                                     "\"grade\":\"low\",\"action\":"
                                     "\"warning\""));
    yima_buf_reset(&out);
    assert_int_equal(
        yima_risk_inspections_json(st, "(01)06901234000016(10)L1", &out, &err),
        0);
    assert_non_null(strstr(out.data, "\"verdict\":\"pass\""));
    assert_non_null(strstr(out.data, "\"failed_items\":[\"a\",\"b\"]"));
    yima_buf_reset(&out);
    assert_int_equal(
        yima_risk_inspections_json(st, "(01)06901234000016(21)1", &out, &err),
        YIMA_EINVAL);
    yima_buf_free(&out);
}

static void test_recalled(void **state)
{
    const char *prod = "https://id.gs1.org/01/06901234000016";
    const char *unit = "https://id.gs1.org/01/06901234000016/21/7";
    yima_store_risk_row r[2] = {
        {0, "recall", "https://id.gs1.org/01/06901234000016/10/L1", "recall", 0,
         "{}"},
        {0, "recall", "https://id.gs1.org/01/06901234000023", "warning", 0,
         "{}"}};
    yima_error err;

    (void)state;
    assert_false(yima_risk_recalled(st, unit, prod, "L1"));
    assert_int_equal(yima_store_risk_put(st, r, 2, NULL, NULL, &err), 0);
    assert_true(yima_risk_recalled(st, unit, prod, "L1"));  /* its batch */
    assert_false(yima_risk_recalled(st, unit, prod, "L2")); /* another */
    assert_false(yima_risk_recalled(st, unit, prod, NULL)); /* no lot */
    assert_true(yima_risk_recalled(                         /* the batch */
                                   st,
                                   "https://id.gs1.org/01/06901234000016/10/L1",
                                   NULL, NULL));
    /* a warning does not recall units */
    assert_false(
        yima_risk_recalled(st, "https://id.gs1.org/01/06901234000023/21/1",
                           "https://id.gs1.org/01/06901234000023", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_store),
        cmocka_unit_test(test_inspection_bodies),
        cmocka_unit_test(test_case_graded),
        cmocka_unit_test(test_recalled),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
