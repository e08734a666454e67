/*
 * tiles.c - C2SP tlog-tiles: tile paths, hash tiles and entry bundles read
 * from the ledger, and a whole static log written into a directory.
 *
 * A tile at level L holds hashes of tree level 8*L, so with the stored-hash
 * numbering a tile is 1..256 reads at known indexes and nothing is hashed.
 * Tiles exist at every level L where the tree has at least one hash of level
 * 8*L: size >> 8L hashes, of which the first 256*floor(count/256) fill full
 * tiles and the rest one partial tile.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger_int.h"

#define TILE_BYTES      (YIMA_LEDGER_TILE_WIDTH * HASH_LEN)
#define TILE_LEVEL_MAX  7  /* 8 * 7 = 56 <= 62, the highest tree level */
#define TILE_LEVEL_SPEC 63 /* the highest level a path may name */
#define PATH_CAP        4096

int yima_ledger_tile_path(yima_buf *out, int level, uint64_t n, unsigned width)
{
    unsigned group[8];
    int ngroup = 0;

    assert(out);
    if (level < YIMA_LEDGER_TILE_ENTRIES || level > TILE_LEVEL_SPEC ||
        width == 0 || width > YIMA_LEDGER_TILE_WIDTH)
        return YIMA_EUSAGE;
    if (level == YIMA_LEDGER_TILE_ENTRIES)
        yima_buf_puts(out, "tile/entries/");
    else
        yima_buf_printf(out, "tile/%d/", level);
    do {
        group[ngroup++] = (unsigned)(n % 1000);
        n /= 1000;
    } while (n > 0);
    while (--ngroup > 0)
        yima_buf_printf(out, "x%03u/", group[ngroup]);
    yima_buf_printf(out, "%03u", group[0]);
    if (width < YIMA_LEDGER_TILE_WIDTH)
        return yima_buf_printf(out, ".p/%u", width);
    return out->failed ? YIMA_ETOOBIG : 0;
}

/* Read a decimal number without leading zeros from *p, up to max. */
static bool parse_dec(const char **p, const char *end, uint64_t max,
                      uint64_t *out)
{
    const char *q = *p;
    uint64_t v = 0;

    if (q == end || *q < '0' || *q > '9' ||
        (*q == '0' && q + 1 < end && q[1] >= '0' && q[1] <= '9'))
        return false;
    for (; q < end && *q >= '0' && *q <= '9'; q++) {
        v = v * 10 + (uint64_t)(*q - '0');
        if (v > max)
            return false;
    }
    *p = q;
    *out = v;
    return true;
}

