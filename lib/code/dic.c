/*
 * dic.c - the platform's digital identity codes (数字身份码): issue and
 * parse.
 *
 * A code is YIMA_DIC_LEN = 19 characters: "YM", 16 characters drawn
 * uniformly at random from the 31-symbol USCC alphabet
 * 0123456789ABCDEFGHJKLMNPQRTUWXY (no I O S V Z, which people confuse with
 * 1 0 5 U 2), and one check character. Lower case is accepted on input.
 *
 * Check. Each of the 19 characters has its alphabet value a (0..30) and a
 * weight 3^k mod 31, k = 0 for the check character at the right and
 * increasing leftwards; a code is valid when sum(a * w) = 0 mod 31 (a pure
 * ISO/IEC 7064-style system over the prime modulus 31). Because 31 is
 * prime every non-zero weight is invertible, so changing one character
 * from a to b changes the sum by (a - b) * w != 0: every single
 * substitution is caught. Swapping characters a != b at weights w and
 * w * 3^d changes the sum by (a - b) * w * (1 - 3^d), and 3 is a primitive
 * root mod 31 (its powers run through all 30 non-zero residues), so
 * 3^d != 1 for 0 < d < 30: every transposition within a 19-character code,
 * adjacent or not, is caught. tests/unit/test_schemes.c checks both
 * exhaustively over many codes.
 *
 * Unguessability. The 16 random characters carry 16 * log2(31) = 79.3
 * bits, from getrandom(2) (the kernel CSPRNG) with rejection sampling, so
 * every character is exactly uniform. 31^16 = 7.3e23 codes: even with a
 * billion codes issued, a guess hits an existing code with probability
 * 1.4e-15, so an attacker making a million guesses a second against an
 * unthrottled resolver would need about 23 years for one expected hit,
 * and enumerating the space is out of the question. The check character
 * is public and adds no secrecy; it only lets a typo be caught offline.
 * Codes are also unique in practice (birthday bound: 1e9 codes collide
 * with probability about 7e-7); the store must still refuse a duplicate
 * and the caller issue again.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "code_int.h"

#define DIC_RANDOM 16

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Value 0..30 of an alphabet character in either case, or -1. */
static int value_of(int c)
{
    int i;

    if (c >= 'a' && c <= 'z')
        c = c - 'a' + 'A';
    for (i = 0; i < 31; i++)
        if (alphabet[i] == c)
            return i;
    return -1;
}

/* The check character for the first YIMA_DIC_LEN - 1 characters of code
 * (all in the alphabet). */
static char check_char(const char *code)
{
    unsigned sum = 0, w = 3; /* the check character itself has weight 1 */
    int i;

    for (i = YIMA_DIC_LEN - 2; i >= 0; i--) {
        sum += (unsigned)value_of((unsigned char)code[i]) * w;
        w = w * 3 % 31;
    }
    return alphabet[(31 - sum % 31) % 31];
}

bool code_dic_shape(const char *s, size_t n)
{
    size_t i;

    assert(s || n == 0);
    if (n != YIMA_DIC_LEN || (s[0] != 'Y' && s[0] != 'y') ||
        (s[1] != 'M' && s[1] != 'm'))
        return false;
    for (i = 2; i < n; i++)
        if (value_of((unsigned char)s[i]) < 0)
            return false;
    return true;
}

int code_parse_dic(const char *s, size_t n, yima_code *out, yima_error *err)
{
    char up[YIMA_DIC_LEN + 1], cb[8], expect;
    size_t i, chars;

    assert(s && out);
    code_begin(out, YIMA_SCHEME_DIC);

    chars = code_char_count(s, n);
    if (chars != YIMA_DIC_LEN)
        return code_fail(err, CODE_NOPOS, "DIC: length is %zu, expected %d",
                         chars, YIMA_DIC_LEN);
    if (n < 2 || (s[0] != 'Y' && s[0] != 'y') || (s[1] != 'M' && s[1] != 'm'))
        return code_fail(err, 0, "DIC: must start with YM");
    /* Every character before the first bad one is a single byte. */
    for (i = 2; i < n; i++) {
        int v = value_of((unsigned char)s[i]);
        if (v < 0 || i >= YIMA_DIC_LEN)
            return code_fail(err, i,
                             "DIC: character '%s' at position %zu is not "
                             "allowed (allowed: 0-9 and A-Y except I O S V Z)",
                             code_show_char(s, n, i, cb), i + 1);
        up[i] = alphabet[v];
    }
    up[0] = 'Y';
    up[1] = 'M';
    up[YIMA_DIC_LEN] = '\0';
    expect = check_char(up);
    if (up[YIMA_DIC_LEN - 1] != expect)
        return code_fail(err, YIMA_DIC_LEN - 1,
                         "DIC: check character is %c, expected %c",
                         up[YIMA_DIC_LEN - 1], expect);

    code_set_urn(out, YIMA_SCHEME_DIC, up);
    code_part_add(out, "check", up + YIMA_DIC_LEN - 1, 1);
    return 0;
}

/* Fill buf with n bytes from the kernel CSPRNG; 0 or -errno. */
static int fill_random(unsigned char *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno ? -errno : -EIO;
        }
        got += (size_t)r;
    }
    return 0;
}

int yima_dic_issue(const char *producer, char out[YIMA_DIC_LEN + 1],
                   yima_error *err)
{
    unsigned char pool[32];
    size_t used = sizeof pool, n;
    int k = 0, rc;

    assert(producer && out);
    n = strnlen(producer, YIMA_CODE_INPUT_MAX + 1);
    if (!code_uscc_valid(producer, n)) {
        yima_code tmp;
        yima_error why;

        memset(&tmp, 0, sizeof tmp);
        yima_error_clear(&why);
        code_parse_uscc(producer, n, &tmp, &why);
        return yima_error_set(err, YIMA_EINVAL, why.pos, "producer %s",
                              why.msg[0] ? why.msg : "USCC is not valid");
    }

    out[0] = 'Y';
    out[1] = 'M';
    while (k < DIC_RANDOM) {
        unsigned v;
        if (used == sizeof pool) {
            rc = fill_random(pool, sizeof pool);
            if (rc) {
                explicit_bzero(pool, sizeof pool);
                out[0] = '\0';
                return yima_error_set(err, YIMA_EIO, 0,
                                      "no randomness: getrandom failed "
                                      "(errno %d)",
                                      -rc);
            }
            used = 0;
        }
        /* The low five bits of a uniform byte are uniform over 0..31;
         * dropping 31 leaves every one of the 31 symbols equally likely,
         * with no modulo bias. */
        v = pool[used++] & 31u;
        if (v < 31)
            out[2 + k++] = alphabet[v];
    }
    explicit_bzero(pool, sizeof pool);
    out[YIMA_DIC_LEN - 1] = check_char(out);
    out[YIMA_DIC_LEN] = '\0';
    yima_error_clear(err);
    return 0;
}
