/*
 * write.c - the writer API (see yima/epcis.h): canonical events back into
 * an EPCIS 2.0 document, or into NDJSON (one event per line).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "epcis_int.h"

/* True when s (n bytes) looks like one JSON object: '{' ... '}' once the
 * white space around it is dropped, and no newline (NDJSON needs none). */
static bool object_text(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
                 s[n - 1] == '\n'))
        n--;
    return n >= 2 && s[0] == '{' && s[n - 1] == '}' && !memchr(s, '\n', n);
}

static int check(const char *const *events_json, const size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!events_json[i] || !object_text(events_json[i], lens[i]))
            return YIMA_EINVAL;
    return 0;
}

/* Now, UTC, with milliseconds. */
static void now_utc(char out[EPCIS_TIME_LEN + 1])
{
    struct timespec ts;
    struct tm tm;
    char t[80];

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || !gmtime_r(&ts.tv_sec, &tm)) {
        snprintf(out, EPCIS_TIME_LEN + 1, "1970-01-01T00:00:00.000Z");
        return;
    }
    snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
    memcpy(out, t, EPCIS_TIME_LEN);
    out[EPCIS_TIME_LEN] = '\0';
}

int yima_epcis_write_document(yima_buf *out, const char *const *events_json,
                              const size_t *lens, size_t n)
{
    char now[EPCIS_TIME_LEN + 1];
    int rc;

    assert(out && ((events_json && lens) || n == 0));
    if ((rc = check(events_json, lens, n)) != 0)
        return rc;
    now_utc(now);
    rc = yima_buf_printf(out,
                         "{\"@context\":\"" EPCIS_CONTEXT_URL "\","
                         "\"type\":\"EPCISDocument\",\"schemaVersion\":"
                         "\"2.0\",\"creationDate\":\"%s\",\"epcisBody\":{"
                         "\"eventList\":[",
                         now);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i)
            yima_buf_putc(out, ',');
        rc = yima_buf_add(out, events_json[i], lens[i]);
    }
    if (rc == 0)
        rc = yima_buf_puts(out, "]}}");
    return rc;
}

int yima_epcis_write_ndjson(yima_buf *out, const char *const *events_json,
                            const size_t *lens, size_t n)
{
    int rc;

    assert(out && ((events_json && lens) || n == 0));
    if ((rc = check(events_json, lens, n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        yima_buf_add(out, events_json[i], lens[i]);
        rc = yima_buf_putc(out, '\n');
    }
    return rc;
}
