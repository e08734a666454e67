/*
 * cli_csv.c - master data from CSV (RFC 4180: commas, double quotes, ""
 * inside quotes, CRLF or LF), one record per row, turned into the JSON
 * objects yima_store_master_put() takes.
 *
 *   kind,uscc,name,roles,region
 *   party,91350100M000100Y43,某某电缆有限公司,producer;seller,350100
 *   product,,,,  ...  (columns a row does not use stay empty)
 *
 * The header names the fields; `kind` (party, category, product, batch)
 * is required. Empty cells are left out. `roles`, `gcp` and `licences`
 * are split on ';' into arrays, `phase` is written as a number. Errors name the
 * line and column. A file is one transaction: one bad row and none of it is
 * stored.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CSV_COLS_MAX 64

typedef struct row {
    size_t n;
    const char *cell[CSV_COLS_MAX];
    size_t len[CSV_COLS_MAX];
} row;

/* Parse one row starting at *p, unquoting into scratch (which must have room
 * for the row). Advances *p past the row's line end and *line by the lines
 * it spans. Returns 0 or YIMA_EINVAL with a message in why. */
static int next_row(const char **p, const char *end, char *scratch, row *r,
                    size_t *line, char *why, size_t whysz)
{
    const char *s = *p;
    char *w = scratch;

    r->n = 0;
    for (;;) {
        if (r->n == CSV_COLS_MAX) {
            snprintf(why, whysz, "more than %d columns", CSV_COLS_MAX);
            return YIMA_EINVAL;
        }
        r->cell[r->n] = w;
        if (s < end && *s == '"') {
            s++;
            for (;;) {
                if (s >= end) {
                    snprintf(why, whysz, "column %zu: quote not closed",
                             r->n + 1);
                    return YIMA_EINVAL;
                }
                if (*s == '"' && s + 1 < end && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    if (*s == '\n')
                        (*line)++;
                    *w++ = *s++;
                }
            }
            if (s < end && *s != ',' && *s != '\n' && *s != '\r') {
                snprintf(why, whysz, "column %zu: text after closing quote",
                         r->n + 1);
                return YIMA_EINVAL;
            }
        } else {
            while (s < end && *s != ',' && *s != '\n' && *s != '\r')
                *w++ = *s++;
        }
        r->len[r->n] = (size_t)(w - r->cell[r->n]);
        *w++ = '\0';
        r->n++;
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == '\r')
            s++;
        if (s < end && *s == '\n')
            s++;
        break;
    }
    *p = s;
    return 0;
}

static int kind_of(const char *s, yima_store_kind *kind)
{
    static const struct {
        const char *name;
        yima_store_kind kind;
    } kinds[] = {{"party", YIMA_STORE_PARTY},
                 {"category", YIMA_STORE_CATEGORY},
                 {"product", YIMA_STORE_PRODUCT},
                 {"batch", YIMA_STORE_BATCH}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(s, kinds[i].name)) {
            *kind = kinds[i].kind;
            return 0;
        }
    return YIMA_EINVAL;
}

/* The row as a JSON object under the header's names (kind left out). */
static void row_json(const row *head, const row *r, size_t kind_col,
                     yima_buf *out)
{
    bool first = true;

    yima_buf_reset(out);
    yima_buf_putc(out, '{');
    for (size_t c = 0; c < r->n && c < head->n; c++) {
        if (c == kind_col || r->len[c] == 0)
            continue;
        if (!first)
            yima_buf_putc(out, ',');
        first = false;
        yima_buf_json_str(out, head->cell[c], head->len[c]);
        yima_buf_putc(out, ':');
        if (!strcmp(head->cell[c], "roles") || !strcmp(head->cell[c], "gcp") ||
            !strcmp(head->cell[c], "licences")) {
            const char *v = r->cell[c], *semi;
            yima_buf_putc(out, '[');
            for (;;) {
                semi = strchr(v, ';');
                size_t n = semi ? (size_t)(semi - v) : strlen(v);
                yima_buf_json_str(out, v, n);
                if (!semi)
                    break;
                yima_buf_putc(out, ',');
                v = semi + 1;
            }
            yima_buf_putc(out, ']');
        } else if (!strcmp(head->cell[c], "phase") &&
                   strspn(r->cell[c], "0123456789") == r->len[c]) {
            yima_buf_add(out, r->cell[c], r->len[c]);
        } else {
            yima_buf_json_str(out, r->cell[c], r->len[c]);
        }
    }
    yima_buf_putc(out, '}');
}

int cli_import_csv(yima_store *st, const char *text, size_t len, size_t *rows,
                   char *why, size_t whysz)
{
    const char *p = text, *end = text + len;
    char *head_buf = NULL, *row_buf = NULL;
    row head, r;
    size_t line = 1, kind_col = SIZE_MAX, at;
    yima_buf json;
    yima_error err;
    bool in_tx = false;
    int rc = YIMA_EINVAL;

    *rows = 0;
    yima_buf_init(&json, 1 << 20);
    head_buf = malloc(len + CSV_COLS_MAX + 1);
    row_buf = malloc(len + CSV_COLS_MAX + 1);
    if (!head_buf || !row_buf) {
        rc = YIMA_ENOMEM;
        snprintf(why, whysz, "out of memory");
        goto out;
    }
    if (next_row(&p, end, head_buf, &head, &line, why, whysz) != 0)
        goto bad;
    /* the whole file in one transaction: stored whole or not at all */
    if ((rc = yima_store_master_begin(st, &err)) != 0) {
        snprintf(why, whysz, "%s", err.msg);
        goto out;
    }
    in_tx = true;
    rc = YIMA_EINVAL;
    for (size_t c = 0; c < head.n; c++)
        if (!strcmp(head.cell[c], "kind"))
            kind_col = c;
    if (kind_col == SIZE_MAX) {
        snprintf(why, whysz, "line 1: the header has no 'kind' column");
        goto out;
    }
    while (p < end) {
        yima_store_kind kind;
        line++;
        at = line;
        if (*p == '\n' || *p == '\r') { /* blank line */
            p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
            continue;
        }
        if (next_row(&p, end, row_buf, &r, &line, why, whysz) != 0)
            goto bad;
        if (r.n > head.n) {
            snprintf(why, whysz, "line %zu: %zu columns, the header has %zu",
                     at, r.n, head.n);
            goto out;
        }
        if (kind_col >= r.n || kind_of(r.cell[kind_col], &kind) != 0) {
            snprintf(why, whysz,
                     "line %zu: column %zu (kind): '%s' is not party, "
                     "category, product or batch",
                     at, kind_col + 1, kind_col < r.n ? r.cell[kind_col] : "");
            goto out;
        }
        row_json(&head, &r, kind_col, &json);
        if (yima_store_master_put(st, kind, json.data, json.len, &err) != 0) {
            snprintf(why, whysz, "line %zu: %s", at, err.msg);
            rc = err.code ? err.code : YIMA_EINVAL;
            goto out;
        }
        (*rows)++;
    }
    if ((rc = yima_store_master_commit(st, &err)) != 0) {
        snprintf(why, whysz, "%s", err.msg);
        goto out;
    }
    in_tx = false;
    goto out;
bad : {
    char inner[200];
    snprintf(inner, sizeof inner, "%s", why);
    snprintf(why, whysz, "line %zu: %s", line, inner);
}
out:
    if (in_tx) {
        yima_store_master_rollback(st);
        *rows = 0;
    }
    free(head_buf);
    free(row_buf);
    yima_buf_free(&json);
    return rc;
}
