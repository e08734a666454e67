/*
 * checkpoint.c - C2SP tlog-checkpoint: the text "<origin>\n<size>\n<base64
 * root>\n", written, signed as a note, and read back after verification.
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "ledger_int.h"

static int origin_check(const char *origin, size_t n, yima_error *err)
{
    int rc;

    if (n == 0)
        return yima_error_set(err, YIMA_EINVAL, 0, "checkpoint: empty origin");
    if (memchr(origin, '\n', n))
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "checkpoint: origin has a newline");
    if ((rc = ledger_text_check("checkpoint origin", origin, n, err)) != 0)
        return rc;
    return 0;
}

int yima_ledger_checkpoint_text(const char *origin, uint64_t size,
                                const uint8_t root[YIMA_LEDGER_HASH_LEN],
                                yima_buf *out, yima_error *err)
{
    int rc;

    assert(origin && root && out);
    if ((rc = origin_check(origin, strlen(origin), err)) != 0)
        return rc;
    yima_buf_printf(out, "%s\n%" PRIu64 "\n", origin, size);
    ledger_b64_encode(out, root, HASH_LEN);
    return yima_buf_putc(out, '\n');
}

int ledger_checkpoint_parse(const char *text, size_t len, size_t *origin_len,
                            uint64_t *size, uint8_t root[HASH_LEN],
                            yima_error *err)
{
    const char *end = text + len, *p = text, *eol;
    uint8_t h[HASH_LEN + 3];
    uint64_t v = 0;
    int line = 1;

    if (len == 0 || text[len - 1] != '\n')
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "checkpoint: the text must end with a newline");
    /* Line 1: origin. */
    eol = memchr(p, '\n', len);
    if (eol == p)
        return yima_error_set(err, YIMA_EINVAL, 1,
                              "checkpoint: line 1 (origin) is empty");
    *origin_len = (size_t)(eol - p);
    p = eol + 1;
    /* Line 2: tree size, decimal without leading zeros. */
    line = 2;
    if (p == end)
        goto missing;
    eol = memchr(p, '\n', (size_t)(end - p));
    if (eol == p || (eol - p > 1 && *p == '0'))
        goto bad_size;
    for (const char *q = p; q < eol; q++) {
        if (*q < '0' || *q > '9' ||
            v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
            goto bad_size;
        v = v * 10 + (uint64_t)(*q - '0');
    }
    *size = v;
    p = eol + 1;
    /* Line 3: root hash, base64. */
    line = 3;
    if (p == end)
        goto missing;
    eol = memchr(p, '\n', (size_t)(end - p));
    if (ledger_b64_decode(p, (size_t)(eol - p), h, sizeof h) != HASH_LEN)
        return yima_error_set(err, YIMA_EINVAL,
                              ledger_char_pos(text, (size_t)(p - text)),
                              "checkpoint: line 3 is not the base64 of a "
                              "32-byte root hash");
    memcpy(root, h, HASH_LEN);
    /* Extension lines: any, but none empty. */
    for (p = eol + 1, line = 4; p < end; p = eol + 1, line++) {
        eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == p)
            return yima_error_set(err, YIMA_EINVAL,
                                  ledger_char_pos(text, (size_t)(p - text)),
                                  "checkpoint: line %d is empty", line);
    }
    return 0;
missing:
    return yima_error_set(err, YIMA_EINVAL, 0,
                          "checkpoint: line %d is missing (expected origin, "
                          "tree size and root hash)",
                          line);
bad_size:
    return yima_error_set(err, YIMA_EINVAL,
                          ledger_char_pos(text, (size_t)(p - text)),
                          "checkpoint: line 2 '%.*s' is not a tree size "
                          "(decimal, no leading zeros)",
                          (int)(eol - p), p);
}

int yima_ledger_checkpoint_sign(yima_ledger *lg, const char *origin,
                                const char *skey, yima_buf *out,
                                yima_error *err)
{
    uint8_t root[HASH_LEN];
    uint64_t size;
    yima_buf text;
    int rc;

    assert(lg && origin && skey && out);
    yima_buf_init(&text, YIMA_LEDGER_NOTE_MAX);
    if ((rc = ledger_cur_size(lg, &size)) != 0 ||
        (rc = yima_ledger_root(lg, size, root, err)) != 0 ||
        (rc = yima_ledger_checkpoint_text(origin, size, root, &text, err)) != 0)
        goto out;
    rc = yima_ledger_note_sign(skey, text.data, text.len, out, err);
out:
    yima_buf_free(&text);
    return rc;
}

int yima_ledger_checkpoint_open(const char *vkey, const char *origin,
                                const char *note, size_t len, uint64_t *size,
                                uint8_t root[YIMA_LEDGER_HASH_LEN],
                                yima_error *err)
{
    size_t text_len, origin_len;
    int rc;

    assert(vkey && note && size && root);
    if ((rc = yima_ledger_note_verify(vkey, note, len, &text_len, err)) != 0)
        return rc;
    if ((rc = ledger_checkpoint_parse(note, text_len, &origin_len, size, root,
                                      err)) != 0)
        return rc;
    if (origin &&
        (strlen(origin) != origin_len || memcmp(origin, note, origin_len)))
        return yima_error_set(err, YIMA_EINVAL, 1,
                              "checkpoint: origin '%.*s' is not the expected "
                              "'%s'",
                              (int)origin_len, note, origin);
    if (*size > YIMA_LEDGER_SIZE_MAX)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "checkpoint: tree size %" PRIu64 " is too large",
                              *size);
    return 0;
}
