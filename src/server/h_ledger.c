/*
 * h_ledger.c - GET /ledger/checkpoint: the ledger's signed checkpoint
 * (C2SP signed note, text/plain), as `yima ledger checkpoint` prints it.
 *
 * When the ledger has grown since the latest stored checkpoint and the
 * server holds the signer key, a checkpoint at the current size is signed
 * and stored first, so a client always gets the current tree. Without the
 * key the latest stored checkpoint is served (it is still a valid, signed
 * checkpoint, only of a smaller tree); with none at all, 404.
 */
#include "server.h"

static int current(server_worker *sw, yima_buf *note, yima_error *err)
{
    yima_buf latest, origin;
    uint64_t size = 0, latest_size = 0;
    int rc;

    yima_buf_init(&latest, YIMA_LEDGER_NOTE_MAX);
    yima_buf_init(&origin, 1024);
    if ((rc = yima_store_size(sw->st, &size, err)) != 0)
        goto out;
    rc = yima_store_checkpoint_latest(sw->st, &latest_size, &latest, err);
    if (rc != 0 && rc != YIMA_ENOTFOUND)
        goto out;
    if ((rc == 0 && latest_size == size) || !sw->app->opts->skey) {
        if (rc == 0)
            rc = yima_buf_add(note, latest.data, latest.len);
        goto out;
    }
    if ((rc = yima_store_meta_get(sw->st, "origin", &origin, err)) == 0 &&
        (rc =
             yima_ledger_checkpoint_sign(yima_store_ledger(sw->st), origin.data,
                                         sw->app->opts->skey, note, err)) == 0)
        rc = yima_store_checkpoint_put(sw->st, note->data, note->len, err);
out:
    yima_buf_free(&latest);
    yima_buf_free(&origin);
    return rc;
}

int h_ledger_checkpoint(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    yima_buf note;
    yima_error err;
    int rc;

    yima_error_clear(&err);
    yima_buf_init(&note, YIMA_LEDGER_NOTE_MAX);
    rc = current(sw, &note, &err);
    if (rc == YIMA_ENOTFOUND)
        yima_http_res_error(res, 404, "no checkpoint",
                            "the ledger has no signed checkpoint yet and "
                            "this server holds no signer key");
    else if (rc != 0)
        yima_http_res_error(res, 500, "checkpoint failed", "%s",
                            err.msg[0] ? err.msg : yima_strerror(rc));
    else
        yima_http_res_send(res, 200, "text/plain; charset=utf-8", note.data,
                           note.len);
    yima_buf_free(&note);
    return 0;
}
