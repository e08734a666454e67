/*
 * listen.c - turn "HOST:PORT" into a listening TCP socket.
 *
 * Forms: "127.0.0.1:8080", "localhost:8080", "[::1]:8080", ":8080" (every
 * address). Port 0 asks the kernel for a free port; the address the socket
 * really got is written back, so tests can start on port 0 and read it.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_int.h"

#define LISTEN_BACKLOG 1024

static int split(const char *spec, char *host, size_t hostsz, char *port,
                 size_t portsz, yima_error *err)
{
    const char *colon, *h = spec;
    size_t hlen;

    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':')
            return yima_error_set(err, YIMA_EINVAL, 1,
                                  "listen: '%s' is not [ADDRESS]:PORT", spec);
        h = spec + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon)
            return yima_error_set(err, YIMA_EINVAL, 0,
                                  "listen: '%s' is not HOST:PORT", spec);
        hlen = (size_t)(colon - spec);
    }
    if (hlen >= hostsz || strlen(colon + 1) >= portsz || !colon[1] ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
        strtol(colon + 1, NULL, 10) > 65535)
        return yima_error_set(err, YIMA_EINVAL, (size_t)(colon - spec) + 2,
                              "listen: bad port in '%s' (0 to 65535)", spec);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    memcpy(port, colon + 1, strlen(colon + 1) + 1);
    return 0;
}

static void name_of(int fd, char *addr, size_t addrsz)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[NI_MAXHOST], port[NI_MAXSERV];

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
        getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, port,
                    sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(addr, addrsz, "?");
        return;
    }
    if (ss.ss_family == AF_INET6)
        snprintf(addr, addrsz, "[%s]:%s", host, port);
    else
        snprintf(addr, addrsz, "%s:%s", host, port);
}

int http_listen(const char *spec, int *fd, char *addr, size_t addrsz,
                yima_error *err)
{
    char host[256], port[8];
    struct addrinfo hints, *res = NULL, *ai;
    int rc, s = -1, e = 0, one = 1;

    if ((rc = split(spec, host, sizeof host, port, sizeof port, err)) != 0)
        return rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res)) != 0)
        return yima_error_set(err, YIMA_EINVAL, 1, "listen: '%s': %s", spec,
                              gai_strerror(rc));
    for (ai = res; ai; ai = ai->ai_next) {
        s = socket(ai->ai_family,
                   ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   ai->ai_protocol);
        if (s < 0) {
            e = errno;
            continue;
        }
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(s, LISTEN_BACKLOG) == 0)
            break;
        e = errno;
        close(s);
        s = -1;
    }
    freeaddrinfo(res);
    if (s < 0)
        return yima_error_set(err, YIMA_EIO, 0, "listen: %s: %s", spec,
                              strerror(e));
    name_of(s, addr, addrsz);
    *fd = s;
    return 0;
}
