/*
 * test_schemes.c - unit tests for the non-GS1 code schemes: USCC, CCC
 * certificates, Ecode, industrial internet handles and the platform's
 * digital identity codes (issue, parse, and an exhaustive proof that the
 * DIC check catches every single substitution and every transposition).
 *
 * The parsers are called directly (as code.c calls them, on normalised
 * text), so these tests do not depend on the dispatcher.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "code/code_int.h"
#include "code/ecode_int.h"

typedef int (*parse_fn)(const char *, size_t, yima_code *, yima_error *);

static yima_code code;
static yima_error err;

static const char alphabet31[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Parse s (bare form, or "urn" when urn) into the globals. */
static int run(parse_fn fn, const char *s, size_t n, bool urn)
{
    memset(&code, 0, sizeof code);
    yima_error_clear(&err);
    if (urn)
        code.form = "urn";
    return fn(s, n, &code, &err);
}

static void ok(parse_fn fn, const char *s, const char *canonical)
{
    int rc = run(fn, s, strlen(s), false);
    if (rc != 0)
        fail_msg("'%s' rejected: %s", s, err.msg);
    assert_string_equal(code.canonical, canonical);
    assert_string_equal(code.form, "bare");
}

/* Expect failure with exactly msg at 1-based position pos (0 = none). */
static void bad_n(parse_fn fn, const char *s, size_t n, bool urn,
                  const char *msg, size_t pos)
{
    int rc = run(fn, s, n, urn);
    if (rc != YIMA_EINVAL)
        fail_msg("'%.*s' accepted (rc %d), expected: %s", (int)n, s, rc, msg);
    assert_string_equal(err.msg, msg);
    assert_int_equal(err.code, YIMA_EINVAL);
    assert_int_equal(err.pos, pos);
}

static void bad(parse_fn fn, const char *s, const char *msg, size_t pos)
{
    bad_n(fn, s, strlen(s), false, msg, pos);
}

/* The value of part `name` of the last parse, or NULL. */
static const char *get_part(const char *name)
{
    int i;

    for (i = 0; i < code.n_part; i++)
        if (strcmp(code.part[i].name, name) == 0)
            return code.part[i].value;
    return NULL;
}

static void part_is(const char *name, const char *value)
{
    const char *got = get_part(name);
    if (!got)
        fail_msg("no part '%s'", name);
    assert_string_equal(got, value);
}

/* ---- USCC ------------------------------------------------------------- */

static void test_uscc_worked_examples(void **state)
{
    (void)state;
    /* Published examples; the first is the often-quoted Fuzhou
     * enterprise code, which also satisfies its GB 11714 check. */
    ok(code_parse_uscc, "91350100M000100Y43",
       "urn:yima:uscc:91350100M000100Y43");
    assert_int_equal(code.scheme, YIMA_SCHEME_USCC);
    assert_int_equal(code.n_part, 7);
    assert_string_equal(code.part[0].name, "department");
    assert_string_equal(code.part[1].name, "type");
    assert_string_equal(code.part[2].name, "region");
    assert_string_equal(code.part[3].name, "org_code");
    part_is("department", "9");
    part_is("type", "1");
    part_is("region", "350100");
    part_is("org_code", "M000100Y4");
    part_is("org_code_check", "valid");
    part_is("department_name", "工商(市场监管)");
    part_is("type_name", "企业");

    ok(code_parse_uscc, "91230184MA1BUFLT44",
       "urn:yima:uscc:91230184MA1BUFLT44");
    ok(code_parse_uscc, "92371000MA3MXH0E3W",
       "urn:yima:uscc:92371000MA3MXH0E3W");
    part_is("type_name", "个体工商户");
    ok(code_parse_uscc, "12440600MB2C07549J",
       "urn:yima:uscc:12440600MB2C07549J");
    part_is("department_name", "机构编制");
    part_is("type_name", "事业单位");
}

static void test_uscc_departments(void **state)
{
    /* Check characters computed independently (Python) for each. */
    static const struct {
        const char *code, *dept, *type;
    } t[] = {
        {"A1110000MA0123453D", "中央军委改革和编制办公室", "军队事业单位"},
        {"N2330100MA1234569R", "农业", "村级集体经济组织"},
        {"Y1110000MA0AB12363", "其他", "其他(不再细分)"},
        {"51100000MJ0000165D", "民政", "社会团体"},
        {"31110000MD01234388", "司法行政", "律师执业机构"},
        {"52440300MJL012383P", "民政", "民办非企业单位"},
        {"93410100MA4KQ2T12H", "工商(市场监管)", "农民专业合作社"},
    };
    size_t i;
    char urn[64];

    (void)state;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(urn, sizeof urn, "urn:yima:uscc:%s", t[i].code);
        ok(code_parse_uscc, t[i].code, urn);
        part_is("department_name", t[i].dept);
        part_is("type_name", t[i].type);
        part_is("org_code_check", "valid");
    }
}

