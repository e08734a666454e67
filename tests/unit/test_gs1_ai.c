/*
 * test_gs1_ai.c - the GS1 AI table, value validation, every linter and the
 * req= / ex= pair rules (lib/code/gs1_ai.c, gs1_lint.c, gs1_pairs.c and the
 * generated gs1_ai_table.c).
 *
 * Run from the repository root: the table test reads
 * data/gs1/gs1-syntax-dictionary.txt to count the AIs independently.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code/gs1_int.h"

#define DICT "data/gs1/gs1-syntax-dictionary.txt"

/* ---- Helpers ---------------------------------------------------------- */

static const gs1_ai_def *find(const char *ai)
{
    const gs1_ai_def *d = gs1_ai_find(ai, strlen(ai));

    if (d == NULL)
        fail_msg("AI (%s) not in the table", ai);
    return d;
}

/* Linter passes on s. */
static void lint_ok_at(gs1_linter l, const char *s, int line)
{
    char why[200];
    size_t bad = 99;
    int rc = gs1_lint_run(l, s, strlen(s), why, sizeof why, &bad);

    if (rc != 0)
        fail_msg("line %d: linter %d rejected \"%s\": %s", line, (int)l, s,
                 why);
}

/* Linter rejects s at offset `at` (or anywhere when at < 0) with a
 * reason equal to msg (or any reason when msg is NULL). */
static void lint_bad_at(gs1_linter l, const char *s, long at, const char *msg,
                        int line)
{
    char why[200];
    size_t bad = 99;
    int rc = gs1_lint_run(l, s, strlen(s), why, sizeof why, &bad);

    if (rc != YIMA_EINVAL)
        fail_msg("line %d: linter %d accepted \"%s\"", line, (int)l, s);
    if (why[0] == '\0')
        fail_msg("line %d: linter %d gave no reason for \"%s\"", line, (int)l,
                 s);
    if (at >= 0 && bad != (size_t)at)
        fail_msg("line %d: linter %d on \"%s\": bad at %zu, expected %ld "
                 "(%s)",
                 line, (int)l, s, bad, at, why);
    if (msg != NULL && strcmp(why, msg) != 0)
        fail_msg("line %d: linter %d on \"%s\": \"%s\", expected \"%s\"", line,
                 (int)l, s, why, msg);
}

#define LINT_OK(l, s)           lint_ok_at((l), (s), __LINE__)
#define LINT_BAD(l, s, at, msg) lint_bad_at((l), (s), (at), (msg), __LINE__)

/* gs1_ai_check_value() on AI ai with value v, as if v began at offset 4. */
static int check(const char *ai, const char *v, yima_error *err)
{
    yima_error_clear(err);
    return gs1_ai_check_value(find(ai), v, strlen(v), 4, err);
}

static void value_ok_at(const char *ai, const char *v, int line)
{
    yima_error err;

    if (check(ai, v, &err) != 0)
        fail_msg("line %d: AI (%s) \"%s\" rejected: %s", line, ai, v, err.msg);
}

/* Rejected with exactly msg at 1-based position pos (0: any). */
static void value_bad_at(const char *ai, const char *v, size_t pos,
                         const char *msg, int line)
{
    yima_error err;
    int rc = check(ai, v, &err);

    if (rc != YIMA_EINVAL)
        fail_msg("line %d: AI (%s) \"%s\" accepted", line, ai, v);
    if (msg != NULL && strcmp(err.msg, msg) != 0)
        fail_msg("line %d: AI (%s) \"%s\": \"%s\", expected \"%s\"", line, ai,
                 v, err.msg, msg);
    if (pos != 0 && err.pos != pos)
        fail_msg("line %d: AI (%s) \"%s\": pos %zu, expected %zu (%s)", line,
                 ai, v, err.pos, pos, err.msg);
}

#define VALUE_OK(ai, v) value_ok_at((ai), (v), __LINE__)
#define VALUE_BAD(ai, v, pos, msg)                                             \
    value_bad_at((ai), (v), (pos), (msg), __LINE__)

/* Fill code with the AIs given (NULL-terminated list), empty values. */
static void set_ais(yima_code *code, ...)
{
    va_list ap;
    const char *ai;

    memset(code, 0, sizeof *code);
    code->scheme = YIMA_SCHEME_GS1;
    va_start(ap, code);
    while ((ai = va_arg(ap, const char *)) != NULL) {
        assert_true(code->n_ai < YIMA_GS1_AI_MAX);
        snprintf(code->ai[code->n_ai].ai, sizeof code->ai[0].ai, "%s", ai);
        code->n_ai++;
    }
    va_end(ap);
}

static void pairs_ok_at(yima_code *code, int line)
{
    yima_error err;

    yima_error_clear(&err);
    if (gs1_check_pairs(code, &err) != 0)
        fail_msg("line %d: pairs rejected: %s", line, err.msg);
}

static void pairs_bad_at(yima_code *code, const char *msg, int line)
{
    yima_error err;

    yima_error_clear(&err);
    if (gs1_check_pairs(code, &err) != YIMA_EINVAL)
        fail_msg("line %d: pairs accepted", line);
    if (strcmp(err.msg, msg) != 0)
        fail_msg("line %d: \"%s\", expected \"%s\"", line, err.msg, msg);
    assert_int_equal(err.pos, 0);
}

#define PAIRS_OK(code)       pairs_ok_at((code), __LINE__)
#define PAIRS_BAD(code, msg) pairs_bad_at((code), (msg), __LINE__)

static void comp_is(const gs1_component *c, char type, int min, int max,
                    bool optional, int l0, int l1, int l2)
{
    assert_int_equal(c->type, type);
    assert_int_equal(c->min, min);
    assert_int_equal(c->max, max);
    assert_int_equal(c->optional, optional);
    assert_int_equal(c->lint[0], l0);
    assert_int_equal(c->lint[1], l1);
    assert_int_equal(c->lint[2], l2);
}

static void str_is(const char *got, const char *want)
{
    if (want == NULL)
        assert_null(got);
    else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
}

/* ---- The table -------------------------------------------------------- */

/* Count the dictionary's AIs independently of the generator, expanding
 * ranges, and check each one is in the table. */
