/*
 * test_code.c - the front of the identifier layer (lib/code/code.c):
 * normalisation, scheme detection, error positions, yima URNs and the JSON
 * view. The schemes' own rules are tested in test_gs1_*.c and
 * test_schemes.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "yima/code.h"

static yima_code code;
static yima_error err;

static int parse(const char *s)
{
    return yima_code_parse(s, strlen(s), NULL, &code, &err);
}

static void expect_canonical(const char *in, yima_scheme scheme,
                             const char *canonical)
{
    if (parse(in) != 0)
        fail_msg("'%s' did not parse: %s", in, err.msg);
    assert_int_equal(code.scheme, scheme);
    assert_string_equal(code.canonical, canonical);
}

static void expect_error(const char *in, const char *msg, size_t pos)
{
    assert_int_not_equal(parse(in), 0);
    assert_string_equal(err.msg, msg);
    assert_int_equal(err.pos, pos);
}

static void test_normalise(void **state)
{
    (void)state;
    /* full-width digits, ASCII and ideographic spaces around */
    expect_canonical(" \t０９５０６０００１３４３５２\xe3\x80\x80\r\n",
                     YIMA_SCHEME_GS1, "https://id.gs1.org/01/09506000134352");
    /* full-width brackets of an element string typed on a Chinese IME */
    expect_canonical("（01）09506000134352（21）ＡＢＣ", YIMA_SCHEME_GS1,
                     "https://id.gs1.org/01/09506000134352/21/ABC");
    /* lower case where the scheme is upper case */
    expect_canonical("91350100m000100y43", YIMA_SCHEME_USCC,
                     "urn:yima:uscc:91350100M000100Y43");
}

static void test_positions(void **state)
{
    (void)state;
    /* the check digit is the 18th character */
    expect_error("(01)09506000134353", "AI (01): check digit is 3, expected 2",
                 18);
    /* leading spaces shift the position the person sees */
    expect_error("  (01)09506000134353",
                 "AI (01): check digit is 3, expected 2", 20);
    /* full-width characters are one character each, not three bytes */
    expect_error("(01)０９５０６０００１３４３５３",
                 "AI (01): check digit is 3, expected 2", 18);
    expect_error("ab\xff", "byte 0xFF at position 3 is not valid UTF-8", 3);
    expect_error("   ", "empty code", 0);
}

static void test_limits(void **state)
{
    char big[YIMA_CODE_INPUT_MAX + 2];
    (void)state;

    memset(big, '1', sizeof big);
    assert_int_equal(yima_code_parse(big, sizeof big, NULL, &code, &err),
                     YIMA_ETOOBIG);
    assert_non_null(strstr(err.msg, "the limit is 2048"));
    assert_int_equal(yima_code_parse("", 0, NULL, &code, &err), YIMA_EINVAL);
}

static void test_detection(void **state)
{
    (void)state;
    /* 16 digits starting 20: a CCC certificate number */
    expect_canonical("2021011104123456", YIMA_SCHEME_CCC,
                     "urn:yima:ccc:2021011104123456");
    /* 16 digits otherwise: a raw element string (01) + GTIN */
    expect_canonical("0109506000134352", YIMA_SCHEME_GS1,
                     "https://id.gs1.org/01/09506000134352");
    /* 18 digits: an SSCC unless the USCC check holds */
    expect_canonical("106141411234567897", YIMA_SCHEME_GS1,
                     "https://id.gs1.org/00/106141411234567897");
    expect_canonical("911101081234560169", YIMA_SCHEME_USCC,
                     "urn:yima:uscc:911101081234560169");
    expect_canonical("88.118.8688/TYRE-2021-00001", YIMA_SCHEME_HANDLE,
                     "urn:yima:handle:88.118.8688/TYRE-2021-00001");
    expect_canonical("urn:epc:id:sgtin:0614141.812345.6789", YIMA_SCHEME_GS1,
                     "https://id.gs1.org/01/80614141123458/21/6789");
    assert_int_not_equal(parse("hello world"), 0);
    assert_non_null(strstr(err.msg, "not a recognised code"));
}

