/*
 * test_http.c - unit tests for lib/http: percent-decoding, the JSON depth
 * check, route patterns and matching, and the splitting of a request
 * target into path and query. The server itself is tested end to end by
 * tests/cli/serve.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"
#include "yima/http.h"

static void test_decode(void **state)
{
    yima_buf b;
    yima_error err;
    (void)state;

    yima_buf_init(&b, 64);
    assert_int_equal(yima_http_decode("a%20b+c%2Fd", 11, true, &b, &err), 0);
    assert_string_equal(b.data, "a b c/d");
    yima_buf_reset(&b);
    assert_int_equal(yima_http_decode("a+b", 3, false, &b, &err), 0);
    assert_string_equal(b.data, "a+b");
    yima_buf_reset(&b);
    assert_int_equal(yima_http_decode("%e4%B8%80", 9, false, &b, &err), 0);
    assert_string_equal(b.data, "\xe4\xb8\x80");
    yima_buf_reset(&b);
    assert_int_equal(yima_http_decode("ab%zz", 5, false, &b, &err),
                     YIMA_EINVAL);
    assert_int_equal(err.pos, 3);
    assert_int_equal(yima_http_decode("ab%4", 4, false, &b, &err), YIMA_EINVAL);
    assert_int_equal(err.pos, 3);
    assert_int_equal(yima_http_decode("%00", 3, false, &b, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "NUL"));
    yima_buf_free(&b);
}

static void test_json_depth(void **state)
{
    yima_error err;
    char deep[200];
    (void)state;

    assert_int_equal(yima_http_json_depth("{\"a\":[1,{\"b\":2}]}", 17, 3, &err),
                     0);
    assert_int_equal(yima_http_json_depth("{\"a\":[1,{\"b\":2}]}", 17, 2, &err),
                     YIMA_EINVAL);
    assert_int_equal(err.pos, 9);
    /* brackets inside strings, escaped quotes included, do not count */
    assert_int_equal(yima_http_json_depth("[\"[[[\\\"[[[\"]", 12, 1, &err), 0);
    /* line and column */
    assert_int_equal(yima_http_json_depth("[\n [\n  [", 8, 2, &err),
                     YIMA_EINVAL);
    assert_int_equal(err.pos, 8);
    assert_non_null(strstr(err.msg, "at byte 8 (line 3, column 3)"));
    /* depth comes back down */
    memset(deep, 0, sizeof deep);
    for (int i = 0; i < 50; i++)
        strcat(deep, "[]");
    assert_int_equal(yima_http_json_depth(deep, strlen(deep), 1, &err), 0);
    assert_int_equal(yima_http_json_depth("", 0, 1, &err), 0);
}

static int nop(yima_http_req *req, yima_http_res *res)
{
    (void)req, (void)res;
    return 0;
}