static void test_table_complete(void **state)
{
    FILE *f = fopen(DICT, "r");
    char line[1024];
    size_t count = 0, i;

    (void)state;
    if (f == NULL)
        fail_msg("cannot open %s (run the tests from the repository root)",
                 DICT);
    while (fgets(line, sizeof line, f) != NULL) {
        char first[16], last[16], *dash;
        long a, b, x;
        int width;

        if (line[0] == '#' || line[0] == '\n' || line[0] == '\r' ||
            line[0] == ' ' || line[0] == '\t')
            continue;
        if (sscanf(line, "%15s", first) != 1)
            continue;
        dash = strchr(first, '-');
        if (dash != NULL) {
            *dash = '\0';
            snprintf(last, sizeof last, "%s", dash + 1);
        } else {
            snprintf(last, sizeof last, "%s", first);
        }
        width = (int)strlen(first);
        a = strtol(first, NULL, 10);
        b = strtol(last, NULL, 10);
        assert_true(a <= b);
        for (x = a; x <= b; x++) {
            char ai[8];

            snprintf(ai, sizeof ai, "%0*ld", width, x);
            if (gs1_ai_find(ai, strlen(ai)) == NULL)
                fail_msg("dictionary AI (%s) missing from the table", ai);
            count++;
        }
    }
    fclose(f);

    assert_int_equal(count, 541); /* release 2026-01-27 */
    assert_int_equal(gs1_ai_count, count);
    for (i = 1; i < gs1_ai_count; i++)
        assert_true(strcmp(gs1_ai_table[i - 1].ai, gs1_ai_table[i].ai) < 0);
}

static void test_table_entries(void **state)
{
    const gs1_ai_def *d;

    (void)state;

    d = find("00");
    assert_true(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 1);
    comp_is(&d->comp[0], 'N', 18, 18, false, GS1_LINT_CSUM, GS1_LINT_GCPPOS2,
            0);
    str_is(d->req, NULL);
    str_is(d->ex, NULL);
    str_is(d->dlpkey, "");
    str_is(d->title, "SSCC");

    d = find("01");
    assert_true(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 1);
    comp_is(&d->comp[0], 'N', 14, 14, false, GS1_LINT_CSUM, GS1_LINT_GCPPOS2,
            0);
    str_is(d->req, NULL);
    str_is(d->ex, "255,37");
    str_is(d->dlpkey, "22,10,21|235");
    str_is(d->title, "GTIN");

    d = find("10");
    assert_false(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 1);
    comp_is(&d->comp[0], 'X', 1, 20, false, 0, 0, 0);
    str_is(d->req, "01,02,03,8006,8026");
    str_is(d->ex, NULL);
    str_is(d->dlpkey, NULL);
    str_is(d->title, "BATCH/LOT");

    d = find("21");
    assert_false(d->predefined);
    assert_false(d->dl_attr);
    assert_int_equal(d->n_comp, 1);
    comp_is(&d->comp[0], 'X', 1, 20, false, 0, 0, 0);
    str_is(d->req, "01,03,8006");
    str_is(d->ex, "235");
    str_is(d->dlpkey, NULL);
    str_is(d->title, "SERIAL");

    d = find("253");
    assert_false(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 2);
    comp_is(&d->comp[0], 'N', 13, 13, false, GS1_LINT_CSUM, GS1_LINT_GCPPOS1,
            0);
    comp_is(&d->comp[1], 'X', 1, 17, true, 0, 0, 0);
    str_is(d->req, NULL);
    str_is(d->ex, NULL);
    str_is(d->dlpkey, "");
    str_is(d->title, "GDTI");

    d = find("3103");
    assert_true(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 1);
    comp_is(&d->comp[0], 'N', 6, 6, false, 0, 0, 0);
    str_is(d->req, "01,02");
    str_is(d->ex, "310n");
    str_is(d->dlpkey, NULL);
    str_is(d->title, "NET WEIGHT (kg)");
    assert_null(gs1_ai_find("3106", 4)); /* range ends at 3105 */

    d = find("423");
    assert_false(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 5);
    comp_is(&d->comp[0], 'N', 3, 3, false, GS1_LINT_ISO3166, 0, 0);
    comp_is(&d->comp[1], 'N', 3, 3, true, GS1_LINT_ISO3166, 0, 0);
    comp_is(&d->comp[2], 'N', 3, 3, true, GS1_LINT_ISO3166, 0, 0);
    comp_is(&d->comp[3], 'N', 3, 3, true, GS1_LINT_ISO3166, 0, 0);
    comp_is(&d->comp[4], 'N', 3, 3, true, GS1_LINT_ISO3166, 0, 0);
    str_is(d->req, "01,02");
    str_is(d->ex, "426");
    str_is(d->dlpkey, NULL);
    str_is(d->title, "COUNTRY - INITIAL PROCESS");

    d = find("7040");
    assert_false(d->predefined);
    assert_false(d->dl_attr);
    assert_int_equal(d->n_comp, 4);
    comp_is(&d->comp[0], 'N', 1, 1, false, 0, 0, 0);
    comp_is(&d->comp[1], 'X', 1, 1, false, 0, 0, 0);
    comp_is(&d->comp[2], 'X', 1, 1, false, 0, 0, 0);
    comp_is(&d->comp[3], 'X', 1, 1, false, GS1_LINT_IMPORTERIDX, 0, 0);
    str_is(d->req, NULL);
    str_is(d->ex, NULL);
    str_is(d->dlpkey, NULL);
    str_is(d->title, "UIC+EXT");

    d = find("8003");
    assert_false(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 3);
    comp_is(&d->comp[0], 'N', 1, 1, false, GS1_LINT_ZERO, 0, 0);
    comp_is(&d->comp[1], 'N', 13, 13, false, GS1_LINT_CSUM, GS1_LINT_GCPPOS1,
            0);
    comp_is(&d->comp[2], 'X', 1, 16, true, 0, 0, 0);
    str_is(d->req, NULL);
    str_is(d->ex, NULL);
    str_is(d->dlpkey, "");
    str_is(d->title, "GRAI");

    d = find("8030");
    assert_false(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 1);
    comp_is(&d->comp[0], 'Z', 1, 90, false, 0, 0, 0);
    str_is(d->req, "00,01+21,253,255,8003,8004,8006+21,8010+8011,8017,8018");
    str_is(d->ex, NULL);
    str_is(d->dlpkey, NULL);
    str_is(d->title, "DIGSIG");

    d = find("91");
    assert_false(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 1);
    comp_is(&d->comp[0], 'X', 1, 90, false, 0, 0, 0);
    str_is(d->req, NULL);
    str_is(d->ex, NULL);
    str_is(d->dlpkey, NULL);
    str_is(d->title, "INTERNAL");

    d = find("99");
    assert_false(d->predefined);
    assert_true(d->dl_attr);
    assert_int_equal(d->n_comp, 1);
    comp_is(&d->comp[0], 'X', 1, 90, false, 0, 0, 0);
    str_is(d->title, "INTERNAL");

    /* A few more attribute shapes: two req= instances, three linters. */
    str_is(find("250")->req, "01,8006 21");
    str_is(find("37")->req, "00 02,8026");
    str_is(find("7258")->req, "8018+7259");
    comp_is(&find("8014")->comp[0], 'X', 1, 25, false, GS1_LINT_CSUMALPHA,
            GS1_LINT_GCPPOS1, GS1_LINT_HASNONDIGIT);
    comp_is(&find("8010")->comp[0], 'Y', 1, 30, false, GS1_LINT_GCPPOS1, 0, 0);
    str_is(find("8110")->title, "");
}