static void test_yima_urns(void **state)
{
    char dic[YIMA_DIC_LEN + 1];
    char urn[64], url[128];
    (void)state;

    expect_canonical("urn:yima:uscc:91350100M000100Y43", YIMA_SCHEME_USCC,
                     "urn:yima:uscc:91350100M000100Y43");
    assert_string_equal(code.form, "urn");
    expect_canonical("URN:YIMA:CCC:2021011104123456", YIMA_SCHEME_CCC,
                     "urn:yima:ccc:2021011104123456");
    assert_int_equal(yima_dic_issue("91350100M000100Y43", dic, &err), 0);
    snprintf(urn, sizeof urn, "urn:yima:dic:%s", dic);
    expect_canonical(dic, YIMA_SCHEME_DIC, urn);
    expect_canonical(urn, YIMA_SCHEME_DIC, urn);
    /* the QR on a label carries a URL: any host, any path, any case */
    snprintf(url, sizeof url, "https://trace.example.cn/c/%s?src=qr", dic);
    expect_canonical(url, YIMA_SCHEME_DIC, urn);
    snprintf(url, sizeof url, "HTTP://X.CN/%s/", dic);
    expect_canonical(url, YIMA_SCHEME_DIC, urn);
    /* a GS1 serial that happens to look like one stays a GS1 serial */
    snprintf(url, sizeof url, "https://id.gs1.org/01/09506000134352/21/%s",
             dic);
    assert_int_equal(parse(url), 0);
    assert_int_equal(code.scheme, YIMA_SCHEME_GS1);
    /* a mistyped one in a URL is reported where the person sees it */
    snprintf(url, sizeof url, "https://x.cn/%s", dic);
    url[strlen(url) - 1] = url[strlen(url) - 1] == 'A' ? 'B' : 'A';
    assert_int_not_equal(parse(url), 0);
    assert_int_equal(code.scheme, YIMA_SCHEME_DIC);
    expect_error("urn:yima:foo:1",
                 "yima URN: unknown scheme 'foo' (expected uscc, ccc, ecode, "
                 "handle or dic)",
                 10);
    /* an error inside the value points into the whole input */
    assert_int_not_equal(parse("urn:yima:ccc:20210111041234x6"), 0);
    assert_int_equal(err.pos, 28);
}

static void test_json(void **state)
{
    yima_buf b;
    const char *in = "(01)09506000134352(21)A\"B";
    (void)state;

    yima_buf_init(&b, 1 << 16);
    assert_int_equal(parse(in), 0);
    assert_int_equal(yima_code_to_json(&b, in, strlen(in), &code, NULL), 0);
    assert_non_null(strstr(
        b.data, "{\"input\":\"(01)09506000134352(21)A\\\"B\",\"valid\":true,"
                "\"scheme\":\"gs1\",\"canonical\":\"https://id.gs1.org/01/"
                "09506000134352/21/A%22B\",\"ais\":{\"01\":\"09506000134352\","
                "\"21\":\"A\\\"B\"},\"gtin\":\"09506000134352\",\"serial\":"
                "\"A\\\"B\""));
    yima_buf_reset(&b);
    in = "(01)09506000134353";
    assert_int_not_equal(parse(in), 0);
    yima_code_to_json(&b, in, strlen(in), &code, &err);
    assert_string_equal(
        b.data, "{\"input\":\"(01)09506000134353\",\"valid\":false,\"scheme\":"
                "\"gs1\",\"canonical\":null,\"error\":\"AI (01): check digit "
                "is 3, expected 2\",\"position\":18}");
    yima_buf_reset(&b);
    assert_int_equal(parse("2021011104123456"), 0);
    yima_code_to_json(&b, "2021011104123456", 16, &code, NULL);
    assert_non_null(strstr(b.data, "\"year\":\"2021\",\"body\":\"01\","
                                   "\"category\":\"1104\",\"serial\":"
                                   "\"123456\""));
    yima_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise), cmocka_unit_test(test_positions),
        cmocka_unit_test(test_limits),    cmocka_unit_test(test_detection),
        cmocka_unit_test(test_yima_urns), cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
