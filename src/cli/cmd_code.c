/*
 * cmd_code.c - `yima code parse` and `yima code issue`.
 *
 *   yima code parse [--gcp-length N] [--] CODE...
 *       One JSON object per CODE, one per line, in order. With no CODE
 *       arguments, reads one code per line from standard input (a scanner
 *       in keyboard mode, a file). Exit 0 when all are valid, 1 when any is
 *       invalid, 2 on a usage error.
 *   yima code issue --producer USCC --count N
 *       N new platform digital identity codes (数字身份码), one per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "yima/code.h"

#define ISSUE_MAX 1000000 /* codes per call: a production run, not a DoS */

static const char parse_help[] =
    "usage: yima code parse [--gcp-length N] [--] CODE...\n"
    "       yima code parse [--gcp-length N] < codes.txt\n"
    "Prints one JSON object per code: input, valid, scheme, canonical,\n"
    "error (when invalid) and the parts of the code.\n"
    "  --gcp-length N  GS1 Company Prefix length (6..12), to print EPC URNs\n";

static const char issue_help[] =
    "usage: yima code issue --producer USCC --count N\n"
    "Prints N new platform digital identity codes, one per line.\n";

/* Parse one code and print its JSON line; returns true when valid. */
static bool parse_one(const char *in, size_t len, const yima_code_opts *opts,
                      yima_buf *out)
{
    yima_code code;
    yima_error err;
    int rc;

    rc = yima_code_parse(in, len, opts, &code, &err);
    yima_buf_reset(out);
    yima_code_to_json(out, in, len, &code, rc == 0 ? NULL : &err);
    yima_buf_putc(out, '\n');
    fwrite(out->data, 1, out->len, stdout);
    return rc == 0;
}

static int code_parse(int argc, char **argv)
{
    yima_code_opts opts = {0};
    yima_buf out;
    bool all_valid = true;
    int i;

    for (i = 0; i < argc; i++) {
        long v;
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(parse_help, stdout);
            return CLI_OK;
        } else if (!strcmp(argv[i], "--gcp-length")) {
            if (i + 1 >= argc || !cli_parse_int(argv[i + 1], 6, 12, &v))
                return cli_usage_error(
                    "--gcp-length needs a number from 6 to 12");
            opts.gcp_length = (int)v;
            i++;
        } else if (!strncmp(argv[i], "--", 2)) {
            return cli_usage_error("code parse: unknown option '%s'", argv[i]);
        } else {
            break;
        }
    }
    yima_buf_init(&out, 1 << 20);
    if (i < argc) {
        for (; i < argc; i++)
            all_valid &= parse_one(argv[i], strlen(argv[i]), &opts, &out);
    } else if (isatty(STDIN_FILENO)) {
        yima_buf_free(&out);
        fputs(parse_help, stderr);
        return CLI_USAGE;
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) >= 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            all_valid &= parse_one(line, (size_t)n, &opts, &out);
        }
        free(line);
    }
    yima_buf_free(&out);
    if (fflush(stdout) != 0)
        return CLI_INVALID;
    return all_valid ? CLI_OK : CLI_INVALID;
}

static int code_issue(int argc, char **argv)
{
    const char *producer = NULL;
    long count = -1;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(issue_help, stdout);
            return CLI_OK;
        } else if (!strcmp(argv[i], "--producer") && i + 1 < argc) {
            producer = argv[++i];
        } else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, ISSUE_MAX, &count))
                return cli_usage_error("--count needs a number from 1 to %d",
                                       ISSUE_MAX);
        } else {
            return cli_usage_error("code issue: unexpected '%s'\n%s", argv[i],
                                   issue_help);
        }
    }
    if (!producer || count < 0)
        return cli_usage_error("code issue needs --producer and --count\n%s",
                               issue_help);
    for (long k = 0; k < count; k++) {
        char dic[YIMA_DIC_LEN + 1];
        yima_error err;
        int rc = yima_dic_issue(producer, dic, &err);
        if (rc == YIMA_EINVAL)
            return cli_usage_error("--producer: %s", err.msg);
        if (rc != 0) {
            fprintf(stderr, "yima: %s\n", err.msg);
            return CLI_INVALID;
        }
        puts(dic);
    }
    return fflush(stdout) == 0 ? CLI_OK : CLI_INVALID;
}

int cmd_code(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(parse_help, argc < 1 ? stderr : stdout);
        fputs(issue_help, argc < 1 ? stderr : stdout);
        return argc < 1 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[0], "parse"))
        return code_parse(argc - 1, argv + 1);
    if (!strcmp(argv[0], "issue"))
        return code_issue(argc - 1, argv + 1);
    return cli_usage_error("code: unknown subcommand '%s' (parse, issue)",
                           argv[0]);
}
