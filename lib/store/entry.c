/*
 * entry.c - the sealed ledger entry (yima/store.h): "yima-event/1\n", the
 * recordTime in RFC 3339 UTC with milliseconds, "\n", the canonical event
 * JSON; building and splitting it, its leaf hash, and the clock that dates
 * it.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

_Static_assert(YIMA_STORE_ENTRY_MAX <= YIMA_LEDGER_ENTRY_MAX,
               "a sealed entry must fit a tile bundle");

int64_t store_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int store_time_format(int64_t ms, char out[YIMA_STORE_TIME_LEN + 1])
{
    char tmp[80];
    int64_t sec, milli;
    struct tm tm;
    time_t t;
    int n;

    /* 1970-01-01 .. 9999-12-31: a record time is never before the epoch */
    if (ms < 0 || ms > 253402300799999LL)
        return YIMA_EINVAL;
    sec = ms / 1000;
    milli = ms % 1000;
    t = (time_t)sec;
    if (!gmtime_r(&t, &tm))
        return YIMA_EINVAL;
    n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, (int)milli);
    if (n != YIMA_STORE_TIME_LEN)
        return YIMA_EINVAL;
    memcpy(out, tmp, YIMA_STORE_TIME_LEN + 1);
    return 0;
}

int store_leaf_hash(EVP_MD_CTX *md, const EVP_MD *sha256, const void *head,
                    size_t hn, const void *body, size_t bn,
                    uint8_t out[YIMA_LEDGER_HASH_LEN])
{
    static const uint8_t zero = 0x00;
    unsigned len = 0;

    if (EVP_DigestInit_ex(md, sha256, NULL) != 1 ||
        EVP_DigestUpdate(md, &zero, 1) != 1 ||
        EVP_DigestUpdate(md, head, hn) != 1 ||
        (bn && EVP_DigestUpdate(md, body, bn) != 1) ||
        EVP_DigestFinal_ex(md, out, &len) != 1 || len != YIMA_LEDGER_HASH_LEN)
        return YIMA_ENOMEM;
    return 0;
}

int store_entry_make(yima_buf *out, const char *json, size_t n, int64_t ms)
{
    char t[YIMA_STORE_TIME_LEN + 1];
    int rc;

    assert(out && (json || n == 0));
    if ((rc = store_time_format(ms, t)) != 0)
        return rc;
    yima_buf_reset(out);
    yima_buf_add(out, YIMA_STORE_MAGIC, YIMA_STORE_MAGIC_LEN);
    yima_buf_add(out, t, YIMA_STORE_TIME_LEN);
    yima_buf_putc(out, '\n');
    yima_buf_add(out, json, n);
    return out->failed ? YIMA_ETOOBIG : 0;
}

int store_entry_build(yima_buf *out, const yima_event *ev, int64_t ms)
{
    assert(ev && ev->json);
    return store_entry_make(out, ev->json, ev->json_len, ms);
}

void store_hash_id_format(const uint8_t hash[YIMA_LEDGER_HASH_LEN],
                          char out[YIMA_EVENT_HASH_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t pre = strlen(YIMA_STORE_HASH_PREFIX);
    char *h = out + pre;

    memcpy(out, YIMA_STORE_HASH_PREFIX, pre);
    for (int i = 0; i < YIMA_LEDGER_HASH_LEN; i++) {
        h[2 * i] = hex[hash[i] >> 4];
        h[2 * i + 1] = hex[hash[i] & 15];
    }
    memcpy(h + 2 * YIMA_LEDGER_HASH_LEN, YIMA_STORE_HASH_SUFFIX,
           sizeof YIMA_STORE_HASH_SUFFIX);
}

/* A hex digit's value + 1; 0 for any other byte. */
static const unsigned char unhex[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
    ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16};

int store_hash_id_parse(const char *id, uint8_t out[YIMA_LEDGER_HASH_LEN])
{
    size_t pre = strlen(YIMA_STORE_HASH_PREFIX);
    const char *h = id + pre;

    if (strncmp(id, YIMA_STORE_HASH_PREFIX, pre) != 0 ||
        strnlen(h, 2 * YIMA_LEDGER_HASH_LEN) != 2 * YIMA_LEDGER_HASH_LEN ||
        strcmp(h + 2 * YIMA_LEDGER_HASH_LEN, YIMA_STORE_HASH_SUFFIX) != 0)
        return YIMA_EINVAL;
    for (int i = 0; i < YIMA_LEDGER_HASH_LEN; i++) {
        /* every event's, on the thread that stores: a table, not calls */
        int hi = unhex[(unsigned char)h[2 * i]],
            lo = unhex[(unsigned char)h[2 * i + 1]];

        if (!hi || !lo)
            return YIMA_EINVAL;
        out[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
    return 0;
}

/* n decimal digits at p, or -1. */
static int digits(const char *p, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

int yima_store_entry_parse(const void *entry, size_t len,
                           int64_t *record_time_ms, const char **json,
                           size_t *json_len)
{
    const char *e = entry, *t = e + YIMA_STORE_MAGIC_LEN;
    char again[YIMA_STORE_TIME_LEN + 1];
    int y, mo, d, h, mi, s, ms;
    struct tm tm = {0};
    int64_t v;

    assert(entry || len == 0);
    if (len < YIMA_STORE_HEADER_LEN ||
        memcmp(e, YIMA_STORE_MAGIC, YIMA_STORE_MAGIC_LEN) != 0 ||
        t[YIMA_STORE_TIME_LEN] != '\n')
        return YIMA_EINVAL;
    y = digits(t, 4), mo = digits(t + 5, 2), d = digits(t + 8, 2);
    h = digits(t + 11, 2), mi = digits(t + 14, 2), s = digits(t + 17, 2);
    ms = digits(t + 20, 3);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0)
        return YIMA_EINVAL;
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s;
    v = (int64_t)timegm(&tm) * 1000 + ms;
    /* Only the one spelling the store writes is a sealed entry. */
    if (store_time_format(v, again) != 0 ||
        memcmp(again, t, YIMA_STORE_TIME_LEN) != 0)
        return YIMA_EINVAL;
    if (record_time_ms)
        *record_time_ms = v;
    if (json)
        *json = e + YIMA_STORE_HEADER_LEN;
    if (json_len)
        *json_len = len - YIMA_STORE_HEADER_LEN;
    return 0;
}

int yima_store_time_format(int64_t ms, char out[YIMA_STORE_TIME_LEN + 1])
{
    return store_time_format(ms, out);
}
