/*
 * cli_file.c - reading a whole input file for a command, with a cap.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_read_file(const char *path, size_t cap, yima_buf *out)
{
    FILE *f;
    char chunk[65536];
    size_t n;
    int rc = 0;

    yima_buf_init(out, cap);
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "yima: %s: %s\n", path, strerror(errno));
        return YIMA_EIO;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if ((rc = yima_buf_add(out, chunk, n)) != 0) {
            fprintf(stderr, "yima: %s: larger than %zu bytes\n", path, cap);
            goto out;
        }
    if (ferror(f)) {
        fprintf(stderr, "yima: %s: %s\n", path, strerror(errno));
        rc = YIMA_EIO;
    }
out:
    if (f != stdin)
        fclose(f);
    if (rc)
        yima_buf_free(out);
    else if (!out->data)
        yima_buf_add(out, "", 0); /* an empty file is "", never NULL */
    return rc;
}
