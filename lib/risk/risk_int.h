/*
 * risk_int.h - private to lib/risk/: what risk.c and notify.c share.
 */
#ifndef YIMA_RISK_INT_H
#define YIMA_RISK_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "yima/risk.h"

/* The notifications of recall id with their state (notify.c): a new
 * array of {"id", "party", "url", "status": pending | delivered | failed,
 * "attempts", "next_attempt", "delivered_at" (times or null),
 * ["last_error"]} in *out. Returns 0 or YIMA_EIO (*out still set, perhaps
 * short). */
int risk_notifications(yima_store *st, int64_t recall, json_t **out);

/* The "notice" of party (bare USCC) over its entries in notifications (an
 * array from risk_notifications): a new {"status", "attempts",
 * "delivered_at", ["last_error"]}, or NULL when it has none. */
json_t *risk_notice_of(json_t *notifications, const char *party);

/* Can the sender reach url (notify.c)? When not, why says why. */
bool risk_url_ok(const char *url, char *why, size_t whysz);

#endif /* YIMA_RISK_INT_H */
