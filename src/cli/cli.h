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

#define CLI_OK      0
#define CLI_INVALID 1
#define CLI_USAGE   2

int cmd_code(int argc, char **argv);
int cmd_epcis(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_party(int argc, char **argv);
int cmd_product(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* Print "yima: <message>" to stderr; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a decimal integer in [min, max]; false when it is not one. */
bool cli_parse_int(const char *s, long min, long max, long *out);

/* One option of a command: "--name VALUE" stores VALUE in *value; with
 * value NULL, "--name" alone sets *flag. */
typedef struct cli_opt {
    const char *name;
    const char **value;
    bool *flag;
} cli_opt;

/* Read argv against opts (ended by {NULL}). True when the command should go
 * on; false with its exit code in *status after "--help" or "-h" (help to
 * stdout, CLI_OK) or anything else: a usage error "<cmd>: unexpected '<arg>'"
 * followed by help (CLI_USAGE). An option that needs a value and has none is
 * unexpected too. */
bool cli_options(int argc, char **argv, const cli_opt *opts, const char *cmd,
                 const char *help, int *status);

/* Read all of path ("-" for standard input) into out, at most cap bytes.
 * On failure prints why to stderr and returns a YIMA_E* code; out is then
 * freed. */
int cli_read_file(const char *path, size_t cap, yima_buf *out);

/* ---- store commands (cli_store.c) ---- */
#include "yima/store.h"

/* Open the store at db (NULL: usage error); prints why on failure and
 * returns a CLI exit code. */
int cli_store_open(const char *db, yima_store **st);

/* "<db>.key": where init keeps the ledger's signer key (mode 0600). */
void cli_key_path(const char *db, char *out, size_t size);
int cli_key_write(const char *db, const char *skey);
int cli_key_read(const char *db, yima_buf *skey);

/* Append to note the signed checkpoint at the ledger's current size,
 * signing and storing a new one when the latest is older. Prints why on
 * failure and returns a YIMA_E* code. */
int cli_checkpoint_current(const char *db, yima_store *st, yima_buf *note);

/* Store the master data rows of a CSV text (cli_csv.c). Returns 0 and the
 * row count, or an error with "line N: ..." written to why. */
int cli_import_csv(yima_store *st, const char *text, size_t len, size_t *rows,
                   char *why, size_t whysz);

#endif /* YIMA_CLI_H */