static void test_find_and_prefix(void **state)
{
    (void)state;
    assert_string_equal(gs1_ai_find("01", 2)->ai, "01");
    assert_string_equal(gs1_ai_find("0123", 2)->ai, "01");
    assert_null(gs1_ai_find("0", 1));
    assert_null(gs1_ai_find("01234", 5));
    assert_null(gs1_ai_find("23", 2));
    assert_null(gs1_ai_find("999", 3));
    assert_string_equal(gs1_ai_find("8030", 4)->ai, "8030");
    assert_string_equal(gs1_ai_table[0].ai, "00");
    assert_string_equal(gs1_ai_table[gs1_ai_count - 1].ai, "99");

    assert_string_equal(gs1_ai_prefix("0109506000134352", 16)->ai, "01");
    assert_string_equal(gs1_ai_prefix("3103000123", 10)->ai, "3103");
    assert_string_equal(gs1_ai_prefix("235ABC", 6)->ai, "235");
    assert_string_equal(gs1_ai_prefix("8030xyz", 7)->ai, "8030");
    assert_string_equal(gs1_ai_prefix("7040", 4)->ai, "7040");
    assert_null(gs1_ai_prefix("23", 2));
    assert_null(gs1_ai_prefix("9", 1));
    assert_null(gs1_ai_prefix("", 0));
    assert_null(gs1_ai_prefix("3106", 4));
}

static void test_min_max_len(void **state)
{
    (void)state;
    assert_int_equal(gs1_ai_min_len(find("01")), 14);
    assert_int_equal(gs1_ai_max_len(find("01")), 14);
    assert_int_equal(gs1_ai_min_len(find("10")), 1);
    assert_int_equal(gs1_ai_max_len(find("10")), 20);
    assert_int_equal(gs1_ai_min_len(find("253")), 13);
    assert_int_equal(gs1_ai_max_len(find("253")), 30);
    assert_int_equal(gs1_ai_min_len(find("423")), 3);
    assert_int_equal(gs1_ai_max_len(find("423")), 15);
    assert_int_equal(gs1_ai_min_len(find("8008")), 8);
    assert_int_equal(gs1_ai_max_len(find("8008")), 12);
    assert_int_equal(gs1_ai_min_len(find("7040")), 4);
    assert_int_equal(gs1_ai_max_len(find("7040")), 4);
    assert_int_equal(gs1_ai_max_len(find("8030")), 90);
}

/* ---- Values ----------------------------------------------------------- */

static void test_values_ok(void **state)
{
    (void)state;
    VALUE_OK("01", "09506000134352");
    VALUE_OK("01", "00000000000000"); /* zeros everywhere, check digit 0 */
    VALUE_OK("00", "106141411234567897");
    VALUE_OK("414", "9501101530003");
    VALUE_OK("10", "ABC123");
    VALUE_OK("10", "!\"%&'()*+,-./:;<=>?_");
    VALUE_OK("91", "!\"%&'()*+,-./0123456789:;<=>?ABCXYZ_abcxyz");
    VALUE_OK("11", "230200"); /* yymmd0: day 00 */
    VALUE_OK("17", "240229");
    VALUE_OK("253", "9501101530003");
    VALUE_OK("253", "9501101530003ABC");
    VALUE_OK("8008", "23010112");
    VALUE_OK("8008", "2301011230");
    VALUE_OK("8008", "230101123045");
    VALUE_OK("4309", "02790858483600000000");
    VALUE_OK("8013", "1987654Ad4X4bL5ttr2310c2K");
    VALUE_OK("8014", "12345678901234567890123NT");
    VALUE_OK("8030", "abc_-123");
    VALUE_OK("8030", "YWI=");
    VALUE_OK("8030", "YQ==");
    VALUE_OK("8010", "9521ABC-/#");
    VALUE_OK("7040", "1A2-");
    VALUE_OK("423", "156");
    VALUE_OK("423", "156250276840826");
    VALUE_OK("8007", "GB82WEST12345698765432");
    VALUE_OK("4321", "1");
    VALUE_OK("8001", "01000005005191");
    VALUE_OK("8006", "095060001343520102");
    VALUE_OK("3103", "000125");
    VALUE_OK("3911", "978123");
    VALUE_OK("7258", "1/2");
    VALUE_OK("7041", "BX");
    VALUE_OK("7241", "01");
    VALUE_OK("4330", "000123-");
    VALUE_OK("4330", "000123");
    VALUE_OK("8011", "123");
    VALUE_OK("8110", "012345612345611110123");
    VALUE_OK("8112", "001234561234560123456");
    VALUE_OK("7252", "9");
    VALUE_OK("4307", "CN");
    VALUE_OK("7030", "999ABC");
    VALUE_OK("7250", "20000229");
    VALUE_OK("4300", "ACME%20Corp");
    VALUE_OK("91", "x");
}

