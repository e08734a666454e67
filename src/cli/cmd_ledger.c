/*
 * cmd_ledger.c - `yima ledger SUBCOMMAND --db PATH ...`
 *
 *   checkpoint                     the signed checkpoint at the current size
 *   proof --index I [--size N]     inclusion proof, JSON
 *   consistency --first M --second N   consistency proof, JSON
 *   tiles --out DIR                C2SP tlog-tiles: checkpoint, tile/...,
 * entries verify                         recompute everything from the stored
 *                                  events; exit 0 when intact
 *
 * Hashes print as lower-case hex; `root` is the root at `size`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "yima/ledger.h"

static const char help[] =
    "usage: yima ledger checkpoint  --db PATH\n"
    "       yima ledger proof       --db PATH --index I [--size N]\n"
    "       yima ledger consistency --db PATH --first M --second N\n"
    "       yima ledger tiles       --db PATH --out DIR\n"
    "       yima ledger verify      --db PATH\n";

typedef struct args {
    const char *db, *out;
    long long index, size, first, second;
} args;

static int parse_args(int argc, char **argv, args *a)
{
    a->db = a->out = NULL;
    a->index = a->size = a->first = a->second = -1;
    for (int i = 0; i < argc; i++) {
        long long *num = NULL;
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            a->db = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            a->out = argv[++i];
        else if (!strcmp(argv[i], "--index"))
            num = &a->index;
        else if (!strcmp(argv[i], "--size"))
            num = &a->size;
        else if (!strcmp(argv[i], "--first"))
            num = &a->first;
        else if (!strcmp(argv[i], "--second"))
            num = &a->second;
        else
            return cli_usage_error("ledger: unexpected '%s'\n%s", argv[i],
                                   help);
        if (num) {
            char *end;
            if (i + 1 >= argc || argv[i + 1][0] < '0' || argv[i + 1][0] > '9')
                return cli_usage_error("%s needs a number", argv[i]);
            *num = strtoll(argv[++i], &end, 10);
            if (*end || *num < 0)
                return cli_usage_error("%s needs a number", argv[i - 1]);
        }
    }
    if (!a->db)
        return cli_usage_error("ledger needs --db PATH\n%s", help);
    return CLI_OK;
}

static void hex(yima_buf *b, const uint8_t *h)
{
    for (int i = 0; i < YIMA_LEDGER_HASH_LEN; i++)
        yima_buf_printf(b, "%02x", h[i]);
}

static void hex_field(yima_buf *b, const char *name, const uint8_t *h)
{
    yima_buf_printf(b, ",\"%s\":\"", name);
    hex(b, h);
    yima_buf_putc(b, '"');
}

static void proof_list(yima_buf *b, const char *name,
                       const yima_ledger_proof *p)
{
    yima_buf_printf(b, ",\"%s\":[", name);
    for (size_t i = 0; i < p->n; i++) {
        yima_buf_puts(b, i ? ",\"" : "\"");
        hex(b, p->hash[i]);
        yima_buf_putc(b, '"');
    }
    yima_buf_putc(b, ']');
}

static int fail(yima_error *err)
{
    fprintf(stderr, "yima: %s\n", err->msg);
    return CLI_INVALID;
}

static int do_proof(yima_store *st, const args *a, yima_buf *out)
{
    yima_ledger *lg = yima_store_ledger(st);
    yima_ledger_proof proof;
    yima_buf entry;
    uint8_t leaf[YIMA_LEDGER_HASH_LEN], root[YIMA_LEDGER_HASH_LEN];
    uint64_t size;
    yima_error err;
    int rc;

    if (a->index < 0)
        return cli_usage_error("ledger proof needs --index I");
    if (yima_store_size(st, &size, &err) != 0)
        return fail(&err);
    if (a->size >= 0)
        size = (uint64_t)a->size;
    yima_buf_init(&entry, YIMA_STORE_ENTRY_MAX);
    rc = yima_store_entry(st, (uint64_t)a->index, &entry, &err);
    if (rc == 0 && (uint64_t)a->index >= size)
        rc = yima_error_set(&err, YIMA_EINVAL, 0,
                            "index %lld is not in a tree of %llu entries",
                            a->index, (unsigned long long)size);
    if (rc == 0)
        rc = yima_ledger_leaf_hash(entry.data, entry.len, leaf);
    if (rc == 0)
        rc = yima_ledger_prove_inclusion(lg, (uint64_t)a->index, size, &proof,
                                         &err);
    if (rc == 0)
        rc = yima_ledger_root(lg, size, root, &err);
    yima_buf_free(&entry);
    if (rc != 0)
        return fail(&err);
    yima_buf_printf(out, "{\"index\":%lld,\"size\":%llu", a->index,
                    (unsigned long long)size);
    hex_field(out, "leaf_hash", leaf);
    proof_list(out, "path", &proof);
    hex_field(out, "root", root);
    yima_buf_puts(out, "}\n");
    return CLI_OK;
}

static int do_consistency(yima_store *st, const args *a, yima_buf *out)
{
    yima_ledger *lg = yima_store_ledger(st);
    yima_ledger_proof proof;
    uint8_t r1[YIMA_LEDGER_HASH_LEN], r2[YIMA_LEDGER_HASH_LEN];
    yima_error err;

    if (a->first < 0 || a->second < 0)
        return cli_usage_error("ledger consistency needs --first M --second N");
    if (yima_ledger_prove_consistency(lg, (uint64_t)a->first,
                                      (uint64_t)a->second, &proof, &err) != 0 ||
        yima_ledger_root(lg, (uint64_t)a->first, r1, &err) != 0 ||
        yima_ledger_root(lg, (uint64_t)a->second, r2, &err) != 0)
        return fail(&err);
    yima_buf_printf(out, "{\"first\":%lld,\"second\":%lld", a->first,
                    a->second);
    proof_list(out, "proof", &proof);
    hex_field(out, "first_root", r1);
    hex_field(out, "second_root", r2);
    yima_buf_puts(out, "}\n");
    return CLI_OK;
}

static int do_verify(yima_store *st, const args *a, yima_buf *out)
{
    yima_buf vkey, origin, note;
    yima_error err;
    uint64_t size = 0, cp_size = 0;
    uint8_t root[YIMA_LEDGER_HASH_LEN];
    int rc;

    (void)a;
    if (yima_store_verify(st, NULL, NULL, &err) != 0)
        return fail(&err);
    yima_buf_init(&vkey, 4096);
    yima_buf_init(&origin, 1024);
    yima_buf_init(&note, YIMA_LEDGER_NOTE_MAX);
    /* the latest checkpoint must carry the ledger key's signature */
    rc = yima_store_meta_get(st, "verifier_key", &vkey, &err);
    if (rc == 0)
        rc = yima_store_meta_get(st, "origin", &origin, &err);
    if (rc == 0)
        rc = yima_store_checkpoint_latest(st, &cp_size, &note, &err);
    if (rc == 0)
        rc = yima_ledger_checkpoint_open(vkey.data, origin.data, note.data,
                                         note.len, &size, root, &err);
    yima_buf_free(&vkey);
    yima_buf_free(&origin);
    yima_buf_free(&note);
    if (rc != 0)
        return fail(&err);
    if (yima_store_size(st, &size, &err) != 0)
        return fail(&err);
    yima_buf_printf(out,
                    "ledger intact: %llu entries; checkpoint at %llu is "
                    "signed by the ledger key\n",
                    (unsigned long long)size, (unsigned long long)cp_size);
    return CLI_OK;
}

