/*
 * main.c - the yima command line: finds the command and runs it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define YIMA_VERSION "0.1.0"

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"code", cmd_code, "parse, validate and issue product codes"},
    {"init", cmd_init, "create a store and its ledger key"},
    {"import", cmd_import,
     "import EPCIS documents, NDJSON events, CSV master data"},
    {"events", cmd_events, "print stored events as EPCIS 2.0 JSON"},
    {"ledger", cmd_ledger, "checkpoints, proofs, tiles and verification"},
    {"epcis", cmd_epcis, "EPCIS 2.0 tools: event hash IDs"},
    {"party", cmd_party, "add a party (enterprise, shop, regulator)"},
    {"product", cmd_product, "add a product of a producer"},
    {"token", cmd_token, "create and revoke API bearer tokens"},
    {"trace", cmd_trace, "trace a code backward (custody) or forward (holders)"},
    {"serve", cmd_serve, "run the HTTP server (API, scanning, ledger)"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "yima %s - product quality-safety traceability (一码)\n\n"
            "usage: yima <command> [options]\n\ncommands:\n",
            YIMA_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "  %-10s %s\n", "version", "print the version");
    fprintf(f, "\nRun 'yima <command> --help' for a command's options.\n");
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("yima: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_USAGE;
}

bool cli_parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_options(int argc, char **argv, const cli_opt *opts, const char *cmd,
                 const char *help, int *status)
{
    for (int i = 0; i < argc; i++) {
        const cli_opt *o = opts;

        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            *status = CLI_OK;
            return false;
        }
        while (o->name &&
               (strcmp(argv[i], o->name) != 0 || (o->value && i + 1 >= argc)))
            o++;
        if (!o->name) {
            *status =
                cli_usage_error("%s: unexpected '%s'\n%s", cmd, argv[i], help);
            return false;
        }
        if (o->value)
            *o->value = argv[++i];
        else
            *o->flag = true;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        printf("yima %s\n", YIMA_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 2, argv + 2);
    usage(stderr);
    return cli_usage_error("unknown command '%s'", argv[1]);
}