static void test_uscc_lower_case_and_urn_form(void **state)
{
    (void)state;
    ok(code_parse_uscc, "91350100m000100y43",
       "urn:yima:uscc:91350100M000100Y43");
    assert_int_equal(run(code_parse_uscc, "91350100M000100Y43", 18, true), 0);
    assert_string_equal(code.form, "urn");
}

static void test_uscc_errors(void **state)
{
    (void)state;
    bad(code_parse_uscc, "91350100M000100Y4", "USCC: length is 17, expected 18",
        0);
    bad(code_parse_uscc, "", "USCC: length is 0, expected 18", 0);
    bad(code_parse_uscc, "9135I100M000100Y43",
        "USCC: character 'I' at position 5 is not allowed (allowed: 0-9 and "
        "A-Y except I O S V Z)",
        5);
    bad(code_parse_uscc, "91350100M000100o43",
        "USCC: character 'o' at position 16 is not allowed (allowed: 0-9 and "
        "A-Y except I O S V Z)",
        16);
    bad(code_parse_uscc, "9135中100M000100Y43",
        "USCC: character '中' at position 5 is not allowed (allowed: 0-9 and "
        "A-Y except I O S V Z)",
        5);
    bad_n(code_parse_uscc,
          "9135\0"
          "100M000100Y43",
          18, false,
          "USCC: character '\\x00' at position 5 is not allowed (allowed: "
          "0-9 and A-Y except I O S V Z)",
          5);
    bad(code_parse_uscc, "9135A100M000100Y43",
        "USCC: region code (positions 3-8) must be 6 digits; 'A' at position "
        "5 is not a digit",
        5);
    bad(code_parse_uscc, "01350100M000100Y43",
        "USCC: registration department code '0' at position 1 is not "
        "assigned (assigned: 1 2 3 4 5 6 7 8 9 A N Y)",
        1);
    bad(code_parse_uscc, "94350100M000100Y43",
        "USCC: institution type '4' at position 2 is not defined for "
        "department 9 (工商(市场监管)): expected one of 1 2 3",
        2);
    bad(code_parse_uscc, "Y2350100M000100Y43",
        "USCC: institution type '2' at position 2 is not defined for "
        "department Y (其他): expected one of 1",
        2);
    bad(code_parse_uscc, "91350100M000100Y44",
        "USCC: check character is 4, expected 3", 18);
    /* A real Xiamen code registered before 2016 that does not satisfy the
     * GB 32100 check (reported against several validators). It is
     * rejected: the check is the only defence against a mistyped code. */
    bad(code_parse_uscc, "91350203M0001QKT19",
        "USCC: check character is 9, expected F", 18);
    /* A failed parse still names the scheme. */
    assert_int_equal(code.scheme, YIMA_SCHEME_USCC);
}

static void test_uscc_org_code_exposed_not_enforced(void **state)
{
    (void)state;
    /* Valid USCC whose subject identifier fails GB 11714. */
    ok(code_parse_uscc, "91110000123456780W",
       "urn:yima:uscc:91110000123456780W");
    part_is("org_code", "123456780");
    part_is("org_code_check", "invalid (expected 8)");
}

static void test_uscc_single_substitutions(void **state)
{
    const char *good = "91350100M000100Y43";
    char s[19];
    int i, c, caught = 0;

    (void)state;
    for (i = 0; i < 18; i++)
        for (c = 0; c < 31; c++) {
            if (alphabet31[c] == good[i])
                continue;
            memcpy(s, good, 19);
            s[i] = alphabet31[c];
            assert_false(code_uscc_valid(s, 18));
            caught++;
        }
    assert_int_equal(caught, 18 * 30);
}

