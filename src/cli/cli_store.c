/*
 * cli_store.c - what the store commands share: the --db option, opening
 * the store with a clear message, the signer key file beside it, and
 * sealing a signed checkpoint at the ledger's current size.
 *
 * The signer key lives in "<db>.key" (mode 0600, owner only); the store
 * keeps the verifier key and the log's origin in its meta table, so anyone
 * holding the database can verify it but only the key's owner can sign.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "yima/ledger.h"

int cli_store_open(const char *db, yima_store **st)
{
    yima_error err;

    if (!db)
        return cli_usage_error("--db PATH is required");
    if (yima_store_open(db, st, &err) != 0) {
        fprintf(stderr, "yima: %s\n", err.msg);
        return CLI_INVALID;
    }
    return CLI_OK;
}

void cli_key_path(const char *db, char *out, size_t size)
{
    snprintf(out, size, "%s.key", db);
}

int cli_key_write(const char *db, const char *skey)
{
    char path[4096];
    int fd;
    size_t n = strlen(skey);

    cli_key_path(db, path, sizeof path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        fprintf(stderr, "yima: %s: %s\n", path, strerror(errno));
        return YIMA_EIO;
    }
    if (write(fd, skey, n) != (ssize_t)n || write(fd, "\n", 1) != 1 ||
        fsync(fd) != 0) {
        fprintf(stderr, "yima: %s: %s\n", path, strerror(errno));
        close(fd);
        unlink(path);
        return YIMA_EIO;
    }
    close(fd);
    return 0;
}

int cli_key_read(const char *db, yima_buf *skey)
{
    char path[4096];

    cli_key_path(db, path, sizeof path);
    if (cli_read_file(path, 4096, skey) != 0)
        return YIMA_EIO;
    while (skey->len && (skey->data[skey->len - 1] == '\n' ||
                         skey->data[skey->len - 1] == '\r'))
        skey->data[--skey->len] = '\0';
    return 0;
}

int cli_checkpoint_current(const char *db, yima_store *st, yima_buf *note)
{
    yima_buf skey;
    yima_error err;
    uint64_t size = 0, latest_size = 0;
    int rc;

    yima_buf_init(&skey, 4096);
    /* The key is read only when a new checkpoint must be signed. */
    if ((rc = yima_store_size(st, &size, &err)) == 0 &&
        yima_store_checkpoint_latest(st, &latest_size, note, NULL) == 0 &&
        latest_size == size)
        goto out;
    yima_buf_reset(note);
    if (rc == 0 && (rc = cli_key_read(db, &skey)) != 0)
        goto out; /* cli_key_read said why */
    if (rc == 0)
        rc = yima_store_checkpoint_current(st, skey.data, note, &err);
    if (rc != 0)
        fprintf(stderr, "yima: checkpoint: %s\n", err.msg);
out:
    yima_buf_free(&skey);
    return rc;
}
