/*
 * h_ledger.c - the public ledger: GET /ledger/checkpoint, the ledger's
 * signed checkpoint (C2SP signed note, text/plain), as `yima ledger
 * checkpoint` prints it; GET /ledger/tile/... (tlog-tiles) and
 * GET /api/v1/ledger/proof (inclusion proofs), further down.
 *
 * When the ledger has grown since the latest stored checkpoint and the
 * server holds the signer key, a checkpoint at the current size is signed
 * and stored first, so a client always gets the current tree. Without the
 * key the latest stored checkpoint is served (it is still a valid, signed
 * checkpoint, only of a smaller tree); with none at all, 404.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int current(server_worker *sw, yima_buf *note, yima_error *err)
{
    return yima_store_checkpoint_current(sw->st, sw->app->opts->skey, note,
                                         err);
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

/* ---- Tiles --------------------------------------------------------------
 *
 * GET /ledger/tile/{path...}: C2SP tlog-tiles of the current tree, computed
 * from the store on request (hash tiles tile/<L>/<N>[.p/<W>], entry bundles
 * tile/entries/<N>[.p/<W>]), byte for byte what `yima ledger tiles` writes.
 * A full tile never changes: it is served as immutable. A partial tile of
 * width W never changes either, but is replaced by a wider one as the tree
 * grows, so it is cached briefly. Beyond the tree: 404.
 */

#define TILE_CACHE_FULL    "public, max-age=31536000, immutable"
#define TILE_CACHE_PARTIAL "public, max-age=60"

int h_ledger_tile(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    const char *path = yima_http_req_path(req) + strlen("/ledger/");
    yima_buf *out = yima_http_res_body(res);
    yima_error err;
    uint64_t n;
    unsigned width;
    int level, rc;

    if (yima_ledger_tile_parse_path(path, strlen(path), &level, &n, &width) !=
        0)
        return yima_http_res_error(res, 404, "not found",
                                   "%s is not a tile path (tile/<L>/<N>"
                                   "[.p/<W>] or tile/entries/<N>[.p/<W>], "
                                   "<N> in groups of 3 digits)",
                                   path);
    yima_error_clear(&err);
    if (level == YIMA_LEDGER_TILE_ENTRIES)
        rc = yima_ledger_bundle(yima_store_ledger(sw->st), n, width,
                                yima_store_entry_fn, sw->st, out, &err);
    else
        rc = yima_ledger_tile(yima_store_ledger(sw->st), level, n, width, out,
                              &err);
    if (rc != 0) {
        yima_buf_reset(out);
        if (rc == YIMA_ENOTFOUND || rc == YIMA_EUSAGE)
            return yima_http_res_error(res, 404, "not found", "%s: %s", path,
                                       err.msg[0] ? err.msg
                                                  : "beyond the tree");
        return yima_http_res_error(res, 500, "tile failed", "%s: %s", path,
                                   err.msg[0] ? err.msg : yima_strerror(rc));
    }
    yima_http_res_type(res, "application/octet-stream");
    yima_http_res_header(res, "Cache-Control",
                         width == YIMA_LEDGER_TILE_WIDTH ? TILE_CACHE_FULL
                                                         : TILE_CACHE_PARTIAL);
    return 0;
}

/* ---- Inclusion proofs ----------------------------------------------------
 *
 * GET /api/v1/ledger/proof?event=ID: the RFC 9162 inclusion proof of the
 * event's ledger entry in the tree of the latest checkpoint (signed first
 * when the server holds the key and the ledger has grown, as for
 * /ledger/checkpoint):
 *
 *   {"event_id":..., "index":I, "size":N, "leaf_hash":hex, "path":[hex...],
 *    "root":hex, "checkpoint":"<the signed note>"}
 *
 * index, size, leaf_hash, path and root are what `yima ledger proof --index
 * I --size N` prints. An event not yet covered by a checkpoint: 409.
 */

static void hex_member(yima_buf *b, const char *name, const uint8_t *h)
{
    yima_buf_printf(b, ",\"%s\":\"", name);
    for (int i = 0; i < YIMA_LEDGER_HASH_LEN; i++)
        yima_buf_printf(b, "%02x", h[i]);
    yima_buf_putc(b, '"');
}