static void test_uscc_valid_predicate(void **state)
{
    (void)state;
    assert_true(code_uscc_valid("91350100M000100Y43", 18));
    assert_true(code_uscc_valid("91350100m000100y43", 18));
    assert_false(code_uscc_valid("91350100M000100Y43", 17));
    assert_false(code_uscc_valid("91350100M000100Y43 ", 19));
    assert_false(code_uscc_valid("01350100M000100Y43", 18));
    assert_false(code_uscc_valid("", 0));
    /* An 18-digit SSCC is not taken for a USCC unless it fits. */
    assert_false(code_uscc_valid("006141411234567890", 18));
}

/* ---- CCC -------------------------------------------------------------- */

static int this_year(void)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

static void test_ccc_valid(void **state)
{
    (void)state;
    ok(code_parse_ccc, "2016010706840003", "urn:yima:ccc:2016010706840003");
    assert_int_equal(code.scheme, YIMA_SCHEME_CCC);
    assert_int_equal(code.n_part, 4);
    part_is("year", "2016");
    part_is("body", "01");
    part_is("category", "0706");
    part_is("serial", "840003");
    ok(code_parse_ccc, "2014010903689231", "urn:yima:ccc:2014010903689231");
    part_is("category", "0903");
    ok(code_parse_ccc, "2022221101000119", "urn:yima:ccc:2022221101000119");
    part_is("body", "22");
    part_is("category", "1101");
    ok(code_parse_ccc, "2001010101000001", "urn:yima:ccc:2001010101000001");
}

static void test_ccc_years(void **state)
{
    char s[32], msg[128];
    int y = this_year();

    (void)state;
    snprintf(s, sizeof s, "%04d010901123456", y + 1);
    assert_int_equal(run(code_parse_ccc, s, 16, false), 0);
    snprintf(s, sizeof s, "%04d010901123456", y + 2);
    snprintf(msg, sizeof msg,
             "CCC certificate: year %d is in the future (latest allowed %d)",
             y + 2, y + 1);
    bad(code_parse_ccc, s, msg, 1);
    bad(code_parse_ccc, "1999010901123456",
        "CCC certificate: year 1999 is before the scheme began (2001)", 1);
    bad(code_parse_ccc, "2000010901123456",
        "CCC certificate: year 2000 is before the scheme began (2001)", 1);
    bad(code_parse_ccc, "0000000000000000",
        "CCC certificate: year 0 is before the scheme began (2001)", 1);
}

static void test_ccc_errors(void **state)
{
    (void)state;
    bad(code_parse_ccc, "2016O10706840003",
        "CCC certificate: character 'O' at position 5 is not a digit", 5);
    bad(code_parse_ccc, "2016-0107-06840003",
        "CCC certificate: character '-' at position 5 is not a digit", 5);
    bad(code_parse_ccc, "201601070684000",
        "CCC certificate: length is 15, expected 16 digits", 0);
    bad(code_parse_ccc, "20160107068400031",
        "CCC certificate: length is 17, expected 16 digits", 0);
    bad(code_parse_ccc, "", "CCC certificate: length is 0, expected 16 digits",
        0);
    bad(code_parse_ccc, "2016０10706840003",
        "CCC certificate: character '０' at position 5 is not a digit", 5);
    assert_int_equal(code.scheme, YIMA_SCHEME_CCC);
}

/* ---- Ecode ------------------------------------------------------------ */

static void test_ecode_valid(void **state)
{
    (void)state;
    ok(code_parse_ecode, "1000112345678901234567890",
       "urn:yima:ecode:1000112345678901234567890");
    assert_int_equal(code.scheme, YIMA_SCHEME_ECODE);
    assert_int_equal(code.n_part, 3);
    part_is("version", "1");
    part_is("nsi", "0001");
    part_is("md", "12345678901234567890");
    ok(code_parse_ecode, "100017", "urn:yima:ecode:100017");
    part_is("md", "7");
    ok(code_parse_ecode, "2123456780042", "urn:yima:ecode:2123456780042");
    part_is("nsi", "12345678");
    part_is("md", "0042");
    ok(code_parse_ecode, "412345abc123", "urn:yima:ecode:412345ABC123");
    part_is("nsi", "12345");
    part_is("md", "ABC123");
}

