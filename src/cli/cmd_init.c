/*
 * cmd_init.c - `yima init --db PATH [--origin NAME] [--catalogue FILE]`
 *
 * Creates the store, the ledger's Ed25519 signer key (in PATH.key, readable
 * by its owner only), loads the product catalogue and seals the first
 * checkpoint (size 0). The last line of output is a JSON object with the
 * database, the origin, the key file and the C2SP verifier key that
 * auditors use.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "yima/ledger.h"

#ifndef YIMA_DATADIR
#define YIMA_DATADIR "data"
#endif

static const char help[] =
    "usage: yima init --db PATH [--origin NAME] [--catalogue FILE]\n"
    "Creates a new store and its ledger signing key (PATH.key).\n"
    "  --origin NAME     the ledger's name in checkpoints (default\n"
    "                    yima.local/ledger; use your host name)\n"
    "  --catalogue FILE  product categories, one JSON object per line\n"
    "                    (default " YIMA_DATADIR
    "/catalogue/categories.ndjson)\n";

/* Load the categories, one JSON object per line; errors name the line. */
static int load_catalogue(yima_store *st, const char *path, int *count)
{
    yima_buf text;
    yima_error err;
    size_t line = 0;
    char *p, *end;

    if (cli_read_file(path, 1 << 24, &text) != 0)
        return YIMA_EIO;
    for (p = text.data, end = text.data + text.len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        line++;
        if (n && p[0] != '#' &&
            yima_store_master_put(st, YIMA_STORE_CATEGORY, p, n, &err) != 0) {
            fprintf(stderr, "yima: %s: line %zu: %s\n", path, line, err.msg);
            yima_buf_free(&text);
            return YIMA_EINVAL;
        }
        if (n && p[0] != '#')
            (*count)++;
        p += n + 1;
    }
    yima_buf_free(&text);
    return 0;
}

int cmd_init(int argc, char **argv)
{
    const char *db = NULL, *origin = "yima.local/ledger";
    const char *catalogue = YIMA_DATADIR "/catalogue/categories.ndjson";
    yima_store *st = NULL;
    yima_buf skey, vkey, note, out;
    yima_error err;
    char keypath[4096];
    int categories = 0, rc = CLI_INVALID;
    const cli_opt opts[] = {{"--db", &db, NULL},
                            {"--origin", &origin, NULL},
                            {"--catalogue", &catalogue, NULL},
                            {NULL, NULL, NULL}};

    if (!cli_options(argc, argv, opts, "init", help, &rc))
        return rc;
    if (!db)
        return cli_usage_error("init needs --db PATH\n%s", help);
    cli_key_path(db, keypath, sizeof keypath);
    if (access(keypath, F_OK) == 0) {
        fprintf(stderr,
                "yima: %s already exists: refusing to replace a "
                "ledger key\n",
                keypath);
        return CLI_INVALID;
    }
    yima_buf_init(&skey, 4096);
    yima_buf_init(&vkey, 4096);
    yima_buf_init(&note, YIMA_LEDGER_NOTE_MAX);
    yima_buf_init(&out, 1 << 16);
    if (yima_ledger_keygen(origin, &skey, &vkey, &err) != 0) {
        fprintf(stderr, "yima: --origin: %s\n", err.msg);
        rc = CLI_USAGE;
        goto out;
    }
    if (yima_store_create(db, &err) != 0) {
        fprintf(stderr, "yima: %s\n", err.msg);
        goto out;
    }
    if (cli_key_write(db, skey.data) != 0)
        goto undo;
    if (yima_store_open(db, &st, &err) != 0 ||
        yima_store_meta_put(st, "origin", origin, &err) != 0 ||
        yima_store_meta_put(st, "verifier_key", vkey.data, &err) != 0) {
        fprintf(stderr, "yima: %s\n", err.msg);
        goto undo;
    }
    if (load_catalogue(st, catalogue, &categories) != 0 ||
        cli_checkpoint_current(db, st, &note) != 0)
        goto undo;
    printf("created %s with %d product categories; signer key in %s\n", db,
           categories, keypath);
    yima_buf_puts(&out, "{\"db\":");
    yima_buf_json_str(&out, db, strlen(db));
    yima_buf_puts(&out, ",\"origin\":");
    yima_buf_json_str(&out, origin, strlen(origin));
    yima_buf_puts(&out, ",\"key_file\":");
    yima_buf_json_str(&out, keypath, strlen(keypath));
    yima_buf_puts(&out, ",\"verifier_key\":");
    yima_buf_json_str(&out, vkey.data, vkey.len);
    yima_buf_printf(&out, ",\"categories\":%d}\n", categories);
    fwrite(out.data, 1, out.len, stdout);
    rc = CLI_OK;
    goto out;
undo:
    /* leave nothing half-made behind: no store without its key */
    yima_store_close(st);
    st = NULL;
    unlink(db);
    unlink(keypath);
    {
        char side[4200];
        snprintf(side, sizeof side, "%s-wal", db);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db);
        unlink(side);
    }
out:
    yima_store_close(st);
    yima_buf_free(&skey);
    yima_buf_free(&vkey);
    yima_buf_free(&note);
    yima_buf_free(&out);
    return rc;
}
