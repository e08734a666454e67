/*
 * cmd_token.c - bearer tokens for the server's API:
 *
 *   yima token create --db PATH --party USCC --role ROLE
 *       prints {"id","party","role","created"} and then, as its last line,
 *       the token itself: shown once, stored only as its SHA-256
 *   yima token revoke --db PATH ID|TOKEN
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: yima token create --db PATH --party USCC --role ROLE\n"
    "       yima token revoke --db PATH ID|TOKEN\n"
    "create prints the token as its last line; it is shown only once.\n"
    "ROLE: " YIMA_ROLE_NAMES " (one the party holds).\n";

static int create(int argc, char **argv)
{
    const char *db = NULL, *party = NULL, *role = NULL;
    const cli_opt opts[] = {
        {"--db", &db, NULL}, {"--party", &party, NULL}, {"--role", &role, NULL},
        {NULL, NULL, NULL}};
    char token[YIMA_TOKEN_LEN + 1], when[32] = "";
    yima_store_token info;
    yima_store *st;
    yima_error err;
    int status;

    if (!cli_options(argc, argv, opts, "token create", help, &status))
        return status;
    if (!db || !party || !role)
        return cli_usage_error("token create needs --db, --party and "
                               "--role\n%s",
                               help);
    if ((status = cli_store_open(db, &st)) != CLI_OK)
        return status;
    if (yima_store_token_create(st, party, role, token, &info, &err) != 0) {
        fprintf(stderr, "yima: %s\n", err.msg);
        yima_store_close(st);
        return CLI_INVALID;
    }
    yima_store_close(st);
    snprintf(when, sizeof when, "%lld", (long long)info.created_ms);
    printf("{\"id\":\"%s\",\"party\":\"%s\",\"role\":\"%s\","
           "\"created_ms\":%s}\n%s\n",
           info.id, info.party, info.role, when, token);
    return CLI_OK;
}

static int revoke(int argc, char **argv)
{
    const char *db = NULL, *which = NULL;
    yima_store *st;
    yima_error err;
    int status;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (argv[i][0] != '-' && !which)
            which = argv[i];
        else
            return cli_usage_error("token revoke: unexpected '%s'\n%s",
                                   argv[i], help);
    }
    if (!db || !which)
        return cli_usage_error("token revoke needs --db and an ID or TOKEN\n%s",
                               help);
    if ((status = cli_store_open(db, &st)) != CLI_OK)
        return status;
    if (yima_store_token_revoke(st, which, &err) != 0) {
        fprintf(stderr, "yima: %s\n", err.msg);
        yima_store_close(st);
        return CLI_INVALID;
    }
    yima_store_close(st);
    printf("revoked\n");
    return CLI_OK;
}

int cmd_token(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "create"))
        return create(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "revoke"))
        return revoke(argc - 1, argv + 1);
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        fputs(help, stdout);
        return CLI_OK;
    }
    return cli_usage_error("token: expected 'create' or 'revoke'\n%s", help);
}
