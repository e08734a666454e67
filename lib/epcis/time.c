/*
 * time.c - timestamps for the event hash: an xsd:dateTimeStamp with any
 * offset and any number of decimals becomes UTC with milliseconds,
 * "YYYY-MM-DDTHH:MM:SS.mmmZ". Also the shape check of eventTimeZoneOffset.
 *
 * Arithmetic goes through milliseconds since 1970 (days from the civil date
 * by the usual proleptic Gregorian formulas), so an offset or a rounding
 * carry crosses midnight, month ends, leap days and years correctly.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "epcis_int.h"

#define MS_PER_DAY 86400000LL

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The k digits at s as a number, or -1 if they are not all digits. */
static int digits(const char *s, size_t k)
{
    int v = 0;

    for (size_t i = 0; i < k; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(long long y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long days_from_civil(long long y, int m, int d)
{
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The civil date of day z counted from 1970-01-01. */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
    long long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int bad(char *why, size_t whysz, const char *msg)
{
    if (why && whysz)
        snprintf(why, whysz, "%s", msg);
    return YIMA_EINVAL;
}

/* Read an xsd:dateTimeStamp (s, n bytes) as UTC milliseconds since 1970
 * into *ms. Returns 0, or YIMA_EINVAL with a short reason in why. */
static int read_time(const char *s, size_t n, long long *ms, char *why,
                     size_t whysz)
{
    long long y, days, rem;
    int mo, d, h, mi, sec, frac = 0, tz = 0;
    size_t i = 19;
    char msg[64];

    assert(s && ms);
    /* YYYY-MM-DDThh:mm:ss */
    if (n < 19 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        return bad(why, whysz, "expected YYYY-MM-DDThh:mm:ss with a time zone");
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    sec = digits(s + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
        return bad(why, whysz, "expected YYYY-MM-DDThh:mm:ss with a time zone");
    if (y < 1)
        return bad(why, whysz, "year 0000 is not allowed");
    if (mo < 1 || mo > 12) {
        snprintf(msg, sizeof msg, "month %02d is not 01..12", mo);
        return bad(why, whysz, msg);
    }
    if (d < 1 || d > month_days(y, mo)) {
        snprintf(msg, sizeof msg, "day %02d is not 01..%02d", d,
                 month_days(y, mo));
        return bad(why, whysz, msg);
    }
    if (h > 23 || mi > 59 || sec > 59) {
        snprintf(msg, sizeof msg, "time %02d:%02d:%02d is not a time of day", h,
                 mi, sec);
        return bad(why, whysz, msg);
    }

    /* fraction: milliseconds, rounded on the 4th decimal */
    if (i < n && s[i] == '.') {
        size_t k = 0;
        for (i++; i < n && is_digit(s[i]); i++, k++) {
            if (k < 3)
                frac = frac * 10 + (s[i] - '0');
            else if (k == 3 && s[i] >= '5')
                frac++;
        }
        if (k == 0)
            return bad(why, whysz, "no digits after the decimal point");
        for (; k < 3; k++)
            frac *= 10;
    }

    /* time zone: Z or +hh:mm / -hh:mm */
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int th, tm;
        if (n - i < 6 || s[i + 3] != ':' || (th = digits(s + i + 1, 2)) < 0 ||
            (tm = digits(s + i + 4, 2)) < 0)
            return bad(why, whysz, "time zone must be Z or +hh:mm / -hh:mm");
        if (tm > 59 || th * 60 + tm > 14 * 60)
            return bad(why, whysz, "time zone offset is beyond 14:00");
        tz = (th * 60 + tm) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else if (i == n) {
        return bad(why, whysz, "no time zone (add Z or +hh:mm)");
    } else {
        return bad(why, whysz, "unexpected character after the seconds");
    }
    if (i != n)
        return bad(why, whysz, "unexpected characters after the time zone");

    *ms = days_from_civil(y, mo, d) * MS_PER_DAY +
          ((long long)h * 3600 + mi * 60 + sec) * 1000 + frac -
          (long long)tz * 60000;
    days = *ms / MS_PER_DAY;
    rem = *ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    civil_from_days(days, &y, &mo, &d);
    if (y < 1 || y > 9999)
        return bad(why, whysz, "outside the years 0001..9999 in UTC");
    return 0;
}

/* Write the k low decimal digits of v (v >= 0) at p. */
static void put_digits(char *p, long long v, int k)
{
    while (k-- > 0) {
        p[k] = (char)('0' + v % 10);
        v /= 10;
    }
}

/*
 * The last timestamp read on this thread, and what it gave: an event's
 * eventTime is read three times over (validation, its milliseconds for the
 * store, the pre-hash), each time from the same text. Only successes are
 * kept, so a message is always made afresh.
 */
#define MEMO_TEXT 48
static _Thread_local struct {
    size_t n; /* 0: empty */
    char text[MEMO_TEXT];
    long long ms;
    char norm[EPCIS_TIME_LEN + 1]; /* "": not made yet */
} memo;

/* read_time() through the memo; on success the memo holds s when
 * n <= MEMO_TEXT. */
static int read_time_memo(const char *s, size_t n, long long *ms, char *why,
                          size_t whysz)
{
    int rc;

    if (n && n == memo.n && memcmp(s, memo.text, n) == 0) {
        *ms = memo.ms;
        return 0;
    }
    if ((rc = read_time(s, n, ms, why, whysz)) == 0 && n <= MEMO_TEXT) {
        memo.n = n;
        memcpy(memo.text, s, n);
        memo.ms = *ms;
        memo.norm[0] = '\0';
    }
    return rc;
}

int epcis_time_norm(const char *s, size_t n, char out[EPCIS_TIME_LEN + 1],
                    char *why, size_t whysz)
{
    long long ms, days, rem, y;
    int mo, d, rc;

    assert(s && out);
    out[0] = '\0';
    if ((rc = read_time_memo(s, n, &ms, why, whysz)) != 0)
        return rc;
    if (n <= MEMO_TEXT && memo.norm[0]) {
        memcpy(out, memo.norm, EPCIS_TIME_LEN + 1);
        return 0;
    }
    days = ms / MS_PER_DAY;
    rem = ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    civil_from_days(days, &y, &mo, &d);
    /* every event has timestamps: written by hand, not by snprintf() */
    memcpy(out, "YYYY-MM-DDThh:mm:ss.mmmZ", EPCIS_TIME_LEN + 1);
    put_digits(out, y, 4);
    put_digits(out + 5, mo, 2);
    put_digits(out + 8, d, 2);
    put_digits(out + 11, rem / 3600000, 2);
    put_digits(out + 14, rem / 60000 % 60, 2);
    put_digits(out + 17, rem / 1000 % 60, 2);
    put_digits(out + 20, rem % 1000, 3);
    if (n <= MEMO_TEXT)
        memcpy(memo.norm, out, EPCIS_TIME_LEN + 1);
    return 0;
}

int epcis_time_ms(const char *s, size_t n, int64_t *ms)
{
    long long v;

    assert(s && ms);
    if (read_time_memo(s, n, &v, NULL, 0) != 0)
        return YIMA_EINVAL;
    *ms = (int64_t)v;
    return 0;
}

int yima_epcis_time_ms(const char *s, size_t n, int64_t *ms)
{
    return epcis_time_ms(s, n, ms);
}

bool epcis_tz_offset_valid(const char *s, size_t n)
{
    int h, m;

    assert(s || n == 0);
    if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
        return false;
    h = digits(s + 1, 2);
    m = digits(s + 4, 2);
    return h >= 0 && m >= 0 && m <= 59 && h * 60 + m <= 14 * 60;
}