static void test_values_bad(void **state)
{
    (void)state;
    /* The value begins at offset 4 (as after "(01)"); pos is 1-based. */
    VALUE_BAD("01", "09506000134353", 18,
              "AI (01): check digit is 3, expected 2");
    VALUE_BAD("00", "106141411234567890", 22,
              "AI (00): check digit is 0, expected 7");
    VALUE_BAD("01", "0950600013435", 18,
              "AI (01): value is 13 characters, expected 14");
    VALUE_BAD("01", "095060001343520", 19,
              "AI (01): value is 15 characters, at most 14 allowed");
    VALUE_BAD("01", "0950600013435A", 18, "AI (01): 'A' is not a digit");
    VALUE_BAD("01",
              "09506\x1d"
              "00134352",
              10, "AI (01): byte 0x1D is not a digit");
    VALUE_BAD("10", "AB C", 7, "AI (10): ' ' is not in GS1 CSET 82");
    VALUE_BAD("10", "AB#C", 7, "AI (10): '#' is not in GS1 CSET 82");
    VALUE_BAD("10", "", 5, "AI (10): value is empty");
    VALUE_BAD("10", "123456789012345678901", 25,
              "AI (10): value is 21 characters, at most 20 allowed");
    VALUE_BAD("8010", "9521abc", 9, "AI (8010): 'a' is not in GS1 CSET 39");
    VALUE_BAD("8010", "95A1", 7,
              "AI (8010): GS1 Company Prefix must start with 4 digits, "
              "found 'A'");
    VALUE_BAD("8030", "ab+c", 7, "AI (8030): '+' is not base64url");
    VALUE_BAD("8030", "abc==", 8, "AI (8030): bad base64url padding");
    VALUE_BAD("8030", "a===", 6, "AI (8030): bad base64url padding");
    VALUE_BAD("8030", "ab=c", 7, "AI (8030): '=' is not base64url");
    VALUE_BAD("8008", "230101123", 14,
              "AI (8008): part 3 needs 2 characters, only 1 left");
    VALUE_BAD("8008", "2301012", 12,
              "AI (8008): value is 7 characters, at least 8 required");
    VALUE_BAD("8008", "23010124", 11, "AI (8008): hour 24 is not 00..23");
    VALUE_BAD("17", "230229", 9, "AI (17): day 29 does not exist in 2023-02");
    VALUE_BAD("17", "231301", 7, "AI (17): month 13 is not 01..12");
    VALUE_BAD("7006", "230200", 9,
              "AI (7006): day 00 does not exist in 2023-02");
    VALUE_BAD("253", "9501101530007XYZ", 17,
              "AI (253): check digit is 7, expected 3");
    /* Often quoted as a GLN example, but its check digit is wrong. */
    VALUE_BAD("414", "9521234500006", 17,
              "AI (414): check digit is 6, expected 1");
    VALUE_BAD("423", "156999", 8,
              "AI (423): 999 is not an ISO 3166-1 numeric country code");
    VALUE_BAD("423", "15625", 10,
              "AI (423): part 2 needs 3 characters, only 2 left");
    VALUE_BAD("8003", "10614141123456", 5, "AI (8003): value must be zero");
    VALUE_BAD("4309", "18000000013600000000", 5,
              "AI (4309): latitude 1800000001 is more than 1800000000");
    VALUE_BAD("4309", "18000000003600000001", 15,
              "AI (4309): longitude 3600000001 is more than 3600000000");
    VALUE_BAD("8007", "GB83WEST12345698765432", 7,
              "AI (8007): IBAN check digits are 83, expected 82");
    VALUE_BAD("8013", "1987654Ad4X4bL5ttr2310cXK", 28,
              "AI (8013): check characters are XK, expected 2K");
    VALUE_BAD("8006", "095060001343520201", 19,
              "AI (8006): piece 02 is more than the total 01");
    VALUE_BAD("7041", "XYZ", 5,
              "AI (7041): \"XYZ\" is not a GS1 package type code");
    VALUE_BAD("3911", "000123", 5,
              "AI (3911): 000 is not an ISO 4217 numeric currency code");
    VALUE_BAD("4300", "ACME%2", 9,
              "AI (4300): '%' must be followed by two hex digits");
    VALUE_BAD("8011", "0123", 5, "AI (8011): value must not start with 0");
    VALUE_BAD("7040", "1A2!", 8,
              "AI (7040): importer index '!' is not 0-9, A-Z, a-z, - or _");
    VALUE_BAD("4330", "000123+", 11, "AI (4330): '+' is not '-'");
}

/* ---- Linters ---------------------------------------------------------- */

static void test_lint_csum(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_CSUM, "09506000134352");     /* GTIN-14 */
    LINT_OK(GS1_LINT_CSUM, "106141411234567897"); /* SSCC */
    LINT_OK(GS1_LINT_CSUM, "9501101530003");      /* GLN */
    LINT_OK(GS1_LINT_CSUM, "9521234500001");
    LINT_OK(GS1_LINT_CSUM, "96385074"); /* GTIN-8 */
    LINT_OK(GS1_LINT_CSUM, "00");
    LINT_BAD(GS1_LINT_CSUM, "09506000134353", 13,
             "check digit is 3, expected 2");
    LINT_BAD(GS1_LINT_CSUM, "9521234500006", 12,
             "check digit is 6, expected 1");
    LINT_BAD(GS1_LINT_CSUM, "95212X4500006", 5, "'X' is not a digit");
    LINT_BAD(GS1_LINT_CSUM, "5", 0, NULL);
}

static void test_lint_csumalpha(void **state)
{
    (void)state;
    /* GMN examples of the GS1 General Specifications and the GS1 tests. */
    LINT_OK(GS1_LINT_CSUMALPHA, "1987654Ad4X4bL5ttr2310c2K");
    LINT_OK(GS1_LINT_CSUMALPHA, "12345678901234567890123NT");
    LINT_OK(GS1_LINT_CSUMALPHA, "12345_ABCDEFGHIJKLMCP");
    LINT_OK(GS1_LINT_CSUMALPHA, "12345_abcdefghijklmN3");
    LINT_OK(GS1_LINT_CSUMALPHA, "12345_!\"%&'()*+,-./LC");
    LINT_OK(GS1_LINT_CSUMALPHA, "12345_0123456789:;<=>?62");
    LINT_OK(GS1_LINT_CSUMALPHA, "22"); /* no data: sum 0 */
    LINT_BAD(GS1_LINT_CSUMALPHA, "1987654Ad4X4bL5ttr2310cXK", 23,
             "check characters are XK, expected 2K");
    LINT_BAD(GS1_LINT_CSUMALPHA, "1987654Ad4X4bL5ttr2310c2X", 23,
             "check characters are 2X, expected 2K");
    LINT_BAD(GS1_LINT_CSUMALPHA, "1987654Ad4X4bL5ttr2310c2I", 24,
             "check character 'I' is not in GS1 CSET 32");
    LINT_BAD(GS1_LINT_CSUMALPHA, "1987 54Ad4X4bL5ttr2310c2K", 4,
             "' ' is not in GS1 CSET 82");
    LINT_BAD(GS1_LINT_CSUMALPHA, "2", 0, NULL);
}

