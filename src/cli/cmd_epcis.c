/*
 * cmd_epcis.c - `yima epcis hash [--prehash] FILE...`
 *
 * Prints the CBV 2.0 event hash ID (or, with --prehash, the pre-hash string)
 * of every event of each EPCIS 2.0 document, one per line, in document
 * order. Exit 0 on success, 1 when a document is not valid EPCIS (the
 * message names the file, event and field), 2 on a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "yima/epcis.h"

static const char help[] =
    "usage: yima epcis hash [--prehash] FILE...   (FILE may be -)\n"
    "Prints the CBV 2.0 event hash ID of every event, one per line.\n"
    "  --prehash  print the canonical pre-hash strings instead\n";

static int print_one(void *arg, size_t index, const char *prehash,
                     size_t prehash_len, const char *event_id)
{
    const bool *want_prehash = arg;

    (void)index;
    if (*want_prehash) {
        fwrite(prehash, 1, prehash_len, stdout);
        putchar('\n');
    } else {
        puts(event_id);
    }
    return 0;
}

static int epcis_hash(int argc, char **argv)
{
    bool prehash = false;
    int i, status = CLI_OK;

    for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--prehash"))
            prehash = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else
            return cli_usage_error("epcis hash: unknown option '%s'", argv[i]);
    }
    if (i >= argc)
        return cli_usage_error("epcis hash needs a FILE\n%s", help);
    for (; i < argc; i++) {
        yima_buf doc;
        yima_error err;

        if (cli_read_file(argv[i], YIMA_EPCIS_DOC_MAX, &doc) != 0) {
            status = CLI_INVALID;
            continue;
        }
        if (yima_epcis_hash_document(doc.data, doc.len, print_one, &prehash,
                                     &err) != 0) {
            if (err.pos)
                fprintf(stderr, "yima: %s: position %zu: %s\n", argv[i],
                        err.pos, err.msg);
            else
                fprintf(stderr, "yima: %s: %s\n", argv[i], err.msg);
            status = CLI_INVALID;
        }
        yima_buf_free(&doc);
    }
    return fflush(stdout) == 0 ? status : CLI_INVALID;
}

int cmd_epcis(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "hash"))
        return epcis_hash(argc - 1, argv + 1);
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        fputs(help, stdout);
        return CLI_OK;
    }
    fputs(help, stderr);
    return CLI_USAGE;
}
