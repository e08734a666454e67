/*
 * test_util.h - small helpers that several unit tests share; include it
 * after the standard headers of the test.
 */
#ifndef YIMA_TEST_UTIL_H
#define YIMA_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file at path, NUL-terminated, its length in *len; NULL when it
 * cannot be opened (or read into memory). The caller frees it. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)n, f);
        buf[*len] = '\0';
    }
    fclose(f);
    return buf;
}

#endif /* YIMA_TEST_UTIL_H */