static void test_lint_gcppos(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_GCPPOS1, "9521");
    LINT_OK(GS1_LINT_GCPPOS1, "0000ABC");
    LINT_BAD(GS1_LINT_GCPPOS1, "952", 0,
             "too short to start with a GS1 Company Prefix");
    LINT_BAD(GS1_LINT_GCPPOS1, "95A1X", 2,
             "GS1 Company Prefix must start with 4 digits, found 'A'");
    LINT_OK(GS1_LINT_GCPPOS2, "09521");
    LINT_OK(GS1_LINT_GCPPOS2, "I0000");
    LINT_BAD(GS1_LINT_GCPPOS2, "0952", 0, NULL);
    LINT_BAD(GS1_LINT_GCPPOS2, "0952A", 4,
             "GS1 Company Prefix must start with 4 digits, found 'A'");
}

static void test_lint_dates(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_YYMMD0, "230200"); /* day 00 allowed */
    LINT_OK(GS1_LINT_YYMMD0, "240229");
    LINT_OK(GS1_LINT_YYMMD0, "231231");
    LINT_BAD(GS1_LINT_YYMMD0, "230229", 4, "day 29 does not exist in 2023-02");
    LINT_BAD(GS1_LINT_YYMMD0, "230000", 2, "month 00 is not 01..12");

    LINT_OK(GS1_LINT_YYMMDD, "240229"); /* 2024 is a leap year */
    LINT_OK(GS1_LINT_YYMMDD, "000229"); /* and so is 2000 */
    LINT_OK(GS1_LINT_YYMMDD, "230131");
    LINT_BAD(GS1_LINT_YYMMDD, "230200", 4, "day 00 does not exist in 2023-02");
    LINT_BAD(GS1_LINT_YYMMDD, "230229", 4, "day 29 does not exist in 2023-02");
    LINT_BAD(GS1_LINT_YYMMDD, "230431", 4, "day 31 does not exist in 2023-04");
    LINT_BAD(GS1_LINT_YYMMDD, "231301", 2, "month 13 is not 01..12");
    LINT_BAD(GS1_LINT_YYMMDD, "23011", 0, "date must be 6 digits, not 5");
    LINT_BAD(GS1_LINT_YYMMDD, "2301x1", 4, "'x' is not a digit");

    LINT_OK(GS1_LINT_YYYYMMDD, "20000229");
    LINT_OK(GS1_LINT_YYYYMMDD, "19991231");
    LINT_BAD(GS1_LINT_YYYYMMDD, "19000229", 6,
             "day 29 does not exist in 1900-02");
    LINT_BAD(GS1_LINT_YYYYMMDD, "20230231", 6,
             "day 31 does not exist in 2023-02");
    LINT_BAD(GS1_LINT_YYYYMMDD, "20230100", 6,
             "day 00 does not exist in 2023-01");
    LINT_BAD(GS1_LINT_YYYYMMDD, "230101", 0, "date must be 8 digits, not 6");
}

static void test_lint_times(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_HH, "00");
    LINT_OK(GS1_LINT_HH, "23");
    LINT_BAD(GS1_LINT_HH, "24", 0, "hour 24 is not 00..23");
    LINT_BAD(GS1_LINT_HH, "1", 0, "hour must be 2 digits, not 1");
    LINT_OK(GS1_LINT_MI, "59");
    LINT_BAD(GS1_LINT_MI, "60", 0, "minute 60 is not 00..59");
    LINT_OK(GS1_LINT_SS, "00");
    LINT_BAD(GS1_LINT_SS, "60", 0, "second 60 is not 00..59");
    LINT_OK(GS1_LINT_HHMI, "2359");
    LINT_OK(GS1_LINT_HHMI, "0000");
    LINT_BAD(GS1_LINT_HHMI, "2400", 0, "hour 24 is not 00..23");
    LINT_BAD(GS1_LINT_HHMI, "2360", 2, "minute 60 is not 00..59");
    LINT_BAD(GS1_LINT_HHMI, "12:3", 2, "':' is not a digit");
}

static void test_lint_countries_currencies(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_ISO3166, "156"); /* China */
    LINT_OK(GS1_LINT_ISO3166, "004"); /* first */
    LINT_OK(GS1_LINT_ISO3166, "894"); /* last */
    LINT_OK(GS1_LINT_ISO3166, "728"); /* South Sudan */
    LINT_BAD(GS1_LINT_ISO3166, "999", 0,
             "999 is not an ISO 3166-1 numeric country code");
    LINT_BAD(GS1_LINT_ISO3166, "000", 0, NULL);
    LINT_BAD(GS1_LINT_ISO3166, "200", 0, NULL); /* Czechoslovakia, gone */
    LINT_BAD(GS1_LINT_ISO3166, "15", 0, NULL);
    LINT_OK(GS1_LINT_ISO3166999, "999");
    LINT_OK(GS1_LINT_ISO3166999, "250");
    LINT_BAD(GS1_LINT_ISO3166999, "998", 0, NULL);

    LINT_OK(GS1_LINT_ISO3166ALPHA2, "CN");
    LINT_OK(GS1_LINT_ISO3166ALPHA2, "AD");
    LINT_OK(GS1_LINT_ISO3166ALPHA2, "ZW");
    LINT_BAD(GS1_LINT_ISO3166ALPHA2, "XK", 0,
             "\"XK\" is not an ISO 3166-1 alpha-2 code");
    LINT_BAD(GS1_LINT_ISO3166ALPHA2, "cn", 0, NULL);
    LINT_BAD(GS1_LINT_ISO3166ALPHA2, "C", 0, NULL);
    LINT_BAD(GS1_LINT_ISO3166ALPHA2, "CNN", 0, NULL);

    LINT_OK(GS1_LINT_ISO4217, "156"); /* CNY */
    LINT_OK(GS1_LINT_ISO4217, "978"); /* EUR */
    LINT_OK(GS1_LINT_ISO4217, "840"); /* USD */
    LINT_OK(GS1_LINT_ISO4217, "924"); /* ZWG */
    LINT_OK(GS1_LINT_ISO4217, "999"); /* XXX */
    LINT_BAD(GS1_LINT_ISO4217, "000", 0,
             "000 is not an ISO 4217 numeric currency code");
    LINT_BAD(GS1_LINT_ISO4217, "250", 0, NULL); /* FRF, withdrawn */
    LINT_BAD(GS1_LINT_ISO4217, "97A", 2, "'A' is not a digit");

    LINT_OK(GS1_LINT_ISO5218, "0");
    LINT_OK(GS1_LINT_ISO5218, "1");
    LINT_OK(GS1_LINT_ISO5218, "2");
    LINT_OK(GS1_LINT_ISO5218, "9");
    LINT_BAD(GS1_LINT_ISO5218, "3", 0,
             "sex code must be 0, 1, 2 or 9 (ISO/IEC 5218)");
    LINT_BAD(GS1_LINT_ISO5218, "10", 0, NULL);
}

