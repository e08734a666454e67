/*
 * gs1_lint.c - the GS1 Barcode Syntax Dictionary's linters: content rules
 * applied to one component of an AI value (see gs1_int.h).
 *
 * Each linter takes the component's bytes, which the caller has already
 * checked for length and character set, but every linter stays safe on any
 * input. On failure it writes a short reason for a person and the offset
 * within the component at fault.
 *
 * The rules follow the GS1 General Specifications and the behaviour of the
 * GS1 reference linters; the code lists come from their standards:
 * ISO 3166-1 and ISO 4217 as published by Debian's iso-codes 4.15 (plus
 * ZWG, 924, added to ISO 4217 in 2024), the SWIFT IBAN registry (lengths
 * per country), the GS1 AIDC media type table and the GS1 PackageTypeCode
 * list (UN/ECE Recommendation 21 codes with GS1's additions).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1_int.h"

/* Where a failing linter writes its reason and the offset at fault. */
typedef struct verdict {
    char *why;
    size_t whysz;
    size_t *bad;
} verdict;

static int reject(verdict *v, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int reject(verdict *v, size_t at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v->why, v->whysz, fmt, ap);
    va_end(ap);
    *v->bad = at;
    return YIMA_EINVAL;
}

/* A printable rendering of one byte for messages: 'A' or byte 0x1D. */
typedef struct shown {
    char s[12];
} shown;

static shown show(char ch)
{
    shown r;
    unsigned char u = (unsigned char)ch;

    if (u >= 0x20 && u < 0x7f)
        snprintf(r.s, sizeof r.s, "'%c'", ch);
    else
        snprintf(r.s, sizeof r.s, "byte 0x%02X", u);
    return r;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_upper(char ch)
{
    return ch >= 'A' && ch <= 'Z';
}

/* All n bytes are digits, else reject at the first that is not. */
static int all_digits(const char *c, size_t n, verdict *v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_digit(c[i]))
            return reject(v, i, "%s is not a digit", show(c[i]).s);
    return 0;
}

/* The value of n (<= 19) digits. */
static unsigned long long num(const char *c, size_t n)
{
    unsigned long long x = 0;
    size_t i;

    assert(n <= 19);
    for (i = 0; i < n; i++)
        x = x * 10 + (unsigned)(c[i] - '0');
    return x;
}

/* Exactly `want` digits, else reject. */
static int fixed_digits(const char *c, size_t n, size_t want, const char *what,
                        verdict *v)
{
    if (n != want)
        return reject(v, 0, "%s must be %zu digits, not %zu", what, want, n);
    return all_digits(c, n, v);
}

static int cmp_ushort(const void *a, const void *b)
{
    unsigned short x = *(const unsigned short *)a;
    unsigned short y = *(const unsigned short *)b;

    return (x > y) - (x < y);
}

static bool in_ushort(const unsigned short *set, size_t count,
                      unsigned long long x)
{
    unsigned short key;

    if (x > 0xffff)
        return false;
    key = (unsigned short)x;
    return bsearch(&key, set, count, sizeof *set, cmp_ushort) != NULL;
}

