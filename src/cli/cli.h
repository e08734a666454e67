/*
 * cli.h - what the command files of the yima CLI share.
 *
 * Every command is a function `int cmd_<name>(int argc, char **argv)` that
 * gets the arguments after its own name and returns the process exit code:
 * 0 success, 1 when the input had errors (reported on stdout/stderr as the
 * command documents), 2 on a usage error.
 */
#ifndef YIMA_CLI_H
#define YIMA_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "yima/buf.h"
#include "yima/error.h"

#define CLI_OK 0
#define CLI_INVALID 1
#define CLI_USAGE 2

int cmd_code(int argc, char **argv);
int cmd_epcis(int argc, char **argv);

/* Print "yima: <message>" to stderr; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a decimal integer in [min, max]; false when it is not one. */
bool cli_parse_int(const char *s, long min, long max, long *out);

/* Read all of path ("-" for standard input) into out, at most cap bytes.
 * On failure prints why to stderr and returns a YIMA_E* code; out is then
 * freed. */
int cli_read_file(const char *path, size_t cap, yima_buf *out);

#endif /* YIMA_CLI_H */
