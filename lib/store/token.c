/*
 * token.c - access tokens (see yima/store.h): made from 208 random bits
 * (48 for the id, 128 for the secret), kept only as their SHA-256, checked
 * in constant time.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "yima/code.h"

#include "store_int.h"

#define PREFIX     "ymt_"
#define PREFIX_LEN 4

static const char *const roles[] = {"producer", "seller", "regulator",
                                    "auditor"};

bool yima_store_role_known(const char *role)
{
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
        if (role && strcmp(role, roles[i]) == 0)
            return true;
    return false;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* Does the stored party (JSON from yima_store_master_get) hold role? */
static bool party_has_role(const char *json, size_t len, const char *role)
{
    json_t *o = json_loadb(json, len, 0, NULL), *r, *v;
    bool has = false;
    size_t i;

    r = json_object_get(o, "roles");
    json_array_foreach (r, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), role) == 0)
            has = true;
    json_decref(o);
    return has;
}

int yima_store_token_create(yima_store *st, const char *party,
                            const char *role, char token[YIMA_TOKEN_LEN + 1],
                            yima_store_token *info, yima_error *err)
{
    uint8_t rnd[6 + 16], hash[SHA256_DIGEST_LENGTH];
    yima_store_token t = {0};
    yima_code *code = NULL;
    yima_buf json;
    int rc;

    assert(st && party && role && token);
    yima_error_clear(err);
    if (!yima_store_role_known(role))
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "token: role \"%s\" is not one of %s", role,
                              YIMA_ROLE_NAMES);
    yima_buf_init(&json, 1 << 20);
    rc = yima_store_master_get(st, YIMA_STORE_PARTY, party, NULL, &json, err);
    if (rc == 0 && !party_has_role(json.data, json.len, role))
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "token: party %s does not have the role %s "
                            "(add it with `yima party add`)",
                            party, role);
    if (rc == 0 && !(code = malloc(sizeof *code)))
        rc = yima_error_set(err, YIMA_ENOMEM, 0, "token: out of memory");
    if (rc == 0 &&
        (yima_code_parse(party, strlen(party), NULL, code, NULL) != 0 ||
         code->scheme != YIMA_SCHEME_USCC ||
         strlen(code->canonical) >= sizeof t.party))
        rc = yima_error_set(err, YIMA_EINVAL, 0,
                            "token: party %s is not a USCC", party);
    yima_buf_free(&json);
    if (rc == 0)
        memcpy(t.party, code->canonical, strlen(code->canonical) + 1);
    free(code);
    if (rc != 0)
        return rc;
    snprintf(t.role, sizeof t.role, "%s", role);
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return yima_error_set(err, YIMA_EIO, 0,
                              "token: no random bytes from libcrypto");
    hex(rnd, 6, t.id);
    memcpy(token, PREFIX, PREFIX_LEN);
    memcpy(token + PREFIX_LEN, t.id, YIMA_TOKEN_ID_LEN);
    token[PREFIX_LEN + YIMA_TOKEN_ID_LEN] = '_';
    hex(rnd + 6, 16, token + PREFIX_LEN + YIMA_TOKEN_ID_LEN + 1);
    OPENSSL_cleanse(rnd, sizeof rnd);
    SHA256((const unsigned char *)token, YIMA_TOKEN_LEN, hash);
    t.created_ms = store_now_ms();
    if ((rc = st->ops->token_put(st->be, &t, hash, err)) != 0) {
        OPENSSL_cleanse(token, YIMA_TOKEN_LEN);
        return rc;
    }
    if (info)
        *info = t;
    return 0;
}

/* The id inside a token's text, or NULL when it is not one. */
static bool token_id(const char *token, char id[YIMA_TOKEN_ID_LEN + 1])
{
    if (!token || strlen(token) != YIMA_TOKEN_LEN ||
        memcmp(token, PREFIX, PREFIX_LEN) != 0 ||
        token[PREFIX_LEN + YIMA_TOKEN_ID_LEN] != '_' ||
        !is_hex(token + PREFIX_LEN, YIMA_TOKEN_ID_LEN) ||
        !is_hex(token + PREFIX_LEN + YIMA_TOKEN_ID_LEN + 1, 32))
        return false;
    memcpy(id, token + PREFIX_LEN, YIMA_TOKEN_ID_LEN);
    id[YIMA_TOKEN_ID_LEN] = '\0';
    return true;
}

int yima_store_token_check(yima_store *st, const char *token,
                           yima_store_token *info, yima_error *err)
{
    uint8_t want[SHA256_DIGEST_LENGTH], got[SHA256_DIGEST_LENGTH];
    char id[YIMA_TOKEN_ID_LEN + 1];
    yima_store_token t;
    int rc;

    assert(st && info);
    yima_error_clear(err);
    if (!token_id(token, id))
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "token: not a yima token (ymt_ followed by 12 "
                              "and 32 lowercase hex digits)");
    rc = st->ops->token_get(st->be, id, &t, want, err);
    if (rc == YIMA_ENOTFOUND)
        memset(want, 0xff, sizeof want); /* compare anyway: same time */
    else if (rc != 0)
        return rc;
    SHA256((const unsigned char *)token, YIMA_TOKEN_LEN, got);
    if (rc != 0 || CRYPTO_memcmp(want, got, sizeof got) != 0)
        return yima_error_set(err, YIMA_ENOTFOUND, 0,
                              "token: unknown token %s", id);
    if (t.revoked_ms) {
        char when[YIMA_STORE_TIME_LEN + 1] = "";

        store_time_format(t.revoked_ms, when);
        return yima_error_set(err, YIMA_EUSAGE, 0,
                              "token: token %s was revoked at %s", id, when);
    }
    *info = t;
    return 0;
}

int yima_store_token_revoke(yima_store *st, const char *id_or_token,
                            yima_error *err)
{
    uint8_t hash[SHA256_DIGEST_LENGTH];
    char id[YIMA_TOKEN_ID_LEN + 1];
    yima_store_token t;
    int rc;

    assert(st && id_or_token);
    yima_error_clear(err);
    if (!token_id(id_or_token, id)) {
        if (strlen(id_or_token) != YIMA_TOKEN_ID_LEN ||
            !is_hex(id_or_token, YIMA_TOKEN_ID_LEN))
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "token: \"%.64s\" is neither a token id "
                                  "(12 hex digits) nor a token",
                                  id_or_token);
        memcpy(id, id_or_token, sizeof id);
    }
    if ((rc = st->ops->token_get(st->be, id, &t, hash, err)) != 0)
        return rc;
    if (t.revoked_ms)
        return yima_error_set(err, YIMA_EINVAL, 0,
                              "token: token %s is already revoked", id);
    return st->ops->token_revoke(st->be, id, store_now_ms(), err);
}
