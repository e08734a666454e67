/*
 * yima/error.h - the one error convention of the yima library.
 *
 * Functions that act return int: 0 on success, a negative YIMA_E* code on
 * failure. Predicates return bool. Functions that can fail on user input also
 * take a yima_error, which they fill with a message that says what was wrong
 * and where, so that a front door can show it to a person unchanged.
 */
#ifndef YIMA_ERROR_H
#define YIMA_ERROR_H

#include <stddef.h>

#define YIMA_OK        0
#define YIMA_EINVAL    (-1) /* input is malformed or fails a rule */
#define YIMA_ENOMEM    (-2) /* out of memory */
#define YIMA_ETOOBIG   (-3) /* input exceeds a documented limit */
#define YIMA_EIO       (-4) /* an operating-system call failed */
#define YIMA_EUSAGE    (-5) /* the caller broke an API contract */
#define YIMA_ENOTFOUND (-6)

#define YIMA_ERROR_MSG_MAX 256

/*
 * What went wrong, for a person. `pos` is the 1-based character position in
 * the caller's input where the problem was found, or 0 when no single place
 * is to blame. `msg` is always NUL-terminated.
 */
typedef struct yima_error {
    int code;
    size_t pos;
    char msg[YIMA_ERROR_MSG_MAX];
} yima_error;

/* A short static description of a YIMA_E* code ("invalid input", ...). */
const char *yima_strerror(int code);

/*
 * Fill *err (which may be NULL) with code, position and a printf-style
 * message, and return code so callers can write `return yima_error_set(...)`.
 */
int yima_error_set(yima_error *err, int code, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reset *err to "no error". Accepts NULL. */
void yima_error_clear(yima_error *err);

#endif /* YIMA_ERROR_H */
