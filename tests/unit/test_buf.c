/*
 * test_buf.c - unit tests for lib/util: capped buffers, JSON strings, errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "yima/buf.h"
#include "yima/error.h"
#include "yima/mem.h"

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

/* Huge-page memory: aligned, whole pages, and an array grown through
 * small blocks into huge ones keeps what it held. */
static void test_mem_huge(void **state)
{
    uint32_t *v = NULL;
    size_t n = 0, cap = 0;
    char *p;

    (void)state;
    assert_non_null(p = yima_mem_huge(1));
    assert_int_equal((uintptr_t)p % YIMA_HUGE_PAGE, 0);
    p[YIMA_HUGE_PAGE - 1] = 1; /* rounded up to a whole huge page */
    free(p);
    for (; n < 3 * YIMA_HUGE_PAGE / sizeof *v; n++) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1000;
            assert_non_null(
                v = yima_mem_grow(v, n * sizeof *v, cap * sizeof *v));
        }
        v[n] = (uint32_t)(n * 2654435761u);
    }
    assert_true(cap * sizeof *v >= YIMA_HUGE_PAGE);
    assert_int_equal((uintptr_t)v % YIMA_HUGE_PAGE, 0);
    for (size_t i = 0; i < n; i++)
        if (v[i] != (uint32_t)(i * 2654435761u))
            fail_msg("element %zu lost in a move", i);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_cap),
        cmocka_unit_test(test_printf_long),
        cmocka_unit_test(test_json_str),
        cmocka_unit_test(test_error),
        cmocka_unit_test(test_mem_huge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