/* Is the n-byte string s one of the sorted, NUL-padded strings in set? */
static bool in_strings(const char *set, size_t width, size_t count,
                       const char *s, size_t n)
{
    size_t lo = 0, hi = count;

    if (n >= width)
        return false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *e = set + mid * width;
        int r = strncmp(e, s, n);

        if (r == 0 && e[n] != '\0')
            r = 1; /* e is longer than s */
        if (r == 0)
            return true;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* ---- Check characters ------------------------------------------------- */

/* GS1 mod-10 check digit in the last position. */
static int csum(const char *c, size_t n, verdict *v)
{
    char want;
    int rc;

    if (n < 2)
        return reject(v, 0, "too short to carry a check digit");
    if ((rc = all_digits(c, n, v)) != 0)
        return rc;
    want = code_gs1_check_digit(c, n - 1);
    if (c[n - 1] != want)
        return reject(v, n - 1, "check digit is %c, expected %c", c[n - 1],
                      want);
    return 0;
}

/*
 * GS1 check character pair for alphanumeric keys (GMN, MUDI): each data
 * character's value (its position in CSET 82) is weighted by the primes
 * 2, 3, 5, ... from the right; the sum modulo 1021 is split into two 5-bit
 * halves, each written as a CSET 32 character.
 */
static const char cset82[] = "!\"%&'()*+,-./0123456789:;<=>?"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                             "abcdefghijklmnopqrstuvwxyz";
static const char cset32[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
static const unsigned short primes[] = {
    2,   3,   5,   7,   11,  13,  17,  19,  23,  29,  31,  37,  41,  43,
    47,  53,  59,  61,  67,  71,  73,  79,  83,  89,  97,  101, 103, 107,
    109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181,
    191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263,
    269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347, 349,
    353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433,
    439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509,
};

static int csumalpha(const char *c, size_t n, verdict *v)
{
    unsigned long sum = 0;
    size_t i, nd;
    char want1, want2;

    if (n < 2)
        return reject(v, 0, "too short to carry a check character pair");
    nd = n - 2;
    if (nd > sizeof primes / sizeof primes[0])
        return reject(v, 0, "too long for a check character pair");
    for (i = 0; i < nd; i++) {
        const char *p = c[i] ? strchr(cset82, c[i]) : NULL;

        if (p == NULL)
            return reject(v, i, "%s is not in GS1 CSET 82", show(c[i]).s);
        sum += (unsigned long)(p - cset82) * primes[nd - 1 - i];
    }
    for (i = nd; i < n; i++)
        if (c[i] == '\0' || strchr(cset32, c[i]) == NULL)
            return reject(v, i, "check character %s is not in GS1 CSET 32",
                          show(c[i]).s);
    sum %= 1021;
    want1 = cset32[sum >> 5];
    want2 = cset32[sum & 31];
    if (c[nd] != want1 || c[nd + 1] != want2)
        return reject(v, nd, "check characters are %c%c, expected %c%c", c[nd],
                      c[nd + 1], want1, want2);
    return 0;
}

/*
 * The data starts with a GS1 Company Prefix. Without a table of allocated
 * prefixes this is what the GS1 reference linter checks too: at least the
 * shortest prefix length (4) of digits. No range is refused here: zeros
 * lead GTIN-8/12 written as GTIN-14, and restricted-circulation prefixes
 * (02, 04, 2x) appear legitimately in (01).
 */
#define GCP_MIN_LEN 4

static int gcppos1(const char *c, size_t n, verdict *v)
{
    size_t i;

    if (n < GCP_MIN_LEN)
        return reject(v, 0, "too short to start with a GS1 Company Prefix");
    for (i = 0; i < GCP_MIN_LEN; i++)
        if (!is_digit(c[i]))
            return reject(v, i,
                          "GS1 Company Prefix must start with %d digits, "
                          "found %s",
                          GCP_MIN_LEN, show(c[i]).s);
    return 0;
}

static int gcppos2(const char *c, size_t n, verdict *v)
{
    int rc;

    if (n < 1 + GCP_MIN_LEN)
        return reject(v, 0, "too short to hold a GS1 Company Prefix");
    if ((rc = gcppos1(c + 1, n - 1, v)) != 0)
        (*v->bad)++;
    return rc;
}

/* ---- Dates and times -------------------------------------------------- */

static bool leap(unsigned y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};

    assert(m >= 1 && m <= 12);
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/*
 * YYMMDD (ylen 2) or YYYYMMDD (ylen 4); day 00 allowed when day0. A
 * two-digit year is taken as 20YY: for leap years that only matters for
 * 00, which the GS1 century rule maps to 2000 until 2050.
 */
static int date(const char *c, size_t n, size_t ylen, bool day0, verdict *v)
{
    unsigned y, m, d;
    int rc;

    if ((rc = fixed_digits(c, n, ylen + 4, "date", v)) != 0)
        return rc;
    y = (unsigned)num(c, ylen) + (ylen == 2 ? 2000 : 0);
    m = (unsigned)num(c + ylen, 2);
    d = (unsigned)num(c + ylen + 2, 2);
    if (m < 1 || m > 12)
        return reject(v, ylen, "month %02u is not 01..12", m);
    if (d == 0 && day0)
        return 0;
    if (d < 1 || d > days_in(y, m))
        return reject(v, ylen + 2, "day %02u does not exist in %04u-%02u", d, y,
                      m);
    return 0;
}

/* A two-digit hour, minute or second no larger than max. */
static int clock_part(const char *c, size_t n, unsigned max, const char *what,
                      verdict *v)
{
    unsigned x;
    int rc;

    if ((rc = fixed_digits(c, n, 2, what, v)) != 0)
        return rc;
    x = (unsigned)num(c, 2);
    if (x > max)
        return reject(v, 0, "%s %02u is not 00..%02u", what, x, max);
    return 0;
}

static int hhmi(const char *c, size_t n, verdict *v)
{
    int rc;

    if ((rc = fixed_digits(c, n, 4, "time", v)) != 0)
        return rc;
    if ((rc = clock_part(c, 2, 23, "hour", v)) != 0)
        return rc;
    if ((rc = clock_part(c + 2, 2, 59, "minute", v)) != 0)
        (*v->bad) += 2;
    return rc;
}

/* ---- Code lists ------------------------------------------------------- */

/* ISO 3166-1 numeric country codes (249). */
static const unsigned short iso3166_num[] = {
    4,   8,   10,  12,  16,  20,  24,  28,  31,  32,  36,  40,  44,  48,  50,
    51,  52,  56,  60,  64,  68,  70,  72,  74,  76,  84,  86,  90,  92,  96,
    100, 104, 108, 112, 116, 120, 124, 132, 136, 140, 144, 148, 152, 156, 158,
    162, 166, 170, 174, 175, 178, 180, 184, 188, 191, 192, 196, 203, 204, 208,
    212, 214, 218, 222, 226, 231, 232, 233, 234, 238, 239, 242, 246, 248, 250,
    254, 258, 260, 262, 266, 268, 270, 275, 276, 288, 292, 296, 300, 304, 308,
    312, 316, 320, 324, 328, 332, 334, 336, 340, 344, 348, 352, 356, 360, 364,
    368, 372, 376, 380, 384, 388, 392, 398, 400, 404, 408, 410, 414, 417, 418,
    422, 426, 428, 430, 434, 438, 440, 442, 446, 450, 454, 458, 462, 466, 470,
    474, 478, 480, 484, 492, 496, 498, 499, 500, 504, 508, 512, 516, 520, 524,
    528, 531, 533, 534, 535, 540, 548, 554, 558, 562, 566, 570, 574, 578, 580,
    581, 583, 584, 585, 586, 591, 598, 600, 604, 608, 612, 616, 620, 624, 626,
    630, 634, 638, 642, 643, 646, 652, 654, 659, 660, 662, 663, 666, 670, 674,
    678, 682, 686, 688, 690, 694, 702, 703, 704, 705, 706, 710, 716, 724, 728,
    729, 732, 740, 744, 748, 752, 756, 760, 762, 764, 768, 772, 776, 780, 784,
    788, 792, 795, 796, 798, 800, 804, 807, 818, 826, 831, 832, 833, 834, 840,
    850, 854, 858, 860, 862, 876, 882, 887, 894,
};

/* ISO 3166-1 alpha-2 country codes (249), sorted. */
static const char iso3166_a2[][3] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT",
    "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI",
    "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
    "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
    "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL",
    "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
    "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS",
    "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW",
    "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP",
    "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
    "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
    "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

/* ISO 4217 numeric currency codes (182), including funds and X codes. */
static const unsigned short iso4217_num[] = {
    8,   12,  32,  36,  44,  48,  50,  51,  52,  60,  64,  68,  72,  84,
    90,  96,  104, 108, 116, 124, 132, 136, 144, 152, 156, 170, 174, 188,
    191, 192, 203, 208, 214, 222, 230, 232, 238, 242, 262, 270, 292, 320,
    324, 328, 332, 340, 344, 348, 352, 356, 360, 364, 368, 376, 388, 392,
    398, 400, 404, 408, 410, 414, 417, 418, 422, 426, 430, 434, 446, 454,
    458, 462, 480, 484, 496, 498, 504, 512, 516, 524, 532, 533, 548, 554,
    558, 566, 578, 586, 590, 598, 600, 604, 608, 634, 643, 646, 654, 682,
    690, 694, 702, 704, 706, 710, 728, 748, 752, 756, 760, 764, 776, 780,
    784, 788, 800, 807, 818, 826, 834, 840, 858, 860, 882, 886, 901, 924,
    925, 926, 927, 928, 929, 930, 931, 932, 933, 934, 936, 938, 940, 941,
    943, 944, 946, 947, 948, 949, 950, 951, 952, 953, 955, 956, 957, 958,
    959, 960, 961, 962, 963, 964, 965, 967, 968, 969, 970, 971, 972, 973,
    975, 976, 977, 978, 979, 980, 981, 984, 985, 986, 990, 994, 997, 999,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int iso3166(const char *c, size_t n, bool or999, verdict *v)
{
    unsigned long long x;
    int rc;

    if ((rc = fixed_digits(c, n, 3, "country code", v)) != 0)
        return rc;
    x = num(c, 3);
    if (or999 && x == 999)
        return 0;
    if (!in_ushort(iso3166_num, COUNT(iso3166_num), x))
        return reject(v, 0, "%03llu is not an ISO 3166-1 numeric country code",
                      x);
    return 0;
}

static int iso3166alpha2(const char *c, size_t n, verdict *v)
{
    if (!in_strings((const char *)iso3166_a2, sizeof iso3166_a2[0],
                    COUNT(iso3166_a2), c, n))
        return reject(v, 0, "\"%.*s\" is not an ISO 3166-1 alpha-2 code",
                      (int)(n > 8 ? 8 : n), c);
    return 0;
}

static int iso4217(const char *c, size_t n, verdict *v)
{
    unsigned long long x;
    int rc;

    if ((rc = fixed_digits(c, n, 3, "currency code", v)) != 0)
        return rc;
    x = num(c, 3);
    if (!in_ushort(iso4217_num, COUNT(iso4217_num), x))
        return reject(v, 0, "%03llu is not an ISO 4217 numeric currency code",
                      x);
    return 0;
}

/* ISO/IEC 5218 sex codes: 0 not known, 1 male, 2 female, 9 not applicable. */
static int iso5218(const char *c, size_t n, verdict *v)
{
    if (n != 1 || (c[0] != '0' && c[0] != '1' && c[0] != '2' && c[0] != '9'))
        return reject(v, 0, "sex code must be 0, 1, 2 or 9 (ISO/IEC 5218)");
    return 0;
}

/*
 * GS1 PackageTypeCode list: UN/ECE Recommendation 21 codes plus GS1's own
 * (200..212, APE, BGE, ...), sorted by strcmp.
 */
static const char package_types[][4] = {
    "1A",  "1B",  "1D",  "1F",  "1G",  "1W",  "200", "201", "202", "203", "204",
    "205", "206", "210", "211", "212", "2C",  "3A",  "3H",  "43",  "44",  "4A",
    "4B",  "4C",  "4D",  "4F",  "4G",  "4H",  "5H",  "5L",  "5M",  "6H",  "6P",
    "7A",  "7B",  "8",   "8A",  "8B",  "8C",  "9",   "AA",  "AB",  "AC",  "AD",
    "AF",  "AG",  "AH",  "AI",  "AJ",  "AL",  "AM",  "AP",  "APE", "AT",  "AV",
    "B4",  "BB",  "BC",  "BD",  "BE",  "BF",  "BG",  "BGE", "BH",  "BI",  "BJ",
    "BK",  "BL",  "BM",  "BME", "BN",  "BO",  "BP",  "BQ",  "BR",  "BRI", "BS",
    "BT",  "BU",  "BV",  "BW",  "BX",  "BY",  "BZ",  "CA",  "CB",  "CBL", "CC",
    "CCE", "CD",  "CE",  "CF",  "CG",  "CH",  "CI",  "CJ",  "CK",  "CL",  "CM",
    "CN",  "CO",  "CP",  "CQ",  "CR",  "CS",  "CT",  "CU",  "CV",  "CW",  "CX",
    "CY",  "CZ",  "DA",  "DB",  "DC",  "DG",  "DH",  "DI",  "DJ",  "DK",  "DL",
    "DM",  "DN",  "DP",  "DPE", "DR",  "DS",  "DT",  "DU",  "DV",  "DW",  "DX",
    "DY",  "E1",  "E2",  "E3",  "EC",  "ED",  "EE",  "EF",  "EG",  "EH",  "EI",
    "EN",  "FB",  "FC",  "FD",  "FE",  "FI",  "FL",  "FO",  "FOB", "FP",  "FPE",
    "FR",  "FT",  "FW",  "FX",  "GB",  "GI",  "GL",  "GR",  "GU",  "GY",  "GZ",
    "HA",  "HB",  "HC",  "HG",  "HN",  "HR",  "IA",  "IB",  "IC",  "ID",  "IE",
    "IF",  "IG",  "IH",  "IK",  "IL",  "IN",  "IZ",  "JB",  "JC",  "JG",  "JR",
    "JT",  "JY",  "KG",  "KI",  "LAB", "LE",  "LG",  "LT",  "LU",  "LV",  "LZ",
    "MA",  "MB",  "MC",  "ME",  "MPE", "MR",  "MS",  "MT",  "MW",  "MX",  "NA",
    "NE",  "NF",  "NG",  "NS",  "NT",  "NU",  "NV",  "OA",  "OB",  "OC",  "OD",
    "OE",  "OF",  "OK",  "OPE", "OT",  "OU",  "P2",  "PA",  "PAE", "PB",  "PC",
    "PD",  "PE",  "PF",  "PG",  "PH",  "PI",  "PJ",  "PK",  "PL",  "PLP", "PN",
    "PO",  "POP", "PP",  "PPE", "PR",  "PT",  "PU",  "PUE", "PV",  "PX",  "PY",
    "PZ",  "QA",  "QB",  "QC",  "QD",  "QF",  "QG",  "QH",  "QJ",  "QK",  "QL",
    "QM",  "QN",  "QP",  "QQ",  "QR",  "QS",  "RB1", "RB2", "RB3", "RCB", "RD",
    "RG",  "RJ",  "RK",  "RL",  "RO",  "RT",  "RZ",  "S1",  "SA",  "SB",  "SC",
    "SD",  "SE",  "SEC", "SH",  "SI",  "SK",  "SL",  "SM",  "SO",  "SP",  "SS",
    "ST",  "STL", "SU",  "SV",  "SW",  "SX",  "SY",  "SZ",  "T1",  "TB",  "TC",
    "TD",  "TE",  "TEV", "TG",  "THE", "TI",  "TK",  "TL",  "TN",  "TO",  "TR",
    "TRE", "TS",  "TT",  "TTE", "TU",  "TV",  "TW",  "TWE", "TY",  "TZ",  "UC",
    "UN",  "UUE", "VA",  "VG",  "VI",  "VK",  "VL",  "VN",  "VO",  "VP",  "VQ",
    "VR",  "VS",  "VY",  "WA",  "WB",  "WC",  "WD",  "WF",  "WG",  "WH",  "WJ",
    "WK",  "WL",  "WM",  "WN",  "WP",  "WQ",  "WR",  "WRP", "WS",  "WT",  "WU",
    "WV",  "WW",  "WX",  "WY",  "WZ",  "X11", "X12", "X15", "X16", "X17", "X18",
    "X19", "X20", "X3",  "XA",  "XB",  "XC",  "XD",  "XF",  "XG",  "XH",  "XJ",
    "XK",  "YA",  "YB",  "YC",  "YD",  "YF",  "YG",  "YH",  "YJ",  "YK",  "YL",
    "YM",  "YN",  "YP",  "YQ",  "YR",  "YS",  "YT",  "YV",  "YW",  "YX",  "YY",
    "YZ",  "ZA",  "ZB",  "ZC",  "ZD",  "ZF",  "ZG",  "ZH",  "ZJ",  "ZK",  "ZL",
    "ZM",  "ZN",  "ZP",  "ZQ",  "ZR",  "ZS",  "ZT",  "ZU",  "ZV",  "ZW",  "ZX",
    "ZY",  "ZZ",
};

static int packagetype(const char *c, size_t n, verdict *v)
{
    if (!in_strings((const char *)package_types, sizeof package_types[0],
                    COUNT(package_types), c, n))
        return reject(v, 0, "\"%.*s\" is not a GS1 package type code",
                      (int)(n > 8 ? 8 : n), c);
    return 0;
}

/* GS1 AIDC media types: 01..10 assigned, 80..99 for local use. */
static int mediatype(const char *c, size_t n, verdict *v)
{
    unsigned long long x;
    int rc;

    if ((rc = fixed_digits(c, n, 2, "media type", v)) != 0)
        return rc;
    x = num(c, 2);
    if (!((x >= 1 && x <= 10) || x >= 80))
        return reject(v, 0, "media type %02llu is not assigned", x);
    return 0;
}

/* Importer index of an EU 2018/574 facility or machine ID. */
static int importeridx(const char *c, size_t n, verdict *v)
{
    char ch;

    if (n != 1)
        return reject(v, 0, "importer index must be one character");
    ch = c[0];
    if (!(is_digit(ch) || is_upper(ch) || (ch >= 'a' && ch <= 'z') ||
          ch == '-' || ch == '_'))
        return reject(v, 0, "importer index %s is not 0-9, A-Z, a-z, - or _",
                      show(ch).s);
    return 0;
}

/* ---- IBAN (ISO 13616) ------------------------------------------------- */

/* IBAN length per country, from the SWIFT IBAN registry (release 102). */
static const struct iban_country {
    char cc[3];
    unsigned char len;
} iban_countries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20},
    {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28},
    {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23},
    {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30},
    {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22},
    {"MK", 19}, {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28},
    {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28}, {"PS", 29},
    {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
    {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26},
    {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

/* Fold one IBAN character into a running mod-97 remainder. */
static unsigned mod97_add(unsigned r, char ch)
{
    if (is_digit(ch))
        return (r * 10 + (unsigned)(ch - '0')) % 97;
    return (r * 100 + (unsigned)(ch - 'A' + 10)) % 97;
}

static int iban(const char *c, size_t n, verdict *v)
{
    const struct iban_country *ctry = NULL;
    unsigned r = 0, want, got;
    size_t i;

    if (n < 2 || !is_upper(c[0]) || !is_upper(c[1]))
        return reject(v, 0, "IBAN must start with a two-letter country code");
    for (i = 0; i < COUNT(iban_countries); i++)
        if (memcmp(iban_countries[i].cc, c, 2) == 0)
            ctry = &iban_countries[i];
    if (ctry == NULL)
        return reject(v, 0, "country %.2s does not issue IBANs", c);
    if (n != ctry->len)
        return reject(v, n < ctry->len ? 0 : ctry->len,
                      "IBAN for %.2s must be %u characters, not %zu", c,
                      (unsigned)ctry->len, n);
    for (i = 2; i < 4; i++)
        if (!is_digit(c[i]))
            return reject(v, i, "IBAN check digit %s is not a digit",
                          show(c[i]).s);
    for (i = 4; i < n; i++)
        if (!is_digit(c[i]) && !is_upper(c[i]))
            return reject(v, i, "%s is not allowed in an IBAN (0-9, A-Z)",
                          show(c[i]).s);
    /* Move the country code and "00" to the end; the check digits are
     * 98 minus the remainder. */
    for (i = 4; i < n; i++)
        r = mod97_add(r, c[i]);
    r = mod97_add(r, c[0]);
    r = mod97_add(r, c[1]);
    r = mod97_add(mod97_add(r, '0'), '0');
    want = 98 - r;
    got = (unsigned)num(c + 2, 2);
    if (got != want)
        return reject(v, 2, "IBAN check digits are %02u, expected %02u", got,
                      want);
    return 0;
}

/* ---- Small value rules ------------------------------------------------ */

static int one_of(const char *c, size_t n, const char *allowed,
                  const char *what, verdict *v)
{
    if (n != 1 || c[0] == '\0' || strchr(allowed, c[0]) == NULL)
        return reject(v, 0, "%s", what);
    return 0;
}

static int nonzero(const char *c, size_t n, verdict *v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (c[i] != '0')
            return 0;
    return reject(v, 0, "value must not be zero");
}

static int zero(const char *c, size_t n, verdict *v)
{
    size_t i;

    if (n == 0)
        return reject(v, 0, "value must be zero");
    for (i = 0; i < n; i++)
        if (c[i] != '0')
            return reject(v, i, "value must be zero");
    return 0;
}

static int nozeroprefix(const char *c, size_t n, verdict *v)
{
    if (n > 0 && c[0] == '0')
        return reject(v, 0, "value must not start with 0");
    return all_digits(c, n, v);
}

static int hasnondigit(const char *c, size_t n, verdict *v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_digit(c[i]))
            return 0;
    return reject(v, 0, "value must contain a character that is not a digit");
}

static int hyphen(const char *c, size_t n, verdict *v)
{
    size_t i;

    if (n == 0)
        return reject(v, 0, "value must be '-'");
    for (i = 0; i < n; i++)
        if (c[i] != '-')
            return reject(v, i, "%s is not '-'", show(c[i]).s);
    return 0;
}

/* Every '%' starts a %XX escape (RFC 3986, 2.1). */
static int pcenc(const char *c, size_t n, verdict *v)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (c[i] != '%')
            continue;
        if (code_pct_decode(c, n, i) < 0)
            return reject(v, i, "'%%' must be followed by two hex digits");
        i += 2;
    }
    return 0;
}

/* PP..TT: piece number then total, equal widths, 1 <= piece <= total. */
static int pieceoftotal(const char *c, size_t n, verdict *v)
{
    size_t h = n / 2, i;
    int rc, order = 0;
    bool p0 = true, t0 = true;

    if ((rc = all_digits(c, n, v)) != 0)
        return rc;
    if (n == 0 || n % 2 != 0)
        return reject(v, 0,
                      "piece and total must have the same number of "
                      "digits");
    for (i = 0; i < h; i++) {
        if (c[i] != '0')
            p0 = false;
        if (c[h + i] != '0')
            t0 = false;
        if (order == 0 && c[i] != c[h + i])
            order = c[i] < c[h + i] ? -1 : 1;
    }
    if (p0)
        return reject(v, 0, "piece number must not be zero");
    if (t0)
        return reject(v, h, "total number of pieces must not be zero");
    if (order > 0)
        return reject(v, 0, "piece %.*s is more than the total %.*s", (int)h, c,
                      (int)h, c + h);
    return 0;
}

/* "<pos>/<end>": digits without leading zeros, 1 <= pos <= end. */
static int posinseqslash(const char *c, size_t n, verdict *v)
{
    size_t slash, i, plen, elen;

    for (slash = 0; slash < n && is_digit(c[slash]); slash++)
        ;
    if (slash == 0 || slash >= n || c[slash] != '/' || slash + 1 == n)
        return reject(v, 0, "value must be <position>/<total>");
    for (i = slash + 1; i < n; i++)
        if (!is_digit(c[i]))
            return reject(v, i, "value must be <position>/<total>");
    if (c[0] == '0')
        return reject(v, 0, "position must not be zero or start with 0");
    if (c[slash + 1] == '0')
        return reject(v, slash + 1, "total must not be zero or start with 0");
    plen = slash;
    elen = n - slash - 1;
    if (plen > elen || (plen == elen && memcmp(c, c + slash + 1, plen) > 0))
        return reject(v, 0, "position %.*s is more than the total %.*s",
                      (int)plen, c, (int)elen, c + slash + 1);
    return 0;
}

/* Ten digits, microdegrees offset so they are never negative. */
static int coordinate(const char *c, size_t n, unsigned long long max,
                      const char *what, verdict *v)
{
    unsigned long long x;
    int rc;

    if ((rc = fixed_digits(c, n, 10, what, v)) != 0)
        return rc;
    x = num(c, 10);
    if (x > max)
        return reject(v, 0, "%s %010llu is more than %010llu", what, x, max);
    return 0;
}

/* ---- North American coupon codes -------------------------------------- */

/* A cursor over an all-digit coupon value. */
typedef struct cursor {
    const char *c;
    size_t n, p;
    verdict *v;
} cursor;

/* One digit at the cursor, allowed if it is in `allowed`; advances. */
static int take_code(cursor *k, const char *allowed, const char *what,
                     unsigned *out)
{
    if (k->p >= k->n)
        return reject(k->v, k->p, "coupon ends before the %s", what);
    if (strchr(allowed, k->c[k->p]) == NULL)
        return reject(k->v, k->p, "%s %c is not one of %s", what, k->c[k->p],
                      allowed);
    *out = (unsigned)(k->c[k->p] - '0');
    k->p++;
    return 0;
}

/* `len` digits at the cursor; advances. */
static int take_field(cursor *k, size_t len, const char *what)
{
    if (k->n - k->p < len)
        return reject(k->v, k->p, "%s is cut short: %zu digits expected", what,
                      len);
    k->p += len;
    return 0;
}

/* A length indicator in `allowed`, then that many digits plus `add`
 * (an indicator of '9' means an empty field when nine9 is set). */
static int take_vli_field(cursor *k, const char *allowed, unsigned add,
                          bool nine9, const char *what)
{
    char label[64];
    unsigned d;
    int rc;

    snprintf(label, sizeof label, "%s length indicator", what);
    if ((rc = take_code(k, allowed, label, &d)) != 0)
        return rc;
    if (nine9 && d == 9)
        return 0;
    return take_field(k, d + add, what);
}

/* A purchase requirement: length indicator 1..5 and value, requirement
 * code 0..4 or 9, three-digit family code. */
static int take_purchase(cursor *k, const char *which)
{
    char what[64];
    unsigned d;
    int rc;

    snprintf(what, sizeof what, "%s purchase requirement", which);
    if ((rc = take_vli_field(k, "12345", 0, false, what)) != 0)
        return rc;
    snprintf(what, sizeof what, "%s purchase requirement code", which);
    if ((rc = take_code(k, "012349", what, &d)) != 0)
        return rc;
    snprintf(what, sizeof what, "%s purchase family code", which);
    return take_field(k, 3, what);
}

/* YYMMDD at the cursor; advances. */
static int take_date(cursor *k, const char *what)
{
    int rc;

    if (k->n - k->p < 6)
        return reject(k->v, k->p, "%s is cut short: 6 digits expected", what);
    if ((rc = date(k->c + k->p, 6, 2, false, k->v)) != 0) {
        *k->v->bad += k->p;
        return rc;
    }
    k->p += 6;
    return 0;
}

/* AI (8110): the North American Coupon Code (NACC). */
static int couponcode(const char *c, size_t n, verdict *v)
{
    cursor k = {c, n, 0, v};
    size_t exp_at = 0;
    bool have_exp = false;
    unsigned d;
    int rc;

    if ((rc = all_digits(c, n, v)) != 0)
        return rc;
    /* Primary GS1 Company Prefix (6..12 digits, all digits already). */
    if ((rc = take_vli_field(&k, "0123456", 6, false, "GS1 Company Prefix")))
        return rc;
    if ((rc = take_field(&k, 6, "offer code")) != 0)
        return rc;
    if ((rc = take_vli_field(&k, "12345", 0, false, "save value")) != 0)
        return rc;
    if ((rc = take_purchase(&k, "first")) != 0)
        return rc;

    /* Optional fields, each introduced by its number, in this order. */
    if (k.p < n && c[k.p] == '1') {
        k.p++;
        if ((rc = take_code(&k, "0123", "additional purchase rules code",
                            &d)) != 0)
            return rc;
        if ((rc = take_purchase(&k, "second")) != 0)
            return rc;
        if ((rc = take_vli_field(&k, "01234569", 6, true,
                                 "second purchase GS1 Company Prefix")))
            return rc;
    }
    if (k.p < n && c[k.p] == '2') {
        k.p++;
        if ((rc = take_purchase(&k, "third")) != 0)
            return rc;
        if ((rc = take_vli_field(&k, "01234569", 6, true,
                                 "third purchase GS1 Company Prefix")))
            return rc;
    }
    if (k.p < n && c[k.p] == '3') {
        k.p++;
        exp_at = k.p;
        have_exp = true;
        if ((rc = take_date(&k, "expiration date")) != 0)
            return rc;
    }
    if (k.p < n && c[k.p] == '4') {
        size_t start_at;

        k.p++;
        start_at = k.p;
        if ((rc = take_date(&k, "start date")) != 0)
            return rc;
        if (have_exp && memcmp(c + start_at, c + exp_at, 6) > 0)
            return reject(v, exp_at, "expiration date is before start date");
    }
    if (k.p < n && c[k.p] == '5') {
        k.p++;
        if ((rc = take_vli_field(&k, "0123456789", 6, false,
                                 "serial number")) != 0)
            return rc;
    }
    if (k.p < n && c[k.p] == '6') {
        k.p++;
        if ((rc = take_vli_field(&k, "1234567", 6, false,
                                 "retailer GS1 Company Prefix or GLN")))
            return rc;
    }
    if (k.p < n && c[k.p] == '9') {
        k.p++;
        if ((rc = take_code(&k, "01256", "save value code", &d)) != 0)
            return rc;
        if ((rc = take_code(&k, "012", "save value applies to item", &d)))
            return rc;
        if ((rc = take_code(&k, "0123456789", "store coupon flag", &d)))
            return rc;
        if ((rc = take_code(&k, "01", "don't multiply flag", &d)) != 0)
            return rc;
    }
    if (k.p != n)
        return reject(v, k.p, "unexpected data after the coupon fields");
    return 0;
}

/* AI (8112): the positive offer file coupon code. */
static int couponposoffer(const char *c, size_t n, verdict *v)
{
    cursor k = {c, n, 0, v};
    unsigned d;
    int rc;

    if ((rc = all_digits(c, n, v)) != 0)
        return rc;
    if ((rc = take_code(&k, "01", "format code", &d)) != 0)
        return rc;
    if ((rc = take_vli_field(&k, "0123456", 6, false, "funder ID")) != 0)
        return rc;
    if ((rc = take_field(&k, 6, "offer code")) != 0)
        return rc;
    if ((rc = take_vli_field(&k, "0123456789", 6, false, "serial number")))
        return rc;
    if (k.p != n)
        return reject(v, k.p, "unexpected data after the serial number");
    return 0;
}

/* ---- Dispatch --------------------------------------------------------- */

int gs1_lint_run(gs1_linter lint, const char *c, size_t n, char *why,
                 size_t whysz, size_t *bad)
{
    verdict v = {why, whysz, bad};

    assert(c != NULL || n == 0);
    assert(why != NULL && whysz > 0 && bad != NULL);
    if (c == NULL)
        c = "";
    why[0] = '\0';
    *bad = 0;

    switch (lint) {
    case GS1_LINT_NONE: return 0;
    case GS1_LINT_CSUM: return csum(c, n, &v);
    case GS1_LINT_CSUMALPHA: return csumalpha(c, n, &v);
    case GS1_LINT_GCPPOS1: return gcppos1(c, n, &v);
    case GS1_LINT_GCPPOS2: return gcppos2(c, n, &v);
    case GS1_LINT_HASNONDIGIT: return hasnondigit(c, n, &v);
    case GS1_LINT_HH: return clock_part(c, n, 23, "hour", &v);
    case GS1_LINT_HHMI: return hhmi(c, n, &v);
    case GS1_LINT_HYPHEN: return hyphen(c, n, &v);
    case GS1_LINT_IBAN: return iban(c, n, &v);
    case GS1_LINT_IMPORTERIDX: return importeridx(c, n, &v);
    case GS1_LINT_ISO3166: return iso3166(c, n, false, &v);
    case GS1_LINT_ISO3166999: return iso3166(c, n, true, &v);
    case GS1_LINT_ISO3166ALPHA2: return iso3166alpha2(c, n, &v);
    case GS1_LINT_ISO4217: return iso4217(c, n, &v);
    case GS1_LINT_ISO5218: return iso5218(c, n, &v);
    case GS1_LINT_LATITUDE:
        return coordinate(c, n, 1800000000ULL, "latitude", &v);
    case GS1_LINT_LONGITUDE:
        return coordinate(c, n, 3600000000ULL, "longitude", &v);
    case GS1_LINT_MEDIATYPE: return mediatype(c, n, &v);
    case GS1_LINT_MI: return clock_part(c, n, 59, "minute", &v);
    case GS1_LINT_NONZERO: return nonzero(c, n, &v);
    case GS1_LINT_NOZEROPREFIX: return nozeroprefix(c, n, &v);
    case GS1_LINT_PACKAGETYPE: return packagetype(c, n, &v);
    case GS1_LINT_PCENC: return pcenc(c, n, &v);
    case GS1_LINT_PIECEOFTOTAL: return pieceoftotal(c, n, &v);
    case GS1_LINT_POSINSEQSLASH: return posinseqslash(c, n, &v);
    case GS1_LINT_SS: return clock_part(c, n, 59, "second", &v);
    case GS1_LINT_WINDING:
        return one_of(c, n, "019", "winding direction must be 0, 1 or 9", &v);
    case GS1_LINT_YESNO:
        return one_of(c, n, "01", "value must be 0 (no) or 1 (yes)", &v);
    case GS1_LINT_YYMMD0: return date(c, n, 2, true, &v);
    case GS1_LINT_YYMMDD: return date(c, n, 2, false, &v);
    case GS1_LINT_YYYYMMDD: return date(c, n, 4, false, &v);
    case GS1_LINT_ZERO: return zero(c, n, &v);
    case GS1_LINT_COUPONCODE: return couponcode(c, n, &v);
    case GS1_LINT_COUPONPOSOFFER: return couponposoffer(c, n, &v);
    case GS1_LINT_COUNT_: break;
    }
    reject(&v, 0, "unknown linter %d", (int)lint);
    return YIMA_EUSAGE;
}