static int index_of(void *arg, uint64_t index, int64_t record_time_ms,
                    const char *json, size_t len)
{
    (void)record_time_ms;
    (void)json;
    (void)len;
    *(uint64_t *)arg = index;
    return 0;
}

int h_ledger_proof(yima_http_req *req, yima_http_res *res)
{
    server_worker *sw = yima_http_req_ctx(req);
    const char *id = yima_http_req_query(req, "event");
    yima_ledger *lg = yima_store_ledger(sw->st);
    yima_buf note, entry, *out = yima_http_res_body(res);
    yima_ledger_proof proof;
    uint8_t leaf[YIMA_LEDGER_HASH_LEN], root[YIMA_LEDGER_HASH_LEN];
    uint64_t index = 0, size = 0;
    yima_error err;
    int rc;

    if (!id || !*id)
        return yima_http_res_error(res, 400, "bad query",
                                   "event: missing; give ?event=<eventID>");
    yima_error_clear(&err);
    rc = yima_store_event_by_id(sw->st, id, index_of, &index, &err);
    if (rc == YIMA_ENOTFOUND)
        return yima_http_res_error(res, 404, "not found",
                                   "no event with eventID %s", id);
    if (rc != 0)
        return yima_http_res_error(res, 500, "proof failed", "%s", err.msg);
    yima_buf_init(&note, YIMA_LEDGER_NOTE_MAX);
    yima_buf_init(&entry, YIMA_STORE_ENTRY_MAX);
    rc = current(sw, &note, &err);
    if (rc == YIMA_ENOTFOUND) {
        yima_http_res_error(res, 409, "no checkpoint",
                            "the ledger has no signed checkpoint yet");
        goto out;
    }
    /* the note's second line is its tree size */
    if (rc == 0) {
        const char *nl = memchr(note.data, '\n', note.len);
        char *end;

        size = nl ? strtoull(nl + 1, &end, 10) : 0;
        if (!nl || end == nl + 1 || *end != '\n')
            rc = yima_error_set(&err, YIMA_EIO, 0,
                                "the stored checkpoint has no tree size");
    }
    if (rc == 0 && index >= size) {
        yima_http_res_error(res, 409, "not yet checkpointed",
                            "event %s is entry %llu; the latest checkpoint "
                            "covers %llu entries",
                            id, (unsigned long long)index,
                            (unsigned long long)size);
        goto out;
    }
    if (rc == 0)
        rc = yima_store_entry(sw->st, index, &entry, &err);
    if (rc == 0)
        rc = yima_ledger_leaf_hash(entry.data, entry.len, leaf);
    if (rc == 0)
        rc = yima_ledger_prove_inclusion(lg, index, size, &proof, &err);
    if (rc == 0)
        rc = yima_ledger_root(lg, size, root, &err);
    if (rc != 0) {
        yima_http_res_error(res, 500, "proof failed", "%s",
                            err.msg[0] ? err.msg : yima_strerror(rc));
        goto out;
    }
    yima_buf_puts(out, "{\"event_id\":");
    yima_buf_json_str(out, id, strlen(id));
    yima_buf_printf(out, ",\"index\":%llu,\"size\":%llu",
                    (unsigned long long)index, (unsigned long long)size);
    hex_member(out, "leaf_hash", leaf);
    yima_buf_puts(out, ",\"path\":[");
    for (size_t i = 0; i < proof.n; i++) {
        yima_buf_puts(out, i ? ",\"" : "\"");
        for (int k = 0; k < YIMA_LEDGER_HASH_LEN; k++)
            yima_buf_printf(out, "%02x", proof.hash[i][k]);
        yima_buf_putc(out, '"');
    }
    yima_buf_putc(out, ']');
    hex_member(out, "root", root);
    yima_buf_puts(out, ",\"checkpoint\":");
    yima_buf_json_str(out, note.data, note.len);
    yima_buf_puts(out, "}\n");
out:
    yima_buf_free(&note);
    yima_buf_free(&entry);
    return 0;
}