static void test_lint_iban(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_IBAN, "GB82WEST12345698765432");
    LINT_OK(GS1_LINT_IBAN, "DE89370400440532013000");
    LINT_OK(GS1_LINT_IBAN, "FR7630006000011234567890189");
    LINT_OK(GS1_LINT_IBAN, "BE71096123456769");
    LINT_OK(GS1_LINT_IBAN, "NO9386011117947");
    LINT_OK(GS1_LINT_IBAN, "MT84MALT011000012345MTLCAST001S");
    LINT_BAD(GS1_LINT_IBAN, "GB83WEST12345698765432", 2,
             "IBAN check digits are 83, expected 82");
    LINT_BAD(GS1_LINT_IBAN, "GB82WEST1234569876543", 0,
             "IBAN for GB must be 22 characters, not 21");
    LINT_BAD(GS1_LINT_IBAN, "GB82WEST123456987654321", 22,
             "IBAN for GB must be 22 characters, not 23");
    LINT_BAD(GS1_LINT_IBAN, "US64SVBKUS6S3300958879", 0,
             "country US does not issue IBANs");
    LINT_BAD(GS1_LINT_IBAN, "GB82west12345698765432", 4,
             "'w' is not allowed in an IBAN (0-9, A-Z)");
    LINT_BAD(GS1_LINT_IBAN, "GBX2WEST12345698765432", 2, NULL);
    LINT_BAD(GS1_LINT_IBAN, "gb82WEST12345698765432", 0, NULL);
    LINT_BAD(GS1_LINT_IBAN, "", 0, NULL);
}

static void test_lint_codes(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_IMPORTERIDX, "A");
    LINT_OK(GS1_LINT_IMPORTERIDX, "z");
    LINT_OK(GS1_LINT_IMPORTERIDX, "0");
    LINT_OK(GS1_LINT_IMPORTERIDX, "-");
    LINT_OK(GS1_LINT_IMPORTERIDX, "_");
    LINT_BAD(GS1_LINT_IMPORTERIDX, "!", 0, NULL);
    LINT_BAD(GS1_LINT_IMPORTERIDX, "AB", 0,
             "importer index must be one character");

    LINT_OK(GS1_LINT_PACKAGETYPE, "BX");
    LINT_OK(GS1_LINT_PACKAGETYPE, "PX");
    LINT_OK(GS1_LINT_PACKAGETYPE, "CT");
    LINT_OK(GS1_LINT_PACKAGETYPE, "1A");
    LINT_OK(GS1_LINT_PACKAGETYPE, "8");
    LINT_OK(GS1_LINT_PACKAGETYPE, "200");
    LINT_OK(GS1_LINT_PACKAGETYPE, "APE");
    LINT_OK(GS1_LINT_PACKAGETYPE, "ZZ");
    LINT_BAD(GS1_LINT_PACKAGETYPE, "XYZ", 0,
             "\"XYZ\" is not a GS1 package type code");
    LINT_BAD(GS1_LINT_PACKAGETYPE, "BXX", 0, NULL);
    LINT_BAD(GS1_LINT_PACKAGETYPE, "B", 0, NULL);
    LINT_BAD(GS1_LINT_PACKAGETYPE, "bx", 0, NULL);
    LINT_BAD(GS1_LINT_PACKAGETYPE, "", 0, NULL);

    LINT_OK(GS1_LINT_MEDIATYPE, "01");
    LINT_OK(GS1_LINT_MEDIATYPE, "10");
    LINT_OK(GS1_LINT_MEDIATYPE, "80");
    LINT_OK(GS1_LINT_MEDIATYPE, "99");
    LINT_BAD(GS1_LINT_MEDIATYPE, "00", 0, "media type 00 is not assigned");
    LINT_BAD(GS1_LINT_MEDIATYPE, "11", 0, NULL);
    LINT_BAD(GS1_LINT_MEDIATYPE, "79", 0, NULL);
    LINT_BAD(GS1_LINT_MEDIATYPE, "1", 0, NULL);
}

