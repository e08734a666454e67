/*
 * bench_util.h - the helpers the benchmarks share: a monotonic clock, a
 * numeric knob from the environment, the size of a database on disk. Each
 * bench is one translation unit (the Makefile builds bench/bench_*.c
 * alone), so these are static.
 */
#ifndef YIMA_BENCH_UTIL_H
#define YIMA_BENCH_UTIL_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The environment variable `name` as a whole number from lo to hi into *v,
 * or def when it is unset or empty. Returns 0, or -1 after saying on
 * stderr what was expected. */
static inline int bench_env_u64(const char *name, uint64_t def, uint64_t lo,
                                uint64_t hi, uint64_t *v)
{
    const char *s = getenv(name);
    unsigned long long n;
    char *end;

    *v = def;
    if (!s || !*s)
        return 0;
    errno = 0;
    n = strtoull(s, &end, 10);
    if (errno || *end || s[0] == '-' || n < lo || n > hi) {
        fprintf(stderr, "bench: %s=%s: expected a number from %llu to %llu\n",
                name, s, (unsigned long long)lo, (unsigned long long)hi);
        return -1;
    }
    *v = n;
    return 0;
}

/* Bytes of the database file at path and its WAL; *wal_bytes (may be NULL)
 * the WAL's. */
static inline uint64_t bench_db_bytes(const char *path, uint64_t *wal_bytes)
{
    char wal[PATH_MAX + 8];
    struct stat sb;
    uint64_t n = 0, w = 0;

    if (stat(path, &sb) == 0)
        n = (uint64_t)sb.st_size;
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (stat(wal, &sb) == 0)
        w = (uint64_t)sb.st_size;
    if (wal_bytes)
        *wal_bytes = w;
    return n + w;
}

#endif /* YIMA_BENCH_UTIL_H */
