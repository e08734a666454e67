/*
 * ecode.c - Ecode, the IoT item code of China's IoT identification system
 * (物联网标识体系 物品编码Ecode, GB/T 31866).
 *
 * An Ecode is written as one version digit V, then the numbering system
 * identifier NSI (编码体系标识) whose length the version fixes, then the
 * master data code MD (主码) of bounded length. Versions differ in those
 * lengths and in the character set (digits, or upper-case alphanumeric).
 * The per-version numbers come from data/ecode/versions.tsv through the
 * generated ecode_table.c; that file says which numbers are certain.
 *
 * The Ecode itself has no check character (an MD may carry its own, e.g.
 * an embedded GTIN, but that is the business of whoever assigned it).
 */
#include <assert.h>

#include "code_int.h"
#include "ecode_int.h"

/* Longest Ecode any table row could describe: 1 + 32 + 64. */
#define ECODE_MAX 97

static const ecode_version *find_version(int v)
{
    size_t i;

    for (i = 0; i < ecode_version_count; i++)
        if (ecode_versions[i].version == v)
            return &ecode_versions[i];
    return NULL;
}

/* "1, 2, 3, 4": the defined versions, for messages. */
static void list_versions(char *buf, size_t size)
{
    size_t i, len = 0;

    buf[0] = '\0';
    for (i = 0; i < ecode_version_count && len + 4 < size; i++) {
        if (len) {
            buf[len++] = ',';
            buf[len++] = ' ';
        }
        buf[len++] = (char)('0' + ecode_versions[i].version);
        buf[len] = '\0';
    }
}

/* c folded for charset cs when it belongs to it, else -1. */
static int fold(int c, int cs)
{
    if (c >= '0' && c <= '9')
        return c;
    if (cs != ECODE_ALNUM)
        return -1;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 'A';
    if (c >= 'A' && c <= 'Z')
        return c;
    return -1;
}

/*
 * Validate s as an Ecode. On success writes the folded code to up[] (room
 * for ECODE_MAX + 1) and returns its version; on failure fills err (may
 * be NULL) and returns YIMA_EINVAL.
 */
static int check(const char *s, size_t n, char *up, const ecode_version **vp,
                 yima_error *err)
{
    const ecode_version *v;
    char cb[8], list[48];
    size_t i, lo, hi;

    if (n == 0)
        return code_fail(err, CODE_NOPOS, "Ecode: empty");
    if (s[0] < '0' || s[0] > '9')
        return code_fail(err, 0,
                         "Ecode: version '%s' at position 1 is not a digit",
                         code_show_char(s, n, 0, cb));
    v = find_version(s[0] - '0');
    if (!v) {
        list_versions(list, sizeof list);
        return code_fail(err, 0,
                         "Ecode: version %c is not defined (defined: %s)", s[0],
                         list);
    }
    /* Characters first, so a stray letter is named where it is; every
     * character before the first bad one is a single byte. */
    for (i = 1; i < n; i++) {
        int c = fold((unsigned char)s[i], v->charset);
        if (c < 0)
            return code_fail(err, i,
                             "Ecode: character '%s' at position %zu is not "
                             "allowed in version %d (%s)",
                             code_show_char(s, n, i, cb), i + 1, v->version,
                             v->charset == ECODE_ALNUM ? "0-9 and A-Z"
                                                       : "digits only");
        if (i < ECODE_MAX)
            up[i] = (char)c;
    }
    lo = 1u + v->nsi_len + v->md_min;
    hi = v->total_max;
    if (n < lo || n > hi)
        return code_fail(err, CODE_NOPOS,
                         "Ecode: length is %zu, expected %zu-%zu for version "
                         "%d (1 version + %d NSI + %d-%d MD)",
                         code_char_count(s, n), lo, hi, v->version, v->nsi_len,
                         v->md_min, v->md_max);
    up[0] = s[0];
    up[n] = '\0';
    *vp = v;
    return 0;
}

bool code_ecode_shape(const char *s, size_t n)
{
    const ecode_version *v;
    char up[ECODE_MAX + 1];

    assert(s || n == 0);
    return check(s, n, up, &v, NULL) == 0;
}

int code_parse_ecode(const char *s, size_t n, yima_code *out, yima_error *err)
{
    const ecode_version *v;
    char up[ECODE_MAX + 1];
    int rc;

    assert(s && out);
    code_begin(out, YIMA_SCHEME_ECODE);

    rc = check(s, n, up, &v, err);
    if (rc)
        return rc;
    code_set_urn(out, YIMA_SCHEME_ECODE, up);
    code_part_add(out, "version", up, 1);
    code_part_add(out, "nsi", up + 1, v->nsi_len);
    code_part_add(out, "md", up + 1 + v->nsi_len, n - 1 - v->nsi_len);
    return 0;
}