static void test_ecode_errors(void **state)
{
    (void)state;
    bad(code_parse_ecode, "", "Ecode: empty", 0);
    bad(code_parse_ecode, "X0001123",
        "Ecode: version 'X' at position 1 is not a digit", 1);
    bad(code_parse_ecode, "70001123",
        "Ecode: version 7 is not defined (defined: 1, 2, 3, 4)", 1);
    bad(code_parse_ecode, "00001123",
        "Ecode: version 0 is not defined (defined: 1, 2, 3, 4)", 1);
    bad(code_parse_ecode, "10001A",
        "Ecode: character 'A' at position 6 is not allowed in version 1 "
        "(digits only)",
        6);
    bad(code_parse_ecode, "412345AB-1",
        "Ecode: character '-' at position 9 is not allowed in version 4 "
        "(0-9 and A-Z)",
        9);
    bad(code_parse_ecode, "10001",
        "Ecode: length is 5, expected 6-25 for version 1 (1 version + 4 NSI "
        "+ 1-20 MD)",
        0);
    bad(code_parse_ecode, "10001123456789012345678901",
        "Ecode: length is 26, expected 6-25 for version 1 (1 version + 4 NSI "
        "+ 1-20 MD)",
        0);
    assert_int_equal(code.scheme, YIMA_SCHEME_ECODE);
}

/* Every table row: lengths at the bounds parse, one past them fails. */
static void test_ecode_table(void **state)
{
    char s[128];
    size_t i, j, k;

    (void)state;
    assert_true(ecode_version_count > 0);
    for (i = 0; i < ecode_version_count; i++) {
        const ecode_version *v = &ecode_versions[i];
        size_t lo = 1u + v->nsi_len + v->md_min, hi = v->total_max;
        assert_int_equal(hi, 1u + v->nsi_len + v->md_max);
        assert_true(v->md_min <= v->md_max);
        for (j = i + 1; j < ecode_version_count; j++)
            assert_int_not_equal(v->version, ecode_versions[j].version);
        s[0] = (char)('0' + v->version);
        for (k = 1; k < sizeof s; k++)
            s[k] = (char)('0' + k % 10);
        assert_true(code_ecode_shape(s, lo));
        assert_true(code_ecode_shape(s, hi));
        assert_false(code_ecode_shape(s, lo - 1));
        assert_false(code_ecode_shape(s, hi + 1));
        assert_int_equal(run(code_parse_ecode, s, hi, false), 0);
        assert_int_equal(strlen(get_part("nsi")), v->nsi_len);
    }
    assert_false(code_ecode_shape("", 0));
    assert_false(code_ecode_shape("91350100M000100Y43", 18));
}

/* The committed generated table matches what the awk script makes from
 * the TSV today (tests run from the repository root). */
static void test_ecode_table_generated(void **state)
{
    FILE *gen, *committed;
    int a, b;
    long at = 0;

    (void)state;
    gen =
        popen("awk -f tools/gen-ecode-table.awk data/ecode/versions.tsv", "r");
    committed = fopen("lib/code/ecode_table.c", "r");
    if (!gen || !committed)
        skip();
    do {
        a = fgetc(gen);
        b = fgetc(committed);
        if (a != b)
            fail_msg("lib/code/ecode_table.c differs from the TSV at byte "
                     "%ld: regenerate it",
                     at);
        at++;
    } while (a != EOF);
    assert_int_equal(pclose(gen), 0);
    fclose(committed);
}

/* ---- Handle ----------------------------------------------------------- */

static void test_handle_valid(void **state)
{
    (void)state;
    ok(code_parse_handle, "88.100.1/abc", "urn:yima:handle:88.100.1/abc");
    assert_int_equal(code.scheme, YIMA_SCHEME_HANDLE);
    assert_int_equal(code.n_part, 2);
    part_is("prefix", "88.100.1");
    part_is("suffix", "abc");
    ok(code_parse_handle, "88.118.8688/xyz", "urn:yima:handle:88.118.8688/xyz");
    part_is("prefix", "88.118.8688");
    ok(code_parse_handle, "88.100/node-object",
       "urn:yima:handle:88.100/node-object");
    ok(code_parse_handle, "88.163.2/A.B/C-1_x~y",
       "urn:yima:handle:88.163.2/A.B/C-1_x~y");
    part_is("suffix", "A.B/C-1_x~y");
    /* Suffixes keep their case. */
    ok(code_parse_handle, "88.1.2/AbC", "urn:yima:handle:88.1.2/AbC");
}

