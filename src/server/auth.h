/*
 * auth.h - who is calling, and may they: bearer tokens (yima/store.h) and
 * the roles of the platform.
 *
 *   role       may
 *   ---------  --------------------------------------------------------------
 *   (public)   scan codes, report a problem with a scanned unit, read the
 *              ledger (checkpoint, tiles, proofs)
 *   producer   capture events in its own name, commissioning only codes of
 *              its own (its GS1 company prefixes, platform codes issued to
 *              it); read the events it recorded; issue platform codes; add
 *              its products and batches; trace its own codes; read its
 *              batches' inspections; record returns of a recall it holds
 *              units of; subscribe to recall notices
 *   seller     capture events in its own name; read the events it recorded;
 *              record returns and subscribe, as a holder
 *   regulator  read and trace everything; inspections, risk cases, recalls
 *   auditor    read and trace everything; writes nothing
 *
 * A missing token where one is needed answers 401, a bad or revoked one
 * 401 as well (with WWW-Authenticate: Bearer), a role that may not do the
 * thing 403; every body is JSON and says why.
 */
#ifndef YIMA_SERVER_AUTH_H
#define YIMA_SERVER_AUTH_H

#include <stdbool.h>

#include "server.h"

/* Role bits for server_allow(). */
#define ROLE_PRODUCER  1u
#define ROLE_SELLER    2u
#define ROLE_REGULATOR 4u
#define ROLE_AUDITOR   8u
#define ROLE_ANY       15u
#define ROLE_READ_ALL  (ROLE_REGULATOR | ROLE_AUDITOR)

typedef struct server_caller {
    bool authed;          /* a valid token came with the request */
    unsigned role;        /* one ROLE_ bit when authed */
    yima_store_token tok; /* party, role, id */
} server_caller;

/*
 * Who calls: no Authorization header is the public (returns true, authed
 * false). A header that is not "Bearer <token>", or a token that is
 * unknown or revoked, is answered 401 and returns false.
 */
bool server_caller_get(yima_http_req *req, yima_http_res *res,
                       server_caller *who);

/*
 * May the caller do `what` ("capture events")? roles is a set of ROLE_
 * bits. Answers 401 for the public and 403 for another role, and returns
 * false; true when allowed (also names the party in the access log).
 */
bool server_allow(yima_http_req *req, yima_http_res *res,
                  const server_caller *who, unsigned roles, const char *what);

/* Both: the caller (server_caller_get), then the role (server_allow). */
bool server_authorize(yima_http_req *req, yima_http_res *res,
                      server_caller *who, unsigned roles, const char *what);

#endif /* YIMA_SERVER_AUTH_H */