int cmd_ledger(int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";
    yima_store *st = NULL;
    yima_buf out;
    yima_error err;
    args a;
    int rc;

    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        fputs(help, stdout);
        return CLI_OK;
    }
    if (strcmp(sub, "checkpoint") && strcmp(sub, "proof") &&
        strcmp(sub, "consistency") && strcmp(sub, "tiles") &&
        strcmp(sub, "verify"))
        return cli_usage_error("ledger: unknown subcommand '%s'\n%s", sub,
                               help);
    if ((rc = parse_args(argc - 1, argv + 1, &a)) != CLI_OK)
        return rc;
    if (!strcmp(sub, "tiles") && !a.out)
        return cli_usage_error("ledger tiles needs --out DIR");
    if ((rc = cli_store_open(a.db, &st)) != CLI_OK)
        return rc;
    yima_buf_init(&out, 1 << 24);
    if (!strcmp(sub, "checkpoint")) {
        rc = cli_checkpoint_current(a.db, st, &out) == 0 ? CLI_OK : CLI_INVALID;
    } else if (!strcmp(sub, "proof")) {
        rc = do_proof(st, &a, &out);
    } else if (!strcmp(sub, "consistency")) {
        rc = do_consistency(st, &a, &out);
    } else if (!strcmp(sub, "verify")) {
        rc = do_verify(st, &a, &out);
    } else {
        yima_buf note;
        yima_buf_init(&note, YIMA_LEDGER_NOTE_MAX);
        rc =
            cli_checkpoint_current(a.db, st, &note) == 0 ? CLI_OK : CLI_INVALID;
        if (rc == CLI_OK && yima_ledger_tiles_write(
                                yima_store_ledger(st), a.out, note.data,
                                note.len, yima_store_entry_fn, st, &err) != 0)
            rc = fail(&err);
        if (rc == CLI_OK)
            yima_buf_printf(&out, "wrote %s/checkpoint, tiles and entries\n",
                            a.out);
        yima_buf_free(&note);
    }
    if (rc == CLI_OK)
        fwrite(out.data, 1, out.len, stdout);
    yima_buf_free(&out);
    yima_store_close(st);
    return rc;
}