static void test_handle_encoding(void **state)
{
    static const char enc[] =
        "urn:yima:handle:88.1.2/%E6%89%B9%E6%AC%A1%231%3Fx%25";

    (void)state;
    ok(code_parse_handle, "88.1.2/批次#1?x%", enc);
    part_is("suffix", "批次#1?x%");
    /* The canonical form parses back to itself (the dispatcher strips the
     * URN head and marks the form "urn"). */
    assert_int_equal(run(code_parse_handle, enc + 16, strlen(enc + 16), true),
                     0);
    assert_string_equal(code.canonical, enc);
    assert_string_equal(code.form, "urn");
    part_is("suffix", "批次#1?x%");
    /* Lower-case hex is accepted; canonical hex is upper case. */
    assert_int_equal(run(code_parse_handle, "88.1.2/%e6%89%b9", 16, true), 0);
    assert_string_equal(code.canonical, "urn:yima:handle:88.1.2/%E6%89%B9");
    /* In bare form '%' is a literal character. */
    ok(code_parse_handle, "88.1.2/100%", "urn:yima:handle:88.1.2/100%25");
    ok(code_parse_handle, "88.1.2/a%20b", "urn:yima:handle:88.1.2/a%2520b");
    assert_int_equal(run(code_parse_handle, "88.1.2/a%2520b", 14, true), 0);
    assert_string_equal(code.canonical, "urn:yima:handle:88.1.2/a%2520b");
}

static void test_handle_long_suffix(void **state)
{
    char s[400], want[1024];
    const char *p;
    size_t i, at;

    (void)state;
    /* 255 bytes is the limit; 256 is rejected. */
    memcpy(s, "88.1.2/", 7);
    memset(s + 7, 'x', 255);
    s[262] = '\0';
    assert_int_equal(run(code_parse_handle, s, 262, false), 0);
    assert_int_equal(strlen(get_part("suffix")), 63);
    s[262] = 'x';
    s[263] = '\0';
    bad(code_parse_handle, s, "Handle: suffix is longer than 255 bytes", 263);

    /* 85 CJK characters (255 bytes), every one percent-encoded: the part
     * is cut on a character boundary, the canonical form is complete. */
    at = 7;
    for (i = 0; i < 85; i++) {
        memcpy(s + at, "批", 3);
        at += 3;
    }
    s[at] = '\0';
    assert_int_equal(run(code_parse_handle, s, at, false), 0);
    p = get_part("suffix");
    assert_int_equal(strlen(p), 63);
    assert_memory_equal(p, "批批批", 9);
    memcpy(want, "urn:yima:handle:88.1.2/", 23);
    for (i = 0; i < 85; i++)
        memcpy(want + 23 + 9 * i, "%E6%89%B9", 9);
    want[23 + 9 * 85] = '\0';
    assert_string_equal(code.canonical, want);
}

