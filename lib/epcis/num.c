/*
 * num.c - numbers for the event hash, without trailing zeros: the text the
 * reference implementation writes for a value read as a double. Integral
 * values are written as integers with every digit ("452.0" -> "452",
 * 1e20 -> "100000000000000000000"); others in the shortest form that reads
 * back to the same double, in fixed notation unless the exponent is below
 * -4 ("0.1", "12.25", "1e-05", "2.5e-07").
 *
 * Formatting and parsing run in the "C" locale whatever the program's
 * locale is, so the decimal point is always '.'.
 */
#include <assert.h>
#include <locale.h>
#include <math.h> /* isfinite() only: no libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "epcis_int.h"

static locale_t c_locale;
static once_flag c_once = ONCE_FLAG_INIT;

static void c_init(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* Switch this thread to the C locale; returns what to restore, or 0. */
static locale_t enter_c(void)
{
    call_once(&c_once, c_init);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void leave_c(locale_t old)
{
    if (old)
        uselocale(old);
}

/* Write non-integral, finite v in its shortest round-trip form. */
static int shortest(yima_buf *out, double v)
{
    char e[40], dig[20];
    size_t nd = 0;
    long ex;
    const char *p;
    char *end;

    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    /* e is "[-]d[.ddd]e[+-]xx": collect the digits and the exponent */
    p = e;
    if (*p == '-') {
        yima_buf_putc(out, '-');
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && nd < sizeof dig)
            dig[nd++] = *p;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    ex = *p == 'e' ? strtol(p + 1, &end, 10) : 0;

    if (ex < -4 || ex >= 16) {
        yima_buf_putc(out, dig[0]);
        if (nd > 1) {
            yima_buf_putc(out, '.');
            yima_buf_add(out, dig + 1, nd - 1);
        }
        return yima_buf_printf(out, "e%c%02ld", ex < 0 ? '-' : '+', labs(ex));
    }
    if (ex < 0) {
        yima_buf_puts(out, "0.");
        for (long i = -1; i > ex; i--)
            yima_buf_putc(out, '0');
        return yima_buf_add(out, dig, nd);
    }
    for (long i = 0; i <= ex; i++)
        yima_buf_putc(out, (size_t)i < nd ? dig[i] : '0');
    if ((size_t)ex + 1 < nd) {
        yima_buf_putc(out, '.');
        yima_buf_add(out, dig + ex + 1, nd - (size_t)ex - 1);
    }
    return out->failed ? YIMA_ETOOBIG : 0;
}

/* True when finite v has no fraction (every double from 2^52 up has none). */
static bool integral(double v)
{
    double a = v < 0 ? -v : v;
    return a >= 4503599627370496.0 || (double)(long long)v == v;
}

/*
 * Non-integral v of a few decimal places (a cable's 12.5 metres, a coil's
 * 2.375 tonnes) without printf: m / 10^k for the fewest places k that read
 * back to v, which is what shortest() finds. With |v| in [1e-4, 1e9) and
 * k <= 6 this is exact: a * 10^k is within 0.07 of its true value (below
 * 2^53), a decimal of k places that reads back to v is within 0.06 of
 * it (half a unit of v is below 6e-8), so only the nearest integer m can
 * be one, and m / 10^k, both exact, divides to the double nearest the
 * decimal. As a unit of v is below 10^-6, no two decimals of k places
 * read back to v: the fewest places give the fewest digits. Otherwise
 * false, and shortest() decides.
 */
static bool few_places(yima_buf *out, double v)
{
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    double a = v < 0 ? -v : v;
    char digits[24], *p = digits + sizeof digits;

    if (!(a >= 1e-4 && a < 1e9))
        return false;
    for (int k = 1; k <= 6; k++) {
        long long m = (long long)(a * p10[k] + 0.5);

        if ((double)m / p10[k] != a)
            continue;
        for (int i = 0; i < k; i++, m /= 10)
            *--p = (char)('0' + m % 10);
        *--p = '.';
        do
            *--p = (char)('0' + m % 10);
        while ((m /= 10) != 0);
        if (v < 0)
            *--p = '-';
        yima_buf_add(out, p, (size_t)(digits + sizeof digits - p));
        return true;
    }
    return false;
}

static int real(yima_buf *out, double v)
{
    if (v == 0)
        return yima_buf_putc(out, '0'); /* also -0.0 */
    if (integral(v))
        return yima_buf_printf(out, "%.0f", v);
    if (few_places(out, v))
        return out->failed ? YIMA_ETOOBIG : 0;
    return shortest(out, v);
}

int epcis_num_real(yima_buf *out, double v)
{
    locale_t old;
    int rc;

    assert(out && isfinite(v));
    old = enter_c();
    rc = real(out, v);
    leave_c(old);
    return rc;
}

int epcis_num_int(yima_buf *out, long long v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    unsigned long long u =
        v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

    assert(out);
    /* what "%lld" writes, without printf: quantities are in every event */
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    return yima_buf_add(out, p, (size_t)(tmp + sizeof tmp - p));
}

bool epcis_num_strtod(const char *s, double *out)
{
    assert(s && out);
    call_once(&c_once, c_init);
    if (!c_locale)
        return false;
    *out = strtod_l(s, NULL, c_locale);
    return true;
}

/* True when s (n bytes) is [+-] (digits [. [digits]] | . digits)
 * [(e|E) [+-] digits]. */
static bool is_decimal(const char *s, size_t n)
{
    size_t i = 0, before = 0, after = 0;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        before++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            after++;
    if (before + after == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t ed = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ed++;
        if (ed == 0)
            return false;
    }
    return i == n;
}

int epcis_num_text(yima_buf *out, const char *s, size_t n)
{
    char tmp[512];
    locale_t old;
    double v;
    int rc;

    assert(out && (s || n == 0));
    if (n == 0 || n >= sizeof tmp || !is_decimal(s, n))
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    old = enter_c();
    v = strtod(tmp, NULL);
    rc = isfinite(v) ? real(out, v) : 0; /* "1e999": keep the text */
    leave_c(old);
    if (rc < 0)
        return rc;
    return isfinite(v) ? 1 : 0;
}
