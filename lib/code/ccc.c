/*
 * ccc.c - China Compulsory Certification (CCC, 3C) certificate numbers.
 *
 * A certificate number is 16 digits:
 *
 *   1-4    year the certificate was first issued
 *   5-6    certification body (01 is the China Quality Certification
 *          Centre, CQC)
 *   7-10   product category: two digits of product class, two of
 *          sub-class (0901 micro-computers, 1101 motor vehicles, ...)
 *   11-16  serial number assigned by the body
 *
 * There is no check digit. The year must fall between the start of the
 * scheme and next year (certificates dated ahead by a few days around the
 * new year exist; anything later is a typo). The regulation that created
 * CCC (AQSIQ Order No. 5) was published on 3 December 2001 and bodies
 * accepted applications from then, with the mark mandatory from
 * 1 May 2002; 2001 is therefore the earliest year accepted.
 */
#include <assert.h>
#include <string.h>
#include <time.h>

#include "code_int.h"

#define CCC_LEN        16
#define CCC_FIRST_YEAR 2001

/* The latest year a certificate may carry: next year, by the UTC clock. */
static int latest_year(void)
{
    time_t now = time(NULL);
    struct tm tm;

    if (now == (time_t)-1 || !gmtime_r(&now, &tm))
        return 9999;
    return tm.tm_year + 1900 + 1;
}

int code_parse_ccc(const char *s, size_t n, yima_code *out, yima_error *err)
{
    char value[CCC_LEN + 1], cb[8];
    int year, latest;
    size_t i;

    assert(s && out);
    code_begin(out, YIMA_SCHEME_CCC);

    /* Every character before the first non-digit is one byte, so the
     * offset of the first bad byte is also its character position. */
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return code_fail(err, i,
                             "CCC certificate: character '%s' at position "
                             "%zu is not a digit",
                             code_show_char(s, n, i, cb), i + 1);
    if (n != CCC_LEN)
        return code_fail(err, CODE_NOPOS,
                         "CCC certificate: length is %zu, expected %d digits",
                         code_char_count(s, n), CCC_LEN);
    memcpy(value, s, CCC_LEN);
    value[CCC_LEN] = '\0';

    year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
           (s[3] - '0');
    if (year < CCC_FIRST_YEAR)
        return code_fail(err, 0,
                         "CCC certificate: year %d is before the scheme "
                         "began (%d)",
                         year, CCC_FIRST_YEAR);
    latest = latest_year();
    if (year > latest)
        return code_fail(err, 0,
                         "CCC certificate: year %d is in the future (latest "
                         "allowed %d)",
                         year, latest);

    code_set_urn(out, YIMA_SCHEME_CCC, value);
    code_part_add(out, "year", value, 4);
    code_part_add(out, "body", value + 4, 2);
    code_part_add(out, "category", value + 6, 4);
    code_part_add(out, "serial", value + 10, 6);
    return 0;
}