static void test_handle_errors(void **state)
{
    char s[128];

    (void)state;
    bad(code_parse_handle, "", "Handle: empty", 0);
    bad(code_parse_handle, "88.100.1",
        "Handle: no '/' between prefix and suffix (expected "
        "88.<industry>.<enterprise>/<suffix>)",
        0);
    bad(code_parse_handle, "/abc", "Handle: empty prefix before '/'", 1);
    bad(code_parse_handle, "88.100.1/", "Handle: empty suffix after '/'", 9);
    bad(code_parse_handle, "86.100.1/x",
        "Handle: prefix must start with 88 (the industrial internet root), "
        "found '86'",
        1);
    bad(code_parse_handle, "880.1/x",
        "Handle: prefix must start with 88 (the industrial internet root), "
        "found '880'",
        1);
    bad(code_parse_handle, "10.1000/182",
        "Handle: prefix must start with 88 (the industrial internet root), "
        "found '10'",
        1);
    bad(code_parse_handle, "88/x",
        "Handle: prefix '88' has no node segment (expected "
        "88.<industry>.<enterprise>)",
        0);
    bad(code_parse_handle, "88..1/x",
        "Handle: empty prefix segment after the '.' at position 3", 3);
    bad(code_parse_handle, "88.1./x",
        "Handle: empty prefix segment after the '.' at position 5", 5);
    bad(code_parse_handle, "88.1a/x",
        "Handle: character 'a' at position 5 of the prefix is not a digit or "
        "'.'",
        5);
    bad(code_parse_handle, "88.1 2/x",
        "Handle: byte 0x20 at position 5 of the prefix is not a digit or '.'",
        5);
    bad(code_parse_handle, "88.12345678901234567/x",
        "Handle: prefix segment at position 4 has more than 16 digits", 20);
    memcpy(s, "88", 2);
    for (int i = 0; i < 21; i++)
        memcpy(s + 2 + 3 * i, ".12", 3);
    memcpy(s + 65, "/x", 3);
    bad(code_parse_handle, s,
        "Handle: prefix is 65 bytes long, at most 64 allowed", 65);
    bad(code_parse_handle, "88.1.2/a b",
        "Handle: space at position 9 of the suffix is not allowed (no spaces "
        "or control characters)",
        9);
    bad(code_parse_handle, "88.1.2/a\x01",
        "Handle: character U+0001 at position 9 of the suffix is not allowed "
        "(no spaces or control characters)",
        9);
    bad(code_parse_handle, "88.1.2/a\x7f",
        "Handle: character U+007F at position 9 of the suffix is not allowed "
        "(no spaces or control characters)",
        9);
    bad(code_parse_handle, "88.1.2/批\xc2\xa0",
        "Handle: character U+00A0 at position 9 of the suffix is not allowed "
        "(no spaces or control characters)",
        11);
    bad(code_parse_handle, "88.1.2/\xc0\x80",
        "Handle: suffix has invalid UTF-8 (byte 0xC0) at position 8", 8);
    bad(code_parse_handle, "88.1.2/a\xe6\x89",
        "Handle: suffix has invalid UTF-8 (byte 0xE6) at position 9", 9);
    bad(code_parse_handle, "88.1.2/\xed\xa0\x80",
        "Handle: suffix has invalid UTF-8 (byte 0xED) at position 8", 8);
    bad_n(code_parse_handle, "88.1.2/%G1", 10, true,
          "Handle: bad percent-encoding at position 8 (expected %XX)", 8);
    bad_n(code_parse_handle, "88.1.2/ab%4", 11, true,
          "Handle: bad percent-encoding at position 10 (expected %XX)", 10);
    bad_n(code_parse_handle, "88.1.2/a%20b", 12, true,
          "Handle: space at position 9 of the suffix is not allowed (no "
          "spaces or control characters)",
          9);
    bad_n(code_parse_handle, "88.1.2/%FF", 10, true,
          "Handle: suffix has invalid UTF-8 (byte 0xFF) at position 8", 8);
    assert_int_equal(code.scheme, YIMA_SCHEME_HANDLE);
}

/* ---- DIC -------------------------------------------------------------- */

/* Reference check: sum of value * 3^k mod 31, k = 0 at the right. */
static unsigned dic_sum(const char *c)
{
    unsigned sum = 0, w = 1;
    int i;

    for (i = YIMA_DIC_LEN - 1; i >= 0; i--) {
        const char *p = strchr(alphabet31, c[i]);
        sum += (unsigned)(p - alphabet31) * w;
        w = w * 3 % 31;
    }
    return sum % 31;
}

static void test_dic_vectors(void **state)
{
    (void)state;
    /* Check characters computed independently (Python). */
    ok(code_parse_dic, "YM00000000000000007",
       "urn:yima:dic:YM00000000000000007");
    assert_int_equal(code.scheme, YIMA_SCHEME_DIC);
    part_is("check", "7");
    ok(code_parse_dic, "YM123456789ABCDEFG9",
       "urn:yima:dic:YM123456789ABCDEFG9");
    ok(code_parse_dic, "YMYYYYYYYYYYYYYYYY1",
       "urn:yima:dic:YMYYYYYYYYYYYYYYYY1");
    ok(code_parse_dic, "ym123456789abcdefg9",
       "urn:yima:dic:YM123456789ABCDEFG9");
    assert_true(code_dic_shape("YM00000000000000007", 19));
    assert_true(code_dic_shape("ym00000000000000008", 19)); /* shape only */
    assert_false(code_dic_shape("YM0000000000000000", 18));
    assert_false(code_dic_shape("YX00000000000000007", 19));
    assert_false(code_dic_shape("YM0000000000000000I", 19));
}

static void test_dic_errors(void **state)
{
    (void)state;
    bad(code_parse_dic, "YM0000000000000000", "DIC: length is 18, expected 19",
        0);
    bad(code_parse_dic, "XM00000000000000007", "DIC: must start with YM", 1);
    bad(code_parse_dic, "YM00O00000000000007",
        "DIC: character 'O' at position 5 is not allowed (allowed: 0-9 and "
        "A-Y except I O S V Z)",
        5);
    bad(code_parse_dic, "YM00000000000000z07",
        "DIC: character 'z' at position 17 is not allowed (allowed: 0-9 and "
        "A-Y except I O S V Z)",
        17);
    bad(code_parse_dic, "YM00000000000000008",
        "DIC: check character is 8, expected 7", 19);
    assert_int_equal(code.scheme, YIMA_SCHEME_DIC);
}

