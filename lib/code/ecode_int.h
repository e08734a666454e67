/*
 * ecode_int.h - private to lib/code/: the Ecode version table shared by
 * ecode.c and the generated ecode_table.c.
 *
 * The table is generated from data/ecode/versions.tsv by
 * tools/gen-ecode-table.awk; nothing in it is typed by hand.
 */
#ifndef YIMA_ECODE_INT_H
#define YIMA_ECODE_INT_H

#include <stddef.h>

/* Characters allowed after the version digit. */
typedef enum ecode_charset {
    ECODE_DIGIT = 1, /* 0-9 */
    ECODE_ALNUM      /* 0-9 A-Z (lower case input is folded) */
} ecode_charset;

/* One Ecode version: V (one digit) + NSI (nsi_len) + MD (md_min..md_max). */
typedef struct ecode_version {
    unsigned char version;   /* 0..9 */
    unsigned char nsi_len;   /* fixed NSI length */
    unsigned char md_min;    /* shortest MD */
    unsigned char md_max;    /* longest MD */
    unsigned char total_max; /* 1 + nsi_len + md_max */
    unsigned char charset;   /* ecode_charset */
} ecode_version;

/* Every defined version, ecode_version_count entries, in TSV order. */
extern const ecode_version ecode_versions[];
extern const size_t ecode_version_count;

#endif /* YIMA_ECODE_INT_H */