static const yima_http_route routes[] = {
    {"GET", "/healthz", nop, 0},
    {"POST", "/epcis/capture", nop, 0},
    {"GET", "/epcis/capture/{id}", nop, 0},
    {"GET", "/01/{gtin}/21/{serial}", nop, 0},
    {"GET", "/files/{path...}", nop, 0},
    {"DELETE", "/epcis/capture/{id}", nop, 0},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static void req_init(yima_http_req *req, const char *method, const char *target)
{
    memset(req, 0, sizeof *req);
    snprintf(req->method, sizeof req->method, "%s", method);
    req->arena.cap = 1 << 20;
    yima_buf_init(&req->target, 8192);
    yima_buf_puts(&req->target, target);
}

static void req_free(yima_http_req *req)
{
    yima_buf_free(&req->target);
    http_arena_free(&req->arena);
}

static int find(yima_http_req *req, const char *method, const char *target,
                int *path_route)
{
    req_init(req, method, target);
    assert_int_equal(http_req_parse_target(req), 0);
    return http_route_find(routes, NROUTES, req, path_route);
}

static void test_routes(void **state)
{
    yima_http_req req;
    yima_error err;
    yima_buf allow;
    int pr;
    (void)state;

    assert_int_equal(http_routes_check(routes, NROUTES, &err), 0);
    assert_int_equal(find(&req, "GET", "/healthz", &pr), 0);
    req_free(&req);
    assert_int_equal(find(&req, "HEAD", "/healthz", &pr), 0);
    req_free(&req);
    assert_int_equal(find(&req, "GET", "/healthz/", &pr), -1);
    assert_int_equal(pr, -1);
    req_free(&req);

    assert_int_equal(find(&req, "GET", "/01/09506000134352/21/a%2Fb?x=1", &pr),
                     3);
    assert_string_equal(yima_http_req_param(&req, "gtin"), "09506000134352");
    assert_string_equal(yima_http_req_param(&req, "serial"), "a/b");
    assert_null(yima_http_req_param(&req, "lot"));
    req_free(&req);
    assert_int_equal(find(&req, "GET", "/01//21/x", &pr), -1);
    req_free(&req);

    assert_int_equal(find(&req, "GET", "/files/a/b%20c", &pr), 4);
    assert_string_equal(yima_http_req_param(&req, "path"), "a/b c");
    req_free(&req);

    /* path known, method not: the 405 case, with every allowed method */
    assert_int_equal(find(&req, "PUT", "/epcis/capture/7", &pr), -1);
    assert_int_equal(pr, 2);
    yima_buf_init(&allow, 256);
    http_route_allow(routes, NROUTES, req.path, &allow);
    assert_string_equal(allow.data, "GET, HEAD, DELETE");
    yima_buf_free(&allow);
    req_free(&req);
}

static void test_bad_routes(void **state)
{
    static const yima_http_route bad[][1] = {
        {{"GET", "healthz", nop, 0}},        {{"GET", "/a/{x", nop, 0}},
        {{"GET", "/a/{}", nop, 0}},          {{"GET", "/a/x}", nop, 0}},
        {{"GET", "/a/{rest...}/b", nop, 0}}, {{"GET", "/a", NULL, 0}},
    };
    yima_error err;
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(http_routes_check(bad[i], 1, &err), YIMA_EINVAL);
    assert_non_null(strstr(err.msg, "route 1"));
}

static void test_query(void **state)
{
    yima_http_req req;
    const char *name, *value;
    (void)state;

    req_init(&req, "GET",
             "/epcis/events?eventType=ObjectEvent&GE_eventTime=2024-01-01T00"
             "%3A00%3A00Z&MATCH_epc=urn%3Aepc%3Aid%3Asgtin%3A1.2.3&flag&&q=a+b"
             "#frag");
    assert_int_equal(http_req_parse_target(&req), 0);
    assert_string_equal(yima_http_req_path(&req), "/epcis/events");
    assert_int_equal(yima_http_req_query_count(&req), 5);
    assert_string_equal(yima_http_req_query(&req, "eventType"), "ObjectEvent");
    assert_string_equal(yima_http_req_query(&req, "GE_eventTime"),
                        "2024-01-01T00:00:00Z");
    assert_string_equal(yima_http_req_query(&req, "MATCH_epc"),
                        "urn:epc:id:sgtin:1.2.3");
    assert_string_equal(yima_http_req_query(&req, "flag"), "");
    assert_string_equal(yima_http_req_query(&req, "q"), "a b");
    assert_null(yima_http_req_query(&req, "nope"));
    assert_true(yima_http_req_query_at(&req, 4, &name, &value));
    assert_string_equal(name, "q");
    assert_false(yima_http_req_query_at(&req, 5, &name, &value));
    req_free(&req);

    /* absolute-form target */
    req_init(&req, "GET", "http://example.test:8080/healthz?a=1");
    assert_int_equal(http_req_parse_target(&req), 0);
    assert_string_equal(yima_http_req_path(&req), "/healthz");
    req_free(&req);

    /* errors name the byte of the target */
    req_init(&req, "GET", "/a?x=%zz");
    assert_int_equal(http_req_parse_target(&req), -1);
    assert_int_equal(req.early_status, 400);
    assert_non_null(strstr(req.early_detail, "at byte 6 of the request"));
    req_free(&req);
    req_init(&req, "OPTIONS", "*");
    assert_int_equal(http_req_parse_target(&req), -1);
    assert_non_null(strstr(req.early_detail, "starting with '/'"));
    req_free(&req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode), cmocka_unit_test(test_json_depth),
        cmocka_unit_test(test_routes), cmocka_unit_test(test_bad_routes),
        cmocka_unit_test(test_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