/* Weights 3^k mod 31, k = 0..29, are 30 distinct non-zero residues: 3 is
 * a primitive root mod 31, the fact the detection proof rests on. */
static void test_dic_weights_primitive_root(void **state)
{
    bool seen[31] = {false};
    unsigned w = 1;
    int k;

    (void)state;
    for (k = 0; k < 30; k++) {
        assert_true(w != 0);
        assert_false(seen[w]);
        seen[w] = true;
        w = w * 3 % 31;
    }
    assert_int_equal(w, 1);
}

static int cmp_code(const void *a, const void *b)
{
    return memcmp(a, b, YIMA_DIC_LEN);
}

#define N_ISSUE 10000

static void test_dic_issue_unique_valid_uniform(void **state)
{
    static char codes[N_ISSUE][YIMA_DIC_LEN + 1];
    unsigned long count[31] = {0};
    double chi2 = 0, expect;
    int i, j;

    (void)state;
    for (i = 0; i < N_ISSUE; i++) {
        assert_int_equal(yima_dic_issue("91350100M000100Y43", codes[i], &err),
                         0);
        assert_int_equal(strlen(codes[i]), YIMA_DIC_LEN);
        assert_memory_equal(codes[i], "YM", 2);
        assert_true(code_dic_shape(codes[i], YIMA_DIC_LEN));
        assert_int_equal(dic_sum(codes[i]), 0);
        if (run(code_parse_dic, codes[i], YIMA_DIC_LEN, false) != 0)
            fail_msg("issued %s rejected: %s", codes[i], err.msg);
        for (j = 2; j < YIMA_DIC_LEN - 1; j++)
            count[strchr(alphabet31, codes[i][j]) - alphabet31]++;
    }
    qsort(codes, N_ISSUE, sizeof codes[0], cmp_code);
    for (i = 1; i < N_ISSUE; i++)
        assert_int_not_equal(cmp_code(codes[i - 1], codes[i]), 0);

    /* Chi-square over the 31 symbols (30 degrees of freedom): a modulo
     * bias or a dropped symbol pushes it far past 90, which an unbiased
     * source exceeds with probability below 1e-7. */
    expect = N_ISSUE * 16.0 / 31;
    for (i = 0; i < 31; i++)
        chi2 += (count[i] - expect) * (count[i] - expect) / expect;
    if (chi2 > 90)
        fail_msg("symbol counts are not uniform: chi2 = %.1f", chi2);
}

/*
 * The proof, run exhaustively over many codes: every single-character
 * substitution (19 positions x 30 wrong characters) and every
 * transposition of two different characters (any two positions, adjacent
 * or not) leaves the weighted sum non-zero, and the parser rejects it.
 */
static void test_dic_detects_all_single_errors(void **state)
{
    char good[YIMA_DIC_LEN + 1], s[YIMA_DIC_LEN + 1];
    long subst = 0, swaps = 0, adjacent = 0;
    int n, i, j, c;

    (void)state;
    for (n = 0; n < 300; n++) {
        if (n == 0)
            memcpy(good, "YM00000000000000007", YIMA_DIC_LEN + 1);
        else
            assert_int_equal(yima_dic_issue("91350100M000100Y43", good, NULL),
                             0);
        assert_int_equal(dic_sum(good), 0);
        for (i = 0; i < YIMA_DIC_LEN; i++)
            for (c = 0; c < 31; c++) {
                if (alphabet31[c] == good[i])
                    continue;
                memcpy(s, good, sizeof s);
                s[i] = alphabet31[c];
                assert_int_not_equal(dic_sum(s), 0);
                assert_int_equal(run(code_parse_dic, s, YIMA_DIC_LEN, false),
                                 YIMA_EINVAL);
                subst++;
            }
        for (i = 0; i < YIMA_DIC_LEN; i++)
            for (j = i + 1; j < YIMA_DIC_LEN; j++) {
                if (good[i] == good[j])
                    continue;
                memcpy(s, good, sizeof s);
                s[i] = good[j];
                s[j] = good[i];
                assert_int_not_equal(dic_sum(s), 0);
                assert_int_equal(run(code_parse_dic, s, YIMA_DIC_LEN, false),
                                 YIMA_EINVAL);
                swaps++;
                adjacent += j == i + 1;
            }
    }
    assert_int_equal(subst, 300L * YIMA_DIC_LEN * 30);
    assert_true(swaps > 300L * 150);
    assert_true(adjacent > 300L * 15);
}

