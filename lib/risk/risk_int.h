/*
 * risk_int.h - private to lib/risk/: what risk.c and notify.c share.
 */
#ifndef YIMA_RISK_INT_H
#define YIMA_RISK_INT_H

#include <jansson.h>

#include "yima/risk.h"

/* The notifications of recall id with their state (notify.c): a new
 * array of {"id", "party", "url", "status": pending | delivered | failed,
 * "attempts", "next_attempt" (or null), ["last_error"]} in *out. Returns 0
 * or YIMA_EIO (*out still set, perhaps short). */
int risk_notifications(yima_store *st, int64_t recall, json_t **out);

#endif /* YIMA_RISK_INT_H */