static void test_lint_simple(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_NONZERO, "0001");
    LINT_BAD(GS1_LINT_NONZERO, "0000", 0, "value must not be zero");
    LINT_OK(GS1_LINT_ZERO, "0");
    LINT_BAD(GS1_LINT_ZERO, "1", 0, "value must be zero");
    LINT_BAD(GS1_LINT_ZERO, "", 0, NULL);
    LINT_OK(GS1_LINT_NOZEROPREFIX, "123");
    LINT_OK(GS1_LINT_NOZEROPREFIX, "1000000000");
    LINT_BAD(GS1_LINT_NOZEROPREFIX, "0123", 0, "value must not start with 0");
    LINT_BAD(GS1_LINT_NOZEROPREFIX, "12A", 2, "'A' is not a digit");
    LINT_OK(GS1_LINT_HASNONDIGIT, "12A");
    LINT_OK(GS1_LINT_HASNONDIGIT, "-");
    LINT_BAD(GS1_LINT_HASNONDIGIT, "123", 0,
             "value must contain a character that is not a digit");
    LINT_OK(GS1_LINT_HYPHEN, "-");
    LINT_BAD(GS1_LINT_HYPHEN, "X", 0, "'X' is not '-'");
    LINT_BAD(GS1_LINT_HYPHEN, "", 0, NULL);
    LINT_OK(GS1_LINT_WINDING, "0");
    LINT_OK(GS1_LINT_WINDING, "1");
    LINT_OK(GS1_LINT_WINDING, "9");
    LINT_BAD(GS1_LINT_WINDING, "2", 0, "winding direction must be 0, 1 or 9");
    LINT_BAD(GS1_LINT_WINDING, "01", 0, NULL);
    LINT_OK(GS1_LINT_YESNO, "0");
    LINT_OK(GS1_LINT_YESNO, "1");
    LINT_BAD(GS1_LINT_YESNO, "2", 0, "value must be 0 (no) or 1 (yes)");
    LINT_BAD(GS1_LINT_YESNO, "", 0, NULL);

    LINT_OK(GS1_LINT_PCENC, "");
    LINT_OK(GS1_LINT_PCENC, "ABC");
    LINT_OK(GS1_LINT_PCENC, "A%20B%ff%C3%A9");
    LINT_BAD(GS1_LINT_PCENC, "A%2G", 1,
             "'%' must be followed by two hex digits");
    LINT_BAD(GS1_LINT_PCENC, "AB%", 2, NULL);
    LINT_BAD(GS1_LINT_PCENC, "%20%", 3, NULL);

    LINT_OK(GS1_LINT_LATITUDE, "0000000000");
    LINT_OK(GS1_LINT_LATITUDE, "1800000000");
    LINT_OK(GS1_LINT_LATITUDE, "0279085848");
    LINT_BAD(GS1_LINT_LATITUDE, "1800000001", 0,
             "latitude 1800000001 is more than 1800000000");
    LINT_BAD(GS1_LINT_LATITUDE, "180000000", 0, NULL);
    LINT_OK(GS1_LINT_LONGITUDE, "3600000000");
    LINT_BAD(GS1_LINT_LONGITUDE, "3600000001", 0, NULL);
    LINT_BAD(GS1_LINT_LONGITUDE, "9999999999", 0, NULL);
}

static void test_lint_sequences(void **state)
{
    (void)state;
    LINT_OK(GS1_LINT_PIECEOFTOTAL, "11");
    LINT_OK(GS1_LINT_PIECEOFTOTAL, "0102");
    LINT_OK(GS1_LINT_PIECEOFTOTAL, "9999");
    LINT_OK(GS1_LINT_PIECEOFTOTAL, "002003");
    LINT_BAD(GS1_LINT_PIECEOFTOTAL, "0201", 0,
             "piece 02 is more than the total 01");
    LINT_BAD(GS1_LINT_PIECEOFTOTAL, "0001", 0, "piece number must not be zero");
    LINT_BAD(GS1_LINT_PIECEOFTOTAL, "0100", 2,
             "total number of pieces must not be zero");
    LINT_BAD(GS1_LINT_PIECEOFTOTAL, "123", 0, NULL);
    LINT_BAD(GS1_LINT_PIECEOFTOTAL, "1x", 1, NULL);

    LINT_OK(GS1_LINT_POSINSEQSLASH, "1/1");
    LINT_OK(GS1_LINT_POSINSEQSLASH, "1/2");
    LINT_OK(GS1_LINT_POSINSEQSLASH, "9/10");
    LINT_OK(GS1_LINT_POSINSEQSLASH, "10/10");
    LINT_BAD(GS1_LINT_POSINSEQSLASH, "2/1", 0,
             "position 2 is more than the total 1");
    LINT_BAD(GS1_LINT_POSINSEQSLASH, "10/9", 0, NULL);
    LINT_BAD(GS1_LINT_POSINSEQSLASH, "0/1", 0, NULL);
    LINT_BAD(GS1_LINT_POSINSEQSLASH, "1/02", 2, NULL);
    LINT_BAD(GS1_LINT_POSINSEQSLASH, "1-2", 0,
             "value must be <position>/<total>");
    LINT_BAD(GS1_LINT_POSINSEQSLASH, "1/", 0, NULL);
    LINT_BAD(GS1_LINT_POSINSEQSLASH, "/1", 0, NULL);
    LINT_BAD(GS1_LINT_POSINSEQSLASH, "1//2", 2, NULL);
}

static void test_lint_coupons(void **state)
{
    (void)state;
    /* GCP VLI 0 (6 digits), offer code, save value VLI 1, purchase
     * requirement VLI 1, requirement code 0, family code. */
    LINT_OK(GS1_LINT_COUPONCODE, "012345612345611110123");
    /* ... then every optional field once: 1 (second purchase, no GCP),
     * 3 expiry, 4 start, 5 serial, 6 retailer, 9 miscellaneous. */
    LINT_OK(GS1_LINT_COUPONCODE, "012345612345611110123"
                                 "10150456"
                                 "9"
                                 "3261231"
                                 "4260101"
                                 "50123456"
                                 "611234567"
                                 "91201");
    LINT_OK(GS1_LINT_COUPONCODE, "012345612345611110123"
                                 "2"
                                 "131789"
                                 "0123456");
    LINT_BAD(GS1_LINT_COUPONCODE, "712345612345611110123", 0,
             "GS1 Company Prefix length indicator 7 is not one of 0123456");
    LINT_BAD(GS1_LINT_COUPONCODE, "0123456123456", 13,
             "coupon ends before the save value length indicator");
    LINT_BAD(GS1_LINT_COUPONCODE, "012345612345611115123", 17,
             "first purchase requirement code 5 is not one of 012349");
    LINT_BAD(GS1_LINT_COUPONCODE, "0123456123456111101", 18,
             "first purchase family code is cut short: 3 digits expected");
    LINT_BAD(GS1_LINT_COUPONCODE,
             "012345612345611110123"
             "3260101"
             "4261231",
             22, "expiration date is before start date");
    LINT_BAD(GS1_LINT_COUPONCODE,
             "012345612345611110123"
             "3261301",
             24, "month 13 is not 01..12");
    LINT_BAD(GS1_LINT_COUPONCODE,
             "012345612345611110123"
             "7",
             21, "unexpected data after the coupon fields");
    LINT_BAD(GS1_LINT_COUPONCODE, "0123456123456111101A3", 19,
             "'A' is not a digit");

    LINT_OK(GS1_LINT_COUPONPOSOFFER, "001234561234560123456");
    LINT_OK(GS1_LINT_COUPONPOSOFFER, "101234561234560123456");
    LINT_OK(GS1_LINT_COUPONPOSOFFER, "061234567890121234569123456789012345");
    LINT_BAD(GS1_LINT_COUPONPOSOFFER, "201234561234560123456", 0,
             "format code 2 is not one of 01");
    LINT_BAD(GS1_LINT_COUPONPOSOFFER, "07", 1, NULL);
    LINT_BAD(GS1_LINT_COUPONPOSOFFER, "0012345612345601234567", 21,
             "unexpected data after the serial number");
    LINT_BAD(GS1_LINT_COUPONPOSOFFER, "00123456123456012345", 15,
             "serial number is cut short: 6 digits expected");
    LINT_BAD(GS1_LINT_COUPONPOSOFFER, "", 0, NULL);
}