static void test_dic_issue_bad_producer(void **state)
{
    char out[YIMA_DIC_LEN + 1];

    (void)state;
    yima_error_clear(&err);
    assert_int_equal(yima_dic_issue("91350100M000100Y44", out, &err),
                     YIMA_EINVAL);
    assert_string_equal(err.msg,
                        "producer USCC: check character is 4, expected 3");
    assert_int_equal(err.pos, 18);
    assert_int_equal(yima_dic_issue("", out, &err), YIMA_EINVAL);
    assert_string_equal(err.msg, "producer USCC: length is 0, expected 18");
    assert_int_equal(yima_dic_issue("not a uscc", out, NULL), YIMA_EINVAL);
    /* Lower case producer codes are fine. */
    assert_int_equal(yima_dic_issue("91350100m000100y43", out, &err), 0);
    assert_int_equal(err.code, YIMA_OK);
}

/* ---- Robustness ------------------------------------------------------- */

/* Random and mutated input never crashes a parser, and every failure
 * carries a message (run under -fsanitize=address,undefined too). */
static void test_parsers_survive_garbage(void **state)
{
    static const parse_fn fns[] = {code_parse_uscc, code_parse_ccc,
                                   code_parse_ecode, code_parse_handle,
                                   code_parse_dic};
    static const char *seeds[] = {"91350100M000100Y43", "2016010706840003",
                                  "1000112345678901234567890", "88.100.1/abc",
                                  "YM00000000000000007"};
    static const char pool[] = "0123456789AYIOym.%/:\x01\x7f\xc2\xa0\xe6\x89"
                               "\xb9\xff ";
    char s[300];
    unsigned seed = 12345;
    int round, f;

    (void)state;
    for (round = 0; round < 20000; round++) {
        size_t n, i;
        f = round % 5;
        seed = seed * 1103515245u + 12345u;
        if (round % 2) {
            n = (seed >> 16) % sizeof s;
            for (i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                s[i] = (char)(seed >> 16);
            }
        } else {
            n = strlen(seeds[f]);
            memcpy(s, seeds[f], n);
            seed = seed * 1103515245u + 12345u;
            s[(seed >> 16) % n] = pool[(seed >> 8) % (sizeof pool - 1)];
        }
        if (n < sizeof s)
            s[n] = '\0';
        else
            s[--n] = '\0';
        int rc = run(fns[f], s, n, (seed >> 20) & 1);
        assert_true(rc == 0 || rc == YIMA_EINVAL);
        if (rc)
            assert_true(err.msg[0] != '\0');
        else
            assert_true(strncmp(code.canonical, "urn:yima:", 9) == 0);
    }
    (void)code_uscc_valid(s, strlen(s));
    (void)code_ecode_shape(s, strlen(s));
    (void)code_dic_shape(s, strlen(s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uscc_worked_examples),
        cmocka_unit_test(test_uscc_departments),
        cmocka_unit_test(test_uscc_lower_case_and_urn_form),
        cmocka_unit_test(test_uscc_errors),
        cmocka_unit_test(test_uscc_org_code_exposed_not_enforced),
        cmocka_unit_test(test_uscc_single_substitutions),
        cmocka_unit_test(test_uscc_valid_predicate),
        cmocka_unit_test(test_ccc_valid),
        cmocka_unit_test(test_ccc_years),
        cmocka_unit_test(test_ccc_errors),
        cmocka_unit_test(test_ecode_valid),
        cmocka_unit_test(test_ecode_errors),
        cmocka_unit_test(test_ecode_table),
        cmocka_unit_test(test_ecode_table_generated),
        cmocka_unit_test(test_handle_valid),
        cmocka_unit_test(test_handle_encoding),
        cmocka_unit_test(test_handle_long_suffix),
        cmocka_unit_test(test_handle_errors),
        cmocka_unit_test(test_dic_vectors),
        cmocka_unit_test(test_dic_errors),
        cmocka_unit_test(test_dic_weights_primitive_root),
        cmocka_unit_test(test_dic_issue_unique_valid_uniform),
        cmocka_unit_test(test_dic_detects_all_single_errors),
        cmocka_unit_test(test_dic_issue_bad_producer),
        cmocka_unit_test(test_parsers_survive_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
