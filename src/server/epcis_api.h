/*
 * epcis_api.h - what the EPCIS 2.0 REST binding's two files share:
 * h_epcis.c (the handlers) and epcis_query.c (the query string of
 * GET /epcis/events turned into a yima_query, and the paging Link).
 *
 * Query parameters understood (values comma-separated, and a parameter may
 * repeat: every value counts; docs/epcis-api.md has the table):
 *
 *   parameter                    yima_query
 *   ---------------------------  ------------------------------------------
 *   eventType                    types
 *   GE_/LT_eventTime,            the time bounds; RFC 3339 with a zone
 *   GE_/LT_recordTime            ('Z' or +hh:mm; a '+' sent unescaped
 *                                arrives as a space and is taken as '+')
 *   EQ_action                    actions (ADD, OBSERVE, DELETE)
 *   EQ_bizStep, EQ_disposition   biz_steps, dispositions, as CBV web URIs
 *                                (bare words and CBV 1.x URNs converted)
 *   EQ_readPoint, EQ_bizLocation codes, roles READ_POINT / LOCATION
 *   MATCH_epc                    codes, roles EPC | CHILD
 *   MATCH_anyEPC                 EPC | PARENT | CHILD | INPUT | OUTPUT
 *   MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC: PARENT, INPUT, OUTPUT
 *   MATCH_epcClass,              CLASS (the store does not tell input and
 *   MATCH_anyEPCClass            output classes from quantityList ones)
 *   EQ_bizTransaction_<type>,    codes with that list item type
 *   EQ_source_<type>,
 *   EQ_destination_<type>
 *   perPage                      1..EPCIS_PER_PAGE_MAX, default
 *                                EPCIS_PER_PAGE_DEFAULT
 *   nextPageToken                a token from a Link header: where to go on
 *
 * Any other parameter is refused with 400 naming it (the binding's
 * QueryParameterException), as is a malformed value (naming the parameter).
 */
#ifndef YIMA_SERVER_EPCIS_API_H
#define YIMA_SERVER_EPCIS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server.h"

#define EPCIS_PER_PAGE_DEFAULT 30
#define EPCIS_PER_PAGE_MAX     10000

/*
 * Fill *q (yima_query_init() first) from the request's query string; all
 * memory comes from the request's arena. Returns true, or answers 400
 * naming the parameter and returns false.
 */
bool epcis_query_parse(yima_http_req *req, yima_http_res *res, yima_query *q);

/*
 * Add one more code filter to q (the {epc} of /epcis/epcs/{epc}/events):
 * roles as in yima_query_codes, the value kept by reference. Returns false
 * when q has no room left (YIMA_QUERY_CODES_MAX).
 */
bool epcis_query_add_code(yima_http_req *req, yima_query *q, unsigned roles,
                          const char *code);

/*
 * Add `Link: <path?query&nextPageToken=...>; rel="next"` for a query that
 * goes on at ledger index next: the request's own parameters, but for its
 * nextPageToken. Returns 0 or the engine's error.
 */
int epcis_query_link(yima_http_req *req, yima_http_res *res, uint64_t next);

/*
 * Parse an RFC 3339 date-time with a zone ("2025-03-01T08:30:00.123+08:00")
 * to UTC milliseconds (digits past the millisecond are dropped). Returns
 * false when s is not one.
 */
bool epcis_time_parse(const char *s, int64_t *ms);

/*
 * Append s percent-encoded for a URL path segment or query value: every
 * byte but A-Z a-z 0-9 - . _ ~ becomes %XX.
 */
int epcis_url_encode(yima_buf *b, const char *s);

#endif /* YIMA_SERVER_EPCIS_API_H */
