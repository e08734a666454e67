/*
 * cmd_party.c - master data from the command line, one record at a time:
 *
 *   yima party add --db PATH --uscc USCC --name NAME --role ROLE[,ROLE]
 *                  [--region CODE] [--gcp PREFIX]... [--licence TEXT]...
 *   yima product add --db PATH --producer USCC --gtin GTIN --name NAME
 *                  --category CATEGORY [--model TEXT] [--standard TEXT]
 *                  [--ccc CERT] [--licence TEXT]
 *
 * Adding a record that exists replaces it. The stored record is printed as
 * one line of JSON. Roles are those of yima/store.h (YIMA_ROLE_NAMES).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char party_help[] =
    "usage: yima party add --db PATH --uscc USCC --name NAME\n"
    "                      --role ROLE[,ROLE] [--region CODE]\n"
    "                      [--gcp PREFIX]... [--licence TEXT]...\n"
    "Adds (or replaces) a party. ROLE: " YIMA_ROLE_NAMES ".\n";

static const char product_help[] =
    "usage: yima product add --db PATH --producer USCC --gtin GTIN --name NAME\n"
    "                        --category CATEGORY [--model TEXT]\n"
    "                        [--standard TEXT] [--ccc CERT] [--licence TEXT]\n"
    "Adds (or replaces) a product of a stored producer and category.\n";

/* Add "a,b,c" (or one value) to the array member key of o. */
static int add_list(json_t *o, const char *key, const char *value, bool split)
{
    json_t *a = json_object_get(o, key);
    const char *p = value;

    if (!a) {
        a = json_array();
        json_object_set_new(o, key, a);
    }
    while (*p) {
        size_t n = split ? strcspn(p, ",") : strlen(p);

        if (n == 0)
            return -1;
        json_array_append_new(a, json_stringn(p, n));
        p += n;
        if (*p == ',' && !*++p)
            return -1;
    }
    return 0;
}

/* Store the record and print it back. */
static int put(const char *db, yima_store_kind kind, json_t *o,
               const char *key)
{
    yima_store *st = NULL;
    yima_error err;
    yima_buf out;
    char *json = json_dumps(o, JSON_COMPACT);
    int rc;

    if (!json) {
        fprintf(stderr, "yima: out of memory\n");
        return CLI_INVALID;
    }
    if ((rc = cli_store_open(db, &st)) != CLI_OK) {
        free(json);
        return rc;
    }
    yima_buf_init(&out, 1 << 20);
    if (yima_store_master_put(st, kind, json, strlen(json), &err) != 0 ||
        yima_store_master_get(st, kind, key, NULL, &out, &err) != 0) {
        fprintf(stderr, "yima: %s\n", err.msg);
        rc = CLI_INVALID;
    } else {
        printf("%s\n", out.data);
    }
    yima_buf_free(&out);
    yima_store_close(st);
    free(json);
    return rc;
}

/* An option that repeats: --opt VALUE appends to the array member. */
typedef struct list_opt {
    const char *opt, *member;
    bool split; /* "a,b" gives two items */
} list_opt;

/* How a command's options become a master-data record. */
typedef struct form {
    const char *cmd;  /* "party add" */
    const char *help;
    const char *const *single; /* --name VALUE: the string member name */
    const list_opt *lists;     /* ended by {NULL} */
} form;

/*
 * Read argv into record o and *db. Returns CLI_OK to go on, CLI_USAGE
 * after a usage error, or -1 after --help (printed).
 */
static int read_form(const form *f, int argc, char **argv, json_t *o,
                     const char **db)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool done = false;

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(f->help, stdout);
            return -1;
        }
        if (!v || strncmp(a, "--", 2) != 0)
            return cli_usage_error("%s: unexpected '%s'\n%s", f->cmd, a,
                                   f->help);
        i++;
        if (!strcmp(a, "--db"))
            *db = v, done = true;
        for (int k = 0; !done && f->single[k]; k++)
            if (!strcmp(a + 2, f->single[k]))
                json_object_set_new(o, f->single[k], json_string(v)),
                    done = true;
        for (int k = 0; !done && f->lists && f->lists[k].opt; k++)
            if (!strcmp(a, f->lists[k].opt)) {
                if (add_list(o, f->lists[k].member, v, f->lists[k].split))
                    return cli_usage_error("%s: %s '%s': an empty item",
                                           f->cmd, a, v);
                done = true;
            }
        if (!done)
            return cli_usage_error("%s: unknown option '%s'\n%s", f->cmd, a,
                                   f->help);
    }
    return CLI_OK;
}

/* Does o have every member of need? */
static bool has_all(json_t *o, const char *const *need)
{
    for (int k = 0; need[k]; k++)
        if (!json_object_get(o, need[k]))
            return false;
    return true;
}

static int party_add(int argc, char **argv)
{
    static const char *const single[] = {"uscc", "name", "region", NULL};
    static const char *const need[] = {"uscc", "name", "roles", NULL};
    static const list_opt lists[] = {{"--role", "roles", true},
                                     {"--gcp", "gcp", false},
                                     {"--licence", "licence", false},
                                     {NULL, NULL, false}};
    static const form f = {"party add", party_help, single, lists};
    const char *db = NULL;
    json_t *o = json_object(), *v;
    int rc = read_form(&f, argc, argv, o, &db);
    size_t i;

    if (rc == CLI_OK && (!db || !has_all(o, need)))
        rc = cli_usage_error("party add needs --db, --uscc, --name and "
                             "--role\n%s",
                             party_help);
    if (rc == CLI_OK)
        json_array_foreach (json_object_get(o, "roles"), i, v)
            if (rc == CLI_OK && !yima_store_role_known(json_string_value(v)))
                rc = cli_usage_error("party add: role '%s' is not one of %s",
                                     json_string_value(v), YIMA_ROLE_NAMES);
    if (rc == CLI_OK)
        rc = put(db, YIMA_STORE_PARTY, o,
                 json_string_value(json_object_get(o, "uscc")));
    json_decref(o);
    return rc < 0 ? CLI_OK : rc;
}

static int product_add(int argc, char **argv)
{
    static const char *const single[] = {
        "producer", "gtin", "name", "category", "model", "standard",
        "ccc",      "licence", NULL};
    static const char *const need[] = {"producer", "gtin", "name", "category",
                                       NULL};
    static const form f = {"product add", product_help, single, NULL};
    const char *db = NULL;
    json_t *o = json_object();
    int rc = read_form(&f, argc, argv, o, &db);

    if (rc == CLI_OK && (!db || !has_all(o, need)))
        rc = cli_usage_error("product add needs --db, --producer, --gtin, "
                             "--name and --category\n%s",
                             product_help);
    if (rc == CLI_OK)
        rc = put(db, YIMA_STORE_PRODUCT, o,
                 json_string_value(json_object_get(o, "gtin")));
    json_decref(o);
    return rc < 0 ? CLI_OK : rc;
}

int cmd_party(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "add"))
        return party_add(argc - 1, argv + 1);
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        fputs(party_help, stdout);
        return CLI_OK;
    }
    return cli_usage_error("party: expected 'add'\n%s", party_help);
}

int cmd_product(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "add"))
        return product_add(argc - 1, argv + 1);
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        fputs(product_help, stdout);
        return CLI_OK;
    }
    return cli_usage_error("product: expected 'add'\n%s", product_help);
}
