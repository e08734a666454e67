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

/* A random code in one of the shapes the quick path takes (an SGTIN,
 * SSCC or SGLN URN, a Digital Link with GTIN and serial), often a little off
 * it: case, lengths, escapes, hosts, characters it leaves to the full
 * parser. */
static size_t random_code(unsigned *seed, char *out, size_t cap)
{
    static const char *const piece[] = {"a",
                                        "Z",
                                        "0",
                                        "9",
                                        "5",
                                        "-",
                                        "_",
                                        ".",
                                        "%25",
                                        "%2F",
                                        "%41",
                                        "%",
                                        "!",
                                        "'",
                                        "(",
                                        "*",
                                        "~",
                                        " ",
                                        "/",
                                        "+",
                                        "\xef\xbc\x91",
                                        ":",
                                        "\"",
                                        "x",
                                        "?",
                                        "#",
                                        "&",
                                        "=",
                                        "/10/L1",
                                        "/22/x",
                                        "?linkType=all"};
    static const struct {
        const char *prefix;
        int digits, tail; /* cp + ref digits; 1: a serial field after */
    } shape[] = {{"urn:epc:id:sgtin:", 13, 1}, {"urn:epc:id:sscc:", 17, 0},
                 {"urn:epc:id:sgln:", 12, 1},  {"https://", 14, 1},
                 {"URN:EPC:ID:SGTIN:", 13, 1}, {" urn:epc:id:sgtin:", 13, 1},
                 {"urn:epc:id:upui:", 13, 1},  {"urn:epc:class:lgtin:", 13, 1},
                 {"urn:epc:id:pgln:", 12, 0},  {"http://", 14, 1}};
    static const char *const host[] = {
        "dl.huaxin1.cn", "id.gs1.org", "a",  "x-y.example.com",
        "Dl.Example.cn", "h_st",       "",   "dl.example.cn:8080",
        "dl.x.cn/shop",  "dl.x.cn?q",  "..", "."};
    size_t n = 0, ser;
    int sh, cp, ref;

#define RND(k)                                                                 \
    (*seed = *seed * 1103515245u + 12345u, (int)((*seed >> 16) % (k)))
    sh = RND(4) ? RND(4) : RND(10);
    n += (size_t)snprintf(out + n, cap - n, "%s", shape[sh].prefix);
    if (shape[sh].digits == 14) { /* a Digital Link */
        char gtin[15];

        n += (size_t)snprintf(out + n, cap - n, "%s/01/",
                              host[RND(3) ? 0 : RND(12)]);
        for (int i = 0; i < 13; i++)
            gtin[i] = (char)('0' + RND(10));
        gtin[13] = RND(3) ? '\0' : (char)('0' + RND(10));
        if (!gtin[13]) { /* mostly a right check digit */
            int sum = 0;
            for (int i = 0; i < 13; i++)
                sum += (gtin[i] - '0') * (i % 2 ? 1 : 3);
            gtin[13] = (char)('0' + (10 - sum % 10) % 10);
        }
        gtin[14] = '\0';
        n += (size_t)snprintf(out + n, cap - n, "%.*s/21/", RND(20) ? 14 : 13,
                              gtin);
    } else {
        cp = 6 + RND(7);
        if (RND(20) == 0)
            cp = 5 + RND(2) * 8; /* 5 or 13 */
        ref = shape[sh].digits - cp;
        if (RND(20) == 0)
            ref += RND(3) - 1; /* one less, the same or one more */
        for (int i = 0; i < cp; i++)
            out[n++] = (char)('0' + RND(10));
        out[n++] = '.';
        for (int i = 0; i < ref; i++)
            out[n++] = RND(50) ? (char)('0' + RND(10)) : 'A';
        if (shape[sh].tail ? RND(30) != 0 : RND(10) == 0)
            out[n++] = '.';
    }
    ser = shape[sh].tail || RND(10) == 0 ? (size_t)RND(23) : 0;
    if (sh == 2 && RND(3) == 0)
        ser = 0, out[n++] = '0'; /* an SGLN without extension */
    for (size_t i = 0; i < ser; i++) {
        const char *p = RND(4) ? piece[RND(8)] : piece[RND(31)];
        size_t k = strlen(p);

        if (n + k + 2 > cap)
            break;
        memcpy(out + n, p, k);
        n += k;
    }
    if (RND(40) == 0)
        out[n++] = ' ';
    out[n] = '\0';
#undef RND
    return n;
}

/* What the ingest path asks (canonical_only, which takes a quick path for
 * the common shapes of EPCIS codes) answers exactly what the full parse
 * does: the same verdict and message, scheme, form, AIs and canonical
 * form. */
static void test_canonical_only_agrees(void **state)
{
    static const yima_code_opts fast = {.canonical_only = true};
    static yima_code a, b;
    yima_error ea, eb;
    unsigned seed = 20261203;
    char in[256];
    size_t valid = 0;

    (void)state;
    for (int t = 0; t < 200000; t++) {
        size_t n = random_code(&seed, in, sizeof in);
        int ra = yima_code_parse(in, n, &fast, &a, &ea);
        int rb = yima_code_parse(in, n, NULL, &b, &eb);

        if (ra != rb)
            fail_msg("'%s': %d vs %d (%s)", in, ra, rb, ra ? ea.msg : eb.msg);
        if (ra != 0) {
            assert_string_equal(ea.msg, eb.msg);
            assert_int_equal(ea.pos, eb.pos);
            continue;
        }
        valid++;
        /* and with the full parse asked the same (canonical_only): a
         * leading space is normalised away but not taken by the quick
         * path, so every rendering it fills must agree too */
        {
            static yima_code c;
            char sp[260];

            sp[0] = ' ';
            memcpy(sp + 1, in, n);
            assert_int_equal(yima_code_parse(sp, n + 1, &fast, &c, &ea), 0);
            assert_string_equal(a.digital_link, c.digital_link);
            assert_string_equal(a.element_string, c.element_string);
            assert_string_equal(a.epc_urn, c.epc_urn);
            assert_string_equal(a.canonical, c.canonical);
            assert_int_equal(a.n_ai, c.n_ai);
        }
        assert_int_equal(a.scheme, b.scheme);
        assert_string_equal(a.form, b.form);
        if (strcmp(a.canonical, b.canonical) != 0)
            fail_msg("'%s': %s vs %s", in, a.canonical, b.canonical);
        assert_int_equal(a.n_ai, b.n_ai);
        for (int i = 0; i < a.n_ai; i++) {
            assert_string_equal(a.ai[i].ai, b.ai[i].ai);
            assert_string_equal(a.ai[i].value, b.ai[i].value);
        }
    }
    assert_true(valid > 100000); /* most were in a common shape */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_detection),
        cmocka_unit_test(test_yima_urns),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_canonical_only_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