static void test_lint_none_and_unknown(void **state)
{
    char why[64];
    size_t bad = 7;

    (void)state;
    assert_int_equal(gs1_lint_run(GS1_LINT_NONE, "x", 1, why, sizeof why, &bad),
                     0);
    assert_int_equal(bad, 0);
    assert_int_not_equal(
        gs1_lint_run(GS1_LINT_COUNT_, "x", 1, why, sizeof why, &bad), 0);
    /* A tiny reason buffer is truncated, never overrun. */
    assert_int_equal(
        gs1_lint_run(GS1_LINT_CSUM, "09506000134353", 14, why, 8, &bad),
        YIMA_EINVAL);
    assert_int_equal(strlen(why), 7);
}

/* ---- Pairs ------------------------------------------------------------ */

static void test_pairs_req(void **state)
{
    yima_code code;

    (void)state;
    set_ais(&code, "01", "21", NULL);
    PAIRS_OK(&code);
    set_ais(&code, "21", "01", NULL); /* order does not matter */
    PAIRS_OK(&code);
    set_ais(&code, "01", NULL);
    PAIRS_OK(&code);
    set_ais(&code, "21", NULL);
    PAIRS_BAD(&code, "AI (21) requires (01), (03) or (8006)");
    set_ais(&code, "10", "21", NULL);
    PAIRS_BAD(&code, "AI (10) requires (01), (02), (03), (8006) or (8026)");
    set_ais(&code, "254", NULL);
    PAIRS_BAD(&code, "AI (254) requires (414)");

    /* "01+10": both needed. */
    set_ais(&code, "01", "10", "7004", NULL);
    PAIRS_OK(&code);
    set_ais(&code, "01", "7004", NULL);
    PAIRS_BAD(&code, "AI (7004) requires (01) with (10)");

    /* Two req= instances: both must hold. */
    set_ais(&code, "01", "21", "250", NULL);
    PAIRS_OK(&code);
    set_ais(&code, "01", "250", NULL);
    PAIRS_BAD(&code, "AI (250) requires (21)");

    /* Patterns: 31nn is any of 3100..3199. */
    set_ais(&code, "01", "3103", "3920", NULL);
    PAIRS_OK(&code);
    set_ais(&code, "01", "3920", NULL);
    PAIRS_BAD(&code,
              "AI (3920) requires (30), (31nn), (32nn), (35nn) or (36nn)");

    /* DIGSIG: an alternative with '+' among plain ones. */
    set_ais(&code, "01", "21", "8030", NULL);
    PAIRS_OK(&code);
    set_ais(&code, "00", "8030", NULL);
    PAIRS_OK(&code);
    set_ais(&code, "01", "8030", NULL);
    PAIRS_BAD(&code, "AI (8030) requires (00), (01) with (21), (253), (255), "
                     "(8003), (8004), (8006) with (21), (8010) with (8011), "
                     "(8017) or (8018)");

    /* An AI does not satisfy its own requirement. */
    set_ais(&code, "8019", NULL);
    PAIRS_BAD(&code, "AI (8019) requires (8017) or (8018)");

    set_ais(&code, NULL);
    PAIRS_OK(&code);
}

static void test_pairs_ex(void **state)
{
    yima_code code;

    (void)state;
    set_ais(&code, "01", "37", NULL);
    PAIRS_BAD(&code, "AI (01) cannot be used with AI (37)");
    set_ais(&code, "02", "01", "37", NULL);
    PAIRS_BAD(&code, "AI (02) cannot be used with AI (01)");
    set_ais(&code, "01", "02", NULL);
    PAIRS_BAD(&code, "AI (02) cannot be used with AI (01)");
    set_ais(&code, "00", "02", "37", NULL);
    PAIRS_OK(&code);

    /* 310n: 3102 and 3103 exclude each other, but 3103 not itself. */
    set_ais(&code, "01", "3103", "3102", NULL);
    PAIRS_BAD(&code, "AI (3103) cannot be used with AI (3102)");
    set_ais(&code, "01", "3103", "3103", NULL);
    PAIRS_OK(&code);
    set_ais(&code, "01", "3103", "3203", NULL);
    PAIRS_OK(&code);

    set_ais(&code, "01", "21", "235", NULL);
    PAIRS_BAD(&code, "AI (21) cannot be used with AI (235)");
    set_ais(&code, "8017", "8018", NULL);
    PAIRS_BAD(&code, "AI (8017) cannot be used with AI (8018)");

    /* Exclusions are reported before missing requirements. */
    set_ais(&code, "21", "235", NULL);
    PAIRS_BAD(&code, "AI (21) cannot be used with AI (235)");
}

static void test_pairs_unknown_ai(void **state)
{
    yima_code code;

    (void)state;
    set_ais(&code, "01", "23", NULL);
    PAIRS_BAD(&code, "AI (23) is not a known Application Identifier");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test(test_table_entries),
        cmocka_unit_test(test_find_and_prefix),
        cmocka_unit_test(test_min_max_len),
        cmocka_unit_test(test_values_ok),
        cmocka_unit_test(test_values_bad),
        cmocka_unit_test(test_lint_csum),
        cmocka_unit_test(test_lint_csumalpha),
        cmocka_unit_test(test_lint_gcppos),
        cmocka_unit_test(test_lint_dates),
        cmocka_unit_test(test_lint_times),
        cmocka_unit_test(test_lint_countries_currencies),
        cmocka_unit_test(test_lint_iban),
        cmocka_unit_test(test_lint_codes),
        cmocka_unit_test(test_lint_simple),
        cmocka_unit_test(test_lint_sequences),
        cmocka_unit_test(test_lint_coupons),
        cmocka_unit_test(test_lint_none_and_unknown),
        cmocka_unit_test(test_pairs_req),
        cmocka_unit_test(test_pairs_ex),
        cmocka_unit_test(test_pairs_unknown_ai),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
