/*
 * test_buf.c - unit tests for lib/util: capped buffers, JSON strings, errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "yima/buf.h"
#include "yima/error.h"

static void test_append_and_cap(void **state)
{
    yima_buf b;
    (void)state;

    yima_buf_init(&b, 8);
    assert_int_equal(yima_buf_puts(&b, "abc"), 0);
    assert_int_equal(yima_buf_printf(&b, "%d", 12345), 0);
    assert_string_equal(b.data, "abc12345");
    assert_int_equal(b.len, 8);
    /* one byte over the cap fails and keeps what was there */
    assert_int_equal(yima_buf_putc(&b, 'x'), YIMA_ETOOBIG);
    assert_true(b.failed);
    assert_string_equal(b.data, "abc12345");
    /* once failed, later appends are refused too, even a byte that fits */
    yima_buf_reset(&b);
    assert_int_equal(yima_buf_puts(&b, "abc"), 0);
    assert_int_equal(yima_buf_puts(&b, "123456"), YIMA_ETOOBIG);
    assert_int_equal(yima_buf_putc(&b, 'y'), YIMA_ETOOBIG);
    assert_string_equal(b.data, "abc");
    yima_buf_reset(&b);
    assert_false(b.failed);
    assert_int_equal(b.len, 0);
    assert_int_equal(yima_buf_puts(&b, "ok"), 0);
    assert_string_equal(b.data, "ok");
    yima_buf_free(&b);
    yima_buf_free(NULL);
}

static void test_printf_long(void **state)
{
    yima_buf b;
    char big[1000];
    (void)state;

    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    yima_buf_init(&b, 4096);
    assert_int_equal(yima_buf_printf(&b, "<%s>", big), 0);
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[1000], '>');
    yima_buf_free(&b);
}

static void check_json(const char *in, size_t n, const char *want)
{
    yima_buf b;
    yima_buf_init(&b, 1024);
    assert_int_equal(yima_buf_json_str(&b, in, n), 0);
    assert_string_equal(b.data, want);
    yima_buf_free(&b);
}

static void test_json_str(void **state)
{
    (void)state;
    check_json("plain", 5, "\"plain\"");
    check_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    check_json("\n\t\x1d", 3, "\"\\n\\t\\u001d\"");
    check_json("一码", strlen("一码"), "\"一码\"");
    /* broken UTF-8 becomes U+FFFD, so the output is always JSON */
    check_json("a\xff"
               "b",
               3,
               "\"a\xef\xbf\xbd"
               "b\"");
    check_json("\xe4\xb8", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    check_json("", 0, "\"\"");
}

static void test_error(void **state)
{
    yima_error e;
    (void)state;

    assert_int_equal(yima_error_set(&e, YIMA_EINVAL, 7, "bad %s", "thing"),
                     YIMA_EINVAL);
    assert_int_equal(e.code, YIMA_EINVAL);
    assert_int_equal(e.pos, 7);
    assert_string_equal(e.msg, "bad thing");
    yima_error_clear(&e);
    assert_int_equal(e.code, 0);
    assert_string_equal(e.msg, "");
    assert_int_equal(yima_error_set(NULL, YIMA_EIO, 0, "x"), YIMA_EIO);
    assert_string_equal(yima_strerror(YIMA_ETOOBIG), "input too large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_cap),
        cmocka_unit_test(test_printf_long),
        cmocka_unit_test(test_json_str),
        cmocka_unit_test(test_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