/* Three digits. */
static bool parse_group(const char *p, const char *end, unsigned *out)
{
    if (end - p < 3)
        return false;
    for (int i = 0; i < 3; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    *out = (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
    return true;
}

int yima_ledger_tile_parse_path(const char *path, size_t len, int *level,
                                uint64_t *n, unsigned *width)
{
    const char *p = path, *end = path + len;
    uint64_t v, num = 0;
    unsigned g;
    int groups = 0;

    assert(path && level && n && width);
    if (len < 5 || memcmp(p, "tile/", 5) != 0)
        return YIMA_EINVAL;
    p += 5;
    if (end - p >= 8 && memcmp(p, "entries/", 8) == 0) {
        *level = YIMA_LEDGER_TILE_ENTRIES;
        p += 8;
    } else {
        if (!parse_dec(&p, end, TILE_LEVEL_SPEC, &v) || p == end || *p != '/')
            return YIMA_EINVAL;
        *level = (int)v;
        p++;
    }
    /* "xDDD/" groups, then the last "DDD". */
    for (;;) {
        bool more = p < end && *p == 'x';

        if (!parse_group(p + more, end, &g))
            return YIMA_EINVAL;
        if ((groups == 0 && more && g == 0) || num > UINT64_MAX / 1000 - 1)
            return YIMA_EINVAL; /* leading zero group, or too large */
        num = num * 1000 + g;
        groups++;
        p += 3 + more;
        if (!more)
            break;
        if (p == end || *p != '/')
            return YIMA_EINVAL;
        p++;
    }
    *n = num;
    *width = YIMA_LEDGER_TILE_WIDTH;
    if (p == end)
        return 0;
    if (end - p < 4 || memcmp(p, ".p/", 3) != 0)
        return YIMA_EINVAL;
    p += 3;
    if (!parse_dec(&p, end, YIMA_LEDGER_TILE_WIDTH - 1, &v) || v == 0 ||
        p != end)
        return YIMA_EINVAL;
    *width = (unsigned)v;
    return 0;
}

/* Check that a row of `count` items holds item 256*n + width - 1. */
static int tile_check(int level, uint64_t n, unsigned width, uint64_t count,
                      yima_error *err)
{
    char lv[16];

    if (n < count / YIMA_LEDGER_TILE_WIDTH ||
        (n == count / YIMA_LEDGER_TILE_WIDTH &&
         width <= count % YIMA_LEDGER_TILE_WIDTH))
        return 0;
    if (level == YIMA_LEDGER_TILE_ENTRIES)
        snprintf(lv, sizeof lv, "entries");
    else
        snprintf(lv, sizeof lv, "%d", level);
    return yima_error_set(err, YIMA_ENOTFOUND, 0,
                          "tile %s/%" PRIu64 " of width %u is beyond the "
                          "tree (%" PRIu64 " items on its row)",
                          lv, n, width, count);
}

int yima_ledger_tile(yima_ledger *lg, int level, uint64_t n, unsigned width,
                     yima_buf *out, yima_error *err)
{
    uint64_t idx[YIMA_LEDGER_TILE_WIDTH], size;
    uint8_t(*h)[HASH_LEN] = NULL;
    unsigned row;
    int rc;

    assert(lg && out);
    if (level < 0 || level > TILE_LEVEL_SPEC || width == 0 ||
        width > YIMA_LEDGER_TILE_WIDTH)
        return yima_error_set(err, YIMA_EUSAGE, 0,
                              "tile: level %d or width %u out of range", level,
                              width);
    if (level > TILE_LEVEL_MAX) /* no tree this ledger holds reaches it */
        return tile_check(level, n, width, 0, err);
    row = (unsigned)level * YIMA_LEDGER_TILE_HEIGHT;
    if ((rc = ledger_cur_size(lg, &size)) != 0 ||
        (rc = tile_check(level, n, width, size >> row, err)) != 0)
        return rc;
    if (!(h = malloc(width * sizeof *h)))
        return YIMA_ENOMEM;
    for (unsigned i = 0; i < width; i++)
        idx[i] = yima_ledger_stored_index(row, n * YIMA_LEDGER_TILE_WIDTH + i);
    if ((rc = ledger_read(lg, idx, width, h)) == 0)
        rc = yima_buf_add(out, h, width * sizeof *h);
    free(h);
    return rc;
}

int yima_ledger_bundle(yima_ledger *lg, uint64_t n, unsigned width,
                       yima_ledger_entry_fn entry, void *ctx, yima_buf *out,
                       yima_error *err)
{
    uint64_t idx[YIMA_LEDGER_TILE_WIDTH], size;
    uint8_t(*h)[HASH_LEN] = NULL, lh[HASH_LEN];
    yima_buf e;
    int rc;

    assert(lg && entry && out);
    yima_buf_init(&e, YIMA_LEDGER_ENTRY_MAX);
    if (width == 0 || width > YIMA_LEDGER_TILE_WIDTH)
        return yima_error_set(err, YIMA_EUSAGE, 0,
                              "bundle: width %u out of range", width);
    if ((rc = ledger_cur_size(lg, &size)) != 0 ||
        (rc = tile_check(YIMA_LEDGER_TILE_ENTRIES, n, width, size, err)) != 0)
        return rc;
    if (!(h = malloc(width * sizeof *h)))
        return YIMA_ENOMEM;
    for (unsigned i = 0; i < width; i++)
        idx[i] = yima_ledger_stored_index(0, n * YIMA_LEDGER_TILE_WIDTH + i);
    if ((rc = ledger_read(lg, idx, width, h)) != 0)
        goto out;
    for (unsigned i = 0; i < width; i++) {
        uint64_t index = n * YIMA_LEDGER_TILE_WIDTH + i;
        uint8_t len[2];

        yima_buf_reset(&e);
        if ((rc = entry(ctx, index, &e)) != 0) {
            if (rc == YIMA_ETOOBIG && e.failed)
                yima_error_set(err, rc, 0,
                               "entry %" PRIu64 " is longer than %d bytes",
                               index, YIMA_LEDGER_ENTRY_MAX);
            else
                yima_error_set(err, rc, 0, "entry %" PRIu64 ": %s", index,
                               yima_strerror(rc));
            goto out;
        }
        if ((rc = ledger_leaf_hash(lg->md, e.data, e.len, lh)) != 0)
            goto out;
        if (memcmp(lh, h[i], HASH_LEN) != 0) {
            rc = yima_error_set(err, YIMA_EINVAL, 0,
                                "entry %" PRIu64 " does not hash to its "
                                "leaf in the tree",
                                index);
            goto out;
        }
        len[0] = (uint8_t)(e.len >> 8);
        len[1] = (uint8_t)e.len;
        yima_buf_add(out, len, 2);
        if ((rc = yima_buf_add(out, e.data, e.len)) != 0)
            goto out;
    }
out:
    yima_buf_free(&e);
    free(h);
    return rc;
}

/* mkdir -p for every directory in path before its last '/'. */
static int make_dirs(yima_buf *path, size_t from, yima_error *err)
{
    for (size_t i = from; i < path->len; i++) {
        if (path->data[i] != '/' || i == 0)
            continue;
        path->data[i] = '\0';
        if (mkdir(path->data, 0755) != 0 && errno != EEXIST) {
            yima_error_set(err, YIMA_EIO, 0, "tiles: mkdir %s: %s", path->data,
                           strerror(errno));
            path->data[i] = '/';
            return YIMA_EIO;
        }
        path->data[i] = '/';
    }
    return 0;
}

/* Write a file whole: to a temporary name beside it, then rename. */
static int write_file(const char *path, const void *data, size_t n,
                      yima_error *err)
{
    yima_buf tmp;
    const char *p = data;
    int fd = -1, rc = YIMA_EIO;

    yima_buf_init(&tmp, PATH_CAP);
    if (yima_buf_printf(&tmp, "%s.tmpXXXXXX", path) != 0) {
        rc = yima_error_set(err, YIMA_ETOOBIG, 0, "tiles: path too long");
        goto out;
    }
    if ((fd = mkstemp(tmp.data)) < 0)
        goto fail;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto fail;
        p += w;
        n -= (size_t)w;
    }
    if (fchmod(fd, 0644) != 0 || close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp.data, path) != 0)
        goto fail;
    rc = 0;
    goto out;
fail:
    rc = yima_error_set(err, YIMA_EIO, 0, "tiles: write %s: %s", path,
                        strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(tmp.data);
out:
    yima_buf_free(&tmp);
    return rc;
}

typedef struct writer {
    yima_ledger *lg;
    yima_buf path; /* dir + '/' + tile path */
    size_t base;   /* length of dir + '/' */
    yima_buf data;
    yima_ledger_entry_fn entry;
    void *ctx;
    yima_error *err;
} writer;

/* Write one tile or bundle unless a full one is already there. */
static int write_one(writer *w, int level, uint64_t n, unsigned width)
{
    struct stat st;
    int rc;

    w->path.len = w->base;
    yima_buf_reset(&w->data);
    if (yima_ledger_tile_path(&w->path, level, n, width) != 0)
        return yima_error_set(w->err, YIMA_ETOOBIG, 0, "tiles: path too long");
    if (stat(w->path.data, &st) == 0 && S_ISREG(st.st_mode) &&
        (level == YIMA_LEDGER_TILE_ENTRIES
             ? st.st_size > 0
             : (size_t)st.st_size == (size_t)width * HASH_LEN))
        return 0; /* tiles of a given width never change */
    if (level == YIMA_LEDGER_TILE_ENTRIES)
        rc = yima_ledger_bundle(w->lg, n, width, w->entry, w->ctx, &w->data,
                                w->err);
    else
        rc = yima_ledger_tile(w->lg, level, n, width, &w->data, w->err);
    if (rc != 0 || (rc = make_dirs(&w->path, w->base, w->err)) != 0)
        return rc;
    return write_file(w->path.data, w->data.data, w->data.len, w->err);
}

/* Every full and partial tile of a row of `count` items. */
static int write_row(writer *w, int level, uint64_t count)
{
    uint64_t full = count / YIMA_LEDGER_TILE_WIDTH;
    unsigned rest = (unsigned)(count % YIMA_LEDGER_TILE_WIDTH);
    int rc;

    for (uint64_t n = 0; n < full; n++)
        if ((rc = write_one(w, level, n, YIMA_LEDGER_TILE_WIDTH)) != 0)
            return rc;
    if (rest > 0)
        return write_one(w, level, full, rest);
    return 0;
}

int yima_ledger_tiles_write(yima_ledger *lg, const char *dir,
                            const char *checkpoint, size_t len,
                            yima_ledger_entry_fn entry, void *ctx,
                            yima_error *err)
{
    uint8_t root[HASH_LEN], want[HASH_LEN];
    uint64_t size, cur;
    size_t origin_len;
    long split;
    writer w;
    int rc;

    assert(lg && dir && checkpoint);
    memset(&w, 0, sizeof w);
    yima_buf_init(&w.path, PATH_CAP);
    yima_buf_init(&w.data,
                  (size_t)YIMA_LEDGER_TILE_WIDTH * (2 + YIMA_LEDGER_ENTRY_MAX));
    w.lg = lg;
    w.entry = entry;
    w.ctx = ctx;
    w.err = err;

    split = ledger_note_split(checkpoint, len);
    if (split < 0) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "tiles: the checkpoint is not a signed note");
        goto out;
    }
    if ((rc = ledger_checkpoint_parse(checkpoint, (size_t)split + 1,
                                      &origin_len, &size, root, err)) != 0 ||
        (rc = ledger_cur_size(lg, &cur)) != 0)
        goto out;
    if (size > cur) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "tiles: checkpoint size %" PRIu64 " is beyond "
                            "the ledger's %" PRIu64 " leaves",
                            size, cur);
        goto out;
    }
    if ((rc = ledger_range_hash(lg, 0, size, want)) != 0)
        goto out;
    if (memcmp(root, want, HASH_LEN) != 0) {
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "tiles: the checkpoint's root is not the "
                            "ledger's root at size %" PRIu64,
                            size);
        goto out;
    }

    yima_buf_printf(&w.path, "%s/", dir);
    if (w.path.failed) {
        rc = yima_error_set(err, YIMA_ETOOBIG, 0, "tiles: path too long");
        goto out;
    }
    w.base = w.path.len;
    if ((rc = make_dirs(&w.path, 0, err)) != 0)
        goto out;
    for (int level = 0; level <= TILE_LEVEL_MAX; level++) {
        uint64_t count = size >> (level * YIMA_LEDGER_TILE_HEIGHT);
        if (count == 0)
            break;
        if ((rc = write_row(&w, level, count)) != 0)
            goto out;
    }
    if (entry && (rc = write_row(&w, YIMA_LEDGER_TILE_ENTRIES, size)) != 0)
        goto out;

    /* The checkpoint last: once it is visible, its tiles are too. */
    w.path.len = w.base;
    if ((rc = yima_buf_puts(&w.path, "checkpoint")) != 0) {
        rc = yima_error_set(err, YIMA_ETOOBIG, 0, "tiles: path too long");
        goto out;
    }
    rc = write_file(w.path.data, checkpoint, len, err);
out:
    yima_buf_free(&w.path);
    yima_buf_free(&w.data);
    return rc;
}
